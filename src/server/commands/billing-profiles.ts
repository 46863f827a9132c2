// Billing profiles: add, edit, remove. Removal hides a profile; its past charges keep pointing at it.
import { accountableUserId, apiKeyIdOf, auditActorOf } from "../auth/principal.js";
import type { TeamCtx } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import type { BillingProfile } from "../db/schema.js";
import { AppError } from "../errors.js";
import { COUNTRY_CODES } from "../account/countries.js";
import { refuseCardNumbers } from "../account/card-data.js";
import { canonicalName } from "../auth/names.js";
import { findLiveBillingProfile } from "../queries/billing.js";
import { newId } from "../secrets.js";
import { recordAudit } from "./audit.js";
import { lockTeam } from "./team-lock.js";

export interface BillingProfileInput {
  name: string;
  country: string;
  cardBrand: string;
  cardLast4: string;
  street?: string;
  city?: string;
  postalCode?: string;
}

const ADDRESS_FIELDS = ["street", "city", "postalCode"] as const;

function checked<T extends Partial<BillingProfileInput>>(raw: T): T {
  refuseCardNumbers(raw);
  // An address line may be empty; when given it follows the rule of names (trimmed, NFC, no control or bidi characters).
  const input = { ...raw };
  for (const field of ADDRESS_FIELDS) {
    const value = input[field];
    if (value !== undefined) input[field] = value.trim() === "" ? "" : canonicalName(value, field);
  }
  if (input.country !== undefined && !COUNTRY_CODES.has(input.country)) {
    throw new AppError("invalid_request", `${input.country} is not an ISO 3166-1 alpha-2 country code.`, {
      errors: [{ field: "country", message: "must be an ISO 3166-1 alpha-2 code such as DE or US" }],
    });
  }
  return input.name === undefined ? input : { ...input, name: canonicalName(input.name) };
}

/** What the audit log keeps of a profile: no card data beyond the brand and last four. */
function summary(profile: Pick<BillingProfile, "name" | "country" | "cardBrand" | "cardLast4">) {
  return { name: profile.name, country: profile.country, card: `${profile.cardBrand} •••• ${profile.cardLast4}` };
}

export async function createBillingProfile(ctx: TeamCtx, raw: BillingProfileInput): Promise<string> {
  const teamId = ctx.team.id;
  const input = checked(raw);
  return inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    const now = ctx.clock.now().toISOString();
    const id = newId();
    await tx.insertInto("billingProfiles").values({ id, teamId, ...input, createdAt: now, updatedAt: now, deletedAt: null }).execute();
    await recordAudit(tx, ctx.clock, { teamId, actor: auditActorOf(ctx.principal), action: "billing_profile.created", target: id, details: summary(input) });
    return id;
  });
}

export async function updateBillingProfile(ctx: TeamCtx, id: string, raw: Partial<BillingProfileInput>): Promise<void> {
  const teamId = ctx.team.id;
  const input = checked(raw);
  await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    const before = await findLiveBillingProfile(tx, teamId, id);
    await tx.updateTable("billingProfiles").set({ ...input, updatedAt: ctx.clock.now().toISOString() }).where("id", "=", id).execute();
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "billing_profile.updated",
      target: id,
      details: { from: summary(before), to: summary({ ...before, ...input }) },
    });
  });
}

export async function removeBillingProfile(ctx: TeamCtx, id: string): Promise<void> {
  const teamId = ctx.team.id;
  await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    const profile = await findLiveBillingProfile(tx, teamId, id);
    await tx.updateTable("billingProfiles").set({ deletedAt: ctx.clock.now().toISOString() }).where("id", "=", id).execute();
    await recordAudit(tx, ctx.clock, { teamId, actor: auditActorOf(ctx.principal), action: "billing_profile.removed", target: id, details: summary(profile) });
  });
}
