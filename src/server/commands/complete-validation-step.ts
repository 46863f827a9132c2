// Marking a domain's validation step complete. certdesk cannot reach the customer's DNS or web
// server, so the validator confirms the step; the last step of an order with a CSR on file issues
// its certificate in the same transaction.
import { accountableUserId, apiKeyIdOf, auditActorOf } from "../auth/principal.js";
import type { TeamCtx } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { recordAudit } from "./audit.js";
import { issueIfReady } from "./issuance.js";
import { assertNotRefunded, domainsOf, lockOrderOfTeam, stepFor } from "./order-in-team.js";
import { lockTeam } from "./team-lock.js";

export async function completeValidationStep(ctx: TeamCtx, orderId: string, domain: string): Promise<void> {
  const teamId = ctx.team.id;
  await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    const order = await lockOrderOfTeam(tx, ctx.db.engine, teamId, orderId);
    assertNotRefunded(order);
    const step = stepFor(await domainsOf(tx, orderId), domain);
    if (step.completedAt !== null) return; // idempotent: completing twice is completing once
    if (step.method === null) {
      throw new AppError("validation_method_missing", `Choose a validation method for ${step.domain} before completing it.`);
    }
    await tx
      .updateTable("orderDomains")
      .set({ completedAt: ctx.clock.now().toISOString() })
      .where("orderId", "=", orderId)
      .where("domain", "=", step.domain)
      .execute();
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "validation.completed",
      target: orderId,
      details: { domain: step.domain, method: step.method },
    });
    await issueIfReady(tx, ctx, orderId);
  });
}
