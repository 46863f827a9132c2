// Issuance, in one place: an order is issued as soon as every domain is validated and a CSR is on
// file, whichever of the two comes last, inside the transaction of the change that completed it.
// A new CSR on an issued order reissues at once. Each certificate is a new row; the newest is the
// order's current one, older ones stay for the record.
import { auditActorOf } from "../auth/principal.js";
import type { TeamCtx } from "../context.js";
import type { Order, OrderDomain } from "../db/schema.js";
import type { Tx } from "../db/transaction.js";
import { newId } from "../secrets.js";
import { recordAudit } from "./audit.js";
import { domainsOf } from "./order-in-team.js";

const DAYS_PER_YEAR = 365;

/**
 * Issues the order's certificate when it is pending, has a CSR and every domain is validated.
 * The caller holds the order's row lock (lockOrderOfTeam). Returns whether it issued.
 */
export async function issueIfReady(tx: Tx, ctx: TeamCtx, orderId: string): Promise<boolean> {
  const order = await tx.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirstOrThrow();
  if (order.status !== "pending_validation" || order.csrPem === null) return false;
  const domains = await domainsOf(tx, orderId);
  if (domains.length === 0 || domains.some((d) => d.completedAt === null)) return false;
  await issueCertificate(tx, ctx, order, domains, "certificate.issued");
  return true;
}

/** Signs the order's CSR for its domains, stores the certificate, marks the order issued, audits. */
export async function issueCertificate(
  tx: Tx,
  ctx: TeamCtx,
  order: Order,
  domains: OrderDomain[],
  action: "certificate.issued" | "certificate.reissued",
): Promise<void> {
  if (order.csrPem === null) throw new Error(`order ${order.id} has no CSR to issue from`);
  const product = await tx.selectFrom("products").select("years").where("id", "=", order.productId).executeTakeFirstOrThrow();
  const ca = await ctx.ca.get();
  const now = ctx.clock.now();
  const issued = await ca.issue({
    csrPem: order.csrPem,
    domains: domains.map((d) => d.domain),
    validityDays: product.years * DAYS_PER_YEAR,
    notBefore: now,
  });
  await tx
    .insertInto("certificates")
    .values({
      id: newId(now.getTime()),
      orderId: order.id,
      serialNumber: issued.serialNumber,
      certificatePem: issued.certificatePem,
      chainPem: issued.chainPem,
      notBefore: issued.notBefore.toISOString(),
      notAfter: issued.notAfter.toISOString(),
      createdAt: now.toISOString(),
    })
    .execute();
  // A reissue keeps the order's first issuance time: it is when the order was fulfilled.
  if (order.status !== "issued") {
    await tx.updateTable("orders").set({ status: "issued", issuedAt: now.toISOString() }).where("id", "=", order.id).execute();
  }
  await recordAudit(tx, ctx.clock, {
    teamId: order.teamId,
    actor: auditActorOf(ctx.principal),
    action,
    target: order.id,
    details: { serialNumber: issued.serialNumber, notAfter: issued.notAfter.toISOString(), domains: domains.map((d) => d.domain) },
  });
}
