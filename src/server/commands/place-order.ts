// Buying a certificate: check the product and domains, charge a billing profile of the same team,
// write the order, its domains and the charge — one transaction, all or nothing. Names no CA may
// certify are refused first (SPEC 15); a name the team's ledger still covers starts validated,
// `reused` (SPEC 16), read under the team's lock so it is the ledger as of this order. Opening and
// charging are separate steps: an ACME order is opened at newOrder and charged at finalize (SPEC 20).
import { accountableUserId, acmeAccountIdOf, apiKeyIdOf, auditActorOf, orderSourceOf } from "../auth/principal.js";
import type { TeamCtx } from "../context.js";
import { isIP } from "node:net";
import { inTransaction } from "../db/transaction.js";
import type { Tx } from "../db/transaction.js";
import type { Order, Product } from "../db/schema.js";
import { AppError } from "../errors.js";
import { isDnsName } from "../certs/index.js";
import { findLiveBillingProfile } from "../queries/billing.js";
import { newId } from "../secrets.js";
import { reusableValidation } from "../validation/ledger.js";
import { whyNotCertifiable } from "../validation/names.js";
import { recordAudit } from "./audit.js";
import { lockTeam } from "./team-lock.js";

export interface PlaceOrderInput {
  productId: string;
  domains: string[];
  billingProfileId: string;
}

function invalid(field: string, message: string): AppError {
  return new AppError("invalid_request", message, { errors: [{ field, message }] });
}

/** Lower-cased, checked, duplicates refused: what the certificate's SANs will be, in order. */
export function checkDomains(raw: string[], wildcardAllowed: boolean): string[] {
  const domains = raw.map((d) => d.trim().toLowerCase().replace(/\.$/, ""));
  domains.forEach((domain, i) => {
    // An IP address is a name no CA may certify (422), not a malformed request.
    const base = domain.startsWith("*.") ? domain.slice(2) : domain;
    const refused = isIP(base) !== 0 || isDnsName(base) ? whyNotCertifiable(domain) : null;
    if (refused) throw new AppError("name_not_allowed", refused, { errors: [{ field: `domains.${i}`, message: refused }] });
    if (!isDnsName(domain)) throw invalid(`domains.${i}`, `"${raw[i]}" is not a valid DNS name.`);
    if (domain.startsWith("*.") && !wildcardAllowed) throw invalid(`domains.${i}`, "This product does not cover wildcard names.");
  });
  if (new Set(domains).size !== domains.length) throw invalid("domains", "Each domain may appear only once.");
  return domains;
}

/** The product and the checked names of an order about to be opened (read before any lock). */
export interface Orderable {
  product: Product;
  domains: string[];
}

export async function orderable(ctx: Pick<TeamCtx, "db">, productId: string, rawDomains: string[]): Promise<Orderable> {
  const product = await ctx.db.kysely.selectFrom("products").selectAll().where("id", "=", productId).executeTakeFirst();
  if (!product) throw invalid("productId", `There is no product ${productId}.`);
  return { product, domains: checkDomains(rawDomains, product.wildcardAllowed === 1) };
}

/**
 * Writes the order and its domains, each name the team's ledger still covers starting validated
 * (SPEC 16). The caller holds the team's lock and has checked the billing profile; nothing is
 * charged here (a dashboard or API order is charged at once, an ACME order at finalize:
 * `chargedAt` says which in the audit entry). Returns the names that were reused.
 */
export async function openOrder(
  tx: Tx,
  ctx: TeamCtx,
  input: Orderable & { orderId: string; billingProfileId: string; chargedAt?: "finalize" },
): Promise<string[]> {
  const { orderId, product, domains } = input;
  const teamId = ctx.team.id;
  await tx
    .insertInto("orders")
    .values({
      id: orderId,
      teamId,
      productId: product.id,
      billingProfileId: input.billingProfileId,
      status: "pending_validation",
      priceMinor: product.priceMinor,
      currency: product.currency,
      createdBy: accountableUserId(ctx.principal),
      apiKeyId: apiKeyIdOf(ctx.principal),
      acmeAccountId: acmeAccountIdOf(ctx.principal),
      source: orderSourceOf(ctx.principal),
      createdAt: ctx.clock.now().toISOString(),
      issuedAt: null,
      refundedAt: null,
      csrPem: null,
    })
    .execute();
  const reused = await Promise.all(domains.map((domain) => reusableValidation(tx, teamId, domain, ctx.clock.now())));
  await tx
    .insertInto("orderDomains")
    .values(
      domains.map((domain, position) => {
        const entry = reused[position];
        return entry
          ? { orderId, position, domain, method: entry.method, challenge: null, completedAt: entry.validatedAt, reused: 1 }
          : { orderId, position, domain, method: null, challenge: null, completedAt: null, reused: 0 };
      }),
    )
    .execute();
  const reusedNames = domains.filter((_, i) => reused[i] !== null);
  await recordAudit(tx, ctx.clock, {
    teamId,
    actor: auditActorOf(ctx.principal),
    action: "order.placed",
    target: orderId,
    details: {
      productId: product.id,
      domains,
      amountMinor: product.priceMinor,
      currency: product.currency,
      billingProfileId: input.billingProfileId,
      reused: reusedNames,
      ...(input.chargedAt ? { chargedAt: input.chargedAt } : {}),
    },
  });
  return reusedNames;
}

/** Charges the order's price to its billing profile through the gateway and records the charge. */
export async function chargeOrder(tx: Tx, ctx: TeamCtx, order: Pick<Order, "id" | "billingProfileId" | "priceMinor" | "currency">): Promise<void> {
  const charge = { teamId: ctx.team.id, orderId: order.id, billingProfileId: order.billingProfileId, amountMinor: order.priceMinor, currency: order.currency };
  const { reference } = await ctx.payments.charge(charge);
  await tx
    .insertInto("transactions")
    .values({
      id: newId(),
      ...charge,
      kind: "charge",
      actorId: accountableUserId(ctx.principal),
      apiKeyId: apiKeyIdOf(ctx.principal),
      acmeAccountId: acmeAccountIdOf(ctx.principal),
      gatewayReference: reference,
      createdAt: ctx.clock.now().toISOString(),
    })
    .execute();
}

export async function placeOrder(ctx: TeamCtx, input: PlaceOrderInput): Promise<string> {
  const teamId = ctx.team.id;
  const { product, domains } = await orderable(ctx, input.productId, input.domains);
  // Chosen once: if a deadlock runs the transaction again, the gateway sees the same order.
  const orderId = newId();
  return inTransaction(ctx.db, async (tx) => {
    // The team first: placed while the team is deleted, the order is refused (404), not orphaned.
    await lockTeam(tx, ctx.db, teamId);
    const profile = await findLiveBillingProfile(tx, teamId, input.billingProfileId);
    await openOrder(tx, ctx, { orderId, product, domains, billingProfileId: profile.id });
    await chargeOrder(tx, ctx, { id: orderId, billingProfileId: profile.id, priceMinor: product.priceMinor, currency: product.currency });
    return orderId;
  });
}
