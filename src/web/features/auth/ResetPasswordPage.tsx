import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { fieldError, isApiError } from "../../api/client";
import { authApi } from "../../api/endpoints";
import { keys } from "../../api/keys";
import { Alert, ErrorAlert } from "../../ui/Alert";
import { Button } from "../../ui/Button";
import { PasswordField } from "../../ui/PasswordField";
import { useToast } from "../../ui/Toast";
import { AuthLayout } from "./AuthLayout";
import { MIN_PASSWORD } from "./SignupPage";

export function ResetPasswordPage() {
  const { token = "" } = useParams();
  const navigate = useNavigate();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [localError, setLocalError] = useState<{ field: "password" | "confirm"; message: string } | null>(null);

  const reset = useMutation({
    mutationFn: () => authApi.confirmPasswordReset({ token, password }),
    onSuccess: () => {
      // Every session of the user has ended, this one included.
      queryClient.clear();
      queryClient.setQueryData(keys.me, null);
      toast.success("Your password was changed. Log in with the new one.");
      navigate("/login", { replace: true });
    },
  });

  // A token the server refuses as malformed (a truncated link) is as unusable as an expired one.
  if (isApiError(reset.error, "reset_token_invalid") || fieldError(reset.error, "token")) {
    return (
      <AuthLayout title="This link no longer works">
        <Alert tone="error" title="The reset link is invalid or has expired">
          {(isApiError(reset.error, "reset_token_invalid") && reset.error.detail) || "Reset links work once and only for a limited time."}
        </Alert>
        <p>
          <Link to="/forgot-password" className="btn btn-primary btn-block">
            Request a new link
          </Link>
        </p>
      </AuthLayout>
    );
  }

  const passwordError = localError?.field === "password" ? localError.message : fieldError(reset.error, "password");
  const confirmError = localError?.field === "confirm" ? localError.message : undefined;
  return (
    <AuthLayout title="Choose a new password" subtitle="After the change, you will be logged out everywhere.">
      <form
        className="stack"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (password.length < MIN_PASSWORD) return setLocalError({ field: "password", message: `Use at least ${MIN_PASSWORD} characters.` });
          if (password !== confirm) return setLocalError({ field: "confirm", message: "The two passwords differ." });
          setLocalError(null);
          reset.mutate();
        }}
      >
        {reset.error && !passwordError ? <ErrorAlert error={reset.error} /> : null}
        <PasswordField label="New password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} hint={`At least ${MIN_PASSWORD} characters; not your e-mail address, one character repeated or digits only.`} error={passwordError} autoFocus required />
        <PasswordField label="Repeat the new password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} error={confirmError} required />
        <Button type="submit" variant="primary" pending={reset.isPending} className="btn-block">
          Change password
        </Button>
      </form>
    </AuthLayout>
  );
}
