// The order a validation, document or certificate command works on: locked for the rest of the
// transaction (so a refund, a second completion or a CSR cannot interleave with it) and scoped to
// the team in the path, so another team's order is exactly as absent as one that never existed.
import type { Engine } from "../db/create-db.js";
import type { Order, OrderDomain } from "../db/schema.js";
import type { Tx } from "../db/transaction.js";
import { lockRow } from "../db/transaction.js";
import { AppError } from "../errors.js";

export async function lockOrderOfTeam(tx: Tx, engine: Engine, teamId: string, orderId: string): Promise<Order> {
  await lockRow(tx, engine, "orders", orderId);
  const order = await tx.selectFrom("orders").selectAll().where("id", "=", orderId).where("teamId", "=", teamId).executeTakeFirst();
  if (!order) throw new AppError("not_found", "No such order.");
  return order;
}

/** A refunded order is closed: nothing more is validated, uploaded or issued for it. */
export function assertNotRefunded(order: Order): void {
  if (order.status === "refunded") throw new AppError("order_refunded", "This order was refunded; it takes no further validation, documents or CSRs.");
}

export async function domainsOf(tx: Tx, orderId: string): Promise<OrderDomain[]> {
  return tx.selectFrom("orderDomains").selectAll().where("orderId", "=", orderId).orderBy("position").execute();
}

/** The order's step for `domain` (compared case-insensitively, as DNS does), or 404. */
export function stepFor(domains: OrderDomain[], domain: string): OrderDomain {
  const wanted = domain.toLowerCase();
  const step = domains.find((d) => d.domain.toLowerCase() === wanted);
  if (!step) throw new AppError("not_found", `${domain} is not a domain of this order.`);
  return step;
}
