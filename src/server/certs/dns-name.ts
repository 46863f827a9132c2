// What counts as a DNS name in a certificate: LDH labels (letters, digits, hyphens; no
// leading or trailing hyphen; 1–63 characters), at most 253 characters in all, optionally
// one wildcard as the whole leftmost label ("*.example.com"). A last label made only of
// digits is refused, so "10.0.0.1" is not taken for a host name.

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function isDnsName(value: string): boolean {
  if (typeof value !== "string" || value.length === 0 || value.length > 253) return false;
  const lower = value.toLowerCase();
  const labels = lower.split(".");
  if (labels[0] === "*") {
    labels.shift();
    if (labels.length < 2) return false; // "*" or "*.com" would cover a whole TLD
  }
  if (labels.length === 0 || !labels.every((label) => LABEL.test(label))) return false;
  const last = labels[labels.length - 1];
  return last !== undefined && !/^[0-9]+$/.test(last);
}

/** Lower-cased, deduplicated, sorted: the canonical form in which names are compared. */
export function canonicalNames(names: Iterable<string>): string[] {
  return [...new Set([...names].map((name) => name.toLowerCase()))].sort();
}
