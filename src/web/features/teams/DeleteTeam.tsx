import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { teamsApi } from "../../api/endpoints";
import { keys } from "../../api/keys";
import type { TeamSummaryDto as TeamSummary } from "../../../shared/schemas";
import { useMe } from "../../app/session";
import { expectDeparture } from "../../app/TeamScope";
import { teamPath } from "../../app/teamPaths";
import { Button } from "../../ui/Button";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { plural } from "../../ui/format";
import { Spinner } from "../../ui/Spinner";
import { useToast } from "../../ui/Toast";
import { useDeleteTeam } from "./hooks";

/** What goes with the team, counted by the server when the dialog opens. */
function WhatGoes({ teamId }: { teamId: string }) {
  const contents = useQuery({ queryKey: [...keys.team(teamId), "deletion-preview"], queryFn: () => teamsApi.deletionPreview(teamId), staleTime: 0 });
  if (contents.isPending) return <p className="muted"><Spinner size={14} /> Counting what goes with it…</p>;
  if (!contents.data) return null;
  const c = contents.data;
  const lines = [
    plural(c.orders, "order"),
    plural(c.certificates, "certificate"),
    plural(c.documents, "document"),
    plural(c.billingProfiles, "billing profile"),
    plural(c.apiKeys, "API key"),
    plural(c.acmeCredentials, "ACME credential"),
    plural(c.members, "membership", "memberships"),
  ];
  return (
    <>
      <p>Deleted with it:</p>
      <ul className="deletion-list" data-testid="deletion-preview">
        {lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </>
  );
}

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
        <WhatGoes teamId={team.id} />
        <p>Every member loses access at once and pending invitations stop working. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
