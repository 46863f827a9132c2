// Revoking an order's current certificate (SPEC 18): a member with certificates.manage gives one
// of the five reasons; from then on the issuing CA's CRL lists the serial and its OCSP responder
// answers revoked. The order shows status "revoked" (queries/orders.ts: its row stays "issued",
// the current certificate carries the revocation, so a reissue within coverage stays possible;
// nothing is refunded: that is refund-order's, which revokes as cessationOfOperation below).
import { auditActorOf } from "../auth/principal.js";
import type { TeamCtx } from "../context.js";
import type { Tx } from "../db/transaction.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import type { RevocationReason } from "../../shared/schemas/orders.js";
import { recordAudit } from "./audit.js";
import { lockOrderOfTeam } from "./order-in-team.js";
import { lockTeam } from "./team-lock.js";

export async function revokeCertificate(ctx: TeamCtx, orderId: string, reason: RevocationReason): Promise<void> {
  const teamId = ctx.team.id;
  await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    const order = await lockOrderOfTeam(tx, ctx.db.engine, teamId, orderId);
    if (order.status !== "issued") throw new AppError("not_issued", "This order has no valid certificate to revoke.");
    const serial = await revokeCurrent(tx, ctx, orderId, teamId, reason);
    if (!serial) throw new AppError("already_revoked", "This order's certificate has already been revoked.");
  });
}

/**
 * Revokes the order's certificates not yet revoked (the current one; older ones were superseded),
 * audited with the principal. Returns the current serial, or undefined when none was valid. The
 * caller holds the order's row lock.
 */
export async function revokeCurrent(tx: Tx, ctx: TeamCtx, orderId: string, teamId: string, reason: RevocationReason): Promise<string | undefined> {
  const now = ctx.clock.now().toISOString();
  const revoked = await tx
    .updateTable("certificates")
    .set({ revokedAt: now, revocationReason: reason })
    .where("orderId", "=", orderId)
    .where("revokedAt", "is", null)
    .returning(["id", "serialNumber"])
    .execute();
  const sorted = [...revoked].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const { serialNumber } of sorted) {
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "certificate.revoked",
      target: orderId,
      details: { serialNumber, reason },
    });
  }
  return sorted.at(-1)?.serialNumber;
}
