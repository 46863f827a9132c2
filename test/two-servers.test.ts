// Two built servers behind an imaginary load balancer (issue 13): `certdesk serve` twice, started at
// once on ONE fresh PostgreSQL database (so they migrate and create the demonstration CA together),
// each with its own DATA_DIR, sharing what a deployment shares (MASTER_KEY, BASE_URL, SMTP_URL) and
// one loopback DNS server. Every user's consecutive requests alternate between the two, so each
// step reads on one server what the step before wrote through the other: sign-up and log-in, a
// team, invitations accepted from the e-mailed link, the four-member certificate flow with real DNS
// validation and a document uploaded to one server and downloaded from the other, a certificate
// that openssl verifies against the other server's root, and a member removed through one server
// refused by the other on their very next request.
//
// PostgreSQL only: SQLite is one server's file. Needs the build (`npm test` builds first).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCertdesk } from "../e2e/harness.js";
import type { Certdesk } from "../e2e/harness.js";
import { PASSWORD, uniqueEmail } from "./helpers/app.js";
import { makeCsr, makeTmpDir, openssl } from "./helpers/csr.js";
import { startTestDns } from "./helpers/dns-server.js";
import type { TestDns } from "./helpers/dns-server.js";
import { createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";
import { multipartFile, SMALL_PDF } from "./helpers/fixtures.js";
import { HttpClient, waitForLinkToken } from "./helpers/server.js";
import type { HttpResponse } from "./helpers/server.js";
import { startSmtpServer } from "./helpers/smtp.js";
import type { TestSmtpServer } from "./helpers/smtp.js";

/** One user's browser behind the load balancer: each request goes to the other server than the last. */
class AlternatingClient extends HttpClient {
  /** Where each request went, in order: 0 for the first server, 1 for the second. */
  readonly servedBy: number[] = [];
  private turn: number;

  constructor(
    private readonly servers: Certdesk[],
    first = 0,
  ) {
    super(servers[first]!.baseUrl);
    this.turn = first;
  }

  /** The server the next request goes to. */
  get next(): number {
    return this.turn;
  }

  override request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResponse> {
    this.baseUrl = this.servers[this.turn]!.baseUrl;
    this.servedBy.push(this.turn);
    this.turn = (this.turn + 1) % this.servers.length;
    return super.request(method, url, body, headers);
  }
}

const SKIP = process.env.TEST_POSTGRES_URL ? "" : " (skipped: TEST_POSTGRES_URL is not set, and two servers share a PostgreSQL database)";

describe.skipIf(SKIP !== "")(`two servers on one PostgreSQL database${SKIP}`, () => {
  let t: TestDatabase;
  let dns: TestDns;
  let smtp: TestSmtpServer;
  const servers: Certdesk[] = [];
  const domains = ["two-servers.example.com", "www.two-servers.example.com"];

  beforeAll(async () => {
    t = await createTestDatabase("postgres", { migrated: false });
    dns = await startTestDns();
    smtp = await startSmtpServer();
    const shared = {
      databaseUrl: t.url,
      masterKey: randomBytes(32).toString("base64url"),
      sharedBaseUrl: "http://certdesk.test", // the load balancer's address, in every e-mailed link
      smtpUrl: smtp.url,
      dns,
    };
    // At once, on an empty database: both migrate and both look for the CA at the same moment.
    servers.push(...(await Promise.all([startCertdesk(shared), startCertdesk(shared)])));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await smtp?.stop();
    await dns?.close();
    await t?.drop();
  });

  const expectOk = (response: HttpResponse, status = 200) => {
    expect(response.status, response.text.slice(0, 500)).toBe(status);
    return response;
  };

  async function signUp(name: string, first = 0): Promise<{ client: AlternatingClient; email: string; id: string }> {
    const email = uniqueEmail(name);
    const client = new AlternatingClient(servers, first);
    const created = expectOk(await client.post("/api/auth/signup", { email, password: PASSWORD, name }), 201);
    expectOk(await client.get("/api/me")); // the session made on one server, read on the other
    return { client, email, id: created.json().user.id };
  }

  let owner: Awaited<ReturnType<typeof signUp>>;
  let teamId: string;
  const members: Record<"billing" | "validation" | "installer", Awaited<ReturnType<typeof signUp>>> = {} as never;

  it("started together on an empty database, both serve the same CA and its certificates", async () => {
    const pem = async (server: Certdesk, file: string) => {
      const response = await fetch(`${server.baseUrl}${file}`);
      expect(response.status).toBe(200);
      return response.text();
    };
    for (const file of ["/pki/issuing-ca.pem", "/pki/root.pem"]) {
      const [first, second] = await Promise.all(servers.map((server) => pem(server, file)));
      expect(first).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect(second).toBe(first);
    }
    const rows = await t.db.kysely.selectFrom("demonstrationCa").select("id").execute();
    expect(rows).toHaveLength(1);
    // Nothing of the CA under either DATA_DIR: it is the database's.
    for (const server of servers) expect(fs.existsSync(path.join(server.dataDir, "ca"))).toBe(false);
  });

  it("signs up, logs out and in, and creates a team, each request on the other server", async () => {
    owner = await signUp("Two Servers Owner");
    expectOk(await owner.client.post("/api/auth/logout"), 204);
    expect((await owner.client.get("/api/me")).status).toBe(401);
    expectOk(await owner.client.post("/api/auth/login", { email: owner.email, password: PASSWORD }));
    expectOk(await owner.client.get("/api/me"));
    teamId = expectOk(await owner.client.post("/api/teams", { name: "Two servers team" }), 201).json().team.id;
    expect(expectOk(await owner.client.get(`/api/teams/${teamId}`)).json().team).toMatchObject({ id: teamId, memberCount: 1 });
    expect(new Set(owner.client.servedBy.slice(-2))).toEqual(new Set([0, 1]));
  });

  it("invites three members; each accepts the e-mailed link and is a member on both servers", async () => {
    for (const role of ["billing", "validation", "installer"] as const) {
      const member = await signUp(`Two Servers ${role}`, owner.client.next);
      expectOk(await owner.client.post(`/api/teams/${teamId}/invitations`, { email: member.email, roles: [role] }), 201);
      const token = await waitForLinkToken(smtp, member.email);
      expectOk(await member.client.post(`/api/invitations/${token}/accept`));
      const seen = expectOk(await member.client.get(`/api/teams/${teamId}`)).json();
      expect(seen.team.id).toBe(teamId);
      members[role] = member;
    }
    expect(expectOk(await owner.client.get(`/api/teams/${teamId}`)).json().team.memberCount).toBe(4);
  });

  let orderId: string;
  let documentId: string;
  const document = SMALL_PDF + " ".repeat(600 * 1024); // three chunks in the database

  it("Billing buys; Validation proves the domains by DNS and uploads a document one server serves to the other", async () => {
    const base = `/api/teams/${teamId}`;
    const billing = members.billing.client;
    const profile = expectOk(await billing.post(`${base}/billing-profiles`, { name: "Two Ltd", country: "GB", cardBrand: "visa", cardLast4: "4242" }), 201);
    const placed = expectOk(
      await billing.post(`${base}/orders`, { productId: "dv-1y", domains, billingProfileId: profile.json().billingProfile.id }),
      201,
    );
    orderId = placed.json().order.id;
    expect(expectOk(await billing.get(`${base}/orders/${orderId}`)).json().order.id).toBe(orderId);

    const validator = members.validation.client;
    for (const domain of domains) {
      const chosen = expectOk(await validator.post(`${base}/orders/${orderId}/validation/${domain}`, { method: "dns" }));
      const step = chosen.json().order.validation.find((v: { domain: string }) => v.domain === domain);
      dns.set(step.instructions.recordName, "TXT", [step.instructions.recordValue]);
    }
    for (const domain of domains) expectOk(await validator.post(`${base}/orders/${orderId}/validation/${domain}/check`));
    const order = expectOk(await validator.get(`${base}/orders/${orderId}`)).json().order;
    expect(order.validation.every((v: { completed: boolean }) => v.completed)).toBe(true);

    const { body, headers } = multipartFile("articles.pdf", document);
    const uploadedOn = validator.next;
    const uploaded = expectOk(await validator.request("POST", `${base}/orders/${orderId}/documents`, body, headers), 201);
    documentId = uploaded.json().document.id;
    const downloadedOn = validator.next;
    const download = expectOk(await validator.get(`${base}/orders/${orderId}/documents/${documentId}`));
    expect(downloadedOn).not.toBe(uploadedOn);
    expect(download.headers.get("content-type")).toBe("application/pdf");
    expect(download.text).toBe(document);
    // The bytes are the database's, in no server's DATA_DIR.
    for (const server of servers) expect(fs.existsSync(path.join(server.dataDir, "documents", teamId))).toBe(false);
    const chunks = await t.db.kysely.selectFrom("documentChunks").select("position").where("documentId", "=", documentId).execute();
    expect(chunks).toHaveLength(3);
  });

  it("Installer submits a CSR on one server and downloads the certificate from the other; it verifies against the other server's root", async () => {
    const base = `/api/teams/${teamId}`;
    const installer = members.installer.client;
    const { csrPem } = makeCsr({ cn: domains[0], san: domains });
    const submittedOn = installer.next;
    expect(expectOk(await installer.post(`${base}/orders/${orderId}/csr`, { csr: csrPem })).json().order.status).toBe("issued");
    const download = expectOk(await installer.get(`${base}/orders/${orderId}/certificate`));
    const [leaf] = download.text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)!;

    // The chain as the server that did NOT issue it publishes it.
    const other = servers[submittedOn]!;
    const root = await (await fetch(`${other.baseUrl}/pki/root.pem`)).text();
    const intermediate = await (await fetch(`${other.baseUrl}/pki/issuing-ca.pem`)).text();
    const { dir, cleanup } = makeTmpDir();
    try {
      fs.writeFileSync(path.join(dir, "leaf.pem"), leaf!);
      fs.writeFileSync(path.join(dir, "root.pem"), root);
      fs.writeFileSync(path.join(dir, "intermediate.pem"), intermediate);
      expect(openssl(["verify", "-CAfile", "root.pem", "-untrusted", "intermediate.pem", "leaf.pem"], { cwd: dir })).toContain("leaf.pem: OK");
    } finally {
      cleanup();
    }
  });

  it("each hands out a CRL that openssl verifies against the other's issuing CA, numbered by one shared counter", async () => {
    const { dir, cleanup } = makeTmpDir();
    try {
      const numbers: number[] = [];
      for (const [index, server] of servers.entries()) {
        const other = servers[(index + 1) % servers.length]!;
        fs.writeFileSync(path.join(dir, "crl.der"), Buffer.from(await (await fetch(`${server.baseUrl}/pki/issuing-ca.crl`)).arrayBuffer()));
        fs.writeFileSync(path.join(dir, "issuing-ca.pem"), await (await fetch(`${other.baseUrl}/pki/issuing-ca.pem`)).text());
        // openssl crl reports its verdict on stderr and exits 0 either way.
        const checked = spawnSync("openssl", ["crl", "-inform", "DER", "-in", "crl.der", "-CAfile", "issuing-ca.pem", "-noout"], { cwd: dir, encoding: "utf8" });
        expect(checked.stderr.trim()).toBe("verify OK");
        numbers.push(Number(openssl(["crl", "-inform", "DER", "-in", "crl.der", "-noout", "-crlnumber"], { cwd: dir }).trim().replace(/^crlNumber=/, "")));
      }
      expect(numbers[1]).toBeGreaterThan(numbers[0]!); // no two servers sign two CRLs with one number
    } finally {
      cleanup();
    }
  });

  it("a member removed through one server is refused by the other on their very next request", async () => {
    const base = `/api/teams/${teamId}`;
    const installer = members.installer.client;
    // The installer has read on both servers (whatever each keeps of the membership is warm); one
    // more read if needed, so that their next request goes to the other server than the removal.
    if (installer.next === owner.client.next) expectOk(await installer.get(`${base}/orders/${orderId}`));
    expect(installer.next).not.toBe(owner.client.next);
    const removedOn = owner.client.next;
    expectOk(await owner.client.delete(`${base}/members/${members.installer.id}`), 204);
    const refused = await installer.get(`${base}/orders/${orderId}`);
    expect(installer.servedBy.at(-1)).not.toBe(removedOn);
    expect(refused.status).toBe(404);
    expect(refused.code).toBe("not_found");
    // And on the server that removed them, too.
    expect((await installer.get(`${base}/orders/${orderId}/certificate`)).status).toBe(404);
    expect(expectOk(await owner.client.get(base)).json().team.memberCount).toBe(3);
  });
});
