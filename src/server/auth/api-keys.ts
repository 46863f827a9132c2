// API keys (SPEC rule 13, API.md "Machine access"): the secret, and the bearer → principal lookup.
//
// A secret is `cdk_` + 64 hex digits (32 random bytes): the fixed prefix and alphabet let secret
// scanners recognise a leaked key (`cdk_[0-9a-f]{64}`). Only its SHA-256 is stored. The lookup is
// by that hash on every request, through the read cache (db/read-cache.ts: emptied by any change to
// a key but its last use, on every server), so a revoked key stops at once, on every server. `lastUsedAt` is written at most once a minute per key, after the answer: using a
// key does not make every read a write.
import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { PERMISSIONS } from "../../shared/permissions.js";
import type { Permission } from "../../shared/permissions.js";
import type { Clock } from "../clock.js";
import { lookupRead, readKey } from "../db/read-cache.js";
import { reusableQuery } from "../db/reusable-query.js";
import type { Database } from "../db/schema.js";
import { hashToken } from "../secrets.js";
import type { ApiKeyPrincipal } from "./principal.js";

export const API_KEY_PREFIX = "cdk_";
const SECRET_PATTERN = /^cdk_[0-9a-f]{64}$/;

export function newApiKeySecret(): string {
  return API_KEY_PREFIX + randomBytes(32).toString("hex");
}

/** Whether a bearer credential has the shape of one of our keys (anything else is 401 without a lookup). */
export function looksLikeApiKey(secret: string): boolean {
  return SECRET_PATTERN.test(secret);
}

export function parsePermissions(stored: string): Permission[] {
  return stored.split(",").filter((p): p is Permission => (PERMISSIONS as readonly string[]).includes(p)).sort();
}

export function formatPermissions(permissions: readonly Permission[]): string {
  return [...new Set(permissions)].sort().join(",");
}

const keyBySecretHash = reusableQuery((db, secretHash: string) =>
  db
    .selectFrom("apiKeys")
    .innerJoin("users", "users.id", "apiKeys.createdBy")
    .select([
      "apiKeys.id",
      "apiKeys.teamId",
      "apiKeys.name",
      "apiKeys.permissions",
      "apiKeys.expiresAt",
      "apiKeys.revokedAt",
      "apiKeys.createdBy",
      "users.email as creatorEmail",
    ])
    .where("apiKeys.secretHash", "=", secretHash),
);

interface KeyRow {
  principal: ApiKeyPrincipal;
  expiresMs: number;
  revoked: boolean;
}

const keyBySecret = readKey<KeyRow | null, [secretHash: string]>("apiKey");

/** The principal for a bearer secret, or null when the key is unknown, revoked or past its expiry. */
export async function resolveApiKey(db: Kysely<Database>, clock: Clock, secret: string): Promise<ApiKeyPrincipal | null> {
  if (!looksLikeApiKey(secret)) return null;
  const secretHash = hashToken(secret);
  const load = async (): Promise<KeyRow | null> => {
    const [row] = await keyBySecretHash(db, secretHash);
    if (!row) return null;
    return {
      principal: {
        kind: "apiKey",
        id: row.id,
        teamId: row.teamId,
        name: row.name,
        permissions: new Set(parsePermissions(row.permissions)),
        creator: { id: row.createdBy, email: row.creatorEmail },
      },
      expiresMs: row.expiresAt ? Date.parse(row.expiresAt) : Number.POSITIVE_INFINITY,
      revoked: row.revokedAt !== null,
    };
  };
  const key = await lookupRead(db, keyBySecret(secretHash), load);
  // The clock is checked on every request, never cached.
  if (!key || key.revoked || clock.now().getTime() >= key.expiresMs) return null;
  return key.principal;
}

/** Records a key's last use (auth/last-use.ts throttles and runs it after the answer). */
export function writeKeyUse(db: Kysely<Database>, keyId: string, at: string): Promise<unknown> {
  return db
    .updateTable("apiKeys")
    .set({ lastUsedAt: at })
    .where("id", "=", keyId)
    .where((eb) => eb.or([eb("lastUsedAt", "is", null), eb("lastUsedAt", "<", at)]))
    .execute();
}
