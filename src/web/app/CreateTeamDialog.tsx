import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { fieldError, isApiError } from "../api/client";
import { meApi, teamsApi } from "../api/endpoints";
import { keys } from "../api/keys";
import type { MeDto as Me } from "../../shared/schemas";
import { Alert, ErrorAlert } from "../ui/Alert";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { TextField } from "../ui/Field";
import { useToast } from "../ui/Toast";
import { announceActiveTeam, useMe } from "./session";
import { teamPath } from "./teamPaths";

export function ownedTeams(me: Me): { owned: number; limit: number } {
  return { owned: me.teams.filter((t) => t.isOwner).length, limit: me.user.teamLimit };
}

export function CreateTeamDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const { owned, limit } = ownedTeams(me);
  const atLimit = owned >= limit;

  const create = useMutation({
    mutationFn: async (teamName: string) => {
      const { team } = await teamsApi.create(teamName);
      // A new team is where its creator wants to work next.
      await meApi.setActiveTeam(team.id);
      announceActiveTeam(team.id);
      return team;
    },
    onSuccess: async (team) => {
      await queryClient.invalidateQueries({ queryKey: keys.me });
      toast.success(`Created ${team.name}. It is now your active team.`);
      setName("");
      onClose();
      navigate(teamPath(team.id));
    },
    onError: async (error) => {
      // The limit may have changed under us: refresh the counts.
      if (isApiError(error, "team_limit_reached")) await queryClient.invalidateQueries({ queryKey: keys.me });
    },
  });

  const close = () => {
    create.reset();
    setName("");
    onClose();
  };

  const nameError = fieldError(create.error, "name");
  return (
    <Dialog open={open} onClose={close} title="Create a team" busy={create.isPending} description="A team shares one certificate account: orders, billing, validation and certificates. You will be its Owner.">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim()) create.mutate(name.trim());
        }}
        noValidate
      >
        <div className="stack">
          <TextField label="Team name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} error={nameError} autoComplete="organization" />
          {atLimit ? (
            <Alert tone="warning" title={`You own ${owned} of ${limit} teams.`}>
              That is your limit. Delete a team you own, or contact us to raise the limit for your organisation.
            </Alert>
          ) : (
            <p className="muted small">
              You own {owned} of {limit} teams.
            </p>
          )}
          {create.error && !nameError ? <ErrorAlert error={create.error} /> : null}
        </div>
        <div className="dialog-footer">
          <Button onClick={close} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" pending={create.isPending} disabled={!name.trim() || atLimit}>
            Create team
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
