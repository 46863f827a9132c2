// Checking a domain's validation step: certdesk itself looks (SPEC 14) — fetches the `http` file,
// reads the `dns` TXT record, or finds the `email` approval confirmed — and a step is validated
// only when it found the challenge. The lookups run before the transaction (no row lock is held
// across the network); the transaction then re-reads the step and records the validation only if
// the challenge checked is still the step's. When it completes the order (a CSR on file), CAA is
// asked first (validation/caa-gate.ts) and the certificate is issued in the same transaction.
import { auditActorOf } from "../auth/principal.js";
import type { ValidationMethod } from "../../shared/account.js";
import type { TeamCtx } from "../context.js";
import type { OrderDomain } from "../db/schema.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { caaVerdict, wouldIssue } from "../validation/caa-gate.js";
import type { CaaGate } from "../validation/caa-gate.js";
import { checkDnsTxt } from "../validation/dns-check.js";
import type { CheckResult } from "../validation/dns-check.js";
import { checkHttpFile, pkiValidationPath } from "../validation/http-check.js";
import { httpFileFor } from "../validation/instructions.js";
import { validatedName } from "../validation/ledger.js";
import { resolverFor } from "../validation/resolver.js";
import { assertNotRefunded, domainsOf, lockOrderOfTeam, stepFor } from "./order-in-team.js";
import { lockTeam } from "./team-lock.js";
import { issueUnlessCaaRefuses, markStepValidated, settleIssuance } from "./validation-step.js";

/** What certdesk finds for the step's challenge, by its method. */
async function look(ctx: TeamCtx, step: OrderDomain, method: ValidationMethod, challenge: string): Promise<CheckResult> {
  const name = validatedName(step.domain);
  const resolver = resolverFor(ctx.config);
  switch (method) {
    case "dns":
      return checkDnsTxt(resolver, name, challenge);
    case "http":
      return checkHttpFile(name, pkiValidationPath(httpFileFor(challenge)), challenge, { resolver, port: ctx.config.dcvHttpPort });
    case "email": {
      // Confirming the e-mailed link validates the step (confirm-domain-approval.ts); until then:
      const approval = await ctx.db.kysely
        .selectFrom("domainApprovals")
        .select(["approverEmail", "expiresAt"])
        .where("orderId", "=", step.orderId)
        .where("domain", "=", step.domain)
        .where("challenge", "=", challenge)
        .orderBy("id", "desc")
        .executeTakeFirst();
      if (!approval) return { ok: false, found: "no approval e-mail was sent for this choice" };
      if (new Date(approval.expiresAt) <= ctx.clock.now()) {
        return { ok: false, found: `the approval e-mail to ${approval.approverEmail} expired unconfirmed; choose email again to send a new one` };
      }
      return { ok: false, found: `the approval e-mail to ${approval.approverEmail} has not been confirmed yet` };
    }
  }
}

export async function checkValidationStep(ctx: TeamCtx, orderId: string, domain: string): Promise<void> {
  const teamId = ctx.team.id;
  const db = ctx.db.kysely;
  const order = await db.selectFrom("orders").selectAll().where("id", "=", orderId).where("teamId", "=", teamId).executeTakeFirst();
  if (!order) throw new AppError("not_found", "No such order.");
  assertNotRefunded(order);
  const domains = await db.selectFrom("orderDomains").selectAll().where("orderId", "=", orderId).orderBy("position").execute();
  const step = stepFor(domains, domain);
  let checked: { method: ValidationMethod; challenge: string } | null = null;
  if (step.completedAt === null) {
    if (step.method === null || step.challenge === null) {
      throw new AppError("validation_method_missing", `Choose a validation method for ${step.domain} before checking it.`);
    }
    const method = step.method as ValidationMethod;
    const result = await look(ctx, step, method, step.challenge);
    if (!result.ok) throw new AppError("validation_failed", `certdesk checked ${step.domain} by ${method} and did not find the challenge: ${result.found}.`);
    checked = { method, challenge: step.challenge };
  }
  const validatedNow = domains.map((d) => (d.domain === step.domain ? { completedAt: "now" } : d));
  const gate: CaaGate = wouldIssue(order, validatedNow) ? await caaVerdict(ctx, domains.map((d) => d.domain)) : { ok: "unchecked" };

  const outcome = await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    assertNotRefunded(await lockOrderOfTeam(tx, ctx.db.engine, teamId, orderId));
    const current = stepFor(await domainsOf(tx, orderId), domain);
    if (current.completedAt === null) {
      // Another choice (a fresh challenge) was made while certdesk looked: what it found proves nothing now.
      if (checked === null || current.method !== checked.method || current.challenge !== checked.challenge) {
        throw new AppError("conflict", `The validation method of ${step.domain} changed while it was checked; check again.`);
      }
      await markStepValidated(tx, ctx.clock, { teamId, orderId, step: current, method: checked.method, actor: auditActorOf(ctx.principal) });
    }
    return issueUnlessCaaRefuses(tx, ctx, orderId, gate);
  });
  await settleIssuance(ctx, orderId, outcome);
}
