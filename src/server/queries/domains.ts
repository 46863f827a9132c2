// The team's domain ledger as the API shows it (SPEC 16): each name, its method, when it was
// validated and until when later orders may reuse it, by the period table of BR 4.2.1.
import type { Executor } from "../db/transaction.js";
import type { ValidationMethod } from "../../shared/account.js";
import type { Page } from "../../shared/schemas/common.js";
import type { LedgerEntryDto } from "../../shared/schemas/domains.js";
import { reusableUntil } from "../validation/reuse.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

export async function listDomains(executor: Executor, teamId: string, input: { limit: number; cursor?: string }): Promise<Page<LedgerEntryDto>> {
  const after = decodeCursor(input.cursor, 1);
  let query = executor.selectFrom("domainValidations").select(["domain", "method", "validatedAt"]).where("teamId", "=", teamId);
  if (after) query = query.where("domain", ">", after[0]!);
  const rows = await query.orderBy("domain").limit(input.limit + 1).execute();
  const page = rows.slice(0, input.limit);
  return {
    items: page.map((row) => ({
      domain: row.domain,
      method: row.method as ValidationMethod,
      validatedAt: row.validatedAt,
      reusableUntil: reusableUntil(new Date(row.validatedAt)).toISOString(),
    })),
    nextCursor: rows.length > input.limit ? encodeCursor([page.at(-1)!.domain]) : null,
  };
}
