// The certificate account as four people share it: Billing buys, Validation proves the domains,
// Installer submits the CSR and downloads the certificate, Billing refunds another order.
// Each does only their own job; the certificate is checked with openssl. Validation is real:
// certdesk reads the TXT record from the test's DNS server and fetches the file from a web server
// on loopback.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";
import { makeCsr, makeTmpDir, openssl } from "./helpers/csr.js";
import { publishDnsChallenge } from "./helpers/dcv.js";
import { ENGINES } from "./helpers/engines.js";
import { buildTeamFixture, multipartFile, SMALL_PDF } from "./helpers/fixtures.js";
import type { TeamFixture } from "./helpers/fixtures.js";

describe.each(ENGINES)("four members run the certificate account on %s", (engine) => {
  let h: TestApp;
  let f: TeamFixture;
  let base: string;
  const domains = [`shop-${engine}.example.com`, `www.shop-${engine}.example.com`];

  /** The customer's web server: the http method's file, once Validation has put it there. */
  let site: http.Server;
  let served: { path: string; content: string } | undefined;

  beforeAll(async () => {
    site = http.createServer((req, res) => (served && req.url === served.path ? res.end(served.content) : res.writeHead(404).end()));
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    h = await createTestApp(engine, { DCV_HTTP_PORT: String((site.address() as AddressInfo).port) });
    f = await buildTeamFixture(h, "Flow");
    base = `/api/teams/${f.teamId}`;
  });
  afterAll(async () => {
    await h.close();
    await new Promise((resolve) => site.close(resolve));
  });

  let profileId: string;
  let orderId: string;

  it("Billing adds a billing profile and buys an OV certificate; nobody else can", async () => {
    const billing = f.members.billing.client;
    const profile = await billing.post(`${base}/billing-profiles`, { name: "Flow Ltd", country: "GB", cardBrand: "mastercard", cardLast4: "5100" });
    expect(profile.statusCode).toBe(201);
    profileId = profile.json().billingProfile.id;

    const body = { productId: "ov-1y", domains, billingProfileId: profileId };
    for (const role of ["validation", "installer"] as const) {
      const refused = await f.members[role].client.post(`${base}/orders`, body);
      expect(refused.json()).toMatchObject({ status: 403, code: "forbidden" });
      expect(refused.json().detail).toContain("orders.create");
    }
    const placed = await billing.post(`${base}/orders`, body);
    expect(placed.statusCode).toBe(201);
    orderId = placed.json().order.id;
    const ledger = (await billing.get(`${base}/transactions`)).json().items;
    expect(ledger[0]).toMatchObject({ kind: "charge", amountMinor: 14900, orderId, actor: { id: f.members.billing.user.id } });
    expect((await f.members.installer.client.get(`${base}/transactions`)).statusCode).toBe(403);
  });

  it("Validation chooses methods, uploads a document, publishes the challenges and has certdesk check every domain", async () => {
    const validator = f.members.validation.client;
    expect((await f.members.billing.client.post(`${base}/orders/${orderId}/validation/${domains[0]}`, { method: "dns" })).statusCode).toBe(403);

    const dns = await validator.post(`${base}/orders/${orderId}/validation/${domains[0]}`, { method: "dns" });
    expect(dns.statusCode).toBe(200);
    const step = dns.json().order.validation[0];
    expect(step.instructions).toMatchObject({ method: "dns", recordType: "TXT", recordName: `_certdesk-challenge.${domains[0]}` });
    expect(step.instructions.recordValue).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const http = await validator.post(`${base}/orders/${orderId}/validation/${domains[1]}`, { method: "http" });
    expect(http.json().order.validation[1].instructions.url).toMatch(new RegExp(`^http://${domains[1]}/\\.well-known/pki-validation/`));

    const { body, headers } = multipartFile("articles.pdf", SMALL_PDF);
    const uploaded = await validator.request("POST", `${base}/orders/${orderId}/documents`, body, headers);
    expect(uploaded.statusCode).toBe(201);
    expect(uploaded.json().document).toMatchObject({ mediaType: "application/pdf", filename: "articles.pdf" });
    expect((await f.members.installer.client.get(`${base}/orders/${orderId}/documents`)).statusCode).toBe(403);

    // The challenge values are validation work: a Billing or Installer member sees progress, not them.
    for (const role of ["billing", "installer"] as const) {
      const seen = (await f.members[role].client.get(`${base}/orders/${orderId}`)).json().order;
      expect(seen.validation[0]).toMatchObject({ method: "dns", completed: false, instructions: null });
      const listed = (await f.members[role].client.get(`${base}/orders`)).json().items[0];
      expect(listed.validation[0].instructions).toBeNull();
    }
    expect((await validator.get(`${base}/orders/${orderId}`)).json().order.validation[0].instructions.method).toBe("dns");

    // An OV certificate names the organization (SPEC 17): Validation keeps its profile.
    const organization = await validator.put(`${base}/organization`, { legalName: "Flow Ltd", locality: "London", country: "GB" });
    expect(organization.statusCode, organization.body).toBe(200);

    // Before the record and the file are in place, certdesk finds nothing.
    expect((await validator.post(`${base}/orders/${orderId}/validation/${domains[0]}/check`)).json().code).toBe("validation_failed");
    publishDnsChallenge(h, domains[0]!, dns.json().order);
    h.dns.set(domains[1]!, "A", ["127.0.0.1"]);
    const file = http.json().order.validation[1].instructions;
    served = { path: new URL(file.url).pathname, content: file.content };
    for (const domain of domains) {
      const done = await validator.post(`${base}/orders/${orderId}/validation/${domain}/check`);
      expect(done.statusCode, done.body).toBe(200);
    }
    const order = (await validator.get(`${base}/orders/${orderId}`)).json().order;
    expect(order.validation.every((v: { completed: boolean }) => v.completed)).toBe(true);
    expect(order.status).toBe("pending_validation"); // no CSR on file yet
  });

  it("Installer submits a CSR; the certificate is issued at once and verifies with openssl", async () => {
    const installer = f.members.installer.client;
    const { csrPem, keyPem } = makeCsr({ cn: domains[0], san: domains });
    expect((await f.members.validation.client.post(`${base}/orders/${orderId}/csr`, { csr: csrPem })).statusCode).toBe(403);
    expect((await installer.get(`${base}/orders/${orderId}/certificate`)).statusCode).toBe(409);

    const submitted = await installer.post(`${base}/orders/${orderId}/csr`, { csr: csrPem });
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json().order).toMatchObject({ status: "issued", csrOnFile: true });

    const download = await installer.get(`${base}/orders/${orderId}/certificate`);
    expect(download.statusCode).toBe(200);
    expect(download.headers["content-type"]).toContain("application/x-pem-file");
    const pems = download.body.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)!;
    expect(pems).toHaveLength(3);

    const { dir, cleanup } = makeTmpDir();
    try {
      const [leaf, intermediate, root] = pems as [string, string, string];
      fs.writeFileSync(path.join(dir, "leaf.pem"), leaf);
      fs.writeFileSync(path.join(dir, "intermediate.pem"), intermediate);
      fs.writeFileSync(path.join(dir, "root.pem"), root);
      fs.writeFileSync(path.join(dir, "key.pem"), keyPem);
      const text = openssl(["x509", "-noout", "-text", "-in", "leaf.pem"], { cwd: dir });
      for (const domain of domains) expect(text).toContain(`DNS:${domain}`);
      expect(text).toContain("TLS Web Server Authentication");
      expect(openssl(["verify", "-CAfile", "root.pem", "-untrusted", "intermediate.pem", "leaf.pem"], { cwd: dir })).toContain("leaf.pem: OK");
      const certKey = openssl(["x509", "-noout", "-pubkey", "-in", "leaf.pem"], { cwd: dir });
      const ownKey = openssl(["pkey", "-pubout", "-in", "key.pem"], { cwd: dir });
      expect(certKey).toBe(ownKey);
    } finally {
      cleanup();
    }
  });

  it("Billing refunds another order; the ledger and the audit log name each actor", async () => {
    const billing = f.members.billing.client;
    const second = (await billing.post(`${base}/orders`, { productId: "dv-1y", domains: [`refund-${engine}.example.com`], billingProfileId: profileId })).json().order;
    expect((await f.members.validation.client.post(`${base}/orders/${second.id}/refund`)).statusCode).toBe(403);
    const refunded = await billing.post(`${base}/orders/${second.id}/refund`);
    expect(refunded.json().order.status).toBe("refunded");

    const audit = (await f.owner.client.get(`${base}/audit?limit=100`)).json().items as { action: string; actor: { id: string } | null }[];
    const by = (action: string) => audit.filter((e) => e.action === action).map((e) => e.actor?.id);
    expect(by("order.placed")).toEqual([f.members.billing.user.id, f.members.billing.user.id]);
    expect(by("order.refunded")).toEqual([f.members.billing.user.id]);
    expect(by("validation.completed")).toEqual([f.members.validation.user.id, f.members.validation.user.id]);
    expect(by("document.uploaded")).toEqual([f.members.validation.user.id]);
    expect(by("csr.submitted")).toEqual([f.members.installer.user.id]);
    expect(by("certificate.issued")).toEqual([f.members.installer.user.id]);
    expect(by("billing_profile.created")).toEqual([f.members.billing.user.id]);
  });
});
