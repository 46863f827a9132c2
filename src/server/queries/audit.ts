// A team's audit log, newest first, keyset-paginated on the time-ordered id.
import type { AuditActor } from "../auth/principal.js";
import type { Executor } from "../db/transaction.js";
import type { Page } from "../../shared/schemas/common.js";
import type { AuditItemDto } from "../../shared/schemas/audit.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

export async function listAudit(
  executor: Executor,
  teamId: string,
  input: { limit: number; cursor?: string },
): Promise<Page<AuditItemDto>> {
  const after = decodeCursor(input.cursor, 1);
  let query = executor.selectFrom("auditLog").selectAll().where("teamId", "=", teamId);
  if (after) query = query.where("id", "<", after[0]!);
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
