// The `dns` method (BR 3.2.2.4.7): the TXT record `_certdesk-challenge.{name}` must hold the
// order's fresh challenge. A failure names what was there instead, so the customer can fix it.
import type { DcvResolver } from "./resolver.js";
import { LookupError } from "./resolver.js";

export type CheckResult = { ok: true } | { ok: false; found: string };

export const DNS_LABEL = "_certdesk-challenge";

/** ACME's dns-01 (RFC 8555 §8.4) asks the same way under its own label. */
export const ACME_DNS_LABEL = "_acme-challenge";

export async function checkDnsTxt(resolver: DcvResolver, name: string, challenge: string, label: string = DNS_LABEL): Promise<CheckResult> {
  const recordName = `${label}.${name}`;
  try {
    const { values, nxdomain } = await resolver.txt(recordName);
    if (values.some((value) => value.trim() === challenge)) return { ok: true };
    if (nxdomain) return { ok: false, found: `${recordName} does not exist (NXDOMAIN)` };
    if (values.length === 0) return { ok: false, found: `${recordName} has no TXT record` };
    const seen = values.map((v) => JSON.stringify(v.length > 100 ? `${v.slice(0, 100)}…` : v)).join(", ");
    return { ok: false, found: `the TXT values at ${recordName} are ${seen}, not the challenge` };
  } catch (error) {
    if (error instanceof LookupError) return { ok: false, found: error.message };
    throw error;
  }
}
