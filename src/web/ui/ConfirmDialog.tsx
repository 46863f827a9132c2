import { useId, useState } from "react";
import type { ReactNode } from "react";
import { Button } from "./Button";
import { Dialog } from "./Dialog";
import { ErrorAlert } from "./Alert";

export interface ConfirmDialogProps {
  open: boolean;
  onClose: () => void;
  onConfirm: () => void;
  title: ReactNode;
  children?: ReactNode;
  confirmLabel: string;
  tone?: "danger" | "primary";
  pending?: boolean;
  error?: unknown;
  /** When set, the person must type this text before confirming (e.g. a team's name). */
  confirmText?: string;
}

export function ConfirmDialog({ open, onClose, onConfirm, title, children, confirmLabel, tone = "danger", pending = false, error, confirmText }: ConfirmDialogProps) {
  return (
    <Dialog open={open} onClose={onClose} title={title} size="sm" busy={pending}>
      {open ? (
        <ConfirmBody onClose={onClose} onConfirm={onConfirm} confirmLabel={confirmLabel} tone={tone} pending={pending} error={error} confirmText={confirmText}>
          {children}
        </ConfirmBody>
      ) : null}
    </Dialog>
  );
}

function ConfirmBody({ children, onClose, onConfirm, confirmLabel, tone, pending, error, confirmText }: Omit<ConfirmDialogProps, "open" | "title">) {
  const [typed, setTyped] = useState("");
  const inputId = useId();
  const matches = confirmText === undefined || typed.trim() === confirmText.trim();
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (matches && !pending) onConfirm();
      }}
    >
      <div className="stack">
        {children}
        {confirmText !== undefined ? (
          <div className="field">
            <label htmlFor={inputId}>
              Type <strong className="mono">{confirmText}</strong> to confirm
            </label>
            <input id={inputId} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} data-autofocus />
          </div>
        ) : null}
        <ErrorAlert error={error} />
      </div>
      <div className="dialog-footer">
        <Button onClick={onClose} disabled={pending} data-autofocus={confirmText === undefined ? true : undefined}>
          Cancel
        </Button>
        <Button type="submit" variant={tone === "danger" ? "danger" : "primary"} pending={pending} disabled={!matches}>
          {confirmLabel}
        </Button>
      </div>
    </form>
  );
}
