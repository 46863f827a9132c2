// newOrder (RFC 8555 §7.4): a certdesk order of the account's team, for the credential's product,
// opened — not charged — with one authorization per name (SPEC 20). Names the team's ledger still
// covers start valid (SPEC 16); names no CA may certify are refused with one subproblem each.
import { randomBytes } from "node:crypto";
import type { TeamCtx } from "../context.js";
import { DAY } from "../clock.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { checkDomains, openOrder } from "../commands/place-order.js";
import { lockTeam } from "../commands/team-lock.js";
import { findLiveBillingProfile } from "../queries/billing.js";
import { newId } from "../secrets.js";
import type { AcmeAccount } from "./accounts.js";
import { AcmeProblem } from "./problems.js";
import type { Subproblem } from "./problems.js";

/** How long a client has to validate and finalize (Let's Encrypt: 7 days). */
export const ORDER_LIFETIME_MS = 7 * DAY;
const MAX_IDENTIFIERS = 100;

/** The order's names from `identifiers`, each refusal a subproblem of one rejectedIdentifier. */
export function namesOf(payload: Record<string, unknown>, wildcardAllowed: boolean): string[] {
  const { identifiers, notBefore, notAfter, replaces } = payload;
  if (notBefore !== undefined || notAfter !== undefined) {
    throw new AcmeProblem("malformed", "notBefore and notAfter are not supported: certdesk sets a certificate's validity (SPEC 17).");
  }
  if (replaces !== undefined && typeof replaces !== "string") throw new AcmeProblem("malformed", "replaces must be a certificate identifier (RFC 9773).");
  if (!Array.isArray(identifiers) || identifiers.length === 0 || identifiers.length > MAX_IDENTIFIERS) {
    throw new AcmeProblem("malformed", `identifiers must be an array of 1 to ${MAX_IDENTIFIERS} identifiers.`);
  }
  const names: string[] = [];
  const subproblems: Subproblem[] = [];
  for (const identifier of identifiers) {
    const { type, value } = (identifier ?? {}) as { type?: unknown; value?: unknown };
    if (typeof value !== "string" || typeof type !== "string") throw new AcmeProblem("malformed", "Each identifier is {type, value}.");
    if (type !== "dns") {
      subproblems.push({ type: "urn:ietf:params:acme:error:unsupportedIdentifier", detail: `Only dns identifiers are supported, not ${type}.`, identifier: { type, value } });
      continue;
    }
    try {
      names.push(...checkDomains([value], wildcardAllowed));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      subproblems.push({ type: "urn:ietf:params:acme:error:rejectedIdentifier", detail: error.message, identifier: { type: "dns", value } });
    }
  }
  if (subproblems.length > 0) {
    const only = subproblems.every((s) => s.type.endsWith("unsupportedIdentifier")) ? "unsupportedIdentifier" : "rejectedIdentifier";
    throw new AcmeProblem(only, `certdesk will not issue for ${subproblems.map((s) => s.identifier.value).join(", ")}.`, { subproblems });
  }
  return [...new Set(names)]; // the same name twice is one name (as Boulder does)
}

export async function newOrder(ctx: TeamCtx, account: AcmeAccount, payload: Record<string, unknown>): Promise<string> {
  const teamId = ctx.team.id;
  const credential = await ctx.db.kysely
    .selectFrom("acmeCredentials as c")
    .innerJoin("products as p", "p.id", "c.productId")
    .select(["c.productId", "c.billingProfileId"])
    .selectAll("p")
    .where("c.id", "=", account.credentialId)
    .executeTakeFirstOrThrow();
  const product = { ...credential, id: credential.productId };
  const domains = namesOf(payload, product.wildcardAllowed === 1);
  const orderId = newId(ctx.clock.now().getTime());
  await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    // The credential's billing profile must still be live: it is charged at finalize.
    const profile = await findLiveBillingProfile(tx, teamId, credential.billingProfileId).catch(() => {
      throw new AcmeProblem("unauthorized", "The billing profile of this ACME credential was deleted; the team must create a new credential.");
    });
    // An ACME order is charged when it is finalized; one never finalized costs nothing (SPEC 20).
    const reused = await openOrder(tx, ctx, { orderId, product, domains, billingProfileId: profile.id, chargedAt: "finalize" });
    const now = ctx.clock.now();
    const expiresAt = new Date(now.getTime() + ORDER_LIFETIME_MS).toISOString();
    await tx.insertInto("acmeOrders").values({ orderId, accountId: account.id, expiresAt, error: null, finalizedAt: null }).execute();
    await tx
      .insertInto("acmeAuthorizations")
      .values(
        domains.map((domain, position) => ({
          id: newId(now.getTime()),
          orderId,
          position,
          token: randomBytes(32).toString("base64url"),
          status: reused.includes(domain) ? "valid" : "pending",
          challengeType: null,
          challengeStatus: null,
          challengeStartedAt: null,
          error: null,
          validatedAt: null,
          expiresAt,
        })),
      )
      .execute();
  });
  return orderId;
}
