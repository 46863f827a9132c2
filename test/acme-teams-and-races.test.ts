// ACME's team boundary and its races (SPEC 13, 20; quality bar): an account bound with team A's
// credential never sees, finalizes or revokes team B's orders; a nonce given by one server is good on
// another; finalize and challenge answers sent at once charge, issue and look once, with no 5xx;
// limits answer rateLimited with Retry-After.
import acme from "acme-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backgroundIdle } from "../src/server/background.js";
import { createTestApp } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { freePort, startAcmeTestServer } from "./helpers/acme-server.js";
import type { AcmeTestServer } from "./helpers/acme-server.js";
import { createAcmeCredential } from "./helpers/acme-credentials.js";
import { addBillingProfile, uniqueDomain } from "./helpers/fixtures.js";

const quick = { backoffMin: 10, backoffMax: 200, backoffAttempts: 30 } as const;

async function accountFor(s: AcmeTestServer, credential = s.credential): Promise<acme.Client> {
  const client = new acme.Client({
    directoryUrl: s.directoryUrl,
    accountKey: await acme.crypto.createPrivateEcdsaKey(),
    externalAccountBinding: { kid: credential.keyId, hmacKey: credential.hmacKey },
    ...quick,
  });
  await client.createAccount({ termsOfServiceAgreed: true });
  return client;
}

/** An order whose names are validated by dns-01: ready to finalize. */
async function readyOrder(s: AcmeTestServer, client: acme.Client, domain = uniqueDomain("race")) {
  const order = await client.createOrder({ identifiers: [{ type: "dns", value: domain }] });
  for (const authz of await client.getAuthorizations(order)) {
    const challenge = authz.challenges.find((c) => c.type === "dns-01")!;
    s.h.dns.set(`_acme-challenge.${domain}`, "TXT", [await client.getChallengeKeyAuthorization(challenge)]);
    await client.completeChallenge(challenge);
    await backgroundIdle(s.h.app);
    await client.waitForValidStatus(challenge);
  }
  return { order: await client.getOrder(order), domain };
}

