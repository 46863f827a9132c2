import { useState } from "react";
import { isApiError } from "../../api/client";
import { certificatesApi } from "../../api/endpoints";
import type { OrderDto as Order } from "../../../shared/schemas";
import { useCan } from "../../app/Can";
import { Alert, ErrorAlert } from "../../ui/Alert";
import { Badge } from "../../ui/Badge";
import { Button } from "../../ui/Button";
import { CopyButton, CopyField } from "../../ui/CopyButton";
import { TextAreaField } from "../../ui/Field";
import { formatDateTime, formatRelative } from "../../ui/format";
import { Card } from "../../ui/Page";
import { useToast } from "../../ui/Toast";
import { opensslCommand } from "../orders/words";
import { useSubmitCsr } from "./hooks";
import { RevokeButton } from "./RevokeDialog";
import { REASON_WORDS } from "./words";

const PEM_CSR = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----[\s\S]+-----END (NEW )?CERTIFICATE REQUEST-----/;

/** The issued certificate's facts, for everyone who sees the order. */
export function CertificateFacts({ order }: { order: Order }) {
  if (!order.certificate) return null;
  const { serial: serialNumber, notBefore, notAfter, revokedAt, revocationReason } = order.certificate;
  const expired = Date.parse(notAfter) <= Date.now();
  return (
    <dl className="facts" data-testid="certificate-facts">
      <div>
        <dt>Status</dt>
        <dd>
          {revokedAt ? (
            <>
              <Badge tone="red">Revoked</Badge> <span className="small">on {formatDateTime(revokedAt)}{revocationReason ? `: ${REASON_WORDS[revocationReason].label.toLowerCase()}` : ""}</span>
            </>
          ) : expired ? (
            <Badge>Expired</Badge>
          ) : (
            <Badge tone="green">Valid</Badge>
          )}
        </dd>
      </div>
      <div>
        <dt>Serial</dt>
        <dd className="serial">
          <span className="mono">{serialNumber}</span> <CopyButton text={serialNumber} label="serial number" />
        </dd>
      </div>
      <div>
        <dt>Valid from</dt>
        <dd>{formatDateTime(notBefore)}</dd>
      </div>
      <div>
        <dt>Valid until</dt>
        <dd>
          {formatDateTime(notAfter)} <span className="muted small">({formatRelative(notAfter)})</span>
        </dd>
      </div>
    </dl>
  );
}

/** Submit a CSR, download the certificate, reissue: for certificates.manage. */
export function CertificateCard({ teamId, order }: { teamId: string; order: Order }) {
  const canManage = useCan("certificates.manage");
  const [reissuing, setReissuing] = useState(false);
  const issued = order.status === "issued";

  if (order.status === "revoked")
    return (
      <Card title="Certificate">
        <CertificateFacts order={order} />
        <p className="muted small card-foot">This certificate was revoked: relying parties see it in certdesk's CRL and OCSP answers. Order a new certificate to replace it.</p>
      </Card>
    );

  if (order.status === "refunded")
    return (
      <Card title="Certificate">
        {order.certificate ? <CertificateFacts order={order} /> : null}
        <p className={order.certificate ? "muted small card-foot" : "muted"}>This order was refunded: it takes no more CSRs, and no certificate is issued for it.</p>
      </Card>
    );

  if (issued)
    return (
      <Card title="Certificate" description="Issued by the certdesk demonstration CA for every domain of this order.">
        <CertificateFacts order={order} />
        {canManage ? (
          <div className="card-foot">
            {reissuing ? (
              <CsrForm teamId={teamId} order={order} mode="reissue" onDone={() => setReissuing(false)} />
            ) : (
              <div className="stack-sm">
                <div className="button-row">
                  <a className="btn btn-primary" href={certificatesApi.downloadUrl(teamId, order.id)} download>
                    Download certificate (PEM)
                  </a>
                  <Button onClick={() => setReissuing(true)}>Reissue</Button>
                  <RevokeButton teamId={teamId} order={order} />
                </div>
                <p className="muted small">The file holds the certificate, then the intermediate and the root. Reissue with a new CSR to change the key.</p>
              </div>
            )}
          </div>
        ) : (
          <p className="muted small card-foot">Someone with the Installer role downloads and installs it.</p>
        )}
      </Card>
    );

  return (
    <Card
      title="Certificate signing request"
      description={
        order.csrOnFile
          ? "A CSR is on file. The certificate is issued as soon as every domain is validated."
          : "The certificate is issued for the key in your CSR as soon as every domain is validated."
      }
    >
      {canManage ? (
        <CsrForm teamId={teamId} order={order} mode={order.csrOnFile ? "replace" : "submit"} />
      ) : (
        <p className="muted">{order.csrOnFile ? "A CSR is on file." : "No CSR yet. Someone with the Installer role submits it."}</p>
      )}
    </Card>
  );
}

