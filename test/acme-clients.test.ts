// Issue 12's evidence: real ACME clients order into a team of a started certdesk, on both engines.
// A user signs up over HTTP, creates a team, a billing profile and an ACME credential; then
// Debian's certbot (http-01 on DCV_HTTP_PORT with its standalone server, and dns-01 through manual
// hooks) and lego (dns-01 through exec) each get a certificate from {BASE_URL}/acme/directory, with
// a DNS server on loopback as certdesk's resolver. Each certificate verifies with `openssl verify`
// against /pki/root.pem and the intermediate the client was given; each client revokes its own
// (certbot by the account key and by the certificate's key, lego by the account key) and
// `openssl ocsp` then says revoked; the team's orders list them with source "acme". Also: a name
// with its wildcard (two TXT values on one record), lego http-01, and a name the team's ledger
// already holds (its authorization valid at once, no challenge looked up).
//
// Needs the built server (`npm run build:server`; `npm test` builds first) and /usr/bin/certbot and
// /usr/bin/lego (CI installs both with apt); without the two clients the file is skipped, saying so.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCertdesk } from "../e2e/harness.js";
import type { Certdesk } from "../e2e/harness.js";
import { freePort } from "../bench/processes.js";
import { missingAcmeClients, openAcmeClients } from "./helpers/acme-clients.js";
import type { AcmeClients, Issued } from "./helpers/acme-clients.js";
import { ENGINES, createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";
import { signUpVia } from "./helpers/server.js";
import type { HttpClient } from "./helpers/server.js";

const execFileAsync = promisify(execFile);
const missing = missingAcmeClients();
if (missing.length) console.warn(`acme-clients.test.ts skipped: ${missing.join(" and ")} not installed (apt-get install certbot lego).`);

function expectCreated(response: { status: number; text: string }, what: string): void {
  if (response.status !== 201) throw new Error(`${what}: ${response.status} ${response.text}`);
}

describe.skipIf(missing.length > 0).each(ENGINES)("ACME clients against a started certdesk (%s)", (engine) => {
  let certdesk: Certdesk | undefined;
  let database: TestDatabase | undefined;
  let clients: AcmeClients | undefined;
  let owner: HttpClient;
  let teamId: string;
  let rootPem: string;

  beforeAll(async () => {
    const dcvHttpPort = await freePort();
    // An empty database: the built server migrates it itself, as in production.
    if (engine === "postgres") database = await createTestDatabase("postgres", { migrated: false });
    certdesk = await startCertdesk({ databaseUrl: database?.url, dcvHttpPort });
    const signedIn = await signUpVia(certdesk.baseUrl, "ACME Owner");
    owner = signedIn.client;
    const team = await owner.post("/api/teams", { name: "Automation" });
    expectCreated(team, "creating the team");
    teamId = team.json().team.id;
    const profile = await owner.post(`/api/teams/${teamId}/billing-profiles`, { name: "Ops", country: "DE", cardBrand: "visa", cardLast4: "4242" });
    expectCreated(profile, "creating the billing profile");
    const credential = await owner.post(`/api/teams/${teamId}/acme-credentials`, {
      name: "web servers",
      productId: "dv-1y",
      billingProfileId: profile.json().billingProfile.id,
    });
    expectCreated(credential, "creating the ACME credential");
    const { acmeCredential, hmacKey } = credential.json();
    expect(acmeCredential.directoryUrl).toBe(`${certdesk.baseUrl}/acme/directory`);
    clients = await openAcmeClients({
      directoryUrl: acmeCredential.directoryUrl,
      eab: { keyId: acmeCredential.keyId, hmacKey },
      dns: certdesk.dns,
      httpPort: dcvHttpPort,
    });
    const root = await fetch(`${certdesk.baseUrl}/pki/root.pem`);
    expect(root.status).toBe(200);
    rootPem = join(clients.dir, "root.pem");
    await writeFile(rootPem, await root.text());
  });

  afterAll(async () => {
    await clients?.close();
    await certdesk?.stop();
    await database?.drop();
  });

  /** What the server printed, when a step fails. */
  const serverLog = () => `\n--- certdesk's log (end) ---\n${certdesk?.log() ?? ""}`;

  async function verify(issued: Issued): Promise<void> {
    const { stdout } = await execFileAsync("openssl", ["verify", "-CAfile", rootPem, "-untrusted", issued.chain, issued.cert]);
    expect(stdout.trim()).toBe(`${issued.cert}: OK`);
  }

  /** openssl ocsp against certdesk's responder, asking with the intermediate the client was given; the answer's signature checked. */
  async function ocspStatus(issued: Issued): Promise<string> {
    const { stdout, stderr } = await execFileAsync(
      "openssl",
      ["ocsp", "-issuer", issued.chain, "-cert", issued.cert, "-url", `${certdesk!.baseUrl}/pki/ocsp`, "-CAfile", rootPem, "-verify_other", issued.chain],
      { timeout: 20_000 },
    );
    // openssl reports the signature check on stderr and prints the status whatever it found.
    expect(stderr).toContain("Response verify OK");
    return stdout;
  }

  async function subjectAltNames(issued: Issued): Promise<string> {
    const { stdout } = await execFileAsync("openssl", ["x509", "-noout", "-ext", "subjectAltName", "-in", issued.cert]);
    return stdout;
  }

  async function run<T>(step: Promise<T>): Promise<T> {
    try {
      return await step;
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}${serverLog()}`);
    }
  }

  it("certbot http-01 (standalone on DCV_HTTP_PORT) gets a certificate; revoked by the account key, OCSP says revoked", async () => {
    // certdesk resolves the name through its DCV resolver and fetches the token from 127.0.0.1.
    certdesk!.dns.set("www.example.com", "A", ["127.0.0.1"]);
    const issued = await run(clients!.certbotHttp01(["www.example.com"]));
    await verify(issued);
    expect(await subjectAltNames(issued)).toContain("DNS:www.example.com");
    expect(await ocspStatus(issued)).toContain(`${issued.cert}: good`);
    await run(clients!.certbotRevoke(issued.cert, { reason: "keycompromise" }));
    const status = await ocspStatus(issued);
    expect(status).toContain(`${issued.cert}: revoked`);
    expect(status).toMatch(/Reason: keyCompromise/);
  }, 120_000);

  it("certbot dns-01 (manual hooks) gets a certificate; revoked by the certificate's own key, OCSP says revoked", async () => {
    const issued = await run(clients!.certbotDns01(["shop.example.org"]));
    await verify(issued);
    expect(await subjectAltNames(issued)).toContain("DNS:shop.example.org");
    // The cleanup hook withdrew the record again.
    expect(clients!.published.size).toBe(0);
    await run(clients!.certbotRevoke(issued.cert, { reason: "superseded", keyPath: issued.key }));
    const status = await ocspStatus(issued);
    expect(status).toContain(`${issued.cert}: revoked`);
    expect(status).toMatch(/Reason: superseded/);
  }, 120_000);

  it("lego dns-01 (exec) gets a certificate; lego revoke, OCSP says revoked", async () => {
    const issued = await run(clients!.legoDns01(["api.example.net"]));
    await verify(issued);
    expect(await subjectAltNames(issued)).toContain("DNS:api.example.net");
    expect(clients!.published.size).toBe(0);
    await run(clients!.legoRevoke(["api.example.net"], 1));
    const status = await ocspStatus(issued);
    expect(status).toContain(`${issued.cert}: revoked`);
    expect(status).toMatch(/Reason: keyCompromise/);
  }, 120_000);

  it("certbot dns-01 for a name and its wildcard: two TXT values on one record name", async () => {
    const issued = await run(clients!.certbotDns01(["wild.example.org", "*.wild.example.org"]));
    await verify(issued);
    const names = await subjectAltNames(issued);
    expect(names).toContain("DNS:wild.example.org");
    expect(names).toContain("DNS:*.wild.example.org");
  }, 120_000);

  it("lego http-01 (its own server on DCV_HTTP_PORT) gets a certificate", async () => {
    certdesk!.dns.set("app.example.com", "A", ["127.0.0.1"]);
    const issued = await run(clients!.legoHttp01(["app.example.com"]));
    await verify(issued);
    expect(await subjectAltNames(issued)).toContain("DNS:app.example.com");
  }, 120_000);

  it("certbot again for a name the team validated: the ledger's authorization comes back valid, no challenge", async () => {
    const before = certdesk!.dns.asked.length;
    const issued = await run(clients!.certbotDns01(["shop.example.org"]));
    await verify(issued);
    // Neither the hook ran (nothing published) nor did certdesk look a TXT record up.
    expect(certdesk!.dns.asked.slice(before).filter((name) => name.startsWith("_acme-challenge."))).toEqual([]);
  }, 120_000);

  it("every client's run is an order of the team with source acme; the three revoked say so", async () => {
    const response = await owner.get(`/api/teams/${teamId}/orders`);
    expect(response.status, response.text).toBe(200);
    const orders = response.json().items as { domains: string[]; source: string; status: string }[];
    // Each run above is a new order (never an implicit reissue), the ledger's reuse included.
    expect(orders).toHaveLength(6);
    expect(orders.map((order) => order.source)).toEqual(Array(6).fill("acme"));
    const revoked = orders.filter((order) => order.status === "revoked").map((order) => order.domains.join(","));
    expect(revoked.sort()).toEqual(["api.example.net", "shop.example.org", "www.example.com"]);
  });
});
