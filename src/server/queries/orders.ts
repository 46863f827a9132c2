// Orders as the API shows them: status, domains, each domain's validation step, the certificate on file.
import { PostgresAdapter, sql } from "kysely";
import type { ExpressionBuilder } from "kysely";
import { DAY } from "../clock.js";
import { cachedRead, readKey } from "../db/read-cache.js";
import type { Executor } from "../db/transaction.js";
import type { Order, OrderDomain } from "../db/schema.js";
import { AppError } from "../errors.js";
import type { ValidationMethod } from "../../shared/account.js";
import type { Page } from "../../shared/schemas/common.js";
import type { OrderDto, OrderSort, RevocationReason } from "../../shared/schemas/orders.js";
import { instructionsFor } from "../validation/instructions.js";
import { presentActor } from "../auth/principal.js";
import { can } from "../policy/authorize.js";
import type { TeamMember } from "../policy/authorize.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

/** An order row with its creator's e-mail, as the queries below read it. */
export type OrderRow = Order & { creatorEmail: string };

function ordersOf(executor: Executor, teamId: string) {
  return executor
    .selectFrom("orders")
    .innerJoin("users", "users.id", "orders.createdBy")
    .selectAll("orders")
    .select("users.email as creatorEmail")
    .where("orders.teamId", "=", teamId);
}

type CertificateRow = {
  orderId: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  revokedAt: string | null;
  revocationReason: string | null;
};

/** The ACME credential an ACME account bound with: how the dashboard names an ACME order's placer. */
type AcmeCredentialRef = { id: string; name: string };

/**
 * The challenge values in the instructions are validation work: shown only to those who may see
 * validation steps (validation.view); everyone with orders.view sees each domain's progress.
 */
export function presentOrder(
  order: OrderRow,
  domains: OrderDomain[],
  certificate: CertificateRow | undefined,
  viewer: TeamMember,
  acmeCredential: AcmeCredentialRef | null = null,
): OrderDto {
  const showInstructions = can(viewer, "validation.view");
  const sorted = [...domains].sort((a, b) => a.position - b.position);
  return {
    id: order.id,
    productId: order.productId,
    domains: sorted.map((d) => d.domain),
    // An issued order whose current certificate was revoked is "revoked" (SPEC 18).
    status: (order.status === "issued" && certificate?.revokedAt ? "revoked" : order.status) as OrderDto["status"],
    validation: sorted.map((d) => ({
      domain: d.domain,
      method: d.method as ValidationMethod | null,
      completed: d.completedAt !== null,
      completedAt: d.completedAt,
      validatedAt: d.completedAt,
      reused: d.reused === 1,
      instructions: showInstructions && d.method && d.challenge ? instructionsFor(d.domain, d.method as ValidationMethod, d.challenge) : null,
    })),
    priceMinor: order.priceMinor,
    currency: order.currency,
    billingProfileId: order.billingProfileId,
    csrOnFile: order.csrPem !== null,
    createdAt: order.createdAt,
    issuedAt: order.issuedAt,
    refundedAt: order.refundedAt,
    certificate: certificate
      ? {
          serial: certificate.serialNumber,
          notBefore: certificate.notBefore,
          notAfter: certificate.notAfter,
          revokedAt: certificate.revokedAt,
          revocationReason: certificate.revocationReason as RevocationReason | null,
        }
      : null,
    coverageEndsAt: order.coverageEndsAt,
    source: order.source as OrderDto["source"],
    placedBy: presentActor(order.createdBy, order.creatorEmail, order.apiKeyId, order.acmeAccountId),
    acmeCredential,
  };
}

/**
 * Domains and current certificates of several orders, in two queries, grouped by order; and, when
 * some were placed by ACME accounts, one more for those accounts' credentials, by account.
 */
