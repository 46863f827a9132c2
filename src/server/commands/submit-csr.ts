// Submitting a CSR for an order. Its names must be exactly the order's domains. The CSR completes
// the order when every domain is already validated; on an issued order it reissues at once (same
// names, the new key), and the previous certificate stays on record. Either way CAA is asked first
// (validation/caa-gate.ts): a refusal keeps the CSR, issues nothing and answers 422 caa_forbidden.
import { accountableUserId, apiKeyIdOf, auditActorOf } from "../auth/principal.js";
import { assertCsrNamesMatch, parseCsr } from "../certs/index.js";
import { caaVerdict, wouldIssue } from "../validation/caa-gate.js";
import type { CaaGate } from "../validation/caa-gate.js";
import type { TeamCtx } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import { recordAudit } from "./audit.js";
import { issueCertificate } from "./issuance.js";
import { assertNotRefunded, domainsOf, lockOrderOfTeam } from "./order-in-team.js";
import { lockTeam } from "./team-lock.js";
import { issueUnlessCaaRefuses, settleIssuance } from "./validation-step.js";

export async function submitCsr(ctx: TeamCtx, orderId: string, csrPem: string): Promise<void> {
  const teamId = ctx.team.id;
  // Parsing and the signature check are CPU work: done before the order's lock is taken.
  const parsed = await parseCsr(csrPem);
  // CAA is DNS: asked before the lock, for the names this CSR would be issued for now.
  const before = await ctx.db.kysely.selectFrom("orders").select(["status", "csrPem"]).where("id", "=", orderId).where("teamId", "=", teamId).executeTakeFirst();
  const stepsBefore = await ctx.db.kysely.selectFrom("orderDomains").select(["domain", "completedAt"]).where("orderId", "=", orderId).execute();
  const issues = before !== undefined && (before.status === "issued" || wouldIssue({ ...before, csrPem }, stepsBefore));
  const gate: CaaGate = issues ? await caaVerdict(ctx, stepsBefore.map((d) => d.domain)) : { ok: "unchecked" };
  const outcome = await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    const order = await lockOrderOfTeam(tx, ctx.db.engine, teamId, orderId);
    assertNotRefunded(order);
    const domains = await domainsOf(tx, orderId);
    assertCsrNamesMatch(parsed.names, domains.map((d) => d.domain));
    await tx.updateTable("orders").set({ csrPem }).where("id", "=", orderId).execute();
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "csr.submitted",
      target: orderId,
      details: { names: parsed.names, publicKeyAlgorithm: parsed.publicKeyAlgorithm },
    });
    if (order.status !== "issued") return issueUnlessCaaRefuses(tx, ctx, orderId, gate);
    if (gate.ok === true) {
      await issueCertificate(tx, ctx, { ...order, csrPem }, domains, "certificate.reissued");
      return null;
    }
    if (gate.ok === "unchecked") return null; // issued meanwhile: the next CSR reissues, after CAA
    await recordAudit(tx, ctx.clock, { teamId, actor: auditActorOf(ctx.principal), action: "certificate.caa_refused", target: orderId, details: { reason: gate.reason } });
    return { refused: gate.reason };
  });
  await settleIssuance(ctx, orderId, outcome);
}
