import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Link, useNavigate, useSearchParams } from "react-router";
import { fieldError } from "../../api/client";
import { authApi } from "../../api/endpoints";
import { safeNext, useResetSession } from "../../app/session";
import { ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { TextField } from "../../ui/Field";
import { PasswordField } from "../../ui/PasswordField";
import { AuthLayout } from "./AuthLayout";

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const resetSession = useResetSession();
  const next = safeNext(params.get("next"));
  const [email, setEmail] = useState(params.get("email") ?? "");
  const [password, setPassword] = useState("");

  const login = useMutation({
    mutationFn: () => authApi.login({ email: email.trim(), password }),
    onSuccess: async () => {
      await resetSession(true);
      navigate(next, { replace: true });
    },
  });

  const carry = new URLSearchParams();
  if (params.get("next")) carry.set("next", next);
  if (params.get("email")) carry.set("email", params.get("email")!);
  const carried = carry.toString() ? `?${carry.toString()}` : "";

  const emailError = fieldError(login.error, "email");
  const passwordError = fieldError(login.error, "password");
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
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          login.mutate();
        }}
      >
        {login.error && !emailError && !passwordError ? <ErrorAlert error={login.error} /> : null}
        <TextField label="E-mail" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} error={emailError} autoFocus={!email} />
        <PasswordField label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} error={passwordError} autoFocus={!!email} />
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
