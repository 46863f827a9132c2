import { useState } from "react";
import type { OrderDto as Order, ValidationMethod, ValidationStepDto as ValidationStep } from "../../../shared/schemas";
import { useCan } from "../../app/Can";
import { ErrorAlert } from "../../ui/Alert";
import { Badge } from "../../ui/Badge";
import { Button } from "../../ui/Button";
import { formatDateTime } from "../../ui/format";
import { Card } from "../../ui/Page";
import { Spinner } from "../../ui/Spinner";
import { useToast } from "../../ui/Toast";
import { METHOD_LABELS, METHOD_NOUNS, validatedCount } from "../orders/words";
import { useChooseMethod, useCompleteStep } from "./hooks";
import { Instructions } from "./Instructions";

const METHODS: ValidationMethod[] = ["email", "http", "dns"];

/** Each domain's domain-control step: its method, the instructions, and "Mark complete". */
export function ValidationCard({ teamId, order }: { teamId: string; order: Order }) {
  const total = order.validation.length;
  const done = validatedCount(order);
  return (
    <Card
      title="Domain validation"
      description={
        done === total
          ? `All ${total} ${total === 1 ? "domain is" : "domains are"} validated.`
          : `${done} of ${total} validated. Prove control of each domain by one method; wildcards by e-mail or DNS.`
      }
    >
      <ul className="steps" aria-label="Domains">
        {order.validation.map((step) => (
          <StepItem key={step.domain} teamId={teamId} order={order} step={step} />
        ))}
      </ul>
    </Card>
  );
}

function StepBadge({ step }: { step: ValidationStep }) {
  if (step.completed) return <Badge tone="green">Validated</Badge>;
  if (step.method) return <Badge tone="amber">Waiting for {METHOD_NOUNS[step.method]}</Badge>;
  return <Badge>Not started</Badge>;
}

function StepItem({ teamId, order, step }: { teamId: string; order: Order; step: ValidationStep }) {
  const canManage = useCan("validation.manage");
  const choose = useChooseMethod(teamId, order.id);
  const complete = useCompleteStep(teamId, order.id);
  const toast = useToast();
  const closed = order.status === "refunded";
  const wildcard = step.domain.startsWith("*.");
  const busy = choose.isPending || complete.isPending;
  // Set in the click itself, so the radio never flicks back while the choice is saved.
  const [picked, setPicked] = useState<ValidationMethod | null>(null);
  const shownMethod = picked ?? step.method;
  const error = choose.error ?? complete.error;

  const pick = (method: ValidationMethod) => {
    complete.reset();
    setPicked(method);
    choose.mutate({ domain: step.domain, method }, { onSettled: () => setPicked(null) });
  };
  const markComplete = () => {
    choose.reset();
    complete.mutate(step.domain, {
      onSuccess: (updated) => {
        const remaining = updated.validation.filter((s) => !s.completed).length;
        if (updated.status === "issued" && order.status !== "issued") toast.success(`Validated ${step.domain}. Every domain is validated: the certificate is issued.`);
        else toast.success(remaining ? `Validated ${step.domain}; ${remaining} to go.` : `Validated ${step.domain}. Every domain is validated.`);
      },
    });
  };

  return (
    <li className="step" data-testid="validation-step" data-domain={step.domain}>
      <div className="step-head">
        <span className="step-domain">{step.domain}</span>
        <StepBadge step={step} />
      </div>

      {step.completed ? (
        <p className="muted small">
          Validated by {step.method ? METHOD_NOUNS[step.method] : "—"}
          {step.completedAt ? ` on ${formatDateTime(step.completedAt)}` : ""}.
        </p>
      ) : closed ? (
        <p className="muted small">The order was refunded: this step is closed.</p>
      ) : (
        <div className="stack-sm">
          {canManage ? (
            <fieldset className="method-picker" disabled={busy}>
              <legend className="visually-hidden">Validation method for {step.domain}</legend>
              <div className="segmented">
                {METHODS.map((method) => (
                  <label key={method} className={shownMethod === method ? "segment active" : "segment"}>
                    <input type="radio" name={`method-${step.domain}`} value={method} checked={shownMethod === method} onChange={() => pick(method)} />
                    {METHOD_LABELS[method]}
                  </label>
                ))}
              </div>
              {choose.isPending ? <Spinner size={14} label="Saving the method" /> : null}
              {wildcard ? <span className="muted small">Wildcards: e-mail or DNS only.</span> : null}
            </fieldset>
          ) : !step.method ? (
            <p className="muted small">No method chosen yet. Someone with the Validation role chooses it.</p>
          ) : null}

          {step.instructions && !choose.isPending ? <Instructions instructions={step.instructions} /> : null}

          {canManage && step.method ? (
            <div className="step-actions">
              <Button variant="primary" size="sm" onClick={markComplete} pending={complete.isPending} disabled={choose.isPending}>
                {/* The visible words begin the name (WCAG 2.5.3); the domain tells the buttons apart. */}
                Mark complete<span className="visually-hidden"> for {step.domain}</span>
              </Button>
              <span className="muted small">When the {step.method === "email" ? "approval has arrived" : step.method === "http" ? "file is served" : "record is published"}.</span>
            </div>
          ) : null}
          {error ? <ErrorAlert error={error} /> : null}
        </div>
      )}
    </li>
  );
}
