import { useEffect, useRef, useState } from "react";

/** Copies through the Clipboard API, or the old selection trick where that is missing. */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("copy refused");
}

function CopyIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <rect x="9" y="9" width="12" height="12" rx="2" />
      <path d="M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1" />
    </svg>
  );
}

/** A small "Copy" button that says "Copied" for a moment; `label` names what it copies, for screen readers. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const click = () => {
    copyText(text).then(
      () => setState("copied"),
      () => setState("failed"),
    );
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setState("idle"), 2000);
  };
  return (
    <>
      <button type="button" className={`btn btn-secondary btn-sm copy-button${state === "copied" ? " copied" : ""}`} onClick={click} aria-label={`Copy ${label}`}>
        {state === "copied" ? <span aria-hidden="true">✓</span> : <CopyIcon />}
        <span>{state === "copied" ? "Copied" : state === "failed" ? "Select and copy" : "Copy"}</span>
      </button>
      <span className="visually-hidden" role="status">
        {state === "copied" ? `Copied the ${label}.` : state === "failed" ? `Could not copy the ${label}; select it and copy by hand.` : ""}
      </span>
    </>
  );
}

/** A labelled value in a monospace box with a copy button beside it. */
export function CopyField({ label, value, multiline = false }: { label: string; value: string; multiline?: boolean }) {
  return (
    <div className="copy-field">
      <p className="copy-field-label">{label}</p>
      <div className="copy-field-row">
        <code className={multiline ? "copy-field-value multiline" : "copy-field-value"}>{value}</code>
        <CopyButton text={value} label={label.toLowerCase()} />
      </div>
    </div>
  );
}
