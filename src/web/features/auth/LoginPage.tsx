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
import { focusFirstError, looksLikeEmail } from "../../ui/validation";
import { AuthLayout } from "./AuthLayout";

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const resetSession = useResetSession();
  const next = safeNext(params.get("next"));
  const [email, setEmail] = useState(params.get("email") ?? "");
  const [password, setPassword] = useState("");
  const [local, setLocal] = useState<{ email?: string; password?: string }>({});
  const form = useRef<HTMLFormElement>(null);

  const login = useMutation({
    mutationFn: () => authApi.login({ email: email.trim(), password }),
    onSuccess: async () => {
      await resetSession(true);
      navigate(next, { replace: true });
    },
    onError: () => focusFirstError(form.current),
  });

  const carry = new URLSearchParams();
  if (params.get("next")) carry.set("next", next);
  if (params.get("email")) carry.set("email", params.get("email")!);
  const carried = carry.toString() ? `?${carry.toString()}` : "";

  const emailError = local.email ?? fieldError(login.error, "email");
  const passwordError = local.password ?? fieldError(login.error, "password");
  // Locked out after failed attempts: the 429's Retry-After says for how long.
  const lockedOut = isApiError(login.error, "rate_limited");
  return (
    <AuthLayout
      title="Log in"
      subtitle="Welcome back to your certificate account."
      footer={
        <p>
          New to certdesk? <Link to={`/signup${carried}`}>Create an account</Link>
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
          if (!email.trim()) errors.email = "Enter your e-mail address.";
          else if (!looksLikeEmail(email)) errors.email = "Enter an e-mail address like name@example.com.";
          if (!password) errors.password = "Enter your password.";
          setLocal(errors);
          if (errors.email || errors.password) {
            focusFirstError(form.current);
            return;
          }
          login.mutate();
        }}
      >
        {login.error && !emailError && !passwordError ? <ErrorAlert error={login.error} title={lockedOut ? "Log-in paused" : undefined} /> : null}
        <TextField label="E-mail" type="email" autoComplete="username" required value={email} onChange={(e) => {
            setEmail(e.target.value);
            if (local.email) setLocal({ ...local, email: undefined });
          }} error={emailError} autoFocus={!email} />
        <PasswordField label="Password" autoComplete="current-password" required value={password} onChange={(e) => {
            setPassword(e.target.value);
            if (local.password) setLocal({ ...local, password: undefined });
          }} error={passwordError} autoFocus={!!email} />
        <div className="row-between">
          <Link to={`/forgot-password${email ? `?email=${encodeURIComponent(email)}` : ""}`} className="small">
            Forgot your password?
          </Link>
        </div>
        <Button type="submit" variant="primary" pending={login.isPending} className="btn-block">
          Log in
        </Button>
      </form>
    </AuthLayout>
  );
}
