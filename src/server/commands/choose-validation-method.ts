// Choosing how a domain's control is proven: e-mail to an approver address, a file over HTTP, or a
// DNS TXT record. Each choice draws a fresh random challenge, so a value seen before (in an old
// DNS record, a stale file, an earlier approval e-mail) never proves anything; the method may change
// until the step is validated. Choosing `email` queues the approval e-mail (BR 3.2.2.4.4) to the
// one of the five constructed addresses the validator picked, in the same transaction.
import { auditActorOf } from "../auth/principal.js";
import type { ValidationMethod } from "../../shared/account.js";
import type { TeamCtx } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { queueEmail } from "../mail/outbox.js";
import { hashToken, newId, newToken } from "../secrets.js";
import { domainApprovalEmail } from "../validation/approval-email.js";
import { approverEmailsFor } from "../validation/instructions.js";
import { validatedName } from "../validation/ledger.js";
import { recordAudit } from "./audit.js";
import { assertNotRefunded, domainsOf, lockOrderOfTeam, stepFor } from "./order-in-team.js";
import { lockTeam } from "./team-lock.js";

/** How long an approval link works: BR 3.2.2.4.4 leaves it to the CA; 30 days, like a reuse window's start. */
export const APPROVAL_TTL_MS = 30 * 24 * 3_600_000;

function invalid(field: string, message: string): AppError {
  return new AppError("invalid_request", message, { errors: [{ field, message }] });
}

export async function chooseValidationMethod(
  ctx: TeamCtx,
  orderId: string,
  input: { domain: string; method: ValidationMethod; approverEmail?: string },
): Promise<void> {
  const teamId = ctx.team.id;
  const approver = input.approverEmail?.trim().toLowerCase();
  if (input.method !== "email" && approver !== undefined) throw invalid("approverEmail", "approverEmail is only for the email method.");
  let queued = false;
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
    if (input.method === "email") {
      const allowed = approverEmailsFor(step.domain);
      if (approver === undefined) throw invalid("approverEmail", `The email method needs approverEmail, one of ${allowed.join(", ")}.`);
      if (!allowed.includes(approver)) throw invalid("approverEmail", `approverEmail must be one of ${allowed.join(", ")}.`);
    }
    const challenge = newToken(); // 32 random bytes, base64url
    await tx
      .updateTable("orderDomains")
      .set({ method: input.method, challenge })
      .where("orderId", "=", orderId)
      .where("domain", "=", step.domain)
      .execute();
    if (input.method === "email" && approver !== undefined) {
      const now = ctx.clock.now();
      const token = newToken();
      const expiresAt = new Date(now.getTime() + APPROVAL_TTL_MS);
      await tx
        .insertInto("domainApprovals")
        .values({
          id: newId(now.getTime()),
          tokenHash: hashToken(token),
          teamId,
          orderId,
          domain: step.domain,
          approverEmail: approver,
          challenge,
          createdAt: now.toISOString(),
          expiresAt: expiresAt.toISOString(),
          usedAt: null,
        })
        .execute();
      await queueEmail(
        tx,
        ctx,
        domainApprovalEmail({
          to: approver,
          domain: validatedName(step.domain),
          teamName: ctx.team.name,
          link: `${ctx.config.baseUrl}/domain-approvals/${token}`,
          expiresAt,
        }),
      );
      queued = true;
    }
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "validation.method_chosen",
      target: orderId,
      details: { domain: step.domain, method: input.method, previousMethod: step.method, ...(approver ? { approverEmail: approver } : {}) },
    });
  });
  if (queued) ctx.mail.wake();
}
