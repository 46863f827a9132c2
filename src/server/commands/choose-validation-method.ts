// Choosing how a domain's control is proven: e-mail to an approver address, a file over HTTP, or a
// DNS TXT record. Each choice draws a fresh random challenge, so a value seen before (in an old
// DNS record, a stale file) never proves anything; the method may change until the step completes.
import { accountableUserId, apiKeyIdOf, auditActorOf } from "../auth/principal.js";
import { validatedName } from "../account/domain-validation.js";
import type { ValidationMethod } from "../../shared/account.js";
import type { TeamCtx } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { newToken } from "../secrets.js";
import { recordAudit } from "./audit.js";
import { assertNotRefunded, domainsOf, lockOrderOfTeam, stepFor } from "./order-in-team.js";
import { lockTeam } from "./team-lock.js";

export async function chooseValidationMethod(ctx: TeamCtx, orderId: string, input: { domain: string; method: ValidationMethod }): Promise<void> {
  const teamId = ctx.team.id;
  await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    const order = await lockOrderOfTeam(tx, ctx.db.engine, teamId, orderId);
    assertNotRefunded(order);
    const step = stepFor(await domainsOf(tx, orderId), input.domain);
    // CA/Browser Forum Baseline Requirements 3.2.2.4.18: a file on one host cannot prove control
    // of every name under a domain, so wildcards are validated by e-mail or DNS.
    if (input.method === "http" && step.domain !== validatedName(step.domain)) {
      throw new AppError("invalid_request", `${step.domain} is a wildcard: validate it by email or dns, not http.`, {
        errors: [{ field: "method", message: "http cannot validate a wildcard domain" }],
      });
    }
    if (step.completedAt !== null) {
      if (step.method === input.method) return; // the same choice again changes nothing
      throw new AppError("validation_completed", `${step.domain} is already validated by ${step.method}; its method can no longer change.`);
    }
    const challenge = newToken(); // 32 random bytes, base64url
    await tx
      .updateTable("orderDomains")
      .set({ method: input.method, challenge })
      .where("orderId", "=", orderId)
      .where("domain", "=", step.domain)
      .execute();
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "validation.method_chosen",
      target: orderId,
      details: { domain: step.domain, method: input.method, previousMethod: step.method },
    });
  });
}
