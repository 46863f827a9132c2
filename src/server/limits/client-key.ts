// One client, as the rate limits count it: an IPv4 address, or an IPv6 address's /64 network (one
// host is routinely handed a whole /64, so counting single IPv6 addresses would give it 2^64 budgets).
// An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is the IPv4 client it maps. The /64 is written as
// its start address in RFC 5952 form ("2001:db8:1:2::"), as @fastify/rate-limit's normalizeIP did.
import { isIPv6 } from "node:net";

export function clientKey(ip: string): string {
  // IPv4, the common case on the hot path: no parsing.
  if (!ip.includes(":")) return ip;
  const groups = ipv6Groups(ip);
  if (!groups) return ip.toLowerCase();
  if (groups[5] === 0xffff && groups.slice(0, 5).every((group) => group === 0)) {
    const [high = 0, low = 0] = groups.slice(6);
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  // The last four groups are zero, so the zero run to compress is always the trailing one.
  const prefix = groups.slice(0, 4);
  while (prefix.length > 0 && prefix[prefix.length - 1] === 0) prefix.pop();
  return `${prefix.map((group) => group.toString(16)).join(":")}::`;
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped, a dotted IPv4 tail converted), or undefined. */
function ipv6Groups(ip: string): number[] | undefined {
  const zone = ip.indexOf("%");
  let address = zone >= 0 ? ip.slice(0, zone) : ip;
  if (!isIPv6(address)) return undefined;
  const lastColon = address.lastIndexOf(":");
  const tail = address.slice(lastColon + 1);
  if (tail.includes(".")) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split(".").map(Number);
    address = `${address.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = address.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => parseInt(group, 16)));
  const before = parse(head);
  const after = rest === undefined ? [] : parse(rest);
  const zeros = rest === undefined ? 0 : 8 - before.length - after.length;
  const groups = [...before, ...new Array<number>(zeros).fill(0), ...after];
  return groups.length === 8 ? groups : undefined;
}
