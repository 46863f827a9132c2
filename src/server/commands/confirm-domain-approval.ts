// Confirming the `email` method's approval link (BR 3.2.2.4.4): the token from the e-mail, once,
// before it expires, and only for the choice it was sent for (a new choice draws a new challenge
// and the old link stops working). It validates the step and enters the name in the team's ledger;
// issuance follows at the validator's next check or CSR, which asks CAA first.
import type { Deps } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { hashToken } from "../secrets.js";
import { validatedName } from "../validation/ledger.js";
import { lockOrderOfTeam, stepFor, domainsOf } from "./order-in-team.js";
import { lockTeam } from "./team-lock.js";
import { markStepValidated } from "./validation-step.js";

export async function confirmDomainApproval(deps: Deps, token: string): Promise<{ domain: string }> {
  const tokenHash = hashToken(token);
  const found = await deps.db.kysely.selectFrom("domainApprovals").select(["teamId", "orderId"]).where("tokenHash", "=", tokenHash).executeTakeFirst();
  if (!found) throw new AppError("not_found", "No such approval link.");
  return inTransaction(deps.db, async (tx) => {
    await lockTeam(tx, deps.db, found.teamId);
    const order = await lockOrderOfTeam(tx, deps.db.engine, found.teamId, found.orderId);
    const approval = await tx.selectFrom("domainApprovals").selectAll().where("tokenHash", "=", tokenHash).executeTakeFirstOrThrow();
    const domain = validatedName(approval.domain);
    if (approval.usedAt !== null) throw new AppError("approval_used", `This approval link for ${domain} was already used.`);
    const now = deps.clock.now();
    const step = stepFor(await domainsOf(tx, approval.orderId), approval.domain);
    const current = step.completedAt === null && step.method === "email" && step.challenge === approval.challenge;
    if (new Date(approval.expiresAt) <= now || order.status === "refunded" || !current) {
      throw new AppError("approval_expired", `This approval link for ${domain} has expired; the requester can send a new one.`);
    }
    await tx.updateTable("domainApprovals").set({ usedAt: now.toISOString() }).where("id", "=", approval.id).execute();
    await markStepValidated(tx, deps.clock, {
      teamId: approval.teamId,
      orderId: approval.orderId,
      step,
      method: "email",
      // The approver is no member: the audit names their address, not an account.
      actor: null,
      details: { approverEmail: approval.approverEmail },
    });
    return { domain };
  });
}
