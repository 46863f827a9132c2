// What every way of validating a step ends with: the step marked validated, the name entered in
// the team's ledger (SPEC 16) and the completion audited; then issuance, if CAA allows it — in the
// caller's transaction, which holds the team's and the order's locks.
import type { Clock } from "../clock.js";
import type { AuditEntry } from "./audit.js";
import { recordAudit } from "./audit.js";
import type { Tx } from "../db/transaction.js";
import type { OrderDomain } from "../db/schema.js";
import type { ValidationMethod } from "../../shared/account.js";
import { auditActorOf } from "../auth/principal.js";
import type { TeamCtx } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import { caaRefusal, caaVerdict, wouldIssue } from "../validation/caa-gate.js";
import type { CaaGate } from "../validation/caa-gate.js";
import { recordValidation } from "../validation/ledger.js";
import { isReusable } from "../validation/reuse.js";
import { issueIfReady } from "./issuance.js";
import { domainsOf, lockOrderOfTeam } from "./order-in-team.js";
import { lockTeam } from "./team-lock.js";

export async function markStepValidated(
  tx: Tx,
  clock: Clock,
  input: { teamId: string; orderId: string; step: OrderDomain; method: ValidationMethod; actor: AuditEntry["actor"]; details?: Record<string, unknown> },
): Promise<void> {
  const now = clock.now();
  await tx
    .updateTable("orderDomains")
    .set({ completedAt: now.toISOString() })
    .where("orderId", "=", input.orderId)
    .where("domain", "=", input.step.domain)
    .execute();
  await recordValidation(tx, input.teamId, input.step.domain, input.method, now);
  await recordAudit(tx, clock, {
    teamId: input.teamId,
    actor: input.actor,
    action: "validation.completed",
    target: input.orderId,
    details: { domain: input.step.domain, method: input.method, ...input.details },
  });
}

/** The order became ready without a CAA verdict (a concurrent change): the caller asks CAA and retries. */
export const NEEDS_CAA = "needs_caa" as const;
export type IssueOutcome = { refused: string } | typeof NEEDS_CAA | null;

/**
 * Issues the order when it is ready and CAA allowed it (validation/caa-gate.ts). A refusal is
 * audited here, inside the transaction, and returned for the caller to answer 422 after commit.
 */
export async function issueUnlessCaaRefuses(tx: Tx, ctx: TeamCtx, orderId: string, gate: CaaGate): Promise<IssueOutcome> {
  const order = await tx.selectFrom("orders").select(["status", "csrPem", "teamId"]).where("id", "=", orderId).executeTakeFirstOrThrow();
  const steps = await domainsOf(tx, orderId);
  if (!wouldIssue(order, steps)) return null;
  // BR 4.2.1 holds at issuance too: a step validated (or reused) too long ago is open again.
  const now = ctx.clock.now();
  const lapsed = steps.filter((d) => d.completedAt !== null && !isReusable(new Date(d.completedAt), now)).map((d) => d.domain);
  if (lapsed.length > 0) {
    await tx.updateTable("orderDomains").set({ completedAt: null, reused: 0, challenge: null }).where("orderId", "=", orderId).where("domain", "in", lapsed).execute();
    await recordAudit(tx, ctx.clock, { teamId: order.teamId, actor: auditActorOf(ctx.principal), action: "validation.lapsed", target: orderId, details: { domains: lapsed } });
    return null;
  }
  if (gate.ok === true) {
    await issueIfReady(tx, ctx, orderId);
    return null;
  }
  if (gate.ok === "unchecked") return NEEDS_CAA;
  await recordAudit(tx, ctx.clock, {
    teamId: order.teamId,
    actor: auditActorOf(ctx.principal),
    action: "certificate.caa_refused",
    target: orderId,
    details: { reason: gate.reason },
  });
  return { refused: gate.reason };
}

/**
 * Ends a command that may have made the order ready: when it became ready without a verdict
 * (parallel checks, each seeing the others' steps still open), CAA is asked now, outside any lock,
 * and a second transaction issues if the order is still ready; a refusal answers 422.
 */
export async function settleIssuance(ctx: TeamCtx, orderId: string, outcome: IssueOutcome): Promise<void> {
  let result = outcome;
  if (result === NEEDS_CAA) {
    const names = await ctx.db.kysely.selectFrom("orderDomains").select("domain").where("orderId", "=", orderId).execute();
    const gate = await caaVerdict(ctx, names.map((n) => n.domain));
    result = await inTransaction(ctx.db, async (tx) => {
      await lockTeam(tx, ctx.db, ctx.team.id);
      await lockOrderOfTeam(tx, ctx.db.engine, ctx.team.id, orderId);
      return issueUnlessCaaRefuses(tx, ctx, orderId, gate);
    });
  }
  if (result !== null && result !== NEEDS_CAA) throw caaRefusal(result.refused);
}
