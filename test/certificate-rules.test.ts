// Certificates that follow today's rules (SPEC 17–18, issue 11), judged as a relying party would:
// lifetimes at injected dates on both sides of each SC-081 step and capped by the coverage; the
// profile (policy OID, CRL DP, AIA, OV subject) read back with `openssl x509 -text`; revocation and
// its 409s; the CRL fetched over HTTP and checked with `openssl crl`; `openssl ocsp` against a
// listening server (good, revoked with reason, unknown); `openssl verify -crl_check` failing.
import { execFile } from "node:child_process";
import fs from "node:fs";
import { promisify } from "node:util";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certificateNotAfter, coverageEnd, maxLifetimeDays } from "../src/server/certs/lifetime.js";
import { DAY } from "../src/server/clock.js";
import { crlReport } from "../src/server/queries/revocations.js";
import { ocspGetPath } from "../bench/ocsp-request.js";
import type { Client, TestApp } from "./helpers/app.js";
import { PASSWORD, createTestApp } from "./helpers/app.js";
import { makeCsr, makeTmpDir, openssl } from "./helpers/csr.js";
import { ENGINES } from "./helpers/engines.js";
import { SMALL_PDF, addBillingProfile, multipartFile, uniqueDomain } from "./helpers/fixtures.js";

const SECOND = 1000;
const execFileAsync = promisify(execFile);
const at = (iso: string) => new Date(iso);

describe("lifetime by issuance date (SPEC 17)", () => {
  const farCoverage = at("2040-01-01T00:00:00Z");
  const life = (iso: string) => certificateNotAfter(at(iso), farCoverage)!.getTime() - at(iso).getTime();

  it("follows each SC-081 step, counted inclusively (the maximum less one second)", () => {
    expect(life("2026-03-14T23:59:59Z")).toBe(398 * DAY - SECOND);
    expect(life("2026-03-15T00:00:00Z")).toBe(200 * DAY - SECOND);
    expect(life("2027-03-14T23:59:59Z")).toBe(200 * DAY - SECOND);
    expect(life("2027-03-15T00:00:00Z")).toBe(100 * DAY - SECOND);
    expect(life("2029-03-14T23:59:59Z")).toBe(100 * DAY - SECOND);
    expect(life("2029-03-15T00:00:00Z")).toBe(47 * DAY - SECOND);
    expect(maxLifetimeDays(at("2031-01-01T00:00:00Z"))).toBe(47);
  });

  it("never passes the coverage, and issues nothing once it has ended", () => {
    const first = at("2026-06-01T00:00:00Z");
    const coverage = coverageEnd(first, 1);
    expect(coverage.toISOString()).toBe("2027-06-01T00:00:00.000Z");
    const late = at("2027-05-01T00:00:00Z"); // 100-day rule, 31 days of coverage left
    expect(certificateNotAfter(late, coverage)!.toISOString()).toBe("2027-06-01T00:00:00.000Z");
    expect(certificateNotAfter(coverage, coverage)).toBeUndefined();
  });
});

