// Names a CA may not certify (SPEC 15), refused when the order is placed: public suffixes by the
// Public Suffix List (tldts, maintained upstream; both its ICANN and private sections, so co.uk and
// github.io alike) and their wildcards; internal names, whose top-level domain the List's ICANN
// section does not know (localhost, intranet, printer.corp, x.test); IP addresses.
import { isIP } from "node:net";
import { parse } from "tldts";

/** Why `domain` (lower case, a wildcard as *.base) may not be certified, or null when it may. */
export function whyNotCertifiable(domain: string): string | null {
  const base = domain.startsWith("*.") ? domain.slice(2) : domain;
  if (isIP(base) !== 0 || isIP(base.replace(/^\[|\]$/g, "")) !== 0) return `${domain} is an IP address; certdesk certifies domain names only.`;
  const icann = parse(base, { allowPrivateDomains: false });
  if (icann.isIp) return `${domain} is an IP address; certdesk certifies domain names only.`;
  if (!icann.isIcann) {
    return `${domain} is an internal name: its top-level domain .${base.split(".").pop()} is not a public one, so no CA may certify it.`;
  }
  const all = parse(base, { allowPrivateDomains: true });
  if (all.publicSuffix === base || all.domain === null) {
    const what = domain === base ? domain : `${domain} (a wildcard over ${base})`;
    return `${what} is a public suffix: names under it belong to different owners, so no CA may certify it.`;
  }
  return null;
}
