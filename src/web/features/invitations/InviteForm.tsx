import { useRef, useState } from "react";
import { fieldError, isApiError } from "../../api/client";
import type { Role } from "../../../shared/permissions";
import { durationInWords, useServerSettings } from "../../app/settings";
import { ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { TextField } from "../../ui/Field";
import { useToast } from "../../ui/Toast";
import { focusFirstError } from "../../ui/validation";
import { RolePicker } from "../roles/RolePicker";
import { useInvite } from "./hooks";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function InviteForm({ teamId, teamName }: { teamId: string; teamName: string }) {
  const [email, setEmail] = useState("");
  const [roles, setRoles] = useState<Role[]>([]);
  const [local, setLocal] = useState<{ email?: string; roles?: string }>({});
  const invite = useInvite(teamId);
  const toast = useToast();
  const form = useRef<HTMLFormElement>(null);
  // The server's own INVITATION_TTL_HOURS, not a number written into the page.
  const ttlHours = useServerSettings().data?.invitationTtlHours;

  const conflict = isApiError(invite.error, "already_member") || isApiError(invite.error, "invitation_pending");
  const emailError = local.email ?? (conflict ? (invite.error as Error).message : fieldError(invite.error, "email"));
  const rolesError = local.roles ?? fieldError(invite.error, "roles");
  const otherError = invite.error && !emailError && !rolesError ? invite.error : null;

  return (
    <form
      ref={form}
      className="stack"
      noValidate
      aria-label="Invite a colleague"
      onSubmit={(event) => {
        event.preventDefault();
        const address = email.trim();
        const errors: typeof local = {};
        if (!EMAIL.test(address)) errors.email = "Enter an e-mail address like name@example.com.";
        if (roles.length === 0) errors.roles = "Choose at least one role.";
        setLocal(errors);
        if (errors.email || errors.roles) {
          focusFirstError(form.current);
          return;
        }
        invite.mutate(
          { email: address, roles },
          {
            onSuccess: ({ invitation }) => {
              toast.success(`Invitation sent to ${invitation.email}.`);
              setEmail("");
              setRoles([]);
              invite.reset();
            },
          },
        );
      }}
    >
      <TextField
        label="E-mail address"
        type="email"
        autoComplete="off"
        value={email}
        onChange={(e) => {
          setEmail(e.target.value);
          if (local.email) setLocal({ ...local, email: undefined });
        }}
        error={emailError}
        hint={`They get a link to join ${teamName}${ttlHours === undefined ? "." : `, valid for ${durationInWords(ttlHours)}.`}`}
      />
      <RolePicker
        value={roles}
        onChange={(next) => {
          setRoles(next);
          if (local.roles && next.length) setLocal({ ...local, roles: undefined });
        }}
        legend="Roles (at least one)"
        error={rolesError}
      />
      {otherError ? <ErrorAlert error={otherError} /> : null}
      <div>
        <Button type="submit" variant="primary" pending={invite.isPending}>
          Send invitation
        </Button>
      </div>
    </form>
  );
}
