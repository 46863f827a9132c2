import { useState } from "react";
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
import { AuthLayout } from "./AuthLayout";

export const MIN_PASSWORD = 10;

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
  const [tooShort, setTooShort] = useState(false);

  const signup = useMutation({
    mutationFn: () => authApi.signup({ name: name.trim(), email: email.trim(), password }),
    onSuccess: async ({ user }) => {
      await resetSession(true);
      toast.success(`Welcome, ${user.name}! Your account is ready.`);
      navigate(next, { replace: true });
    },
  });

  const carry = new URLSearchParams();
  if (params.get("next")) carry.set("next", next);
  if (invitedEmail) carry.set("email", invitedEmail);
  const carried = carry.toString() ? `?${carry.toString()}` : "";

  const emailTaken = isApiError(signup.error, "email_taken");
  const nameError = fieldError(signup.error, "name");
  const emailError = emailTaken ? (signup.error as Error).message : fieldError(signup.error, "email");
  const passwordError = tooShort ? `Use at least ${MIN_PASSWORD} characters.` : fieldError(signup.error, "password");
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
        className="stack"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (password.length < MIN_PASSWORD) {
            setTooShort(true);
            return;
          }
          signup.mutate();
        }}
      >
        {otherError ? <ErrorAlert error={otherError} /> : null}
        <TextField label="Name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} error={nameError} autoFocus maxLength={100} />
        <TextField
          label="E-mail"
          type="email"
          autoComplete="email"
          required
          value={email}
          readOnly={!!invitedEmail}
          hint={invitedEmail ? "The invitation is for this address." : undefined}
          onChange={(e) => setEmail(e.target.value)}
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
            if (e.target.value.length >= MIN_PASSWORD) setTooShort(false);
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
