import { useState } from "react";
import { useNavigate } from "react-router";
import type { TeamSummaryDto as TeamSummary } from "../../../shared/schemas";
import { useMe } from "../../app/session";
import { expectDeparture } from "../../app/TeamScope";
import { teamPath } from "../../app/teamPaths";
import { Button } from "../../ui/Button";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { useToast } from "../../ui/Toast";
import { useDeleteTeam } from "./hooks";

export function DeleteTeam({ team }: { team: TeamSummary }) {
  const [open, setOpen] = useState(false);
  const remove = useDeleteTeam(team.id);
  const toast = useToast();
  const navigate = useNavigate();
  const me = useMe();
  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Delete this team
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => {
          setOpen(false);
          remove.reset();
        }}
        title={`Delete ${team.name}?`}
        confirmLabel="Delete team"
        pending={remove.isPending}
        error={remove.error}
        confirmText={team.name}
        onConfirm={() => {
          // Its disappearance from /api/me is expected: no "you are no longer a member" notice.
          const stay = expectDeparture(team.id);
          // mutateAsync: the page may unmount as the active team falls back.
          void remove.mutateAsync().then(
            () => {
              setOpen(false);
              toast.success(`Deleted ${team.name}. Your default team is active.`);
              const home = me.teams.find((t) => t.isDefault);
              navigate(home ? teamPath(home.id) : "/");
            },
            () => stay(),
          );
        }}
      >
        <p>Every member loses access at once and pending invitations stop working. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
