// Buying a certificate: check the product and domains, charge a billing profile of the same team,
// write the order, its domains and the charge — one transaction, all or nothing.
import { accountableUserId, apiKeyIdOf, auditActorOf, orderSourceOf } from "../auth/principal.js";
import type { TeamCtx } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { isDnsName } from "../certs/index.js";
import { findLiveBillingProfile } from "../queries/billing.js";
import { newId } from "../secrets.js";
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
    if (!isDnsName(domain)) throw invalid(`domains.${i}`, `"${raw[i]}" is not a valid DNS name.`);
    if (domain.startsWith("*.") && !wildcardAllowed) throw invalid(`domains.${i}`, "This product does not cover wildcard names.");
  });
  if (new Set(domains).size !== domains.length) throw invalid("domains", "Each domain may appear only once.");
  return domains;
}

export async function placeOrder(ctx: TeamCtx, input: PlaceOrderInput): Promise<string> {
  const teamId = ctx.team.id;
  const product = await ctx.db.kysely.selectFrom("products").selectAll().where("id", "=", input.productId).executeTakeFirst();
  if (!product) throw invalid("productId", `There is no product ${input.productId}.`);
  const domains = checkDomains(input.domains, product.wildcardAllowed === 1);
  // Chosen once: if a deadlock runs the transaction again, the gateway sees the same order.
  const orderId = newId();
  return inTransaction(ctx.db, async (tx) => {
    // The team first: placed while the team is deleted, the order is refused (404), not orphaned.
    await lockTeam(tx, ctx.db, teamId);
    const profile = await findLiveBillingProfile(tx, teamId, input.billingProfileId);
    const now = ctx.clock.now().toISOString();
    await tx
      .insertInto("orders")
      .values({
        id: orderId,
        teamId,
        productId: product.id,
        billingProfileId: profile.id,
        status: "pending_validation",
        priceMinor: product.priceMinor,
        currency: product.currency,
        createdBy: accountableUserId(ctx.principal),
        apiKeyId: apiKeyIdOf(ctx.principal),
        source: orderSourceOf(ctx.principal),
        createdAt: now,
        issuedAt: null,
        refundedAt: null,
        csrPem: null,
      })
      .execute();
    await tx
      .insertInto("orderDomains")
      .values(domains.map((domain, position) => ({ orderId, position, domain, method: null, challenge: null, completedAt: null })))
      .execute();
    const charge = { teamId, orderId, billingProfileId: profile.id, amountMinor: product.priceMinor, currency: product.currency };
    const { reference } = await ctx.payments.charge(charge);
    await tx
      .insertInto("transactions")
      .values({ id: newId(), ...charge, kind: "charge", actorId: accountableUserId(ctx.principal),
          apiKeyId: apiKeyIdOf(ctx.principal), gatewayReference: reference, createdAt: now })
      .execute();
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "order.placed",
      target: orderId,
      details: { productId: product.id, domains, amountMinor: product.priceMinor, currency: product.currency, billingProfileId: profile.id },
    });
    return orderId;
  });
}
