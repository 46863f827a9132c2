// A team's API keys, newest first, keyset-paginated on the time-ordered id. Never the secret or its hash.
import { parsePermissions } from "../auth/api-keys.js";
import type { Executor } from "../db/transaction.js";
import { AppError } from "../errors.js";
import type { ApiKeyDto } from "../../shared/schemas/api-keys.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

function keysOf(executor: Executor, teamId: string) {
  return executor
    .selectFrom("apiKeys")
    .innerJoin("users", "users.id", "apiKeys.createdBy")
    .select([
      "apiKeys.id",
      "apiKeys.name",
      "apiKeys.permissions",
      "apiKeys.createdBy",
      "users.email as creatorEmail",
      "apiKeys.createdAt",
      "apiKeys.expiresAt",
      "apiKeys.lastUsedAt",
      "apiKeys.revokedAt",
    ])
    .where("apiKeys.teamId", "=", teamId);
}

type KeyRow = Awaited<ReturnType<ReturnType<typeof keysOf>["execute"]>>[number];

function present(row: KeyRow): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    permissions: parsePermissions(row.permissions),
    createdBy: { id: row.createdBy, email: row.creatorEmail },
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

export async function listApiKeys(executor: Executor, teamId: string, input: { limit: number; cursor?: string }) {
  const after = decodeCursor(input.cursor, 1);
  let query = keysOf(executor, teamId);
  if (after) query = query.where("apiKeys.id", "<", after[0]!);
  const rows = await query.orderBy("apiKeys.id", "desc").limit(input.limit + 1).execute();
  const page = rows.slice(0, input.limit);
  return { items: page.map(present), nextCursor: rows.length > input.limit ? encodeCursor([page.at(-1)!.id]) : null };
}

export async function getApiKey(executor: Executor, teamId: string, apiKeyId: string): Promise<ApiKeyDto> {
  const row = await keysOf(executor, teamId).where("apiKeys.id", "=", apiKeyId).executeTakeFirst();
  if (!row) throw new AppError("not_found", "No such API key in this team.");
  return present(row);
}