function CsrForm({ teamId, order, mode, onDone }: { teamId: string; order: Order; mode: "submit" | "replace" | "reissue"; onDone?: () => void }) {
  const submit = useSubmitCsr(teamId, order.id);
  const toast = useToast();
  const [csr, setCsr] = useState("");
  const [touched, setTouched] = useState(false);
  const [open, setOpen] = useState(mode !== "replace");
  const localError = touched && !PEM_CSR.test(csr) ? "Paste the whole CSR, from -----BEGIN CERTIFICATE REQUEST----- to -----END CERTIFICATE REQUEST-----." : undefined;
  const csrError = localError ?? (isApiError(submit.error, "invalid_csr") ? submit.error.userMessage : undefined);

  if (!open)
    return (
      <Button size="sm" onClick={() => setOpen(true)}>
        Replace the CSR
      </Button>
    );

  return (
    <form
      className="stack"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setTouched(true);
        if (!PEM_CSR.test(csr)) return;
        submit.mutate(csr.trim(), {
          onSuccess: (updated) => {
            setCsr("");
            setTouched(false);
            if (mode === "reissue") toast.success(`Reissued the certificate; new serial ${updated.certificate?.serial ?? ""}.`);
            else if (updated.status === "issued") toast.success("CSR accepted: the certificate is issued.");
            else toast.success("CSR accepted. The certificate is issued once every domain is validated.");
            onDone?.();
          },
        });
      }}
    >
      <div className="field">
        <p className="field-label">Make a key and CSR on the server that will use the certificate</p>
        <CopyField label="OpenSSL command" value={opensslCommand(order.domains)} multiline />
        <p className="field-hint">It writes the private key to key.pem (keep it there: it never leaves your server) and prints the CSR. Its names must be exactly this order's domains.</p>
      </div>
      <TextAreaField
        label={mode === "reissue" ? "New CSR (PEM)" : "CSR (PEM)"}
        value={csr}
        onChange={(e) => {
          setCsr(e.target.value);
          if (submit.error) submit.reset();
        }}
        rows={8}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        className="field-mono"
        placeholder={"-----BEGIN CERTIFICATE REQUEST-----\n…\n-----END CERTIFICATE REQUEST-----"}
        error={csrError}
      />
      {submit.error && !isApiError(submit.error, "invalid_csr") ? <ErrorAlert error={submit.error} /> : null}
      {mode === "reissue" ? <Alert tone="info">Reissuing signs a new certificate for the same domains at once, for the key in the new CSR. The previous certificate stays on record.</Alert> : null}
      <div className="button-row">
        <Button type="submit" variant="primary" pending={submit.isPending}>
          {mode === "reissue" ? "Reissue certificate" : "Submit CSR"}
        </Button>
        {onDone || mode === "replace" ? (
          <Button
            onClick={() => {
              submit.reset();
              if (onDone) onDone();
              else setOpen(false);
            }}
            disabled={submit.isPending}
          >
            Cancel
          </Button>
        ) : null}
      </div>
    </form>
  );
}
