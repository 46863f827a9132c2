// `npm run bench`'s ACME row: full issuances per second with 10 ACME clients in parallel, each a
// real acme-client (npm) in this process with its own account bound by one EAB credential:
// new order → dns-01 (TXT record served by a loopback DNS server the bench starts and certdesk
// uses as DCV_DNS_SERVERS) → finalize → certificate download. Every name is new, so every order
// needs its challenge; the account creation is set-up, not measured.
//
//   BENCH_ACME_CLIENTS=10   clients in parallel
//   BENCH_ACME_SECONDS=8    measured seconds (after one unmeasured issuance per client)
import acme from "acme-client";
import { startTestDns } from "../test/helpers/dns-server.js";
import type { TestDns } from "../test/helpers/dns-server.js";

export interface AcmeTarget {
  directoryUrl: string;
  eab: { kid: string; hmacKey: string };
  dns: TestDns;
}

export interface IssuanceStats {
  clients: number;
  seconds: number;
  issued: number;
  failed: number;
  /** Orders whose authorization came back valid without a challenge (should be 0: every name is new). */
  reused: number;
  latencies: number[];
  firstError?: string;
}

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

/** Runs `clients` acme-client loops against the directory for `seconds`; counts complete issuances. */
export async function measureIssuances(target: AcmeTarget, options: { clients: number; seconds: number; label?: string }): Promise<IssuanceStats> {
  const stats: IssuanceStats = { clients: options.clients, seconds: options.seconds, issued: 0, failed: 0, reused: 0, latencies: [] };
  const label = options.label ?? `${process.pid}-${Date.now().toString(36)}`;
  const clients = await Promise.all(
    Array.from({ length: options.clients }, async () => {
      const client = new acme.Client({
        directoryUrl: target.directoryUrl,
        accountKey: await acme.crypto.createPrivateEcdsaKey(),
        externalAccountBinding: target.eab,
        // acme-client waits 5 s before its first re-poll by default: a bench measuring the server
        // must not measure that sleep (certdesk answers Retry-After when it wants a slower pace).
        backoffMin: 20,
        backoffMax: 500,
        backoffAttempts: 20,
      });
      await client.createAccount({ termsOfServiceAgreed: true });
      // One certificate key per client: key generation is the client's work, not the server's.
      return { client, certKey: await acme.crypto.createPrivateEcdsaKey() };
    }),
  );
  let sequence = 0;
  const issueOne = async ({ client, certKey }: (typeof clients)[number]): Promise<void> => {
    const name = `i${++sequence}-${label}.example.com`;
    const order = await client.createOrder({ identifiers: [{ type: "dns", value: name }] });
    for (const authz of await client.getAuthorizations(order)) {
      if (authz.status === "valid") {
        stats.reused += 1;
        continue;
      }
      const challenge = authz.challenges.find((c) => c.type === "dns-01");
      if (!challenge) throw new Error(`no dns-01 challenge offered for ${authz.identifier.value}`);
      const record = `_acme-challenge.${authz.identifier.value}`;
      target.dns.set(record, "TXT", [await client.getChallengeKeyAuthorization(challenge)]);
      try {
        await client.completeChallenge(challenge);
        await client.waitForValidStatus(authz);
      } finally {
        target.dns.remove(record);
      }
    }
    const [, csr] = await acme.crypto.createCsr({ altNames: [name] }, certKey);
    const finalized = await client.finalizeOrder(order, csr);
    const ready = finalized.status === "valid" ? finalized : await client.waitForValidStatus(finalized);
    const chain = await client.getCertificate(ready);
    if (acme.crypto.splitPemChain(chain).length < 2) throw new Error(`the download for ${name} is not a leaf and its chain`);
  };

  // Unmeasured: one issuance per client warms the server's paths and the clients' nonces.
  await Promise.all(clients.map(issueOne));
  const deadline = Date.now() + options.seconds * 1000;
  const started = Date.now();
  await Promise.all(
    clients.map(async (c) => {
      while (Date.now() < deadline) {
        const t0 = Date.now();
        try {
          await issueOne(c);
          stats.issued += 1;
          stats.latencies.push(Date.now() - t0);
        } catch (error) {
          stats.failed += 1;
          stats.firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  stats.seconds = (Date.now() - started) / 1000;
  return stats;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

export function describeIssuances(stats: IssuanceStats): string {
  const sorted = [...stats.latencies].sort((a, b) => a - b);
  const rate = stats.issued / stats.seconds;
  const problems = [
    stats.failed ? `${stats.failed} failed (first: ${stats.firstError})` : "",
    stats.reused ? `${stats.reused} authorizations came back valid without a challenge` : "",
  ].filter(Boolean);
  return (
    `ACME issuances per second, ${stats.clients} clients in parallel (acme-client; new order → dns-01 → finalize → download): ` +
    `${rate.toFixed(1)}/s (${stats.issued} in ${stats.seconds.toFixed(1)} s; per issuance p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms)` +
    (problems.length ? `; unexpected: ${problems.join("; ")}` : "")
  );
}

async function call(appUrl: string, cookie: string, path: string, body: unknown): Promise<any> {
  const response = await fetch(appUrl + path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-requested-with": "certdesk", cookie },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST ${path} failed: ${response.status} ${text}`);
  return JSON.parse(text);
}

interface AcmeRow {
  line: string;
  ok: boolean;
}

/** Creates a billing profile and an ACME credential in the team as its Owner would, then measures. */
async function measureInTeam(dns: TestDns, { appUrl, ownerCookie, teamId }: { appUrl: string; ownerCookie: string; teamId: string }): Promise<AcmeRow> {
  const { billingProfile } = await call(appUrl, ownerCookie, `/api/teams/${teamId}/billing-profiles`, { name: "ACME bench", country: "DE", cardBrand: "visa", cardLast4: "4242" });
  const { acmeCredential, hmacKey } = await call(appUrl, ownerCookie, `/api/teams/${teamId}/acme-credentials`, { name: "bench", productId: "dv-1y", billingProfileId: billingProfile.id });
  const stats = await measureIssuances(
    { directoryUrl: acmeCredential.directoryUrl, eab: { kid: acmeCredential.keyId, hmacKey }, dns },
    { clients: env("BENCH_ACME_CLIENTS", 10), seconds: env("BENCH_ACME_SECONDS", 8) },
  );
  return { line: describeIssuances(stats), ok: stats.failed === 0 && stats.reused === 0 && stats.issued > 0 };
}

/** For run.ts: the DNS server is started before certdesk (whose DCV_DNS_SERVERS is `env`); `run` measures in the team. */
export async function prepareAcmeBench(): Promise<{
  env: Record<string, string>;
  run(ctx: { appUrl: string; ownerCookie: string; teamId: string }): Promise<AcmeRow>;
  close(): Promise<void>;
}> {
  const dns = await startTestDns();
  return {
    env: { DCV_DNS_SERVERS: dns.server },
    async run(ctx) {
      // A failure is reported as the row, so the table measured before it is still printed.
      try {
        return await measureInTeam(dns, ctx);
      } catch (error) {
        return { line: `ACME issuances per second: not measured, ${error instanceof Error ? error.message : String(error)}`, ok: false };
      }
    },
    close: () => dns.close(),
  };
}
