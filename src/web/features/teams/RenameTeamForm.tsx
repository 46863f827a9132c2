import { useState } from "react";
import { fieldError } from "../../api/client";
import type { TeamSummaryDto as TeamSummary } from "../../../shared/schemas";
import { ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { TextField } from "../../ui/Field";
import { useToast } from "../../ui/Toast";
import { useRenameTeam } from "./hooks";

export function RenameTeamForm({ team }: { team: TeamSummary }) {
  const [name, setName] = useState(team.name);
  const rename = useRenameTeam(team.id);
  const toast = useToast();
  const trimmed = name.trim();
  const nameError = fieldError(rename.error, "name");
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (!trimmed || trimmed === team.name) return;
        rename.mutate(trimmed, { onSuccess: ({ team: renamed }) => toast.success(`Renamed the team to ${renamed.name}.`) });
      }}
    >
      <TextField label="Team name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} error={nameError} />
      <Button type="submit" variant="primary" pending={rename.isPending} disabled={!trimmed || trimmed === team.name}>
        Save name
      </Button>
      {rename.error && !nameError ? <ErrorAlert error={rename.error} /> : null}
    </form>
  );
}
