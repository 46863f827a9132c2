import { useRef, useState } from "react";
import { fieldError } from "../../api/client";
import type { AccountSessionDto as AccountSession } from "../../../shared/schemas";
import { useMe } from "../../app/session";
import { ErrorAlert } from "../../ui/Alert";
import { Badge } from "../../ui/Badge";
import { Button } from "../../ui/Button";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { TextField } from "../../ui/Field";
import { PasswordField } from "../../ui/PasswordField";
import { formatDateTime, formatRelative, plural } from "../../ui/format";
import { Card, Page } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { useToast } from "../../ui/Toast";
import { MIN_PASSWORD_LENGTH, focusFirstError } from "../../ui/validation";
import { useChangePassword, useEndOtherSessions, useEndSession, useRenameAccount, useSessions } from "./hooks";

function NameForm() {
  const { user } = useMe();
  const [name, setName] = useState(user.name);
  const rename = useRenameAccount();
  const toast = useToast();
  const trimmed = name.trim();
  const [localError, setLocalError] = useState<string>();
  const error = localError ?? fieldError(rename.error, "name");
  const form = useRef<HTMLFormElement>(null);
  return (
    <form
      ref={form}
      className="inline-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (!trimmed) {
          setLocalError("Enter your name.");
          return focusFirstError(form.current);
        }
        setLocalError(undefined);
        if (trimmed === user.name) return;
        rename.mutate(trimmed, {
          onSuccess: ({ user: renamed }) => toast.success(`Your name is now ${renamed.name}.`),
          onError: () => focusFirstError(form.current),
        });
      }}
    >
      <TextField label="Your name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} error={error} hint="Shown to the members of your teams and in e-mails." />
      <Button type="submit" variant="primary" pending={rename.isPending} disabled={trimmed === user.name}>
        Save name
      </Button>
      {rename.error && !error ? <ErrorAlert error={rename.error} /> : null}
    </form>
  );
}

type PasswordErrors = Partial<Record<"currentPassword" | "newPassword" | "confirm", string>>;

function PasswordForm() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<PasswordErrors>({});
  const change = useChangePassword();
  const toast = useToast();
  const form = useRef<HTMLFormElement>(null);
  const shown: PasswordErrors = {
    currentPassword: errors.currentPassword ?? fieldError(change.error, "currentPassword"),
    newPassword: errors.newPassword ?? fieldError(change.error, "newPassword"),
    confirm: errors.confirm,
  };
  const anyFieldError = Object.values(shown).some(Boolean);
  return (
    <form
      ref={form}
      className="stack form-narrow"
      noValidate
      aria-label="Change password"
      onSubmit={(event) => {
        event.preventDefault();
        const found: PasswordErrors = {};
        if (!current) found.currentPassword = "Enter your current password.";
        if (next.length < MIN_PASSWORD_LENGTH) found.newPassword = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
        else if (next !== confirm) found.confirm = "The two new passwords differ.";
        setErrors(found);
        if (Object.keys(found).length > 0) return focusFirstError(form.current);
        change.mutate(
          { currentPassword: current, newPassword: next },
          {
            onSuccess: ({ ended }) => {
              setCurrent("");
              setNext("");
              setConfirm("");
              toast.success(ended > 0 ? `Password changed. ${plural(ended, "other session")} signed out.` : "Password changed.");
            },
            onError: () => focusFirstError(form.current),
          },
        );
      }}
    >
      <PasswordField label="Current password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} error={shown.currentPassword} />
      <PasswordField
        label="New password"
        autoComplete="new-password"
        value={next}
        onChange={(e) => setNext(e.target.value)}
        hint={`At least ${MIN_PASSWORD_LENGTH} characters; not your e-mail address, one character repeated or digits only.`}
        error={shown.newPassword}
      />
      <PasswordField label="Repeat the new password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} error={shown.confirm} />
      {change.error && !anyFieldError ? <ErrorAlert error={change.error} /> : null}
      <div>
        <Button type="submit" variant="primary" pending={change.isPending}>
          Change password
        </Button>
      </div>
    </form>
  );
}

function SessionsList() {
  const sessions = useSessions();
  const endOne = useEndSession();
  const endOthers = useEndOtherSessions();
  const toast = useToast();
  const [ending, setEnding] = useState<AccountSession | null>(null);
  const [endingOthers, setEndingOthers] = useState(false);
  const items = sessions.data ?? [];
  const others = items.filter((s) => !s.current);

  if (sessions.isPending) return <Loading label="Loading your sessions…" />;
  if (sessions.error) return <ErrorAlert error={sessions.error} action={<Button onClick={() => sessions.refetch()}>Try again</Button>} />;
  return (
    <>
      <ul className="session-list" aria-label="Active sessions">
        {items.map((session) => (
          <li key={session.id} className="session-row" data-testid="session-row" data-current={session.current || undefined}>
            <div>
              <p className="strong">
                {session.device} {session.current ? <Badge tone="green">This device</Badge> : null}
              </p>
              <p className="muted small">
                Last active{" "}
                <time dateTime={session.lastSeenAt} title={formatDateTime(session.lastSeenAt)}>
                  {formatRelative(session.lastSeenAt)}
                </time>{" "}
                · signed in {formatDateTime(session.createdAt)}
              </p>
            </div>
            {session.current ? null : (
              <Button size="sm" onClick={() => setEnding(session)}>
                Sign out<span className="visually-hidden"> {session.device}, last active {formatRelative(session.lastSeenAt)}</span>
              </Button>
            )}
          </li>
        ))}
      </ul>
      <div className="card-footer-actions">
        <Button variant="danger" disabled={others.length === 0} onClick={() => setEndingOthers(true)}>
          Sign out everywhere else
        </Button>
        {others.length === 0 ? <span className="muted small">You are signed in on this device only.</span> : null}
      </div>
      <ConfirmDialog
        open={ending !== null}
        onClose={() => setEnding(null)}
        title="Sign out this session?"
        confirmLabel="Sign out"
        pending={endOne.isPending}
        error={endOne.error}
        onConfirm={() =>
          ending &&
          endOne.mutate(ending.id, {
            onSuccess: () => {
              toast.success(`Signed out ${ending.device}.`);
              setEnding(null);
            },
          })
        }
      >
        {ending ? `${ending.device}, last active ${formatRelative(ending.lastSeenAt)}, will have to log in again.` : null}
      </ConfirmDialog>
      <ConfirmDialog
        open={endingOthers}
        onClose={() => setEndingOthers(false)}
        title="Sign out everywhere else?"
        confirmLabel="Sign out other sessions"
        pending={endOthers.isPending}
        error={endOthers.error}
        onConfirm={() =>
          endOthers.mutate(undefined, {
            onSuccess: ({ ended }) => {
              toast.success(`Signed out ${plural(ended, "other session")}.`);
              setEndingOthers(false);
            },
          })
        }
      >
        Every other browser and device signed in to your account will have to log in again. This one stays signed in.
      </ConfirmDialog>
    </>
  );
}

/** Account settings (issue 14): the person's own name, password and sessions, the same in every team. */
export function AccountPage() {
  const { user } = useMe();
  return (
    <Page title="Account settings" description={`Signed in as ${user.email}.`}>
      <Card title="Name">
        <NameForm />
      </Card>
      <Card title="Password" description="Changing it signs you out on every other device; this one stays signed in.">
        <PasswordForm />
      </Card>
      <Card title="Sessions" description="Where your account is signed in now.">
        <SessionsList />
      </Card>
    </Page>
  );
}
