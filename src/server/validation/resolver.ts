// The one resolver every validation lookup goes through (SPEC 14, SECURITY 34): A/AAAA for the
// `http` fetch, TXT for `dns`, CAA before issuance. DCV_DNS_SERVERS points it at chosen servers
// (tests: a DNS server on loopback); unset, it asks the system's. Each lookup has a timeout, and an
// answer says what was found in words a validator can act on.
import { Resolver } from "node:dns/promises";
import type { CaaRecord } from "node:dns";
import type { Config } from "../config.js";

export interface DcvResolver {
  /** Every A and AAAA address of `name`; empty when it has none. Throws a LookupError otherwise. */
  addresses(name: string): Promise<{ address: string; family: 4 | 6 }[]>;
  /** Each TXT record's strings joined, as RFC 7208 reads them; `nxdomain` when the name does not exist. */
  txt(name: string): Promise<{ values: string[]; nxdomain: boolean }>;
  /** The CAA records at exactly `name` (no climbing); empty when there are none. */
  caa(name: string): Promise<CaaRecord[]>;
}

/** A lookup that did not answer: NXDOMAIN is an answer ("no such name"); this is a timeout or SERVFAIL. */
export class LookupError extends Error {}

const NO_DATA = new Set(["ENODATA", "ENOTFOUND"]);

/** What node:dns reported, as a sentence naming the name. */
function describe(name: string, type: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ETIMEOUT":
      return `the ${type} lookup of ${name} timed out`;
    case "ESERVFAIL":
      return `the DNS server failed (SERVFAIL) on the ${type} lookup of ${name}`;
    case "EREFUSED":
      return `the DNS server refused the ${type} lookup of ${name}`;
    case "ECONNREFUSED":
      return `no DNS server answered the ${type} lookup of ${name}`;
    default:
      return `the ${type} lookup of ${name} failed (${error.code ?? error.message})`;
  }
}

const resolvers = new WeakMap<Config, DcvResolver>();

/** The resolver for this configuration, made once (a Resolver keeps its servers and sockets). */
export function resolverFor(config: Pick<Config, "dcvDnsServers">): DcvResolver {
  const known = resolvers.get(config as Config);
  if (known) return known;
  const made = createResolver(config.dcvDnsServers);
  resolvers.set(config as Config, made);
  return made;
}

export function createResolver(servers: string[] | undefined, timeoutMs = 2000): DcvResolver {
  // tries: 2 — one retransmission over UDP; a lookup gives up within about 2 × timeoutMs.
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers) resolver.setServers(servers);

  async function ask<T>(name: string, type: string, run: () => Promise<T[]>): Promise<T[]> {
    try {
      return await run();
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code && NO_DATA.has(e.code)) return [];
      throw new LookupError(describe(name, type, e));
    }
  }

  return {
    async addresses(name) {
      const [v4, v6] = await Promise.all([
        ask(name, "A", () => resolver.resolve4(name)),
        ask(name, "AAAA", () => resolver.resolve6(name)),
      ]);
      return [...v4.map((address) => ({ address, family: 4 as const })), ...v6.map((address) => ({ address, family: 6 as const }))];
    },
    async txt(name) {
      let nxdomain = false;
      const records = await ask(name, "TXT", () =>
        resolver.resolveTxt(name).catch((error: NodeJS.ErrnoException) => {
          if (error.code === "ENOTFOUND") nxdomain = true;
          throw error;
        }),
      );
      return { values: records.map((chunks) => chunks.join("")), nxdomain };
    },
    caa(name) {
      return ask(name, "CAA", () => resolver.resolveCaa(name));
    },
  };
}