describe.each(ENGINES)("revocation, CRL and OCSP on %s", (engine) => {
  let h: TestApp;
  let owner: Client;
  let ownerEmail: string;
  /** After the clock jumps years ahead the session has ended: sign in again. */
  const signInAgain = async () => {
    owner = h.client();
    expect((await owner.post("/api/auth/login", { email: ownerEmail, password: PASSWORD })).statusCode).toBe(200);
  };
  let teamId: string;
  let billingProfileId: string;
  let tmp: { dir: string; cleanup: () => void };
  let port: number;

  beforeAll(async () => {
    h = await createTestApp(engine);
    const signedIn = await h.signUp("PKI Owner");
    owner = signedIn.client;
    ownerEmail = signedIn.user.email;
    teamId = signedIn.defaultTeamId;
    billingProfileId = await addBillingProfile(owner, teamId);
    tmp = makeTmpDir("certdesk-pki-");
    await h.app.listen({ port: 0, host: "127.0.0.1" });
    port = (h.app.server.address() as { port: number }).port;
    const ca = await h.app.inject({ url: "/pki/root.pem" });
    expect(ca.statusCode).toBe(200);
    fs.writeFileSync(path.join(tmp.dir, "root.pem"), ca.body);
    const issuing = await h.app.inject({ url: "/pki/issuing-ca.der" });
    expect(issuing.headers["content-type"]).toBe("application/pkix-cert");
    fs.writeFileSync(path.join(tmp.dir, "issuing.der"), issuing.rawPayload);
    openssl(["x509", "-inform", "DER", "-in", "issuing.der", "-out", "issuing.pem"], { cwd: tmp.dir });
  });
  afterAll(async () => {
    await h?.close();
    tmp?.cleanup();
  });

  const orderUrl = (orderId: string) => `/api/teams/${teamId}/orders/${orderId}`;

  /** An issued order: placed (charged), every domain marked validated, then a CSR. */
  async function issued(productId = "dv-1y", domain = uniqueDomain("pki")): Promise<{ orderId: string; order: any; leaf: string }> {
    const placed = await owner.post(`/api/teams/${teamId}/orders`, { productId, domains: [domain], billingProfileId });
    expect(placed.statusCode).toBe(201);
    const orderId = placed.json().order.id as string;
    await h.t.db.kysely.updateTable("orderDomains").set({ method: "dns", completedAt: h.clock.now().toISOString() }).where("orderId", "=", orderId).execute();
    const response = await owner.post(`${orderUrl(orderId)}/csr`, { csr: makeCsr({ san: [domain] }).csrPem });
    expect(response.statusCode, response.body).toBe(200);
    const order = response.json().order;
    const bundle = (await owner.get(`${orderUrl(orderId)}/certificate`)).body;
    const leaf = `leaf-${order.certificate.serial}.pem`;
    fs.writeFileSync(path.join(tmp.dir, leaf), bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/)![0]);
    return { orderId, order, leaf };
  }

  /** openssl ocsp over HTTP to the listening server; asynchronous, so the server can answer. */
  async function ocsp(leaf: string): Promise<string> {
    const { stdout } = await execFileAsync(
      "openssl",
      ["ocsp", "-issuer", "issuing.pem", "-cert", leaf, "-url", `http://127.0.0.1:${port}/pki/ocsp`, "-CAfile", "root.pem"],
      { cwd: tmp.dir, timeout: 20_000 },
    );
    return stdout;
  }

  async function fetchCrl(): Promise<string> {
    const response = await h.app.inject({ url: "/pki/issuing-ca.crl" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/pkix-crl");
    expect(response.headers["cache-control"]).toMatch(/^public, max-age=\d+$/);
    const file = `crl-${Date.now()}-${Math.random().toString(36).slice(2)}.der`;
    fs.writeFileSync(path.join(tmp.dir, file), response.rawPayload);
    return file;
  }

  it("the order answer has the certificate {serial, notBefore, notAfter, revokedAt, revocationReason} and coverageEndsAt", async () => {
    const { order } = await issued();
    expect(order.certificate).toEqual({ serial: expect.stringMatching(/^[0-9a-f]{32}$/), notBefore: expect.any(String), notAfter: expect.any(String), revokedAt: null, revocationReason: null });
    expect(Date.parse(order.certificate.notAfter) - Date.parse(order.certificate.notBefore)).toBe(maxLifetimeDays(new Date(order.certificate.notBefore)) * DAY - SECOND);
    expect(Date.parse(order.coverageEndsAt)).toBe(coverageEnd(new Date(order.certificate.notBefore), 1).getTime());
  });

  it("every certificate carries its type's policy OID, CRL DP and AIA; OV names the organization", async () => {
    const dv = await issued("dv-1y");
    const dvText = openssl(["x509", "-noout", "-text", "-in", dv.leaf], { cwd: tmp.dir });
    expect(dvText).toContain("Policy: 2.23.140.1.2.1");
    expect(dvText).toContain("URI:http://certdesk.test/pki/issuing-ca.crl");
    expect(dvText).toContain("OCSP - URI:http://certdesk.test/pki/ocsp");
    expect(dvText).toContain("CA Issuers - URI:http://certdesk.test/pki/issuing-ca.der");

    const domain = uniqueDomain("ov");
    const placed = (await owner.post(`/api/teams/${teamId}/orders`, { productId: "ov-1y", domains: [domain], billingProfileId })).json().order;
    await h.t.db.kysely.updateTable("orderDomains").set({ method: "dns", completedAt: h.clock.now().toISOString() }).where("orderId", "=", placed.id).execute();
    const refused = await owner.post(`${orderUrl(placed.id)}/csr`, { csr: makeCsr({ san: [domain] }).csrPem });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().detail).toMatch(/organization profile/);
    expect((await owner.get(`/api/teams/${teamId}/organization`)).json()).toEqual({ organization: null });
    expect((await owner.put(`/api/teams/${teamId}/organization`, { legalName: "X", locality: "Berlin", country: "Germany" })).statusCode).toBe(400);
    expect((await owner.put(`/api/teams/${teamId}/organization`, { legalName: "Bad\u202eName", locality: "Berlin", country: "DE" })).statusCode).toBe(400);
    const put = await owner.put(`/api/teams/${teamId}/organization`, { legalName: "Example Widgets GmbH", locality: "Berlin", country: "DE" });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().organization).toMatchObject({ legalName: "Example Widgets GmbH", locality: "Berlin", country: "DE" });
    const noDocument = await owner.post(`${orderUrl(placed.id)}/csr`, { csr: makeCsr({ san: [domain] }).csrPem });
    expect(noDocument.statusCode).toBe(422);
    expect(noDocument.json().detail).toMatch(/document/);
    const { body, headers } = multipartFile("articles.pdf", SMALL_PDF);
    const upload = await owner.request("POST", `${orderUrl(placed.id)}/documents`, body, headers);
    expect(upload.statusCode, upload.body).toBe(201);
    const ov = await owner.post(`${orderUrl(placed.id)}/csr`, { csr: makeCsr({ san: [domain] }).csrPem });
    expect(ov.statusCode, ov.body).toBe(200);
    const bundle = (await owner.get(`${orderUrl(placed.id)}/certificate`)).body;
    const ovText = openssl(["x509", "-noout", "-text"], { input: bundle });
    expect(ovText).toContain("Policy: 2.23.140.1.2.2");
    expect(ovText).toMatch(/Subject: C\s*=\s*DE, L\s*=\s*Berlin, O\s*=\s*Example Widgets GmbH, CN\s*=\s*/);
  });

  it("revokes with a reason: 200 {order} revoked, then 409 already_revoked; 409 not_issued before issuance; bad reason 400", async () => {
    const { orderId } = await issued();
    expect((await owner.post(`${orderUrl(orderId)}/revoke`, { reason: "certificateHold" })).statusCode).toBe(400);
    const revoked = await owner.post(`${orderUrl(orderId)}/revoke`, { reason: "keyCompromise" });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().order).toMatchObject({ status: "revoked", certificate: { revocationReason: "keyCompromise", revokedAt: expect.any(String) } });
    const listed = async (status: string) =>
      (await owner.get(`/api/teams/${teamId}/orders?status=${status}&limit=100`)).json().items.map((o: any) => o.id);
    expect(await listed("revoked")).toContain(orderId);
    expect(await listed("issued")).not.toContain(orderId);
    const again = await owner.post(`${orderUrl(orderId)}/revoke`, { reason: "unspecified" });
    expect([again.statusCode, again.json().code]).toEqual([409, "already_revoked"]);

    const pending = (await owner.post(`/api/teams/${teamId}/orders`, { productId: "dv-1y", domains: [uniqueDomain("pending")], billingProfileId })).json().order;
    const notIssued = await owner.post(`${orderUrl(pending.id)}/revoke`, { reason: "unspecified" });
    expect([notIssued.statusCode, notIssued.json().code]).toEqual([409, "not_issued"]);

    const audit = (await owner.get(`/api/teams/${teamId}/audit?limit=100`)).json().items;
    expect(audit.find((e: any) => e.action === "certificate.revoked" && e.target === orderId)).toMatchObject({ details: { reason: "keyCompromise" }, actor: { type: "user" } });
  });

  it("the CRL lists revoked serials with their reasons, numbered, signed, nextUpdate within 7 days", async () => {
    const { orderId, order } = await issued();
    await owner.post(`${orderUrl(orderId)}/revoke`, { reason: "affiliationChanged" });
    const first = await fetchCrl();
    const text = openssl(["crl", "-inform", "DER", "-in", first, "-CAfile", "issuing.pem", "-noout", "-text"], { cwd: tmp.dir });
    // openssl prints "verify OK" on stderr: -verify fails loudly (non-zero exit) on a bad signature.
    expect(text).toContain(`Serial Number: ${order.certificate.serial.toUpperCase()}`);
    expect(text).toMatch(new RegExp(`${order.certificate.serial.toUpperCase()}[\\s\\S]*?Affiliation Changed`));
    const number = Number(/X509v3 CRL Number:\s*\n\s*(\d+)/.exec(text)![1]);
    const last = Date.parse(/Last Update: (.+)/.exec(text)![1]!);
    const next = Date.parse(/Next Update: (.+)/.exec(text)![1]!);
    expect(next - last).toBeLessThanOrEqual(7 * DAY);
    expect(next).toBeGreaterThan(last);

    const other = await issued();
    await owner.post(`${orderUrl(other.orderId)}/revoke`, { reason: "unspecified" });
    const second = openssl(["crl", "-inform", "DER", "-in", await fetchCrl(), "-noout", "-text"], { cwd: tmp.dir });
    const secondNumber = Number(/X509v3 CRL Number:\s*\n\s*(\d+)/.exec(second)![1]);
    expect(secondNumber).toBeGreaterThan(number);

    // `certdesk ca crl` reports the same number and entries.
    const report = (await crlReport(h.t.db, h.clock.now())).join("\n");
    expect(report).toContain(`CRL number ${secondNumber} `);
    expect(report).toMatch(new RegExp(`${order.certificate.serial} .* affiliationChanged`));
    expect(report).toMatch(new RegExp(`${other.order.certificate.serial} .* unspecified`));
  });

  it("openssl ocsp: good, then revoked with the time and reason; unknown for a serial certdesk never issued", async () => {
    const { orderId, leaf } = await issued();
    const good = await ocsp(leaf);
    expect(good).toMatch(/: good/);
    await owner.post(`${orderUrl(orderId)}/revoke`, { reason: "keyCompromise" });
    const revoked = await ocsp(leaf);
    expect(revoked).toMatch(/: revoked/);
    expect(revoked).toMatch(/Reason: keyCompromise/);
    expect(revoked).toMatch(/Revocation Time:/);

    // A certificate of the same issuer that certdesk has no record of.
    const stray = await issued();
    await h.t.db.kysely.updateTable("certificates").set({ serialNumber: "7f".repeat(16) }).where("serialNumber", "=", stray.order.certificate.serial).execute();
    expect(await ocsp(stray.leaf)).toMatch(/: unknown/);

    // GET with the base64 request (RFC 6960 A.1) answers the same.
    openssl(["ocsp", "-issuer", "issuing.pem", "-cert", leaf, "-no_nonce", "-reqout", "req.der"], { cwd: tmp.dir });
    const encoded = encodeURIComponent(fs.readFileSync(path.join(tmp.dir, "req.der")).toString("base64"));
    const viaGet = await h.app.inject({ url: `/pki/ocsp/${encoded}` });
    expect(viaGet.headers["content-type"]).toBe("application/ocsp-response");
    fs.writeFileSync(path.join(tmp.dir, "resp.der"), viaGet.rawPayload);
    const read = openssl(["ocsp", "-respin", "resp.der", "-issuer", "issuing.pem", "-cert", leaf, "-CAfile", "root.pem", "-no_nonce"], { cwd: tmp.dir });
    expect(read).toMatch(/: revoked/);
    const garbage = await h.app.inject({ method: "POST", url: "/pki/ocsp", headers: { "content-type": "application/ocsp-request" }, payload: Buffer.from("not der") });
    expect(garbage.statusCode).toBe(200);
    expect(garbage.headers["content-type"]).toBe("application/ocsp-response");
  });

  it("the bench's OCSP request (bench/ocsp-request.ts) is answered good for a known serial", async () => {
    const { order, leaf } = await issued();
    const path_ = ocspGetPath(new Uint8Array(fs.readFileSync(path.join(tmp.dir, "issuing.der"))).buffer, order.certificate.serial);
    const response = await h.app.inject({ url: path_ });
    expect(response.statusCode).toBe(200);
    fs.writeFileSync(path.join(tmp.dir, "bench-resp.der"), response.rawPayload);
    const read = openssl(["ocsp", "-respin", "bench-resp.der", "-issuer", "issuing.pem", "-cert", leaf, "-CAfile", "root.pem", "-no_nonce"], { cwd: tmp.dir });
    expect(read).toMatch(/: good/);
  });

  it("openssl verify -crl_check fails for a revoked certificate and passes before", async () => {
    const { orderId, leaf } = await issued();
    const verify = (crl: string) => {
      openssl(["crl", "-inform", "DER", "-in", crl, "-out", "crl.pem"], { cwd: tmp.dir });
      return () => openssl(["verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "-CRLfile", "crl.pem", leaf], { cwd: tmp.dir });
    };
    expect(verify(await fetchCrl())()).toContain("OK");
    await owner.post(`${orderUrl(orderId)}/revoke`, { reason: "keyCompromise" });
    expect(verify(await fetchCrl())).toThrow(/revoked/);
  });

  it("a reissue revokes the replaced certificate as superseded; a refund revokes as cessationOfOperation", async () => {
    const { orderId, order } = await issued();
    const domain = order.domains[0];
    const reissued = (await owner.post(`${orderUrl(orderId)}/csr`, { csr: makeCsr({ san: [domain] }).csrPem })).json().order;
    const rows = await h.t.db.kysely.selectFrom("certificates").select(["serialNumber", "revocationReason"]).where("orderId", "=", orderId).execute();
    expect(rows.find((r) => r.serialNumber === order.certificate.serial)?.revocationReason).toBe("superseded");
    expect(rows.find((r) => r.serialNumber === reissued.certificate.serial)?.revocationReason).toBeNull();

    expect((await owner.post(`${orderUrl(orderId)}/refund`)).statusCode).toBe(200);
    const after = await h.t.db.kysely.selectFrom("certificates").select(["serialNumber", "revocationReason"]).where("serialNumber", "=", reissued.certificate.serial).executeTakeFirstOrThrow();
    expect(after.revocationReason).toBe("cessationOfOperation");
  });

  // Last: moving the clock years ahead ends the session.
  it("issues at an injected date with that date's maximum, and a reissue near the coverage's end stops at it", async () => {
    h.clock.set(at("2029-03-15T12:00:00Z"));
    try {
      await signInAgain();
      const { orderId, order } = await issued("dv-1y");
      expect(Date.parse(order.certificate.notAfter) - Date.parse(order.certificate.notBefore)).toBe(47 * DAY - SECOND);
      h.clock.set(at("2030-03-01T12:00:00Z")); // 14 days of coverage left
      await signInAgain();
      const domain = order.domains[0];
      const reissued = (await owner.post(`${orderUrl(orderId)}/csr`, { csr: makeCsr({ san: [domain] }).csrPem })).json().order;
      expect(reissued.certificate.notAfter).toBe(order.coverageEndsAt);
      expect(reissued.coverageEndsAt).toBe(order.coverageEndsAt);
      h.clock.set(at("2030-03-15T12:00:00Z"));
      await signInAgain();
      const ended = await owner.post(`${orderUrl(orderId)}/csr`, { csr: makeCsr({ san: [domain] }).csrPem });
      expect(ended.statusCode).toBe(409);
    } finally {
      h.clock.set(new Date());
    }
  });
});
