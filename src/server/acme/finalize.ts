// finalize (RFC 8555 §7.4): the CSR of a ready order — every name validated — is checked with the
// rules every certdesk CSR meets (certs/csr.ts: its names exactly the order's, a strong key), CAA is
// asked (SPEC 15), and in one transaction the order is charged to the credential's billing profile
// (its only charge: SPEC 20), the CSR recorded and the certificate issued, as the dashboard's CSR
// submission does. A CAA refusal makes the order invalid, charged nothing.
import { auditActorOf } from "../auth/principal.js";
import type { TeamCtx } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import { assertCsrNamesMatch, parseCsr } from "../certs/index.js";
import { recordAudit } from "../commands/audit.js";
import { chargeOrder } from "../commands/place-order.js";
import { lockOrderOfTeam } from "../commands/order-in-team.js";
import { lockTeam } from "../commands/team-lock.js";
import { issueUnlessCaaRefuses, settleIssuance } from "../commands/validation-step.js";
import { findLiveBillingProfile } from "../queries/billing.js";
import { caaVerdict } from "../validation/caa-gate.js";
import type { AcmeOrderState } from "./order-state.js";
import { loadAcmeOrder } from "./order-state.js";
import { AcmeProblem, acmeType } from "./problems.js";

/** The CSR of `{csr}` (base64url DER) as PEM, or badCSR. */
function csrPemOf(payload: Record<string, unknown> | null): string {
  const csr = payload?.csr;
  if (typeof csr !== "string" || !/^[A-Za-z0-9_-]+$/.test(csr) || csr.length > 16_384) {
    throw new AcmeProblem("badCSR", "finalize takes {csr}: the CSR's DER, base64url-encoded.");
  }
  const base64 = Buffer.from(csr, "base64url").toString("base64");
  return `-----BEGIN CERTIFICATE REQUEST-----\n${base64.replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END CERTIFICATE REQUEST-----\n`;
}

function assertReady(order: AcmeOrderState): void {
  if (order.status !== "ready") {
    throw new AcmeProblem("orderNotReady", `This order is ${order.status}; it can be finalized when it is ready (every authorization valid).`);
  }
}

export async function finalizeOrder(ctx: TeamCtx, order: AcmeOrderState, payload: Record<string, unknown> | null): Promise<void> {
  assertReady(order);
  const csrPem = csrPemOf(payload);
  const parsed = await parseCsr(csrPem).catch((error: Error) => {
    throw new AcmeProblem("badCSR", error.message);
  });
  try {
    assertCsrNamesMatch(parsed.names, order.domains);
  } catch (error) {
    throw new AcmeProblem("badCSR", (error as Error).message);
  }
  const gate = await caaVerdict(ctx, order.domains);
  const teamId = ctx.team.id;
  const outcome = await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    const row = await lockOrderOfTeam(tx, ctx.db.engine, teamId, order.id);
    // Read again under the lock: two finalize requests at once charge and issue once.
    const current = await loadAcmeOrder(tx, order.id, ctx.clock.now());
    if (!current) throw new AcmeProblem("malformed", "No such order.", { status: 404 });
    assertReady(current);
    if (gate.ok === false) {
      const error = { type: acmeType("caa"), detail: gate.reason, status: 403 };
      await tx.updateTable("acmeOrders").set({ error: JSON.stringify(error) }).where("orderId", "=", order.id).execute();
      await recordAudit(tx, ctx.clock, { teamId, actor: auditActorOf(ctx.principal), action: "certificate.caa_refused", target: order.id, details: { reason: gate.reason } });
      return { refused: gate.reason };
    }
    const profile = await findLiveBillingProfile(tx, teamId, row.billingProfileId).catch(() => {
      throw new AcmeProblem("unauthorized", "The billing profile of this order was deleted; nothing was charged or issued.");
    });
    await chargeOrder(tx, ctx, { ...row, billingProfileId: profile.id });
    await tx.updateTable("orders").set({ csrPem }).where("id", "=", order.id).execute();
    await tx.updateTable("acmeOrders").set({ finalizedAt: ctx.clock.now().toISOString() }).where("orderId", "=", order.id).execute();
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "csr.submitted",
      target: order.id,
      details: { names: parsed.names, publicKeyAlgorithm: parsed.publicKeyAlgorithm, amountMinor: row.priceMinor, currency: row.currency },
    });
    return issueUnlessCaaRefuses(tx, ctx, order.id, gate);
  });
  if (outcome !== null && typeof outcome === "object" && "refused" in outcome && gate.ok === false) {
    throw new AcmeProblem("caa", outcome.refused);
  }
  await settleIssuance(ctx, order.id, outcome);
}
