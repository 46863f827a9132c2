// CSR submission, issuance and download. The certificate is judged by openssl: its SANs are the
// order's domains, it verifies up to the demonstration root through the intermediate, and its key
// is the CSR's. Issuance happens on whichever of "last domain validated" and "CSR on file" comes
// last; a new CSR on an issued order reissues with a new serial, keeping the old certificate.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxLifetimeDays } from "../src/server/certs/lifetime.js";
import { DAY, MINUTE } from "../src/server/clock.js";
import type { Client, TestApp } from "./helpers/app.js";
import { createTestApp } from "./helpers/app.js";
import { makeCsr, makeTmpDir, openssl, tamperCsrSignature } from "./helpers/csr.js";
import { ENGINES } from "./helpers/engines.js";
import { buildTeamFixture, snapshot, uniqueDomain } from "./helpers/fixtures.js";
import type { TeamFixture } from "./helpers/fixtures.js";
import { publishDnsChallenge } from "./helpers/dcv.js";
import { auditActions, markRefunded, seedOrder } from "./helpers/orders.js";

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g;

describe.each(ENGINES)("certificates on %s", (engine) => {
  let h: TestApp;
  let F: TeamFixture;

  beforeAll(async () => {
    h = await createTestApp(engine);
    F = await buildTeamFixture(h, "Certificates");
  });
  afterAll(() => h?.close());

  const orderUrl = (orderId: string, teamId = F.teamId) => `/api/teams/${teamId}/orders/${orderId}`;
  const newOrder = (domains: string[], productId?: string) => seedOrder(h, F.teamId, F.owner.user.id, domains, productId);

  async function validateAll(orderId: string, domains: string[], client: Client = F.members.validation.client) {
    let last;
    for (const domain of domains) {
      const step = `${orderUrl(orderId)}/validation/${encodeURIComponent(domain)}`;
      const chosen = await client.post(step, { method: "dns" });
      expect(chosen.statusCode).toBe(200);
      publishDnsChallenge(h, domain, chosen.json().order);
      last = await client.post(`${step}/check`);
      expect(last.statusCode).toBe(200);
    }
    return last!.json().order;
  }

  async function submit(orderId: string, csr: string, client: Client = F.members.installer.client, teamId = F.teamId) {
    return client.post(`${orderUrl(orderId, teamId)}/csr`, { csr });
  }

  /** The downloaded bundle in files: leaf, intermediate, root. */
  function splitBundle(bundle: string, dir: string) {
    const blocks = bundle.match(PEM_CERT) ?? [];
    expect(blocks).toHaveLength(3);
    const [leaf, intermediate, root] = ["leaf.pem", "intermediate.pem", "root.pem"].map((name, i) => {
      fs.writeFileSync(path.join(dir, name), blocks[i]!);
      return name;
    });
    return { leaf: leaf!, intermediate: intermediate!, root: root! };
  }

  it("before issuance the certificate is 409 not_issued", async () => {
    const domain = uniqueDomain("early");
    const orderId = await newOrder([domain]);
    const response = await F.members.installer.client.get(`${orderUrl(orderId)}/certificate`);
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe("not_issued");

    await validateAll(orderId, [domain]); // validated, but no CSR yet
    expect((await F.members.installer.client.get(`${orderUrl(orderId)}/certificate`)).json().code).toBe("not_issued");
  });

  it("CSR first, then validation: the last completion issues a certificate openssl accepts", async () => {
    const apex = uniqueDomain("issue");
    const domains = [`www.${apex}`, apex, `*.${apex}`];
    const orderId = await newOrder(domains);
    const { csrPem, keyPem } = makeCsr({ cn: `www.${apex}`, san: domains });

    const submitted = await submit(orderId, csrPem);
    expect(submitted.statusCode).toBe(200);
    expect(submitted.json().order).toMatchObject({ status: "pending_validation", csrOnFile: true, certificate: null, issuedAt: null });

    const order = await validateAll(orderId, domains);
    expect(order.status).toBe("issued");
    expect(order.issuedAt).toBe(h.clock.now().toISOString());
    expect(order.certificate.serial).toMatch(/^[0-9a-f]{32}$/);
    // The BR maximum of the issuance date, counted inclusively (SPEC 17; certificate-rules.test.ts has the dates).
    expect(Date.parse(order.certificate.notAfter) - Date.parse(order.certificate.notBefore)).toBe(maxLifetimeDays(new Date(order.certificate.notBefore)) * DAY - 1000);

    const download = await F.members.installer.client.get(`${orderUrl(orderId)}/certificate`);
    expect(download.statusCode).toBe(200);
    expect(download.headers["content-type"]).toMatch(/^application\/x-pem-file/);
    expect(download.headers["content-disposition"]).toContain("attachment");

    const { dir, cleanup } = makeTmpDir();
    try {
      const files = splitBundle(download.body, dir);
      fs.writeFileSync(path.join(dir, "key.pem"), keyPem);
      const text = openssl(["x509", "-noout", "-text", "-in", files.leaf], { cwd: dir });
      for (const domain of domains) expect(text).toContain(`DNS:${domain}`);
      const serial = openssl(["x509", "-noout", "-serial", "-in", files.leaf], { cwd: dir }).trim().split("=")[1]!;
      expect(serial.toLowerCase()).toBe(order.certificate.serial);
      expect(openssl(["x509", "-noout", "-subject", "-in", files.root], { cwd: dir })).toContain("certdesk Demonstration Root CA");
      expect(openssl(["x509", "-noout", "-subject", "-in", files.intermediate], { cwd: dir })).toContain("certdesk Demonstration Issuing CA");
      expect(openssl(["verify", "-CAfile", files.root, "-untrusted", files.intermediate, files.leaf], { cwd: dir }).trim()).toBe(`${files.leaf}: OK`);
      const certKey = openssl(["x509", "-noout", "-pubkey", "-in", files.leaf], { cwd: dir });
      const csrKey = openssl(["pkey", "-in", "key.pem", "-pubout"], { cwd: dir });
      expect(certKey).toBe(csrKey);
    } finally {
      cleanup();
    }

    const audit = await auditActions(h, F.teamId, orderId);
    const submittedEntry = audit.find((e) => e.action === "csr.submitted")!;
    expect(submittedEntry.actorId).toBe(F.members.installer.user.id);
    const issued = audit.filter((e) => e.action === "certificate.issued");
    expect(issued).toHaveLength(1);
    expect(issued[0]!.actorId).toBe(F.members.validation.user.id); // whose completion issued it
    expect(issued[0]!.details.serialNumber).toBe(order.certificate.serial);
  });

  it("validation first, then the CSR issues at once; a 2-year product covers 2 years, its certificate the BR maximum", async () => {
    const domain = uniqueDomain("csr-last");
    const orderId = await newOrder([domain], "dv-2y");
    const validated = await validateAll(orderId, [domain]);
    expect(validated.status).toBe("pending_validation");

    const response = await submit(orderId, makeCsr({ san: [domain] }).csrPem);
    expect(response.statusCode).toBe(200);
    const { order } = response.json();
    expect(order.status).toBe("issued");
    expect(Date.parse(order.certificate.notAfter) - Date.parse(order.certificate.notBefore)).toBe(maxLifetimeDays(new Date(order.certificate.notBefore)) * DAY - 1000);
    expect(order.coverageEndsAt.slice(4)).toBe(order.certificate.notBefore.slice(4));
    expect(Number(order.coverageEndsAt.slice(0, 4)) - Number(order.certificate.notBefore.slice(0, 4))).toBe(2);
    expect((await auditActions(h, F.teamId, orderId)).map((e) => e.action).slice(-2)).toEqual(["csr.submitted", "certificate.issued"]);
  });

  it("a new CSR on an issued order reissues with a new serial and key; the old certificate stays on record", async () => {
    const domain = uniqueDomain("reissue");
    const orderId = await newOrder([domain]);
    await validateAll(orderId, [domain]);
    const first = (await submit(orderId, makeCsr({ san: [domain] }).csrPem)).json().order;
    h.clock.advance(5 * MINUTE); // within the session's idle timeout

    const second = makeCsr({ san: [domain], key: "rsa-2048" });
    const response = await submit(orderId, second.csrPem);
    expect(response.statusCode).toBe(200);
    const reissued = response.json().order;
    expect(reissued.status).toBe("issued");
    expect(reissued.issuedAt).toBe(first.issuedAt); // the order was fulfilled once
    expect(reissued.certificate.serial).not.toBe(first.certificate.serial);
    expect(Date.parse(reissued.certificate.notBefore)).toBe(Date.parse(first.certificate.notBefore) + 5 * MINUTE);

    const rows = await h.t.db.kysely.selectFrom("certificates").select("serialNumber").where("orderId", "=", orderId).execute();
    expect(rows.map((r) => r.serialNumber).sort()).toEqual([first.certificate.serial, reissued.certificate.serial].sort());

    const download = await F.members.installer.client.get(`${orderUrl(orderId)}/certificate`);
    const { dir, cleanup } = makeTmpDir();
    try {
      const files = splitBundle(download.body, dir);
      fs.writeFileSync(path.join(dir, "key.pem"), second.keyPem);
      expect(openssl(["x509", "-noout", "-pubkey", "-in", files.leaf], { cwd: dir })).toBe(openssl(["pkey", "-in", "key.pem", "-pubout"], { cwd: dir }));
      expect(openssl(["x509", "-noout", "-serial", "-in", files.leaf], { cwd: dir }).trim().toLowerCase()).toBe(`serial=${reissued.certificate.serial}`);
    } finally {
      cleanup();
    }
    const reissuedEntries = (await auditActions(h, F.teamId, orderId)).filter((e) => e.action === "certificate.reissued");
    expect(reissuedEntries).toHaveLength(1);
    expect(reissuedEntries[0]!.details.serialNumber).toBe(reissued.certificate.serial);
    expect(reissuedEntries[0]!.actorId).toBe(F.members.installer.user.id);
  });

  it("parallel checks of the last steps, and parallel CSRs, never issue twice for one readiness", async () => {
    const domains = [uniqueDomain("race-a"), uniqueDomain("race-b"), uniqueDomain("race-c")];
    const orderId = await newOrder(domains);
    expect((await submit(orderId, makeCsr({ san: domains }).csrPem)).statusCode).toBe(200);
    const client = F.members.validation.client;
    for (const domain of domains) publishDnsChallenge(h, domain, (await client.post(`${orderUrl(orderId)}/validation/${domain}`, { method: "dns" })).json().order);

    // Every step checked at once, each twice: one completion per domain, exactly one issuance.
    const responses = await Promise.all([...domains, ...domains].map((domain) => client.post(`${orderUrl(orderId)}/validation/${domain}/check`)));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(6).fill(200));
    const certificates = await h.t.db.kysely.selectFrom("certificates").select("serialNumber").where("orderId", "=", orderId).execute();
    expect(certificates).toHaveLength(1);
    const actions = (await auditActions(h, F.teamId, orderId)).map((e) => e.action);
    expect(actions.filter((a) => a === "validation.completed")).toHaveLength(3);
    expect(actions.filter((a) => a === "certificate.issued")).toHaveLength(1);

    // Two new CSRs at once on the issued order: two reissues, one after the other, each its own serial.
    const [one, two] = await Promise.all([submit(orderId, makeCsr({ san: domains }).csrPem), submit(orderId, makeCsr({ san: domains }).csrPem)]);
    expect([one!.statusCode, two!.statusCode]).toEqual([200, 200]);
    const after = await h.t.db.kysely.selectFrom("certificates").select("serialNumber").where("orderId", "=", orderId).execute();
    expect(new Set(after.map((c) => c.serialNumber)).size).toBe(3);
  });

  it("refuses CSRs whose names differ, garbage, and bad signatures with 400 invalid_csr, changing nothing", async () => {
    const [a, b] = [uniqueDomain("csr-a"), uniqueDomain("csr-b")];
    const orderId = await newOrder([a, b]);
    const before = await snapshot(h.t.db);
    const cases: [string, string][] = [
      ["a name missing", makeCsr({ san: [a] }).csrPem],
      ["a name extra", makeCsr({ san: [a, b, uniqueDomain("csr-extra")] }).csrPem],
      ["a CN outside the order", makeCsr({ cn: uniqueDomain("csr-cn"), san: [a, b] }).csrPem],
      ["garbage", "this is not a certificate request"],
      ["a broken PEM", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"],
      ["a bad signature", tamperCsrSignature(makeCsr({ san: [a, b] }).csrPem)],
      ["a weak key", makeCsr({ san: [a, b], key: "rsa-1024" }).csrPem],
    ];
    for (const [label, csr] of cases) {
      const response = await submit(orderId, csr);
      expect(response.statusCode, label).toBe(400);
      expect(response.json().code, label).toBe("invalid_csr");
      expect(response.json().detail, label).toBeTruthy();
    }
    const tooBig = await submit(orderId, "A".repeat(16 * 1024 + 1));
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json().code).toBe("invalid_request");
    const extraField = await F.members.installer.client.post(`${orderUrl(orderId)}/csr`, { csr: makeCsr({ san: [a, b] }).csrPem, status: "issued" });
    expect(extraField.statusCode).toBe(400);
    expect(await snapshot(h.t.db)).toEqual(before);

    // The same order takes the right CSR.
    expect((await submit(orderId, makeCsr({ san: [b.toUpperCase(), a] }).csrPem)).json().order.csrOnFile).toBe(true);
  });

  it("a refunded order takes no CSR (409 order_refunded) and hands out no certificate (409 not_issued)", async () => {
    const domain = uniqueDomain("refund");
    const orderId = await newOrder([domain]);
    await validateAll(orderId, [domain]);
    expect((await submit(orderId, makeCsr({ san: [domain] }).csrPem)).json().order.status).toBe("issued");
    await markRefunded(h, orderId);
    const before = await snapshot(h.t.db);

    const csr = await submit(orderId, makeCsr({ san: [domain] }).csrPem);
    expect(csr.statusCode).toBe(409);
    expect(csr.json().code).toBe("order_refunded");
    const download = await F.members.installer.client.get(`${orderUrl(orderId)}/certificate`);
    expect(download.statusCode).toBe(409);
    expect(download.json().code).toBe("not_issued");
    expect(await snapshot(h.t.db)).toEqual(before);
  });

  it("only certificates.manage holders submit and download; other teams' orders are 404", async () => {
    const domain = uniqueDomain("cert-perm");
    const orderId = await newOrder([domain]);
    await validateAll(orderId, [domain]);
    const csrPem = makeCsr({ san: [domain] }).csrPem;
    const before = await snapshot(h.t.db);

    for (const role of ["billing", "validation"] as const) {
      const refused = await submit(orderId, csrPem, F.members[role].client);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().detail).toContain("certificates.manage");
      expect((await F.members[role].client.get(`${orderUrl(orderId)}/certificate`)).statusCode).toBe(403);
    }
    expect((await submit(orderId, csrPem, F.outsider.client)).statusCode).toBe(404);
    expect((await h.client().get(`${orderUrl(orderId)}/certificate`)).statusCode).toBe(401);
    // The outsider owns their default team: this order is simply not there.
    const foreign = await submit(orderId, csrPem, F.outsider.client, F.outsider.defaultTeamId);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe("not_found");
    expect((await F.outsider.client.get(`${orderUrl(orderId, F.outsider.defaultTeamId)}/certificate`)).statusCode).toBe(404);
    expect(await snapshot(h.t.db)).toEqual(before);

    expect((await submit(orderId, csrPem, F.members.account_admin.client)).json().order.status).toBe("issued");
    expect((await F.owner.client.get(`${orderUrl(orderId)}/certificate`)).statusCode).toBe(200);
    const foreignDownload = await F.outsider.client.get(`${orderUrl(orderId, F.outsider.defaultTeamId)}/certificate`);
    expect(foreignDownload.statusCode).toBe(404);
  });
});
