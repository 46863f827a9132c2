// An ACME order as RFC 8555 §7.1.3/§7.1.6 sees it, read from the certdesk order it is. The truth
// stays certdesk's: a name is validated when its order step is (whether by an ACME challenge, the
// team's ledger, or a member checking it in the dashboard); the certificate is the order's current
// one. The ACME rows add only what ACME has and certdesk does not: expiry, the account, a failed
// challenge's error, deactivation.
import type { Executor } from "../db/transaction.js";
import type { ChallengeType } from "./paths.js";

export type AuthzStatus = "pending" | "valid" | "invalid" | "deactivated" | "expired" | "revoked";
export type OrderStatus = "pending" | "ready" | "processing" | "valid" | "invalid";

/** A check left `processing` this long (its server stopped) may be asked for again. */
export const STALE_PROCESSING_MS = 2 * 60 * 1000;

export interface AuthzState {
  id: string;
  orderId: string;
  position: number;
  domain: string;
  token: string;
  status: AuthzStatus;
  /** The name validated: a wildcard's base name (`wildcard: true`). */
  identifier: string;
  wildcard: boolean;
  challengeType: ChallengeType | null;
  challengeStatus: "processing" | "valid" | "invalid" | null;
  challengeStartedAt: string | null;
  error: Record<string, unknown> | null;
  validatedAt: string | null;
  /** The step was already valid from the team's ledger, by this certdesk method. */
  reusedMethod: string | null;
  expiresAt: string;
}

export interface AcmeOrderState {
  id: string;
  teamId: string;
  accountId: string;
  status: OrderStatus;
  expiresAt: string;
  domains: string[];
  authorizations: AuthzState[];
  error: Record<string, unknown> | null;
  /** Present once issued. */
  certificate: { certificatePem: string; chainPem: string; serialNumber: string; notBefore: string; notAfter: string } | null;
  csrOnFile: boolean;
}

function authzStatus(row: { status: string; completedAt: string | null; expiresAt: string }, now: Date): AuthzStatus {
  if (row.status === "deactivated") return "deactivated";
  if (row.completedAt !== null) return "valid";
  if (row.status === "invalid") return "invalid";
  return new Date(row.expiresAt) <= now ? "expired" : "pending";
}

export async function authorizationsOf(executor: Executor, orderIds: string[], now: Date): Promise<AuthzState[]> {
  if (orderIds.length === 0) return [];
  const rows = await executor
    .selectFrom("acmeAuthorizations as z")
    .innerJoin("orderDomains as d", (join) => join.onRef("d.orderId", "=", "z.orderId").onRef("d.position", "=", "z.position"))
    .select([
      "z.id", "z.orderId", "z.position", "z.token", "z.status", "z.challengeType", "z.challengeStatus", "z.challengeStartedAt",
      "z.error", "z.validatedAt", "z.expiresAt", "d.domain", "d.completedAt", "d.reused", "d.method",
    ])
    .where("z.orderId", "in", orderIds)
    .orderBy("z.orderId")
    .orderBy("z.position")
    .execute();
  return rows.map((row) => ({
    id: row.id,
    orderId: row.orderId,
    position: row.position,
    domain: row.domain,
    token: row.token,
    status: authzStatus(row, now),
    identifier: row.domain.startsWith("*.") ? row.domain.slice(2) : row.domain,
    wildcard: row.domain.startsWith("*."),
    challengeType: row.challengeType as ChallengeType | null,
    challengeStatus: row.challengeStatus as AuthzState["challengeStatus"],
    challengeStartedAt: row.challengeStartedAt,
    error: row.error ? (JSON.parse(row.error) as Record<string, unknown>) : null,
    validatedAt: row.completedAt ?? row.validatedAt,
    reusedMethod: row.completedAt !== null && row.challengeStatus !== "valid" ? row.method : null,
    expiresAt: row.expiresAt,
  }));
}

export async function loadAcmeOrder(executor: Executor, orderId: string, now: Date): Promise<AcmeOrderState | undefined> {
  const row = await executor
    .selectFrom("acmeOrders as a")
    .innerJoin("orders as o", "o.id", "a.orderId")
    .select(["o.id", "o.teamId", "o.status", "o.csrPem", "a.accountId", "a.expiresAt", "a.error"])
    .where("a.orderId", "=", orderId)
    .executeTakeFirst();
  if (!row) return undefined;
  const authorizations = await authorizationsOf(executor, [orderId], now);
  const certificate =
    row.status === "pending_validation"
      ? null
      : ((await executor
          .selectFrom("certificates")
          .select(["certificatePem", "chainPem", "serialNumber", "notBefore", "notAfter"])
          .where("orderId", "=", orderId)
          .orderBy("id", "desc")
          .limit(1)
          .executeTakeFirst()) ?? null);
  const error = row.error ? (JSON.parse(row.error) as Record<string, unknown>) : null;
  return {
    id: row.id,
    teamId: row.teamId,
    accountId: row.accountId,
    status: orderStatus({ ...row, error, authorizations, issued: certificate !== null }, now),
    expiresAt: row.expiresAt,
    domains: authorizations.map((a) => a.domain),
    authorizations,
    error,
    certificate,
    csrOnFile: row.csrPem !== null,
  };
}

function orderStatus(
  order: { status: string; csrPem: string | null; expiresAt: string; error: unknown; authorizations: AuthzState[]; issued: boolean },
  now: Date,
): OrderStatus {
  if (order.issued) return "valid";
  if (order.status === "refunded" || order.error !== null) return "invalid";
  if (order.authorizations.some((a) => a.status === "invalid" || a.status === "deactivated" || a.status === "expired")) return "invalid";
  if (new Date(order.expiresAt) <= now) return "invalid";
  if (order.authorizations.every((a) => a.status === "valid")) return order.csrPem === null ? "ready" : "processing";
  return "pending";
}
