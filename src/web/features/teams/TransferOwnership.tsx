import { useId, useState } from "react";
import type { MemberDto as Member, TeamSummaryDto as TeamSummary } from "../../../shared/schemas";
import { Alert, ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { useDebounced } from "../../ui/hooks";
import { Spinner } from "../../ui/Spinner";
import { useToast } from "../../ui/Toast";
import { useMembers } from "../members/hooks";
import { RoleChips } from "../roles/RoleChips";
import { useTransferTeam } from "./hooks";

/** Pick a current member (searchable, so it works for large teams) and hand them the team. */
export function TransferOwnership({ team }: { team: TeamSummary }) {
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 300);
  const candidates = useMembers(team.id, q, 10);
  const [chosen, setChosen] = useState<Member | null>(null);
  const [confirming, setConfirming] = useState(false);
  const transfer = useTransferTeam(team.id);
  const toast = useToast();
  const searchId = useId();
  const rows = (candidates.data?.pages.flatMap((p) => p.items) ?? []).filter((m) => !m.isOwner);
  const nobody = candidates.isSuccess && q === "" && rows.length === 0 && !candidates.hasNextPage;

  if (nobody) {
    return (
      <div className="stack">
        <p className="muted">{team.name} has no other members yet. Invite someone first; ownership can only go to a current member.</p>
      </div>
    );
  }

  return (
    <div className="stack">
      <Alert tone="info">
        The new Owner gets full control of {team.name}. You stay on as a member with the <strong>Account Admin</strong> role: you keep every permission except deleting the team and transferring it. Only the new Owner can undo this.
      </Alert>
      <div className="field">
        <label htmlFor={searchId}>Find a member</label>
        <div className="search">
          <input id={searchId} type="search" placeholder="Name or e-mail…" value={search} onChange={(e) => setSearch(e.target.value)} autoComplete="off" />
          {candidates.isFetching ? <Spinner size={14} /> : null}
        </div>
      </div>
      {candidates.error ? <ErrorAlert error={candidates.error} /> : null}
      {candidates.isSuccess && rows.length === 0 ? (
        <p className="muted">No member's name or e-mail starts with “{q}”.</p>
      ) : (
        <fieldset className="member-choices">
          <legend className="visually-hidden">New Owner</legend>
          {rows.map((member) => (
            <label key={member.userId} className={chosen?.userId === member.userId ? "member-choice chosen" : "member-choice"}>
              <input type="radio" name="new-owner" value={member.userId} checked={chosen?.userId === member.userId} onChange={() => setChosen(member)} />
              <span>
                <span className="strong">{member.name}</span> <span className="muted small">{member.email}</span>
                <br />
                <RoleChips roles={member.roles} />
              </span>
            </label>
          ))}
        </fieldset>
      )}
      <div>
        <Button variant="danger" disabled={!chosen} onClick={() => setConfirming(true)}>
          Transfer ownership{chosen ? ` to ${chosen.name}` : ""}
        </Button>
      </div>
      <ConfirmDialog
        open={confirming}
        onClose={() => {
          setConfirming(false);
          transfer.reset();
        }}
        title={`Make ${chosen?.name ?? "this member"} the Owner?`}
        confirmLabel="Transfer ownership"
        pending={transfer.isPending}
        error={transfer.error}
        confirmText={team.name}
        onConfirm={() => {
          if (!chosen) return;
          const receiver = chosen;
          // mutateAsync: this card disappears once /api/me says we no longer own the team.
          transfer.mutateAsync(receiver.userId).then(
            () => {
              setConfirming(false);
              setChosen(null);
              toast.success(`${receiver.name} is now the Owner of ${team.name}. You are an Account Admin.`);
            },
            () => undefined,
          );
        }}
      >
        <p>
          {chosen?.email} becomes the Owner of {team.name}. You become an Account Admin. If they already own as many teams as their limit allows, the transfer is refused.
        </p>
      </ConfirmDialog>
    </div>
  );
}
