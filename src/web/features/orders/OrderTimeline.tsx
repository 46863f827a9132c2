import type { OrderDto as Order } from "../../../shared/schemas";
import { formatDateTime, formatMoney } from "../../ui/format";
import { validatedCount } from "./words";

type StepState = "done" | "current" | "upcoming" | "skipped" | "refunded";

interface Step {
  label: string;
  state: StepState;
  detail?: string;
  at?: string | null;
}

function latest(times: (string | null)[]): string | null {
  const sorted = times.filter((t): t is string => t !== null).sort();
  return sorted.at(-1) ?? null;
}

export function timelineOf(order: Order): Step[] {
  const total = order.validation.length;
  const validated = validatedCount(order);
  const refunded = order.status === "refunded";
  const issued = order.issuedAt !== null;
  const steps: Step[] = [
    { label: "Ordered", state: "done", at: order.createdAt, detail: `Charged ${formatMoney(order.priceMinor, order.currency)}` },
    {
      label: "Domains validated",
      state: validated === total ? "done" : "upcoming",
      at: validated === total ? latest(order.validation.map((s) => s.completedAt)) : null,
      detail: `${validated} of ${total}`,
    },
    { label: "CSR on file", state: order.csrOnFile ? "done" : "upcoming", detail: order.csrOnFile ? undefined : "Waiting for a certificate signing request" },
    { label: "Issued", state: issued ? "done" : "upcoming", at: order.issuedAt, detail: issued ? undefined : "As soon as every domain is validated and a CSR is on file" },
  ];
  if (refunded) {
    for (const step of steps) if (step.state !== "done") step.state = "skipped";
    steps.push({ label: "Refunded", state: "refunded", at: order.refundedAt, detail: `${formatMoney(order.priceMinor, order.currency)} back to the billing profile` });
  } else {
    const next = steps.find((s) => s.state === "upcoming");
    if (next) next.state = "current";
  }
  return steps;
}

const MARKS: Record<StepState, string> = { done: "✓", current: "•", upcoming: "", skipped: "–", refunded: "↺" };

/** The order's way from placed to issued (or refunded), as an ordered list. */
export function OrderTimeline({ order }: { order: Order }) {
  return (
    <ol className="timeline" aria-label="Order progress">
      {timelineOf(order).map((step) => (
        <li key={step.label} className={`timeline-step timeline-${step.state}`} aria-current={step.state === "current" ? "step" : undefined}>
          <span className="timeline-mark" aria-hidden="true">
            {MARKS[step.state]}
          </span>
          <div className="timeline-body">
            <p className="timeline-label">
              {step.label}
              {step.state === "skipped" ? <span className="visually-hidden"> (not reached)</span> : null}
              {step.state === "current" ? <span className="visually-hidden"> (next)</span> : null}
            </p>
            {step.at ? (
              <p className="muted small">
                <time dateTime={step.at}>{formatDateTime(step.at)}</time>
              </p>
            ) : null}
            {step.detail ? <p className="muted small">{step.detail}</p> : null}
          </div>
        </li>
      ))}
    </ol>
  );
}
