import { useMutation } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { isApiError } from "../../api/client";
import { domainsApi } from "../../api/endpoints";
import { Alert, ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { AuthLayout } from "../auth/AuthLayout";

/**
 * Where the email method's approval link lands: /domain-approvals/:token. Opening the page
 * approves nothing (mail scanners follow links); the person reading it presses the button.
 */
export function DomainApprovalPage() {
  const { token = "" } = useParams();
  const approve = useMutation({ mutationFn: () => domainsApi.approve(token) });

  if (approve.data) {
    return (
      <AuthLayout title="Approved">
        <Alert tone="success" title={`${approve.data.domain} is approved`}>
          Thank you. The certificate request for {approve.data.domain} can go ahead; you can close this page.
        </Alert>
      </AuthLayout>
    );
  }
  const used = isApiError(approve.error, "approval_used");
  const expired = isApiError(approve.error, "approval_expired");
  const unknown = isApiError(approve.error) && (approve.error.status === 404 || approve.error.status === 400);
  return (
    <AuthLayout title="Approve a certificate request" subtitle="Someone asked certdesk for a certificate for a domain this mailbox belongs to.">
      {used ? (
        <Alert tone="error" title="This approval link was used already">
          The request was approved with it before. Nothing more to do.
        </Alert>
      ) : expired ? (
        <Alert tone="error" title="This approval link has expired">
          Ask the person who requested the certificate to send a new approval e-mail.
        </Alert>
      ) : unknown ? (
        <Alert tone="error" title="This approval link is not valid">
          Check that you opened the whole link from the e-mail; a newer e-mail replaces older links.
        </Alert>
      ) : (
        <div className="stack">
          <p>Approve only if you expected this request and your organization wants the certificate.</p>
          {approve.error ? <ErrorAlert error={approve.error} /> : null}
          <Button variant="primary" className="btn-block" pending={approve.isPending} onClick={() => approve.mutate()}>
            Approve the request
          </Button>
        </div>
      )}
      <p className="auth-footer">
        <Link to="/">Go to certdesk</Link>
      </p>
    </AuthLayout>
  );
}
