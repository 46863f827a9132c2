import { useState } from "react";
import { fieldError } from "../../api/client";
import type { Role } from "../../../shared/permissions";
import type { MemberDto as Member } from "../../../shared/schemas";
import { ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { Dialog } from "../../ui/Dialog";
import { useToast } from "../../ui/Toast";
import { RolePicker } from "../roles/RolePicker";
import { useUpdateRoles } from "./hooks";

export function EditRolesDialog({ teamId, member, onClose }: { teamId: string; member: Member | null; onClose: () => void }) {
  const update = useUpdateRoles(teamId);
  return (
    <Dialog
      open={member !== null}
      onClose={() => {
        update.reset();
        onClose();
      }}
      busy={update.isPending}
      title={member ? `Roles of ${member.name}` : "Roles"}
      description={member ? `${member.email} · A member holds at least one role.` : undefined}
    >
      {member ? <EditRolesForm key={member.userId} member={member} update={update} onDone={onClose} /> : null}
    </Dialog>
  );
}

function EditRolesForm({ member, update, onDone }: { member: Member; update: ReturnType<typeof useUpdateRoles>; onDone: () => void }) {
  const [roles, setRoles] = useState<Role[]>(member.roles);
  const toast = useToast();
  const none = roles.length === 0;
  const unchanged = roles.length === member.roles.length && roles.every((r) => member.roles.includes(r));
  const rolesError = none ? "Choose at least one role." : fieldError(update.error, "roles");

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (none || unchanged) return;
        update.mutateAsync({ userId: member.userId, roles }).then(
          () => {
            toast.success(`Updated the roles of ${member.name}.`);
            onDone();
          },
          () => undefined,
        );
      }}
    >
      <div className="stack">
        <RolePicker value={roles} onChange={setRoles} error={rolesError} disabled={update.isPending} />
        {update.error && !fieldError(update.error, "roles") ? <ErrorAlert error={update.error} /> : null}
      </div>
      <div className="dialog-footer">
        <Button onClick={onDone} disabled={update.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={update.isPending} disabled={none || unchanged}>
          Save roles
        </Button>
      </div>
    </form>
  );
}