describe.each(ENGINES)("ACME across teams and at once (%s)", (engine) => {
  let s: AcmeTestServer;

  beforeAll(async () => {
    s = await startAcmeTestServer(engine);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("an account of team A never reaches team B's orders, authorizations, certificates or revocations", async () => {
    const b = await s.h.signUp("Team B owner");
    const bProfile = await addBillingProfile(b.client, b.defaultTeamId);
    const bCredential = await createAcmeCredential(b.client, b.defaultTeamId, bProfile, "B's");
    const inB = await accountFor(s, bCredential);
    const inA = await accountFor(s);
    const { order } = await readyOrder(s, inB);
    const [, csr] = await acme.crypto.createCsr({ altNames: order.identifiers.map((i) => i.value) });
    const issued = await inB.finalizeOrder(order, csr);
    const pem = await inB.getCertificate(issued);

    // A's account asks for each of B's resources by URL: as absent as what never existed.
    await expect(inA.getOrder(order)).rejects.toThrow(/No such order/);
    await expect(inA.getAuthorizations(order)).rejects.toThrow(/No such authorization/);
    await expect(inA.finalizeOrder(order, csr)).rejects.toThrow(/No such order/);
    await expect(inA.getCertificate(issued)).rejects.toThrow(/No such order/);
    await expect(inA.revokeCertificate(pem)).rejects.toThrow(/may not revoke/);
    // What A orders lands in A's team, and only there.
    const mine = await inA.createOrder({ identifiers: [{ type: "dns", value: uniqueDomain("mine") }] });
    const orderId = mine.url.split("/").pop()!;
    const row = await s.h.t.db.kysely.selectFrom("orders").select(["teamId", "source"]).where("id", "=", orderId).executeTakeFirstOrThrow();
    expect(row).toEqual({ teamId: s.teamId, source: "acme" });
    expect((await b.client.get(`/api/teams/${b.defaultTeamId}/orders/${orderId}`)).statusCode).toBe(404);
  });

  it("the schema keeps an account in its credential's team: a row naming another team is refused", async () => {
    const other = await s.h.signUp("Another team owner");
    const row = {
      id: `stray-${engine}`,
      credentialId: s.credential.id,
      teamId: other.defaultTeamId,
      thumbprint: `stray-thumb-${engine}`,
      jwk: "{}",
      status: "valid",
      createdAt: s.h.clock.now().toISOString(),
      lastUsedAt: null,
    };
    await expect(s.h.t.db.kysely.insertInto("acmeAccounts").values(row).execute()).rejects.toThrow(/foreign key|FOREIGN KEY/i);
    await s.h.t.db.kysely.insertInto("acmeAccounts").values({ ...row, teamId: s.teamId }).execute();
    await s.h.t.db.kysely.deleteFrom("acmeAccounts").where("id", "=", row.id).execute();
  });

  it("an ACME credential's key id and HMAC key open no /api route, on every non-public /api route (401)", async () => {
    const { registeredApiRoutes } = await import("./helpers/fixtures.js");
    // Public routes (sign-up, the OpenAPI document…) ignore credentials; every other route is refused.
    const routes = registeredApiRoutes(s.h).filter((route) => route.access !== "public");
    expect(routes.length).toBeGreaterThan(40);
    for (const secret of [s.credential.hmacKey, s.credential.keyId]) {
      for (const route of routes) {
        const url = route.url.replace(":teamId", s.teamId).replace(/:[A-Za-z]+/g, "x");
        const response = await s.h.app.inject({ method: route.method as "GET", url, headers: { authorization: `Bearer ${secret}` } });
        expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
      }
    }
  });

  it("accounts registering while their credential is revoked end deactivated or refused, never valid", async () => {
    const credential = await createAcmeCredential(s.owner.client, s.teamId, s.billingProfileId, "revoked mid-flight");
    const registrations = Array.from({ length: 8 }, async () => accountFor(s, credential));
    const revoke = s.owner.client.delete(`/api/teams/${s.teamId}/acme-credentials/${credential.id}`);
    const results = await Promise.allSettled([...registrations, revoke]);
    expect((results.at(-1) as PromiseFulfilledResult<{ statusCode: number }>).value.statusCode).toBe(204);
    for (const r of results.slice(0, -1)) if (r.status === "rejected") expect(String(r.reason)).toMatch(/revoked/);
    const accounts = await s.h.t.db.kysely.selectFrom("acmeAccounts").select("status").where("credentialId", "=", credential.id).execute();
    expect(accounts.filter((a) => a.status === "valid")).toEqual([]);
  });

  it("finalize sent five times at once charges once and issues one certificate, with no 5xx", async () => {
    const client = await accountFor(s);
    const { order, domain } = await readyOrder(s, client);
    const [, csr] = await acme.crypto.createCsr({ altNames: [domain] });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => client.finalizeOrder(order, csr)));
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    expect(fulfilled.length).toBeGreaterThanOrEqual(1);
    for (const r of results) if (r.status === "rejected") expect(String(r.reason)).toMatch(/ready|valid/); // orderNotReady, never serverInternal
    const orderId = order.url.split("/").pop()!;
    const charges = await s.h.t.db.kysely.selectFrom("transactions").select("id").where("orderId", "=", orderId).execute();
    const certificates = await s.h.t.db.kysely.selectFrom("certificates").select("id").where("orderId", "=", orderId).execute();
    expect(charges).toHaveLength(1);
    expect(certificates).toHaveLength(1);
  });

  it("one challenge answered five times at once is looked at once and validates once", async () => {
    const client = await accountFor(s);
    const domain = uniqueDomain("once");
    const order = await client.createOrder({ identifiers: [{ type: "dns", value: domain }] });
    const [authz] = await client.getAuthorizations(order);
    const challenge = authz!.challenges.find((c) => c.type === "dns-01")!;
    s.h.dns.set(`_acme-challenge.${domain}`, "TXT", [await client.getChallengeKeyAuthorization(challenge)]);
    const before = s.h.dns.asked.filter((n) => n === `_acme-challenge.${domain}`).length;
    const answers = await Promise.allSettled(Array.from({ length: 5 }, () => client.completeChallenge(challenge)));
    expect(answers.every((a) => a.status === "fulfilled")).toBe(true);
    await backgroundIdle(s.h.app);
    await client.waitForValidStatus(challenge);
    expect(s.h.dns.asked.filter((n) => n === `_acme-challenge.${domain}`).length - before).toBe(1);
    const audit = await s.h.t.db.kysely
      .selectFrom("auditLog")
      .select("id")
      .where("action", "=", "validation.completed")
      .where("target", "=", order.url.split("/").pop()!)
      .execute();
    expect(audit).toHaveLength(1);
  });

  it("a nonce one server gave is accepted by another server on the same database", async () => {
    const port = await freePort();
    const second: TestApp = await createTestApp(engine, { BASE_URL: s.baseUrl }, { sameDatabaseAs: s.h });
    try {
      await second.app.listen({ port, host: "127.0.0.1" });
      const nonce = (await fetch(`http://127.0.0.1:${port}/acme/new-nonce`, { method: "HEAD" })).headers.get("replay-nonce")!;
      // acme-client would fetch its own nonce; hand it the second server's instead.
      const client = new acme.Client({
        directoryUrl: s.directoryUrl,
        accountKey: await acme.crypto.createPrivateEcdsaKey(),
        externalAccountBinding: { kid: s.credential.keyId, hmacKey: s.credential.hmacKey },
        ...quick,
      });
      (client as unknown as { api: { http: { getNonce: () => Promise<string> } } }).api.http.getNonce = async () => nonce;
      await client.createAccount({ termsOfServiceAgreed: true });
      expect(client.getAccountUrl()).toMatch(/\/acme\/acct\//);
    } finally {
      await second.close();
    }
  });
});

describe.each(ENGINES)("ACME limits (%s)", (engine) => {
  let s: AcmeTestServer;
  beforeAll(async () => {
    // 300 new orders an hour per account, scaled down to 3.
    s = await startAcmeTestServer(engine, { RATE_LIMIT_SCALE: "0.01" });
  });
  afterAll(async () => {
    await s?.close();
  });

  it("answers the fourth new order of the hour rateLimited with Retry-After", async () => {
    const client = await accountFor(s);
    for (let i = 0; i < 3; i++) await client.createOrder({ identifiers: [{ type: "dns", value: uniqueDomain("limit") }] });
    // The fourth by hand (acme-client would wait out the Retry-After and try again).
    const nonce = (await fetch(`${s.baseUrl}/acme/new-nonce`, { method: "HEAD" })).headers.get("replay-nonce")!;
    const { FlattenedSign, importPKCS8 } = await import("jose");
    const { createPrivateKey } = await import("node:crypto");
    const key = (client as unknown as { api: { http: { accountKey: Buffer } } }).api.http.accountKey;
    const privateKey = await importPKCS8(createPrivateKey(key).export({ format: "pem", type: "pkcs8" }) as string, "ES256");
    const url = `${s.baseUrl}/acme/new-order`;
    const jws = await new FlattenedSign(new TextEncoder().encode(JSON.stringify({ identifiers: [{ type: "dns", value: uniqueDomain() }] })))
      .setProtectedHeader({ alg: "ES256", nonce, url, kid: client.getAccountUrl() })
      .sign(privateKey);
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/jose+json" }, body: JSON.stringify(jws) });
    expect(response.status).toBe(429);
    expect((await response.json()) as object).toMatchObject({ type: "urn:ietf:params:acme:error:rateLimited", detail: expect.stringMatching(/Too many new orders/) });
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
