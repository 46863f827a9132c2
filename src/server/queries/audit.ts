// A team's audit log, newest first, keyset-paginated on the time-ordered id, optionally narrowed
// to one actor, one action (or a family of them: "order" is every "order.…") and a time range.
// The filters only narrow the same keyset walk, so a cursor stays valid across pages and new
// entries written meanwhile never shift a page (they sort before the first one).
import { sql } from "kysely";
import type { AuditActor } from "../auth/principal.js";
import type { Executor } from "../db/transaction.js";
import type { Page } from "../../shared/schemas/common.js";
import type { AuditFilter, AuditItemDto } from "../../shared/schemas/audit.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

/** LIKE's own characters taken literally ("api_key." must not match "apiXkey."). */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listAudit(
  executor: Executor,
  teamId: string,
  input: { limit: number; cursor?: string } & AuditFilter,
): Promise<Page<AuditItemDto>> {
  const after = decodeCursor(input.cursor, 1);
  let query = executor.selectFrom("auditLog").selectAll().where("teamId", "=", teamId);
  if (after) query = query.where("id", "<", after[0]!);
  if (input.actor !== undefined) query = query.where("actorId", "=", input.actor);
  if (input.action !== undefined) {
    query = input.action.includes(".")
      ? query.where("action", "=", input.action)
      : query.where(sql<boolean>`action like ${likePrefix(`${input.action}.`)} escape '\\'`);
  }
  // Times are stored as ISO 8601 UTC strings of one length: text order is time order.
  if (input.from !== undefined) query = query.where("at", ">=", new Date(input.from).toISOString());
  if (input.to !== undefined) query = query.where("at", "<", new Date(input.to).toISOString());
  const rows = await query.orderBy("id", "desc").limit(input.limit + 1).execute();
  const page = rows.slice(0, input.limit);
  return {
    items: page.map((row) => ({
      id: row.id,
      at: row.at,
      actor: row.actorId ? { type: row.actorType as AuditActor["type"], id: row.actorId, email: row.actorEmail ?? "" } : null,
      action: row.action,
      target: row.target,
      details: JSON.parse(row.details) as Record<string, unknown>,
    })),
    nextCursor: rows.length > input.limit ? encodeCursor([page.at(-1)!.id]) : null,
  };
}
