// The domains of a new order as typed in the textarea: one a line, checked before they are sent.
import { ApiError, fieldKey } from "../../api/client";
import { MAX_DOMAINS } from "../../../shared/formats";
import type { ProductDto as Product } from "../../../shared/schemas";

// The server's own limit, re-exported for the dialog that states it.
export { MAX_DOMAINS };

export interface DomainLine {
  line: number;
  value: string;
}

/** One domain a line; blank lines are ignored. Each keeps its line number for messages. */
export function parseDomains(text: string): DomainLine[] {
  return text
    .split(/\r?\n/)
    .map((value, index) => ({ line: index + 1, value: value.trim() }))
    .filter((d) => d.value !== "");
}

/** What is wrong with the list before it is sent: count, duplicates, wildcards the product does not cover. */
export function checkDomainLines(domains: DomainLine[], product: Product | undefined): string[] {
  const problems: string[] = [];
  if (domains.length === 0) problems.push("Enter at least one domain.");
  if (domains.length > MAX_DOMAINS) problems.push(`One order covers at most ${MAX_DOMAINS} domains; this list has ${domains.length}.`);
  const seen = new Map<string, number>();
  for (const d of domains) {
    const key = d.value.toLowerCase().replace(/\.$/, "");
    const first = seen.get(key);
    if (first !== undefined) problems.push(`Line ${d.line}: ${d.value} is already on line ${first}.`);
    else seen.set(key, d.line);
    if (product && !product.wildcardAllowed && d.value.startsWith("*.")) problems.push(`Line ${d.line}: ${product.name} does not cover wildcard names like ${d.value}.`);
  }
  return problems;
}


/** The server's messages about `domains` ("domains.1", "/body/domains/1"), by line of the textarea. */
export function serverDomainErrors(error: unknown, sent: DomainLine[]): string[] {
  if (!(error instanceof ApiError)) return [];
  return error.errors
    .filter((e) => fieldKey(e.field) === "domains")
    .map((e) => {
      const index = e.field.match(/domains[./](\d+)/)?.[1];
      const entry = index === undefined ? undefined : sent[Number(index)];
      return entry ? `Line ${entry.line}: ${e.message}` : e.message;
    });
}
