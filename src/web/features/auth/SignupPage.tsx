import { useRef, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Link, useNavigate, useSearchParams } from "react-router";
import { fieldError, isApiError } from "../../api/client";
import { authApi } from "../../api/endpoints";
import { safeNext, useResetSession } from "../../app/session";
import { ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { TextField } from "../../ui/Field";
import { PasswordField } from "../../ui/PasswordField";
import { useToast } from "../../ui/Toast";
import { MIN_PASSWORD_LENGTH, focusFirstError, looksLikeEmail } from "../../ui/validation";
import { AuthLayout } from "./AuthLayout";

export const MIN_PASSWORD = MIN_PASSWORD_LENGTH;

export function SignupPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const toast = useToast();
  const resetSession = useResetSession();
  const next = safeNext(params.get("next"));
  const invitedEmail = params.get("email");
  const [name, setName] = useState("");
  const [email, setEmail] = useState(invitedEmail ?? "");
  const [password, setPassword] = useState("");
  // Checked in the browser before sending; the server's answer may add its own reasons.
  const [local, setLocal] = useState<{ name?: string; email?: string; password?: string }>({});
  const form = useRef<HTMLFormElement>(null);

  const signup = useMutation({
    mutationFn: () => authApi.signup({ name: name.trim(), email: email.trim(), password }),
    onSuccess: async ({ user }) => {
      await resetSession(true);
      toast.success(`Welcome, ${user.name}! Your account is ready.`);
      navigate(next, { replace: true });
    },
    onError: () => focusFirstError(form.current),
  });

  const carry = new URLSearchParams();
  if (params.get("next")) carry.set("next", next);
  if (invitedEmail) carry.set("email", invitedEmail);
  const carried = carry.toString() ? `?${carry.toString()}` : "";

  const emailTaken = isApiError(signup.error, "email_taken");
  const nameError = local.name ?? fieldError(signup.error, "name");
  const emailError = local.email ?? (emailTaken ? (signup.error as Error).message : fieldError(signup.error, "email"));
  const passwordError = local.password ?? fieldError(signup.error, "password");
  const otherError = signup.error && !nameError && !emailError && !passwordError ? signup.error : null;

  return (
    <AuthLayout
      title="Create your account"
      subtitle={invitedEmail ? `You were invited as ${invitedEmail}.` : "Your account comes with a team of your own. Invite colleagues whenever you like."}
      footer={
        <p>
          Already have an account? <Link to={`/login${carried}`}>Log in</Link>
        </p>
      }
    >
      <form
        ref={form}
        className="stack"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const errors: typeof local = {};
          if (!name.trim()) errors.name = "Enter your name.";
          if (!email.trim()) errors.email = "Enter your e-mail address.";
          else if (!looksLikeEmail(email)) errors.email = "Enter an e-mail address like name@example.com.";
          if (password.length < MIN_PASSWORD) errors.password = `Use at least ${MIN_PASSWORD} characters.`;
          setLocal(errors);
          if (errors.name || errors.email || errors.password) {
            focusFirstError(form.current);
            return;
          }
          signup.mutate();
        }}
      >
        {otherError ? <ErrorAlert error={otherError} /> : null}
        <TextField label="Name" autoComplete="name" required value={name} onChange={(e) => {
            setName(e.target.value);
            if (local.name) setLocal({ ...local, name: undefined });
          }} error={nameError} autoFocus maxLength={100} />
        <TextField
          label="E-mail"
          type="email"
          autoComplete="email"
          required
          value={email}
          readOnly={!!invitedEmail}
          hint={invitedEmail ? "The invitation is for this address." : undefined}
          onChange={(e) => {
            setEmail(e.target.value);
            if (local.email) setLocal({ ...local, email: undefined });
          }}
          error={emailError}
        />
        {emailTaken ? (
          <p className="small">
            <Link to={`/login?${new URLSearchParams({ email: email.trim(), ...(params.get("next") ? { next } : {}) }).toString()}`}>Log in with this e-mail instead</Link>
          </p>
        ) : null}
        <PasswordField
          label="Password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD}
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
            if (e.target.value.length >= MIN_PASSWORD && local.password) setLocal({ ...local, password: undefined });
          }}
          hint={`At least ${MIN_PASSWORD} characters; not your e-mail address, one character repeated or digits only. A few unrelated words make a strong, memorable password.`}
          error={passwordError}
        />
        <Button type="submit" variant="primary" pending={signup.isPending} className="btn-block">
          Create account
        </Button>
      </form>
    </AuthLayout>
  );
}