async function detailsOf(executor: Executor, orders: Pick<OrderRow, "id" | "acmeAccountId">[]) {
  const orderIds = orders.map((o) => o.id);
  const accountIds = [...new Set(orders.flatMap((o) => (o.acmeAccountId ? [o.acmeAccountId] : [])))];
  const acmeCredentials = new Map<string, AcmeCredentialRef>();
  if (orderIds.length === 0) return { domains: new Map<string, OrderDomain[]>(), certificates: new Map<string, CertificateRow>(), acmeCredentials };
  const [domainRows, certificateRows, credentialRows] = await Promise.all([
    executor.selectFrom("orderDomains").selectAll().where("orderId", "in", orderIds).execute(),
    executor
      .selectFrom("certificates")
      .select(["orderId", "serialNumber", "notBefore", "notAfter", "revokedAt", "revocationReason", "id"])
      .where("orderId", "in", orderIds)
      .orderBy("id")
      .execute(),
    accountIds.length === 0
      ? []
      : executor
          .selectFrom("acmeAccounts")
          .innerJoin("acmeCredentials", "acmeCredentials.id", "acmeAccounts.credentialId")
          .select(["acmeAccounts.id as accountId", "acmeCredentials.id", "acmeCredentials.name"])
          .where("acmeAccounts.id", "in", accountIds)
          .execute(),
  ]);
  for (const row of credentialRows) acmeCredentials.set(row.accountId, { id: row.id, name: row.name });
  const domains = new Map<string, OrderDomain[]>();
  for (const row of domainRows) domains.set(row.orderId, [...(domains.get(row.orderId) ?? []), row]);
  const certificates = new Map<string, CertificateRow>();
  for (const row of certificateRows) certificates.set(row.orderId, row); // ordered by id: the newest wins
  return { domains, certificates, acmeCredentials };
}

function acmeCredentialOf(order: Pick<OrderRow, "acmeAccountId">, acmeCredentials: Map<string, AcmeCredentialRef>): AcmeCredentialRef | null {
  return (order.acmeAccountId && acmeCredentials.get(order.acmeAccountId)) || null;
}

export async function getOrder(executor: Executor, teamId: string, orderId: string, viewer: TeamMember): Promise<OrderDto> {
  const order = await ordersOf(executor, teamId).where("orders.id", "=", orderId).executeTakeFirst();
  if (!order) throw new AppError("not_found", "No such order.");
  const { domains, certificates, acmeCredentials } = await detailsOf(executor, [order]);
  return presentOrder(order, domains.get(order.id) ?? [], certificates.get(order.id), viewer, acmeCredentialOf(order, acmeCredentials));
}

/**
 * `q` is a domain prefix (lower-cased here; "exa" finds example.com and *.example.com);
 * `expiresWithinDays` keeps issued orders whose current certificate is valid and ends within that many
 * days of `now`; `sort` is newest first (by the time-ordered id) or soonest notAfter first.
 */
type OrdersInput = { limit: number; cursor?: string; status?: string; q?: string; expiresWithinDays?: number; sort?: OrderSort; now: Date };
export type OrderPage = Page<OrderDto>;

type OrderPageInputs = [teamId: string, limit: number, cursor: string | undefined, status: string | undefined, q: string | undefined, sort: OrderSort | undefined, seesChallenges: boolean];
const ordersKey = readKey<OrderPage, OrderPageInputs>("orders");

export function listOrders(executor: Executor, teamId: string, input: OrdersInput, viewer: TeamMember): Promise<OrderPage> {
  // "Within n days" depends on the clock, which the cache must not (read-cache.ts): read it every time.
  if (input.expiresWithinDays !== undefined) return readOrders(executor, teamId, input, viewer);
  // The page differs only in whether the viewer may see the validation challenges.
  const key = ordersKey(teamId, input.limit, input.cursor, input.status, input.q, input.sort, can(viewer, "validation.view"));
  return cachedRead(executor, key, () => readOrders(executor, teamId, input, viewer));
}

/** Strings that start with `prefix`, as a range an index can answer (see migration 0012). */
function prefixRange(eb: ExpressionBuilder<any, any>, postgres: boolean, prefix: string) {
  const column = postgres ? sql`order_domains.domain collate "C"` : sql`order_domains.domain`;
  return eb.and([
    eb(column, ">=", prefix),
    eb(column, "<", `${prefix}\uffff`),
    // The range is exact for lower-case A-labels; this keeps it exact whatever else is stored.
    eb(eb.fn("substr", [sql.ref("order_domains.domain"), sql.lit(1), sql.lit(prefix.length)]), "=", prefix),
  ]);
}

