import { useState } from "react";
import type { OrderDto as Order, ValidationMethod, ValidationStepDto as ValidationStep } from "../../../shared/schemas";
import { useCan } from "../../app/Can";
import { isApiError } from "../../api/client";
import { Alert, ErrorAlert } from "../../ui/Alert";
import { Badge } from "../../ui/Badge";
import { Button } from "../../ui/Button";
import { SelectField } from "../../ui/Field";
import { formatDateTime } from "../../ui/format";
import { Card } from "../../ui/Page";
import { Spinner } from "../../ui/Spinner";
import { useToast } from "../../ui/Toast";
import { METHOD_LABELS, METHOD_NOUNS, validatedCount } from "../orders/words";
import { approverAddresses, useCheckStep, useChooseMethod } from "./hooks";
import { Instructions } from "./Instructions";

const METHODS: ValidationMethod[] = ["email", "http", "dns"];

/** Each domain's domain-control step: its method (an approver address for e-mail), the instructions, and "Check now". */
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
  const check = useCheckStep(teamId, order.id);
  const toast = useToast();
  const closed = order.status === "refunded" || order.status === "revoked";
  const wildcard = step.domain.startsWith("*.");
  const busy = choose.isPending || check.isPending;
  // Set in the click itself, so the radio never flicks back while the choice is saved.
  const [picked, setPicked] = useState<ValidationMethod | null>(null);
  const addresses = approverAddresses(step.domain);
  const [approver, setApprover] = useState(addresses[0]!);
  const shownMethod = picked ?? step.method;
  // E-mail needs an address first: picking it opens the choice, sending it saves the method.
  const choosingEmail = shownMethod === "email" && step.method !== "email";
  const notFound = isApiError(check.error, "validation_failed") ? check.error : null;
  const error = choose.error ?? (notFound ? null : check.error);

  const pick = (method: ValidationMethod) => {
    check.reset();
    choose.reset();
    setPicked(method);
    if (method === "email") return;
    choose.mutate({ domain: step.domain, method }, { onSettled: () => setPicked(null) });
  };
  const sendApproval = () => {
    check.reset();
    choose.mutate(
      { domain: step.domain, method: "email", approverEmail: approver },
      {
        onSuccess: () => {
          setPicked(null);
          toast.success(`Sent the approval e-mail for ${step.domain} to ${approver}.`);
        },
      },
    );
  };
  const checkNow = () => {
    choose.reset();
    check.mutate(step.domain, {
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
          {step.validatedAt ? ` on ${formatDateTime(step.validatedAt)}` : ""}
          {step.reused ? ", reused from the team's earlier validation" : ""}.
        </p>
      ) : closed ? (
        <p className="muted small">The order is {order.status}: this step is closed.</p>
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

          {canManage && choosingEmail ? (
            <div className="inline-form">
              <SelectField label={`Send the approval e-mail for ${step.domain} to`} value={approver} onChange={(e) => setApprover(e.target.value)} hint="Only these five addresses of the domain may approve (BR 3.2.2.4.4).">
                {addresses.map((address) => (
                  <option key={address} value={address}>
                    {address}
                  </option>
                ))}
              </SelectField>
              <Button variant="primary" size="sm" onClick={sendApproval} pending={choose.isPending}>
                Send approval e-mail<span className="visually-hidden"> for {step.domain}</span>
              </Button>
            </div>
          ) : null}

          {step.instructions && !choose.isPending && !choosingEmail ? <Instructions instructions={step.instructions} /> : null}

          {canManage && step.method && !choosingEmail ? (
            <div className="step-actions">
              <Button variant="primary" size="sm" onClick={checkNow} pending={check.isPending} disabled={choose.isPending}>
                {/* The visible words begin the name (WCAG 2.5.3); the domain tells the buttons apart. */}
                Check now<span className="visually-hidden"> for {step.domain}</span>
              </Button>
              <span className="muted small">
                {step.method === "email" ? "Once the approval link in the e-mail has been followed." : step.method === "http" ? "certdesk fetches the file itself." : "certdesk looks the record up itself."}
              </span>
            </div>
          ) : null}
          {notFound ? (
            <Alert tone="error" title={`Not found yet for ${step.domain}`}>
              {notFound.detail || "certdesk did not find the value."} Fix it and check again; records can take a few minutes to appear.
            </Alert>
          ) : null}
          {error ? <ErrorAlert error={error} /> : null}
        </div>
      )}
    </li>
  );
}
