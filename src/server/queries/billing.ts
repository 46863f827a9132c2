// Billing reads: the catalogue, a team's billing profiles and its ledger of charges and refunds.
import { presentActor } from "../auth/principal.js";
import type { Executor } from "../db/transaction.js";
import type { BillingProfile } from "../db/schema.js";
import { AppError } from "../errors.js";
import type { Page } from "../../shared/schemas/common.js";
import type { BillingProfileDto, TransactionDto } from "../../shared/schemas/billing.js";
import type { ProductDto, ProductType } from "../../shared/schemas/orders.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

export async function listProducts(executor: Executor): Promise<ProductDto[]> {
  const rows = await executor.selectFrom("products").selectAll().orderBy("type").orderBy("years").execute();
  return rows.map((p) => ({ ...p, type: p.type as ProductType, wildcardAllowed: p.wildcardAllowed === 1 }));
}

function presentProfile(p: BillingProfile): BillingProfileDto {
  return {
    id: p.id,
    name: p.name,
    country: p.country,
    cardBrand: p.cardBrand,
    cardLast4: p.cardLast4,
    street: p.street,
    city: p.city,
    postalCode: p.postalCode,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

/** A profile of this team that has not been removed; 404 otherwise (another team's id included). */
export async function findLiveBillingProfile(executor: Executor, teamId: string, id: string): Promise<BillingProfile> {
  const row = await executor
    .selectFrom("billingProfiles")
    .selectAll()
    .where("id", "=", id)
    .where("teamId", "=", teamId)
    .where("deletedAt", "is", null)
    .executeTakeFirst();
  if (!row) throw new AppError("not_found", "No such billing profile in this team.");
  return row;
}

export async function getBillingProfile(executor: Executor, teamId: string, id: string): Promise<BillingProfileDto> {
  return presentProfile(await findLiveBillingProfile(executor, teamId, id));
}

export async function listBillingProfiles(executor: Executor, teamId: string, input: { limit: number; cursor?: string }) {
  const after = decodeCursor(input.cursor, 1);
  let query = executor.selectFrom("billingProfiles").selectAll().where("teamId", "=", teamId).where("deletedAt", "is", null);
  if (after) query = query.where("id", ">", after[0]!);
  const rows = await query.orderBy("id").limit(input.limit + 1).execute();
  const page = rows.slice(0, input.limit);
  return { items: page.map(presentProfile), nextCursor: rows.length > input.limit ? encodeCursor([page.at(-1)!.id]) : null };
}

export async function listTransactions(
  executor: Executor,
  teamId: string,
  input: { limit: number; cursor?: string; orderId?: string },
): Promise<Page<TransactionDto>> {
  const after = decodeCursor(input.cursor, 1);
  let query = executor
    .selectFrom("transactions")
    .innerJoin("users", "users.id", "transactions.actorId")
    .selectAll("transactions")
    .select("users.email as actorEmail")
    .where("transactions.teamId", "=", teamId);
  if (input.orderId) query = query.where("transactions.orderId", "=", input.orderId);
  if (after) query = query.where("transactions.id", "<", after[0]!);
  const rows = await query.orderBy("transactions.id", "desc").limit(input.limit + 1).execute();
  const page = rows.slice(0, input.limit);
  return {
    items: page.map((t) => ({
      id: t.id,
      kind: t.kind as "charge" | "refund",
      amountMinor: t.amountMinor,
      currency: t.currency,
      orderId: t.orderId,
      billingProfileId: t.billingProfileId,
      actor: presentActor(t.actorId, t.actorEmail, t.apiKeyId, t.acmeAccountId),
      gatewayReference: t.gatewayReference,
      createdAt: t.createdAt,
    })),
    nextCursor: rows.length > input.limit ? encodeCursor([page.at(-1)!.id]) : null,
  };
}