async function readOrders(executor: Executor, teamId: string, input: OrdersInput, viewer: TeamMember): Promise<OrderPage> {
  const byExpiry = input.sort === "expires";
  // A cursor names its sort by its length: [id] newest first, [notAfter or "", id] by expiry. One
  // from the other sort is a 400 from decodeCursor, never a page of the wrong list.
  const after = decodeCursor(input.cursor, byExpiry ? 2 : 1);
  const postgres = executor.getExecutor().adapter instanceof PostgresAdapter;
  const filtered = () => {
    let query = ordersOf(executor, teamId);
    // "revoked" is an issued order without a valid certificate (presentOrder): every one was revoked.
    if (input.status === "revoked" || input.status === "issued") {
      const wanted = input.status;
      query = query.where("orders.status", "=", "issued").where((eb) => {
        const valid = eb.exists(
          eb.selectFrom("certificates").select("certificates.id").whereRef("certificates.orderId", "=", "orders.id").where("certificates.revokedAt", "is", null),
        );
        return wanted === "revoked" ? eb.not(valid) : valid;
      });
    } else if (input.status) query = query.where("orders.status", "=", input.status);
    if (input.q) {
      const prefix = input.q.trim().toLowerCase();
      // A wildcard's base name is found by the same prefix: "exa" finds *.example.com.
      query = query.where("orders.id", "in", (eb) =>
        eb
          .selectFrom("orderDomains as order_domains")
          .select("order_domains.orderId")
          .where((w) => w.or([prefixRange(w, postgres, prefix), prefixRange(w, postgres, `*.${prefix}`)])),
      );
    }
    if (input.expiresWithinDays !== undefined) {
      // orders.current_not_after is the newest certificate's (migration 0012); that one must not be revoked.
      const until = new Date(input.now.getTime() + input.expiresWithinDays * DAY).toISOString();
      query = query
        .where("orders.status", "=", "issued")
        .where("orders.currentNotAfter", ">", input.now.toISOString())
        .where("orders.currentNotAfter", "<=", until)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom("certificates as latest")
                .select("latest.id")
                .whereRef("latest.orderId", "=", "orders.id")
                .where("latest.revokedAt", "is not", null)
                .where((inner) =>
                  inner.not(inner.exists(inner.selectFrom("certificates as newer").select("newer.id").whereRef("newer.orderId", "=", "orders.id").whereRef("newer.id", ">", "latest.id"))),
                ),
            ),
          ),
        );
    }
    return query;
  };

  let rows: OrderRow[];
  if (!byExpiry) {
    let query = filtered();
    if (after) query = query.where("orders.id", "<", after[0]!);
    rows = await query.orderBy("orders.id", "desc").limit(input.limit + 1).execute();
  } else {
    // Soonest first through orders_team_expiry_idx, the cursor a seek on (notAfter, id); then the
    // orders without a certificate, oldest first. Two reads, each in index order, never a sort of the team.
    const [notAfter, id] = (after ?? []) as [string?, string?];
    rows = [];
    if (notAfter !== "") {
      let certified = filtered().where("orders.currentNotAfter", "is not", null);
      if (notAfter !== undefined) certified = certified.where((eb) => eb(eb.refTuple("orders.currentNotAfter", "orders.id"), ">", eb.tuple(notAfter, id!)));
      rows = await certified.orderBy("orders.currentNotAfter").orderBy("orders.id").limit(input.limit + 1).execute();
    }
    if (rows.length <= input.limit && input.expiresWithinDays === undefined) {
      let uncertified = filtered().where("orders.currentNotAfter", "is", null);
      if (notAfter === "") uncertified = uncertified.where("orders.id", ">", id!);
      rows.push(...(await uncertified.orderBy("orders.id").limit(input.limit + 1 - rows.length).execute()));
    }
  }
  const page = rows.slice(0, input.limit);
  const { domains, certificates, acmeCredentials } = await detailsOf(executor, page);
  const last = page.at(-1);
  return {
    items: page.map((o) => presentOrder(o, domains.get(o.id) ?? [], certificates.get(o.id), viewer, acmeCredentialOf(o, acmeCredentials))),
    nextCursor: rows.length > input.limit && last ? encodeCursor(byExpiry ? [last.currentNotAfter ?? "", last.id] : [last.id]) : null,
  };
}
