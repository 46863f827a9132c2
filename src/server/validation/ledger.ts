// The team's domain ledger (SPEC 16): what a team has proven, and what a later order of the same
// team may reuse. Reuse follows the BRs: a validation by `http` (3.2.2.4.18) covers exactly the name
// fetched; one by `dns` (3.2.2.4.7) or `email` (3.2.2.4.4) covers the name and every name under it,
// wildcards included. Only the team's own rows are read; the caller holds the team's lock.
import type { Executor } from "../db/transaction.js";
import type { ValidationMethod } from "../../shared/account.js";
import { isReusable } from "./reuse.js";

/** The name whose control is proven: a wildcard is validated on its base domain. */
export function validatedName(domain: string): string {
  return domain.startsWith("*.") ? domain.slice(2) : domain;
}

/** The methods whose validation of a name covers the names under it (and its wildcard). */
const COVERS_SUBDOMAINS: ReadonlySet<string> = new Set(["dns", "email"]);

export interface LedgerEntry {
  domain: string;
  method: ValidationMethod;
  validatedAt: string;
}

/** The name itself, then each parent, shortest last: a.b.example.com, b.example.com, example.com, com. */
function selfAndParents(name: string): string[] {
  const labels = name.split(".");
  return labels.map((_, i) => labels.slice(i).join("."));
}

/** The team's newest still-reusable validation that covers `domain`, or null. */
export async function reusableValidation(executor: Executor, teamId: string, domain: string, now: Date): Promise<LedgerEntry | null> {
  const wildcard = domain.startsWith("*.");
  const name = validatedName(domain);
  const rows = await executor
    .selectFrom("domainValidations")
    .select(["domain", "method", "validatedAt"])
    .where("teamId", "=", teamId)
    .where("domain", "in", selfAndParents(name))
    .execute();
  const usable = rows.filter((row) => {
    const exact = row.domain === name && !wildcard;
    if (!exact && !COVERS_SUBDOMAINS.has(row.method)) return false;
    return isReusable(new Date(row.validatedAt), now);
  });
  usable.sort((a, b) => (a.validatedAt < b.validatedAt ? 1 : -1));
  const best = usable[0];
  return best ? { domain: best.domain, method: best.method as ValidationMethod, validatedAt: best.validatedAt } : null;
}

/** Records a validation of `domain`'s name for the team: the newest one per name is kept. */
export async function recordValidation(executor: Executor, teamId: string, domain: string, method: ValidationMethod, at: Date): Promise<void> {
  const row = { teamId, domain: validatedName(domain), method, validatedAt: at.toISOString() };
  await executor
    .insertInto("domainValidations")
    .values(row)
    .onConflict((oc) => oc.columns(["teamId", "domain"]).doUpdateSet({ method: row.method, validatedAt: row.validatedAt }))
    .execute();
}
