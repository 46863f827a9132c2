import { useState } from "react";
import type { InvitationDto as Invitation } from "../../../shared/schemas";
import { useActiveTeam } from "../../app/session";
import { ErrorAlert } from "../../ui/Alert";
import { Badge } from "../../ui/Badge";
import { Button } from "../../ui/Button";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { EmptyState } from "../../ui/EmptyState";
import { formatDateTime, formatRelative } from "../../ui/format";
import { Card, Page } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { useToast } from "../../ui/Toast";
import { RoleChips } from "../roles/RoleChips";
import { useInvitations, useResendInvitation, useRevokeInvitation } from "./hooks";
import type { InvitationFilter } from "./hooks";
import { InviteForm } from "./InviteForm";
import { STATUS_LABELS, STATUS_TONES, inviterName } from "./words";

export function InvitationsPage() {
  const team = useActiveTeam();
  const [filter, setFilter] = useState<InvitationFilter>("pending");
  const invitations = useInvitations(team.id, filter);
  const resend = useResendInvitation(team.id);
  const revoke = useRevokeInvitation(team.id);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const toast = useToast();
  const rows = invitations.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Page title="Invitations" description={`Invite colleagues to ${team.name} with only the roles their job needs.`}>
      <div className="grid-sidebar">
        <Card title="Invite a colleague">
          <InviteForm teamId={team.id} teamName={team.name} />
        </Card>

        <Card
          title="Sent invitations"
          actions={
            <div className="segmented" role="radiogroup" aria-label="Show invitations">
              {(["pending", "all"] as const).map((value) => (
                <label key={value} className={filter === value ? "segment active" : "segment"}>
                  <input type="radio" name="invitation-filter" value={value} checked={filter === value} onChange={() => setFilter(value)} />
                  {value === "pending" ? "Pending" : "All"}
                </label>
              ))}
            </div>
          }
        >
          {invitations.isPending ? (
            <Loading label="Loading invitations…" />
          ) : invitations.error && !rows.length ? (
            <ErrorAlert error={invitations.error} action={<Button onClick={() => invitations.refetch()}>Try again</Button>} />
          ) : rows.length === 0 ? (
            <EmptyState title={filter === "pending" ? "No pending invitations" : "No invitations yet"}>
              Invitations you send appear here until they are accepted, declined, revoked or expire.
            </EmptyState>
          ) : (
            <ul className="invitation-list" aria-label="Invitations">
              {rows.map((invitation) => {
                const by = inviterName(invitation.invitedBy);
                const canResend = invitation.status === "pending" || invitation.status === "expired";
                return (
                  <li key={invitation.id} className="invitation" data-testid="invitation-row" data-email={invitation.email}>
                    <div className="invitation-main">
                      <p>
                        <span className="strong">{invitation.email}</span> <Badge tone={STATUS_TONES[invitation.status]}>{STATUS_LABELS[invitation.status]}</Badge>
                      </p>
                      <RoleChips roles={invitation.roles} />
                      <p className="muted small">
                        Sent {formatDateTime(invitation.createdAt)}
                        {by ? ` by ${by}` : ""}
                        {invitation.status === "pending" ? (
                          <>
                            {" · "}
                            <time dateTime={invitation.expiresAt} title={formatDateTime(invitation.expiresAt)}>
                              expires {formatRelative(invitation.expiresAt)}
                            </time>
                          </>
                        ) : null}
                      </p>
                    </div>
                    <div className="invitation-actions">
                      {canResend ? (
                        <Button
                          size="sm"
                          pending={resend.isPending && resend.variables === invitation.id}
                          disabled={resend.isPending}
                          aria-label={`Resend the invitation to ${invitation.email}`}
                          onClick={() =>
                            resend.mutate(invitation.id, {
                              onSuccess: ({ invitation: sent }) => toast.success(`Sent a new link to ${sent.email}; it expires ${formatRelative(sent.expiresAt)}.`),
                              onError: (error) => toast.error(error.message),
                            })
                          }
                        >
                          Resend
                        </Button>
                      ) : null}
                      {invitation.status === "pending" ? (
                        <Button size="sm" variant="danger" onClick={() => setRevoking(invitation)} aria-label={`Revoke the invitation to ${invitation.email}`}>
                          Revoke
                        </Button>
                      ) : null}
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
          {invitations.hasNextPage ? (
            <div className="load-more">
              <Button onClick={() => invitations.fetchNextPage()} pending={invitations.isFetchingNextPage}>
                Load more
              </Button>
            </div>
          ) : null}
        </Card>
      </div>

      <ConfirmDialog
        open={revoking !== null}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
        title="Revoke this invitation?"
        confirmLabel="Revoke invitation"
        pending={revoke.isPending}
        error={revoke.error}
        onConfirm={() => {
          if (!revoking) return;
          const target = revoking;
          revoke.mutate(target.id, {
            onSuccess: () => {
              setRevoking(null);
              toast.success(`Revoked the invitation to ${target.email}.`);
            },
          });
        }}
      >
        <p>The link sent to {revoking?.email} will stop working. You can invite them again later.</p>
      </ConfirmDialog>
    </Page>
  );
}
