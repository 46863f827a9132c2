import type { ReactNode } from "react";
import { ApiError } from "../api/client";

type Tone = "error" | "warning" | "info" | "success";

export function Alert({ tone = "info", title, children, action }: { tone?: Tone; title?: ReactNode; children?: ReactNode; action?: ReactNode }) {
  // Errors interrupt (role=alert); the rest are announced politely.
  const role = tone === "error" ? "alert" : "status";
  return (
    <div className={`alert alert-${tone}`} role={role}>
      <div className="alert-body">
        {title ? <p className="alert-title">{title}</p> : null}
        {children ? <div>{children}</div> : null}
      </div>
      {action ? <div className="alert-action">{action}</div> : null}
    </div>
  );
}

/** The problem a request ended with, in words, with the fields' messages when the server gave them. */
export function ErrorAlert({ error, title, action }: { error: unknown; title?: string; action?: ReactNode }) {
  if (!error) return null;
  const message = error instanceof ApiError ? error.userMessage : error instanceof Error ? error.message : "Something went wrong.";
  return (
    <Alert tone="error" title={title} action={action}>
      {message}
    </Alert>
  );
}
