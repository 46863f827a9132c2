import { useEffect, useId, useRef } from "react";
import type { ReactNode } from "react";

export interface DialogProps {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  size?: "sm" | "md" | "lg";
  /** Keep Escape and backdrop clicks from closing it (while a request runs). */
  busy?: boolean;
}

/**
 * A modal on the native <dialog>: the browser traps focus, makes the page inert,
 * closes on Escape and gives focus back to the opener. Focus starts on `[data-autofocus]` or
 * the first field. Content mounts only while open,
 * so forms inside start fresh every time.
 */
export function Dialog({ open, onClose, title, description, children, footer, size = "md", busy = false }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // Start where the person will act: a marked control, else the first field.
      const target = dialog.querySelector<HTMLElement>(
        '[data-autofocus], input:not([type="hidden"]):not([readonly]):not([disabled]), textarea, select',
      );
      target?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${size}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
      onMouseDown={(event) => {
        // A press on the backdrop lands on the <dialog> itself.
        if (event.target === event.currentTarget && !busy) onClose();
      }}
    >
      {open ? (
        <div className="dialog-inner">
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon-button" aria-label="Close" onClick={onClose} disabled={busy}>
              ×
            </button>
          </header>
          {description ? (
            <p className="dialog-description" id={descriptionId}>
              {description}
            </p>
          ) : null}
          <div className="dialog-body">{children}</div>
          {footer ? <footer className="dialog-footer">{footer}</footer> : null}
        </div>
      ) : null}
    </dialog>
  );
}
