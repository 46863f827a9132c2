// Refunding an order within 30 days of its charge. The order row is locked, and a unique index
// on (order_id, kind) stops a second refund even if two requests got past the check together.
// The certificate goes with the money: revoked as cessationOfOperation in the same transaction (SPEC 18).
import { accountableUserId, apiKeyIdOf, auditActorOf } from "../auth/principal.js";
import { DAY } from "../clock.js";
import type { TeamCtx } from "../context.js";
import { isUniqueViolation } from "../db/errors.js";
import { inTransaction, lockRow } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { newId } from "../secrets.js";
import { recordAudit } from "./audit.js";
import { revokeCurrent } from "./revoke-certificate.js";
import { lockTeam } from "./team-lock.js";

export const REFUND_WINDOW_DAYS = 30;

export async function refundOrder(ctx: TeamCtx, orderId: string): Promise<void> {
  const teamId = ctx.team.id;
  try {
    await inTransaction(ctx.db, async (tx) => {
      await lockTeam(tx, ctx.db, teamId);
      await lockRow(tx, ctx.db.engine, "orders", orderId);
      const order = await tx.selectFrom("orders").select(["id", "status"]).where("id", "=", orderId).where("teamId", "=", teamId).executeTakeFirst();
      if (!order) throw new AppError("not_found", "No such order.");
      if (order.status === "refunded") throw new AppError("already_refunded", "This order has already been refunded.");
      const charge = await tx
        .selectFrom("transactions")
        .selectAll()
        .where("orderId", "=", orderId)
        .where("kind", "=", "charge")
        .executeTakeFirstOrThrow();
      const now = ctx.clock.now();
      const closes = new Date(Date.parse(charge.createdAt) + REFUND_WINDOW_DAYS * DAY);
      if (now >= closes) {
        throw new AppError("refund_window_closed", `Refunds are possible for ${REFUND_WINDOW_DAYS} days after the charge; this one closed on ${closes.toISOString()}.`);
      }
      const { reference } = await ctx.payments.refund({
        teamId,
        orderId,
        billingProfileId: charge.billingProfileId,
        amountMinor: charge.amountMinor,
        currency: charge.currency,
        chargeReference: charge.gatewayReference,
      });
      await tx
        .insertInto("transactions")
        .values({
          id: newId(),
          teamId,
          orderId,
          billingProfileId: charge.billingProfileId,
          kind: "refund",
          amountMinor: charge.amountMinor,
          currency: charge.currency,
          actorId: accountableUserId(ctx.principal),
          apiKeyId: apiKeyIdOf(ctx.principal),
          gatewayReference: reference,
          createdAt: now.toISOString(),
        })
        .execute();
      await tx.updateTable("orders").set({ status: "refunded", refundedAt: now.toISOString() }).where("id", "=", orderId).execute();
      await revokeCurrent(tx, ctx, orderId, teamId, "cessationOfOperation");
      await recordAudit(tx, ctx.clock, {
        teamId,
        actor: auditActorOf(ctx.principal),
        action: "order.refunded",
        target: orderId,
        details: { amountMinor: charge.amountMinor, currency: charge.currency, previousStatus: order.status },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("already_refunded", "This order has already been refunded.");
    throw error;
  }
}
