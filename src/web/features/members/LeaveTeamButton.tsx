import { useState } from "react";
import { useNavigate } from "react-router";
import { useActiveTeam, useMe } from "../../app/session";
import { expectDeparture } from "../../app/TeamScope";
import { teamPath } from "../../app/teamPaths";
import { Button } from "../../ui/Button";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { useToast } from "../../ui/Toast";
import { useLeaveTeam } from "./hooks";

/** For members (never the Owner): leave the active team and fall back to the default team. */
export function LeaveTeamButton({ size = "md" }: { size?: "sm" | "md" }) {
  const me = useMe();
  const team = useActiveTeam();
  const [open, setOpen] = useState(false);
  const leave = useLeaveTeam(team.id, me.user.id);
  const toast = useToast();
  const navigate = useNavigate();
  if (team.isOwner) return null;
  return (
    <>
      <Button variant="danger" size={size} onClick={() => setOpen(true)}>
        Leave team
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => {
          setOpen(false);
          leave.reset();
        }}
        title={`Leave ${team.name}?`}
        confirmLabel="Leave team"
        pending={leave.isPending}
        error={leave.error}
        onConfirm={() => {
          // Its disappearance from /api/me is expected: no "you are no longer a member" notice.
          const stay = expectDeparture(team.id);
          // mutateAsync: this button unmounts as the active team falls back.
          void leave.mutateAsync().then(
            () => {
              setOpen(false);
              toast.success(`You left ${team.name}. Your default team is active again.`);
              const home = me.teams.find((t) => t.isDefault);
              navigate(home ? teamPath(home.id) : "/");
            },
            () => stay(),
          );
        }}
      >
        <p>You will lose access to this team's orders, billing, validation and certificates. Work you did stays with the team. To come back, someone must invite you again.</p>
      </ConfirmDialog>
    </>
  );
}
