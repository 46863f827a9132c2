// The audit log as CSV, for GET /api/teams/:teamId/audit.csv: written page by page as it is
// read (the same keyset walk as the JSON list), so a log of any size streams in bounded memory
// and rows written meanwhile never shift or repeat a page. Every cell is quoted, and a cell a
// spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return) is
// prefixed with a single quote: names and e-mails come from users (OWASP "CSV injection").
import type { Executor } from "../db/transaction.js";
import type { AuditFilter, AuditItemDto } from "../../shared/schemas/audit.js";
import { listAudit } from "./audit.js";

/** Rows per database read while streaming. */
export const CSV_PAGE_SIZE = 500;

const HEADER = ["time", "actor_type", "actor_id", "actor_email", "action", "target", "details"];

export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

function rowOf(item: AuditItemDto): string[] {
  return [
    item.at,
    item.actor?.type ?? "system",
    item.actor?.id ?? "",
    item.actor?.email ?? "",
    item.action,
    item.target ?? "",
    JSON.stringify(item.details),
  ];
}

export async function* auditCsv(executor: Executor, teamId: string, filter: AuditFilter, pageSize = CSV_PAGE_SIZE): AsyncGenerator<string> {
  yield csvLine(HEADER);
  let cursor: string | undefined;
  do {
    const page = await listAudit(executor, teamId, { ...filter, limit: pageSize, cursor });
    if (page.items.length > 0) yield page.items.map((item) => csvLine(rowOf(item))).join("");
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
