// CAA (RFC 8659), checked for each name just before a certificate is issued. The relevant record
// set is the first non-empty one climbing from the name towards the root. In it, an unknown tag
// with the critical flag refuses; `issuewild` governs a wildcard when present, `issue` otherwise;
// when the governing tag is present, one of its records must name CAA_IDENTITY. A lookup that
// fails (timeout, SERVFAIL) refuses too: an unknown answer authorizes nothing.
import type { CaaRecord } from "node:dns";
import type { DcvResolver } from "./resolver.js";
import { LookupError } from "./resolver.js";

const KNOWN_TAGS = new Set(["issue", "issuewild", "iodef", "issuemail", "contactemail", "contactphone"]);
const CRITICAL = 128;

export type CaaVerdict = { ok: true } | { ok: false; reason: string };

/** The tag and value of a record as node:dns gives it: {critical, <tag>: value}. */
function tagOf(record: CaaRecord): [string, string] {
  const entry = Object.entries(record).find(([key]) => key !== "critical");
  return entry ? [entry[0].toLowerCase(), String(entry[1])] : ["", ""];
}

/** The issuer domain of an issue/issuewild value: before any ';' parameters, trimmed; "" = no CA. */
function issuerOf(value: string): string {
  return (value.split(";")[0] ?? "").trim().toLowerCase();
}

/** The first non-empty CAA record set from `name` up to its top-level domain, and where it was. */
async function relevantSet(resolver: DcvResolver, name: string): Promise<{ at: string; records: CaaRecord[] } | null> {
  const labels = name.split(".");
  for (let i = 0; i < labels.length; i++) {
    const at = labels.slice(i).join(".");
    const records = await resolver.caa(at);
    if (records.length > 0) return { at, records };
  }
  return null;
}

/** Whether CAA lets `identity` issue for `domain` (lower case; a wildcard as *.base). */
export async function checkCaa(resolver: DcvResolver, domain: string, identity: string): Promise<CaaVerdict> {
  const wildcard = domain.startsWith("*.");
  const name = wildcard ? domain.slice(2) : domain;
  let set;
  try {
    set = await relevantSet(resolver, name);
  } catch (error) {
    if (error instanceof LookupError) return { ok: false, reason: `CAA for ${domain} could not be checked: ${error.message}` };
    throw error;
  }
  if (!set) return { ok: true };
  const tagged = set.records.map(tagOf);
  const unknownCritical = set.records.find((record, i) => (record.critical & CRITICAL) !== 0 && !KNOWN_TAGS.has(tagged[i]![0]));
  if (unknownCritical) {
    return { ok: false, reason: `the CAA records at ${set.at} carry the critical tag "${tagOf(unknownCritical)[0]}", which certdesk does not know` };
  }
  const wild = tagged.filter(([tag]) => tag === "issuewild");
  const governing = wildcard && wild.length > 0 ? wild : tagged.filter(([tag]) => tag === "issue");
  if (governing.length === 0) return { ok: true };
  if (governing.some(([, value]) => issuerOf(value) === identity)) return { ok: true };
  const named = governing.map(([tag, value]) => `${tag} "${value}"`).join(", ");
  return { ok: false, reason: `the CAA records at ${set.at} (${named}) do not authorize ${identity} to issue for ${domain}` };
}

/** The first refusal among the domains, or ok. */
export async function checkCaaAll(resolver: DcvResolver, domains: string[], identity: string): Promise<CaaVerdict> {
  for (const domain of domains) {
    const verdict = await checkCaa(resolver, domain, identity);
    if (!verdict.ok) return verdict;
  }
  return { ok: true };
}
