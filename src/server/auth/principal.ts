// Who is acting: a person signed in with a session, one of a team's API keys, or an ACME account
// bound with one of a team's ACME credentials. Every request resolves to at most one principal;
// commands record it on what they write.
import type { Permission } from "../../shared/permissions.js";
import type { ActorRefDto } from "../../shared/schemas/common.js";

/** A signed-in person, re-read from the store with their session on every request. */
export interface UserPrincipal {
  kind: "user";
  id: string;
  email: string;
  name: string;
  teamLimit: number | null;
  activeTeamId: string | null;
  createdAt: string;
  sessionHash: string;
}

/** A team's API key: acts in its own team only, with its own permissions (SPEC rule 13). */
export interface ApiKeyPrincipal {
  kind: "apiKey";
  id: string;
  teamId: string;
  name: string;
  permissions: ReadonlySet<Permission>;
  /** Who created it: they stay accountable (and recorded) after they leave the team. */
  creator: { id: string; email: string };
}

/**
 * An ACME account (SPEC rule 20): a JWK bound with a team's ACME credential; it orders, validates
 * and revokes in that team only (policy/roles.ts ACME_PERMISSIONS). Its creator is the credential's.
 */
export interface AcmeAccountPrincipal {
  kind: "acmeAccount";
  id: string;
  teamId: string;
  credentialId: string;
  /** The credential's name: how e-mails and the dashboard name the account ("ACME credential …"). */
  name: string;
  creator: { id: string; email: string };
}

/** A principal that is not a person: it acts in its own team only, and names its creator. */
export type MachinePrincipal = ApiKeyPrincipal | AcmeAccountPrincipal;

export type Principal = UserPrincipal | MachinePrincipal;

export type ActorType = AuditActor["type"];

/** How the audit log names a principal: a key is the key, with its creator's e-mail. */
export type AuditActor = ActorRefDto;

export function auditActorOf(principal: Principal): AuditActor {
  return principal.kind === "user"
    ? { type: "user", id: principal.id, email: principal.email }
    : { type: principal.kind, id: principal.id, email: principal.creator.email };
}

/**
 * The person accountable for what a principal does: the user, or the key's creator. Rows with a
 * user column (orders.created_by, transactions.actor_id …) store this, beside `api_key_id`.
 */
export function accountableUserId(principal: Principal): string {
  return principal.kind === "user" ? principal.id : principal.creator.id;
}

/** How an answer names who acted on a row: its user column, e-mail, `api_key_id` and `acme_account_id`. */
export function presentActor(userId: string, email: string, apiKeyId: string | null, acmeAccountId: string | null = null): AuditActor {
  if (acmeAccountId) return { type: "acmeAccount", id: acmeAccountId, email };
  return apiKeyId ? { type: "apiKey", id: apiKeyId, email } : { type: "user", id: userId, email };
}

/** Where an order placed by this principal comes from (API.md's `source`). */
export function orderSourceOf(principal: Principal): "dashboard" | "api" | "acme" {
  if (principal.kind === "acmeAccount") return "acme";
  return principal.kind === "apiKey" ? "api" : "dashboard";
}

/** The `api_key_id` column of a row a principal writes. */
export function apiKeyIdOf(principal: Principal): string | null {
  return principal.kind === "apiKey" ? principal.id : null;
}

/** The `acme_account_id` column of a row a principal writes (orders, transactions). */
export function acmeAccountIdOf(principal: Principal): string | null {
  return principal.kind === "acmeAccount" ? principal.id : null;
}
