// Submitting a CSR for an order. Its names must be exactly the order's domains. The CSR completes
// the order when every domain is already validated; on an issued order it reissues at once (same
// names, the new key), and the previous certificate stays on record.
import { accountableUserId, apiKeyIdOf, auditActorOf } from "../auth/principal.js";
import { assertCsrNamesMatch, parseCsr } from "../certs/index.js";
import type { TeamCtx } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import { recordAudit } from "./audit.js";
import { issueCertificate, issueIfReady } from "./issuance.js";
import { assertNotRefunded, domainsOf, lockOrderOfTeam } from "./order-in-team.js";
import { lockTeam } from "./team-lock.js";

export async function submitCsr(ctx: TeamCtx, orderId: string, csrPem: string): Promise<void> {
  const teamId = ctx.team.id;
  // Parsing and the signature check are CPU work: done before the order's lock is taken.
  const parsed = await parseCsr(csrPem);
  await inTransaction(ctx.db, async (tx) => {
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
    if (order.status === "issued") {
      await issueCertificate(tx, ctx, { ...order, csrPem }, domains, "certificate.reissued");
    } else {
      await issueIfReady(tx, ctx, orderId);
    }
  });
}
