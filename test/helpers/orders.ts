// Orders for the validation, document and certificate tests, written straight into the database
// (a billing profile, the order, its domains), so those tests do not depend on placing and charging.
import { newId } from "../../src/server/secrets.js";
import type { TestApp } from "./app.js";

/** A pending order of `teamId` created by `userId` for `domains` (lower-cased, in order); returns its id. */
export async function seedOrder(h: TestApp, teamId: string, userId: string, domains: string[], productId = "dv-1y"): Promise<string> {
  const db = h.t.db.kysely;
  const now = h.clock.now().toISOString();
  const product = await db.selectFrom("products").selectAll().where("id", "=", productId).executeTakeFirstOrThrow();
  const profileId = newId();
  await db
    .insertInto("billingProfiles")
    .values({ id: profileId, teamId, name: "Seeded", country: "DE", cardBrand: "visa", cardLast4: "4242", createdAt: now, updatedAt: now, deletedAt: null })
    .execute();
  const orderId = newId();
  await db
    .insertInto("orders")
    .values({
      id: orderId,
      teamId,
      productId,
      billingProfileId: profileId,
      status: "pending_validation",
      priceMinor: product.priceMinor,
      currency: product.currency,
      createdBy: userId,
      createdAt: now,
      issuedAt: null,
      refundedAt: null,
      csrPem: null,
    })
    .execute();
  await db
    .insertInto("orderDomains")
    .values(domains.map((domain, position) => ({ orderId, position, domain: domain.toLowerCase(), method: null, challenge: null, completedAt: null })))
    .execute();
  return orderId;
}

/** Marks an order refunded, as a refund would (the ledger is not what these tests look at). */
export async function markRefunded(h: TestApp, orderId: string): Promise<void> {
  await h.t.db.kysely.updateTable("orders").set({ status: "refunded", refundedAt: h.clock.now().toISOString() }).where("id", "=", orderId).execute();
}

/** The team's audit actions, oldest first, optionally only those about `target`. */
export async function auditActions(h: TestApp, teamId: string, target?: string): Promise<{ action: string; actorId: string | null; target: string | null; details: Record<string, unknown> }[]> {
  let query = h.t.db.kysely.selectFrom("auditLog").select(["action", "actorId", "target", "details"]).where("teamId", "=", teamId);
  if (target !== undefined) query = query.where("target", "=", target);
  const rows = await query.orderBy("id").execute();
  return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}
