import { useId, useState } from "react";
import { Link } from "react-router";
import type { MemberDto as Member } from "../../../shared/schemas";
import { Can, useCan } from "../../app/Can";
import { useActiveTeam, useMe, useTeamPath } from "../../app/session";
import { ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { EmptyState } from "../../ui/EmptyState";
import { formatDate } from "../../ui/format";
import { useDebounced } from "../../ui/hooks";
import { Card, Page } from "../../ui/Page";
import { Loading, Spinner } from "../../ui/Spinner";
import { useToast } from "../../ui/Toast";
import { RoleChips } from "../roles/RoleChips";
import { EditRolesDialog } from "./EditRolesDialog";
import { useMembers, useRemoveMember } from "./hooks";
import { LeaveTeamButton } from "./LeaveTeamButton";

export function MembersPage() {
  const me = useMe();
  const team = useActiveTeam();
  const to = useTeamPath();
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 300);
  const members = useMembers(team.id, q);
  const canUpdate = useCan("members.update");
  const canRemove = useCan("members.remove");
  const [editing, setEditing] = useState<Member | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const remove = useRemoveMember(team.id);
  const toast = useToast();
  const searchId = useId();

  const rows = members.data?.pages.flatMap((page) => page.items) ?? [];
  const searching = search.trim() !== q || (members.isFetching && !members.isFetchingNextPage);

  return (
    <Page
      title="Members"
      description={`People who share ${team.name}'s certificate account, and what each may do.`}
      actions={
        <Can permission="members.invite">
          <Link to={to("invitations")} className="btn btn-primary">
            Invite a colleague
          </Link>
        </Can>
      }
    >
      <Card>
        <div className="toolbar">
          <div className="search">
            <label htmlFor={searchId} className="visually-hidden">
              Search members
            </label>
            <input id={searchId} type="search" placeholder="Search by name or e-mail…" value={search} onChange={(e) => setSearch(e.target.value)} autoComplete="off" />
            {searching ? <Spinner size={14} /> : null}
          </div>
        </div>

        {members.isPending ? (
          <Loading label="Loading members…" />
        ) : members.error && !rows.length ? (
          <ErrorAlert error={members.error} action={<Button onClick={() => members.refetch()}>Try again</Button>} />
        ) : rows.length === 0 ? (
          <EmptyState title={q ? `No member's name or e-mail starts with “${q}”.` : "No members yet."} />
        ) : (
          <table className="table responsive-table" aria-label="Members" aria-busy={searching || undefined}>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Roles</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((member) => {
                const self = member.userId === me.user.id;
                return (
                  <tr key={member.userId} data-testid="member-row" data-email={member.email}>
                    <td data-label="Member">
                      <span className="strong">{member.name}</span>
                      {self ? <span className="muted"> (you)</span> : null}
                      <br />
                      <span className="muted small">{member.email}</span>
                    </td>
                    <td data-label="Roles">
                      <RoleChips roles={member.roles} isOwner={member.isOwner} />
                    </td>
                    <td data-label="Joined">{formatDate(member.joinedAt)}</td>
                    <td className="cell-actions">
                      {/* Nobody edits their own roles: the server refuses it, so the button is not offered. */}
                      {!member.isOwner && !self && canUpdate ? (
                        <Button size="sm" onClick={() => setEditing(member)} aria-label={`Edit roles of ${member.name}`}>
                          Edit roles
                        </Button>
                      ) : null}
                      {!member.isOwner && !self && canRemove ? (
                        <Button size="sm" variant="danger" onClick={() => setRemoving(member)} aria-label={`Remove ${member.name}`}>
                          Remove
                        </Button>
                      ) : null}
                      {self && !member.isOwner ? <LeaveTeamButton size="sm" /> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}

        {members.error && rows.length ? <ErrorAlert error={members.error} /> : null}
        {members.hasNextPage ? (
          <div className="load-more">
            <Button onClick={() => members.fetchNextPage()} pending={members.isFetchingNextPage}>
              Load more
            </Button>
          </div>
        ) : null}
        {rows.length > 0 ? (
          <p className="muted small table-note" aria-live="polite">
            Showing {rows.length} {rows.length === 1 ? "member" : "members"}
            {members.hasNextPage ? "; more to load" : ""}.
          </p>
        ) : null}
      </Card>

      <EditRolesDialog teamId={team.id} member={editing} onClose={() => setEditing(null)} />
      <ConfirmDialog
        open={removing !== null}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        title={removing ? `Remove ${removing.name}?` : "Remove member?"}
        confirmLabel="Remove member"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => {
          if (!removing) return;
          const member = removing;
          remove.mutate(member.userId, {
            onSuccess: () => {
              setRemoving(null);
              toast.success(`Removed ${member.name} from ${team.name}.`);
            },
          });
        }}
      >
        <p>
          {removing?.email} will lose access to {team.name} at once. Documents and orders they added stay with the team.
        </p>
      </ConfirmDialog>
    </Page>
  );
}
