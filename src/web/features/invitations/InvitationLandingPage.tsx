import { useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { isApiError } from "../../api/client";
import type { InvitationStatus, OpenInvitationDto as OpenInvitation } from "../../../shared/schemas";
import { useLogout, useMeQuery } from "../../app/session";
import { Alert, ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { formatDateTime, formatRelative } from "../../ui/format";
import { Loading } from "../../ui/Spinner";
import { useToast } from "../../ui/Toast";
import { AuthLayout } from "../auth/AuthLayout";
import { ROLE_DESCRIPTIONS, roleLabel, rolesInWords } from "../roles/labels";
import { useAcceptInvitation, useDeclineInvitation, usePublicInvitation } from "./hooks";
import { inviterName, unusableReason } from "./words";

/** Where e-mailed invitation links land: /invitations/:token. Works signed in or out. */
export function InvitationLandingPage() {
  const { token = "" } = useParams();
  const invitation = usePublicInvitation(token);
  const me = useMeQuery();
  // The offer as last seen pending: after accepting or declining here, the refreshed preview holds
  // only the new status, and the card stays up to say what happened.
  const seenOpen = useRef<OpenInvitation | undefined>(undefined);
  if (invitation.data?.status === "pending") seenOpen.current = invitation.data;

  if (invitation.isPending || me.isPending) {
    return (
      <AuthLayout title="Invitation">
        <Loading label="Opening your invitation…" />
      </AuthLayout>
    );
  }
  // An ended invitation answers with its status only (no team, inviter or roles), or with a 410.
  const ended = invitation.data && invitation.data.status !== "pending" ? invitation.data.status : undefined;
  const open = seenOpen.current;
  if (open && (ended || invitation.data?.status === "pending")) {
    const signedInAs = me.data ? { name: me.data.user.name, email: me.data.user.email } : null;
    return <InvitationCard token={token} invitation={open} status={ended ?? "pending"} signedInAs={signedInAs} />;
  }
  const signedIn = Boolean(me.data);
  const reason = ended ? unusableReason(ended, signedIn) : isApiError(invitation.error) ? unusableReason(invitation.error.code, signedIn) : undefined;
  // 404: no such token; 400: not even shaped like one (a truncated link).
  const notFound = isApiError(invitation.error) && (invitation.error.status === 404 || invitation.error.status === 400);
  const detail = isApiError(invitation.error) && invitation.error.status === 404 ? invitation.error.detail : undefined;
  return (
    <AuthLayout title="Invitation">
      {reason ? (
        <Alert tone="error" title={reason.title}>
          {reason.text}
        </Alert>
      ) : notFound ? (
        <Alert tone="error" title="This invitation link is not valid">
          {detail ?? "Check that you opened the whole link from the e-mail. Links from older e-mails stop working when a new one is sent."}
        </Alert>
      ) : (
        <ErrorAlert error={invitation.error} />
      )}
      <p className="auth-footer">
        {signedIn ? <Link to="/">Go to your teams</Link> : <Link to="/login">Log in to certdesk</Link>}
      </p>
    </AuthLayout>
  );
}

function InvitationCard({
  token,
  invitation,
  status,
  signedInAs,
}: {
  token: string;
  invitation: OpenInvitation;
  status: InvitationStatus;
  signedInAs: { name: string; email: string } | null;
}) {
  const accept = useAcceptInvitation(token);
  const decline = useDeclineInvitation(token);
  const logout = useLogout();
  const navigate = useNavigate();
  const toast = useToast();
  const [confirmDecline, setConfirmDecline] = useState(false);
  const by = inviterName(invitation.invitedBy);
  const here = `/invitations/${encodeURIComponent(token)}`;
  const authQuery = new URLSearchParams({ email: invitation.email, next: here }).toString();
  const mismatch = signedInAs && signedInAs.email.toLowerCase() !== invitation.email.toLowerCase();
  const acceptReason = isApiError(accept.error) ? unusableReason(accept.error.code) : undefined;
  const reason = unusableReason(status) ?? acceptReason;

  return (
    <AuthLayout title={`Join ${invitation.teamName}`} subtitle={by ? `${by} invited you to work with them on certdesk.` : "You were invited to work with a team on certdesk."}>
      <dl className="facts invitation-facts">
        <div>
          <dt>Team</dt>
          <dd className="strong">{invitation.teamName}</dd>
        </div>
        <div>
          <dt>For</dt>
          <dd>{invitation.email}</dd>
        </div>
        <div>
          <dt>{invitation.roles.length > 1 ? "Roles" : "Role"}</dt>
          <dd>
            <span className="visually-hidden">{rolesInWords(invitation.roles)}: </span>
            <ul className="role-explained">
              {invitation.roles.map((role) => (
                <li key={role}>
                  <span className="strong">{roleLabel(role)}</span>
                  {ROLE_DESCRIPTIONS[role] ?? ""}
                </li>
              ))}
            </ul>
          </dd>
        </div>
        {status === "pending" ? (
          <div>
            <dt>Expires</dt>
            <dd>
              <time dateTime={invitation.expiresAt}>{formatDateTime(invitation.expiresAt)}</time> <span className="muted">({formatRelative(invitation.expiresAt)})</span>
            </dd>
          </div>
        ) : null}
      </dl>

      {decline.isSuccess ? (
        <Alert tone="info" title="You declined this invitation">
          {invitation.teamName} will see that you declined. Nothing else changes.
        </Alert>
      ) : reason ? (
        <Alert tone="error" title={reason.title}>
          {reason.text}
        </Alert>
      ) : !signedInAs ? (
        <div className="stack">
          <p>To accept, create your account with this e-mail address, or log in if you already have one.</p>
          <Link to={`/signup?${authQuery}`} className="btn btn-primary btn-block">
            Sign up as {invitation.email}
          </Link>
          <Link to={`/login?${authQuery}`} className="btn btn-secondary btn-block">
            Log in
          </Link>
          {decline.error ? <ErrorAlert error={decline.error} /> : null}
          <p className="small muted center">
            Not for you?{" "}
            <button type="button" className="link-button" onClick={() => setConfirmDecline(true)}>
              Decline the invitation
            </button>
          </p>
        </div>
      ) : mismatch ? (
        <div className="stack">
          <Alert tone="warning" title="This invitation is for another address">
            This invitation is for {invitation.email}; you are signed in as {signedInAs.email}.
          </Alert>
          <Button
            variant="primary"
            className="btn-block"
            pending={logout.isPending}
            onClick={() => logout.mutate(undefined, { onSuccess: () => navigate(`/login?${authQuery}`, { replace: true }) })}
          >
            Log out and continue as {invitation.email}
          </Button>
        </div>
      ) : (
        <div className="stack">
          <p className="muted small">
            Signed in as {signedInAs.name} ({signedInAs.email}).
          </p>
          {accept.error ? (
            isApiError(accept.error, "invitation_email_mismatch") ? (
              <Alert tone="error" title="This invitation is for another address">
                This invitation is for {invitation.email}; you are signed in as {signedInAs.email}.
              </Alert>
            ) : (
              <ErrorAlert error={accept.error} />
            )
          ) : null}
          {decline.error ? <ErrorAlert error={decline.error} /> : null}
          <div className="button-row">
            <Button
              variant="primary"
              pending={accept.isPending}
              disabled={decline.isPending}
              onClick={() =>
                accept.mutateAsync().then(
                  (team) => {
                    toast.success(`You joined ${team.name}. It is now your active team.`);
                    navigate("/team", { replace: true });
                  },
                  () => undefined,
                )
              }
            >
              Accept invitation
            </Button>
            <Button onClick={() => setConfirmDecline(true)} disabled={accept.isPending}>
              Decline
            </Button>
          </div>
        </div>
      )}

      <ConfirmDialog
        open={confirmDecline}
        onClose={() => setConfirmDecline(false)}
        title={`Decline the invitation to ${invitation.teamName}?`}
        confirmLabel="Decline invitation"
        pending={decline.isPending}
        error={decline.error}
        onConfirm={() => decline.mutate(undefined, { onSuccess: () => setConfirmDecline(false) })}
      >
        <p>The link stops working. The team can invite you again later.</p>
      </ConfirmDialog>

      {signedInAs && !mismatch ? (
        <p className="auth-footer">
          <Link to="/team">Go to your dashboard</Link>
        </p>
      ) : null}
    </AuthLayout>
  );
}
