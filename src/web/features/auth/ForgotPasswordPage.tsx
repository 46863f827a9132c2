import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { fieldError } from "../../api/client";
import { authApi } from "../../api/endpoints";
import { Alert, ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { TextField } from "../../ui/Field";
import { AuthLayout } from "./AuthLayout";

export function ForgotPasswordPage() {
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get("email") ?? "");
  const request = useMutation({ mutationFn: () => authApi.requestPasswordReset({ email: email.trim() }) });
  const emailError = fieldError(request.error, "email");

  return (
    <AuthLayout
      title="Reset your password"
      subtitle="Enter your account's e-mail and we'll send you a link to choose a new password."
      footer={
        <p>
          Remembered it? <Link to="/login">Log in</Link>
        </p>
      }
    >
      {request.isSuccess ? (
        <Alert tone="success" title="Check your inbox">
          If an account exists for <strong>{email.trim()}</strong>, we sent it a link to reset the password. The link works once.
        </Alert>
      ) : (
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            request.mutate();
          }}
        >
          {request.error && !emailError ? <ErrorAlert error={request.error} /> : null}
          <TextField label="E-mail" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={emailError} autoFocus />
          <Button type="submit" variant="primary" pending={request.isPending} className="btn-block">
            Send reset link
          </Button>
        </form>
      )}
    </AuthLayout>
  );
}
