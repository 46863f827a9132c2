import { useEffect, useId, useRef, useState } from "react";
import { fieldError } from "../../api/client";
import type { Permission } from "../../../shared/permissions";
import type { ApiKeyDto as ApiKey } from "../../../shared/schemas";
import { Alert, ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { CopyField } from "../../ui/CopyButton";
import { Dialog } from "../../ui/Dialog";
import { SelectField, TextField } from "../../ui/Field";
import { formatDateTime } from "../../ui/format";
import { focusFirstError } from "../../ui/validation";
import { PERMISSION_LABELS } from "../roles/labels";
import { useCreateApiKey } from "./hooks";
import { EXPIRY_CHOICES, expiryFor, grantable } from "./words";
import type { ExpiryChoice } from "./words";

/**
 * Create a key: a name, the permissions it holds (the caller's own, never deleting or handing over
 * the team), an optional expiry. Then its secret, once, with how to use it: it is never shown again.
 */
export function CreateApiKeyDialog({ teamId, permissions, open, onClose }: { teamId: string; permissions: readonly Permission[]; open: boolean; onClose: () => void }) {
  const create = useCreateApiKey(teamId);
  const [created, setCreated] = useState<{ apiKey: ApiKey; secret: string } | null>(null);
  const close = () => {
    create.reset();
    setCreated(null);
    onClose();
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      busy={create.isPending}
      size="lg"
      title={created ? `API key ${created.apiKey.name} created` : "Create an API key"}
      description={created ? undefined : "The key acts in this team only, with the permissions you tick here."}
    >
      {created ? (
        <SecretOnce apiKey={created.apiKey} secret={created.secret} onDone={close} />
      ) : (
        <CreateForm permissions={permissions} create={create} onCreated={setCreated} onCancel={close} />
      )}
    </Dialog>
  );
}

function CreateForm({
  permissions,
  create,
  onCreated,
  onCancel,
}: {
  permissions: readonly Permission[];
  create: ReturnType<typeof useCreateApiKey>;
  onCreated: (result: { apiKey: ApiKey; secret: string }) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<Permission[]>([]);
  const [expiry, setExpiry] = useState<ExpiryChoice>("90");
  const [date, setDate] = useState("");
  const [touched, setTouched] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const legendId = useId();
  const permissionsErrorId = useId();
  const options = grantable(permissions);

  const expiryResult = expiryFor(expiry, date);
  const problems = {
    name: !name.trim() ? "Give the key a name, such as the script or system that will use it." : undefined,
    permissions: chosen.length === 0 ? "Tick at least one permission." : undefined,
    expiry: "error" in expiryResult ? expiryResult.error : undefined,
  };
  const shown = {
    name: (touched ? problems.name : undefined) ?? fieldError(create.error, "name"),
    permissions: (touched ? problems.permissions : undefined) ?? fieldError(create.error, "permissions"),
    expiry: (touched ? problems.expiry : undefined) ?? fieldError(create.error, "expiresAt"),
  };
  const otherError = create.error && !shown.name && !shown.permissions && !shown.expiry ? create.error : null;

  const toggle = (permission: Permission, on: boolean) => {
    const next = on ? [...chosen, permission] : chosen.filter((p) => p !== permission);
    setChosen(options.filter((p) => next.includes(p)));
  };

  return (
    <form
      ref={form}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setTouched(true);
        if (problems.name || problems.permissions || problems.expiry || "error" in expiryResult) {
          focusFirstError(form.current);
          return;
        }
        create.mutate(
          { name: name.trim(), permissions: chosen, expiresAt: expiryResult.expiresAt },
          { onSuccess: onCreated, onError: () => focusFirstError(form.current) },
        );
      }}
    >
      <div className="stack">
        <TextField label="Key name" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} error={shown.name} autoComplete="off" hint="Who or what uses it, e.g. “Deploy pipeline”." />
        <fieldset
          className={["role-picker", shown.permissions ? "field-invalid" : ""].join(" ")}
          aria-describedby={shown.permissions ? permissionsErrorId : undefined}
          aria-invalid={shown.permissions ? true : undefined}
        >
          <legend id={legendId}>Permissions</legend>
          <p className="muted small">Only permissions you hold yourself. Deleting the team and transferring its ownership are never given to a key.</p>
          {options.map((permission) => (
            <label key={permission} className="role-option">
              <input type="checkbox" name="permissions" value={permission} checked={chosen.includes(permission)} onChange={(e) => toggle(permission, e.target.checked)} />
              <span>
                <span className="role-option-name">
                  <code>{permission}</code>
                </span>
                <span className="role-option-text">{PERMISSION_LABELS[permission]}</span>
              </span>
            </label>
          ))}
          {shown.permissions ? (
            <p className="field-error" id={permissionsErrorId}>
              {shown.permissions}
            </p>
          ) : null}
        </fieldset>
        <div className="grid-2 tight">
          <SelectField label="Expires" value={expiry} onChange={(e) => setExpiry(e.target.value as ExpiryChoice)} error={expiry === "date" ? undefined : shown.expiry}>
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </SelectField>
          {expiry === "date" ? <TextField label="Expiry date" type="date" value={date} onChange={(e) => setDate(e.target.value)} error={shown.expiry} /> : null}
        </div>
        {otherError ? <ErrorAlert error={otherError} /> : null}
      </div>
      <div className="dialog-footer">
        <Button onClick={onCancel} disabled={create.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={create.isPending}>
          Create key
        </Button>
      </div>
    </form>
  );
}

function SecretOnce({ apiKey, secret, onDone }: { apiKey: ApiKey; secret: string; onDone: () => void }) {
  const root = useRef<HTMLDivElement>(null);
  // The form's button is gone: the keyboard goes to the copy button, the first thing to do.
  useEffect(() => root.current?.querySelector<HTMLElement>(".copy-button")?.focus(), []);
  return (
    <div className="stack" ref={root}>
      <Alert tone="warning" title="Copy the secret now: it will not be shown again">
        certdesk keeps only a fingerprint of it. If it is lost, revoke this key and create another.
      </Alert>
      <CopyField label="Secret" value={secret} />
      <div>
        <p className="strong">How to use it</p>
        <p className="muted small">Send it in the Authorization header of each request to this team's API:</p>
        <pre className="code-block">
          <code>{`Authorization: Bearer ${secret}`}</code>
        </pre>
        <p className="muted small">
          {apiKey.expiresAt ? `It works until ${formatDateTime(apiKey.expiresAt)}, or until it is revoked.` : "It works until it is revoked."}
        </p>
      </div>
      <div className="dialog-footer">
        <Button variant="primary" onClick={onDone}>
          I have copied it
        </Button>
      </div>
    </div>
  );
}
