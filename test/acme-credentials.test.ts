// ACME credentials (SPEC rules 13 and 20, API.md "Machine access") on both engines: created with a
// key id and an HMAC key shown once and stored only sealed (bound to its row), listed with the ACME
// accounts bound with each (two queries a page), revoked with those accounts deactivated in the same
// transaction and audited; bad input answered 400/404, another team's credential 404.
import { sql } from "kysely";
import type { KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHmacKey } from "../src/server/commands/acme-credentials.js";
import { listAcmeCredentials } from "../src/server/queries/acme-credentials.js";
import { SealError } from "../src/server/sealer.js";
import { newId } from "../src/server/secrets.js";
import { createTestApp } from "./helpers/app.js";
import type { Client, TestApp } from "./helpers/app.js";
import { createApiKey, keyClient } from "./helpers/api-keys.js";
import { ENGINES } from "./helpers/engines.js";
import { addBillingProfile, buildTeamFixture, createTeam, placeOrder } from "./helpers/fixtures.js";
import type { TeamFixture } from "./helpers/fixtures.js";

const HMAC_KEY_SHAPE = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, base64url without padding

interface CredentialDto {
  id: string;
  name: string;
  keyId: string;
  productId: string;
  billingProfileId: string;
  directoryUrl: string;
  createdBy: { id: string; email: string };
  createdAt: string;
  revokedAt: string | null;
  accounts: { id: string; thumbprint: string; status: string; createdAt: string; lastUsedAt: string | null }[];
}

describe.each(ENGINES)("ACME credentials on %s", (engine) => {
  let h: TestApp;
  let f: TeamFixture;
  let profileId: string;

  beforeAll(async () => {
    h = await createTestApp(engine);
    f = await buildTeamFixture(h, "Acme Creds");
    profileId = await addBillingProfile(f.owner.client, f.teamId);
  });
  afterAll(async () => {
    await h.app.close();
    await h.t.drop();
  });

  const url = (teamId = f.teamId) => `/api/teams/${teamId}/acme-credentials`;

  async function create(client: Client = f.owner.client, body: Record<string, unknown> = {}) {
    return client.post(url(), { name: "web servers", productId: "dv-1y", billingProfileId: profileId, ...body });
  }

  async function created(name = "web servers"): Promise<{ acmeCredential: CredentialDto; hmacKey: string }> {
    const response = await create(f.owner.client, { name });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  async function listed(): Promise<CredentialDto[]> {
    const response = await f.owner.client.get(`${url()}?limit=100`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().items;
  }

  /** An ACME account bound with the credential, written as the ACME server writes one. */
  async function bindAccount(credentialId: string, status = "valid"): Promise<string> {
    const id = newId(h.clock.now().getTime());
    await h.t.db.kysely
      .insertInto("acmeAccounts")
      .values({ id, credentialId, teamId: f.teamId, thumbprint: `thumb-${id}`, jwk: JSON.stringify({ kty: "EC", crv: "P-256" }), status, createdAt: h.clock.now().toISOString(), lastUsedAt: null })
      .execute();
    return id;
  }

  it("creates a credential whose HMAC key is shown once and stored only sealed, bound to its row", async () => {
    const { acmeCredential, hmacKey } = await created();
    expect(hmacKey).toMatch(HMAC_KEY_SHAPE);
    expect(Buffer.from(hmacKey, "base64url")).toHaveLength(32);
    expect(acmeCredential).toMatchObject({
      name: "web servers",
      productId: "dv-1y",
      billingProfileId: profileId,
      directoryUrl: "http://certdesk.test/acme/directory",
      createdBy: { id: f.owner.user.id, email: f.owner.user.email },
      createdAt: h.clock.now().toISOString(),
      revokedAt: null,
      accounts: [],
    });
    expect(acmeCredential.keyId).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(JSON.stringify(acmeCredential)).not.toContain(hmacKey);

    const list = await f.owner.client.get(`${url()}?limit=100`);
    expect(list.body).not.toContain(hmacKey);
    expect(list.json().directoryUrl).toBe("http://certdesk.test/acme/directory");
    expect(list.json().items.map((c: CredentialDto) => c.id)).toContain(acmeCredential.id);

    // Not in the database in clear, in any spelling: every column of the credentials and the audit log.
    const raw = Buffer.from(hmacKey, "base64url");
    for (const table of ["acme_credentials", "audit_log"]) {
      const rows = JSON.stringify((await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(h.t.db.kysely)).rows);
      for (const spelling of [hmacKey, raw.toString("base64"), raw.toString("hex")]) expect(rows, table).not.toContain(spelling);
    }
    // The sealed value opens, with the master key, to the key the answer gave, and only on its own row.
    const row = await h.t.db.kysely.selectFrom("acmeCredentials").selectAll().where("id", "=", acmeCredential.id).executeTakeFirstOrThrow();
    expect(row.keyId).toBe(acmeCredential.keyId);
    expect(openHmacKey(h, row).equals(raw)).toBe(true);
    const other = (await created("another")).acmeCredential;
    expect(() => openHmacKey(h, { ...row, id: other.id })).toThrow(SealError);
    expect(() => openHmacKey(h, { ...row, teamId: f.outsider.defaultTeamId })).toThrow(SealError);
    // Two credentials never share a key id or an HMAC key.
    const second = await h.t.db.kysely.selectFrom("acmeCredentials").selectAll().where("id", "=", other.id).executeTakeFirstOrThrow();
    expect(second.keyId).not.toBe(row.keyId);
    expect(openHmacKey(h, second).equals(raw)).toBe(false);
  });

  it("lists each credential with the accounts bound with it, newest credential first, in two queries a page", async () => {
    const first = (await created("cluster one")).acmeCredential;
    const second = (await created("cluster two")).acmeCredential;
    const a1 = await bindAccount(first.id);
    const a2 = await bindAccount(first.id);
    const b1 = await bindAccount(second.id);
    const items = await listed();
    const ids = items.map((c) => c.id);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
    const byId = new Map(items.map((c) => [c.id, c]));
    expect(byId.get(first.id)!.accounts.map((a) => a.id)).toEqual([a1, a2]);
    expect(byId.get(second.id)!.accounts).toEqual([{ id: b1, thumbprint: `thumb-${b1}`, status: "valid", createdAt: h.clock.now().toISOString(), lastUsedAt: null }]);

    // The page: its credentials and all their accounts, whatever the number of credentials.
    let queries = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        queries += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const page = await listAcmeCredentials(h.t.db.kysely.withPlugin(counting), f.teamId, { limit: 100, baseUrl: h.config.baseUrl });
    expect(page.items.length).toBeGreaterThanOrEqual(4);
    expect(queries).toBe(2);

    // Keyset pages: one at a time, each credential once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await f.owner.client.get(`${url()}?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json() as { items: CredentialDto[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(1);
      seen.push(...body.items.map((c) => c.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });

  it("revokes: the credential stays listed with revokedAt, its accounts are deactivated in the same change, and it is audited once", async () => {
    const { acmeCredential } = await created("to revoke");
    const live = await bindAccount(acmeCredential.id);
    const alreadyRevoked = await bindAccount(acmeCredential.id, "revoked");
    const untouched = (await created("stays")).acmeCredential;
    const neighbour = await bindAccount(untouched.id);

    const response = await f.owner.client.delete(`${url()}/${acmeCredential.id}`);
    expect(response.statusCode, response.body).toBe(204);
    const byId = new Map((await listed()).map((c) => [c.id, c]));
    const revoked = byId.get(acmeCredential.id)!;
    expect(revoked.revokedAt).toBe(h.clock.now().toISOString());
    expect(Object.fromEntries(revoked.accounts.map((a) => [a.id, a.status]))).toEqual({ [live]: "deactivated", [alreadyRevoked]: "revoked" });
    expect(byId.get(untouched.id)).toMatchObject({ revokedAt: null, accounts: [{ id: neighbour, status: "valid" }] });

    // An account that slipped in as the credential was revoked is refused by the ACME server, and listed as deactivated.
    const latecomer = await bindAccount(acmeCredential.id);
    expect((await listed()).find((c) => c.id === acmeCredential.id)!.accounts.find((a) => a.id === latecomer)?.status).toBe("deactivated");

    // Again: nothing changes, nothing more is audited.
    h.clock.advance(60_000);
    expect((await f.owner.client.delete(`${url()}/${acmeCredential.id}`)).statusCode).toBe(204);
    expect((await listed()).find((c) => c.id === acmeCredential.id)!.revokedAt).toBe(revoked.revokedAt);
    const audit = (await f.owner.client.get(`/api/teams/${f.teamId}/audit?limit=100`)).json().items as { action: string; actor: unknown; target: string; details: Record<string, unknown> }[];
    const revocations = audit.filter((e) => e.action === "acme_credential.revoked" && e.details.acmeCredentialId === acmeCredential.id);
    expect(revocations).toHaveLength(1);
    expect(revocations[0]).toMatchObject({ target: "to revoke", actor: { type: "user", id: f.owner.user.id }, details: { keyId: acmeCredential.keyId, deactivatedAccountIds: [live] } });
    const creation = audit.find((e) => e.action === "acme_credential.created" && e.details.acmeCredentialId === acmeCredential.id);
    expect(creation).toMatchObject({ target: "to revoke", details: { keyId: acmeCredential.keyId, productId: "dv-1y", billingProfileId: profileId } });
  });

  it("revoked twice at once, is revoked once: both answers 204, one audit entry, its account deactivated", async () => {
    const { acmeCredential } = await created("raced");
    const account = await bindAccount(acmeCredential.id);
    const answers = await Promise.all([f.owner.client.delete(`${url()}/${acmeCredential.id}`), f.members.account_admin.client.delete(`${url()}/${acmeCredential.id}`)]);
    expect(answers.map((a) => a.statusCode)).toEqual([204, 204]);
    const audit = (await f.owner.client.get(`/api/teams/${f.teamId}/audit?limit=100`)).json().items as { action: string; details: Record<string, unknown> }[];
    expect(audit.filter((e) => e.action === "acme_credential.revoked" && e.details.acmeCredentialId === acmeCredential.id)).toHaveLength(1);
    expect((await listed()).find((c) => c.id === acmeCredential.id)!.accounts).toMatchObject([{ id: account, status: "deactivated" }]);
  });

  it("documents the three routes in the OpenAPI answer, the HMAC key only in the 201", async () => {
    const doc = (await h.client().get("/api/openapi.json")).json();
    const list = doc.paths["/api/teams/{teamId}/acme-credentials"];
    const one = doc.paths["/api/teams/{teamId}/acme-credentials/{credentialId}"];
    for (const operation of [list.get, list.post, one.delete]) expect(operation.summary).toBeTruthy();
    expect(list.post.description).toContain("--eab-kid");
    expect(Object.keys(list.post.responses["201"].content["application/json"].schema.properties).sort()).toEqual(["acmeCredential", "hmacKey"]);
    expect(JSON.stringify(list.get.responses["200"])).not.toContain("hmacKey");
    expect(Object.keys(one.delete.responses)).toContain("204");
  });

  it("refuses bad input with the API's codes, and writes nothing", async () => {
    const count = async () => Number((await h.t.db.kysely.selectFrom("acmeCredentials").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
    const before = await count();
    const cases: [Record<string, unknown>, number, string, string?][] = [
      [{ productId: "no-such-product" }, 400, "invalid_request", "productId"],
      [{ name: "" }, 400, "invalid_request", "name"],
      [{ name: "   " }, 400, "invalid_request", "name"],
      [{ name: "evil\u202Eexe" }, 400, "invalid_request", "name"],
      [{ name: "x".repeat(101) }, 400, "invalid_request"],
      [{ billingProfileId: "not-an-id" }, 400, "invalid_request"],
      [{ surprise: true }, 400, "invalid_request"],
      [{ billingProfileId: newId() }, 404, "not_found"],
    ];
    for (const [body, status, code, field] of cases) {
      const response = await create(f.owner.client, body);
      expect([response.statusCode, response.json().code], JSON.stringify(body)).toEqual([status, code]);
      if (field) expect(response.json().errors?.map((e: { field: string }) => e.field), JSON.stringify(body)).toContain(field);
    }
    const missing = await f.owner.client.post(url(), { name: "no product" });
    expect([missing.statusCode, missing.json().code]).toEqual([400, "invalid_request"]);
    // Another team's billing profile, and a removed one of this team: not this team's live profile.
    const foreignProfile = await addBillingProfile(f.outsider.client, f.outsider.defaultTeamId);
    const foreign = await create(f.owner.client, { billingProfileId: foreignProfile });
    expect([foreign.statusCode, foreign.json().code]).toEqual([404, "not_found"]);
    const removedProfile = await addBillingProfile(f.owner.client, f.teamId, "Old card");
    expect((await f.owner.client.delete(`/api/teams/${f.teamId}/billing-profiles/${removedProfile}`)).statusCode).toBe(204);
    const removed = await create(f.owner.client, { billingProfileId: removedProfile });
    expect([removed.statusCode, removed.json().code]).toEqual([404, "not_found"]);
    expect((await f.owner.client.delete(`${url()}/not-an-id`)).statusCode).toBe(400);
    expect((await f.owner.client.delete(`${url()}/${newId()}`)).statusCode).toBe(404);
    expect(await count()).toBe(before);
  });

  it("keeps each team's credentials its own: another team's credential is 404, listed nowhere else, and left as it was", async () => {
    const { acmeCredential } = await created("ours");
    const account = await bindAccount(acmeCredential.id);
    const outsider = f.outsider.client;
    const elsewhere = await outsider.delete(`${url(f.outsider.defaultTeamId)}/${acmeCredential.id}`);
    expect([elsewhere.statusCode, elsewhere.json().code]).toEqual([404, "not_found"]);
    expect((await outsider.get(url(f.outsider.defaultTeamId))).json()).toEqual({ items: [], nextCursor: null, directoryUrl: "http://certdesk.test/acme/directory" });
    expect((await outsider.delete(`${url()}/${acmeCredential.id}`)).statusCode).toBe(404);
    expect((await listed()).find((c) => c.id === acmeCredential.id)).toMatchObject({ revokedAt: null, accounts: [{ id: account, status: "valid" }] });
  });

  it("shows an order placed by an ACME account as the account's, naming its credential and the credential's creator", async () => {
    const admin = f.members.account_admin;
    const response = await create(admin.client, { name: "k8s cluster" });
    expect(response.statusCode, response.body).toBe(201);
    const credential = response.json().acmeCredential as CredentialDto;
    const account = await bindAccount(credential.id);
    // What the ACME server writes for an order of that account: the creator accountable, the account beside.
    const orderId = await placeOrder(f.owner.client, f.teamId, profileId);
    await h.t.db.kysely.updateTable("orders").set({ source: "acme", acmeAccountId: account, createdBy: admin.user.id }).where("id", "=", orderId).execute();
    await h.t.db.kysely.updateTable("transactions").set({ acmeAccountId: account, actorId: admin.user.id, apiKeyId: null }).where("orderId", "=", orderId).execute();
    const dashboardOrder = await placeOrder(f.owner.client, f.teamId, profileId);

    const expected = { source: "acme", placedBy: { type: "acmeAccount", id: account, email: admin.user.email }, acmeCredential: { id: credential.id, name: "k8s cluster" } };
    const one = await f.owner.client.get(`/api/teams/${f.teamId}/orders/${orderId}`);
    expect(one.json().order, one.body).toMatchObject(expected);
    const list = (await f.owner.client.get(`/api/teams/${f.teamId}/orders?limit=100`)).json().items as { id: string }[];
    expect(list.find((o) => o.id === orderId)).toMatchObject(expected);
    expect(list.find((o) => o.id === dashboardOrder)).toMatchObject({ source: "dashboard", placedBy: { type: "user", id: f.owner.user.id }, acmeCredential: null });
    const charge = (await f.owner.client.get(`/api/teams/${f.teamId}/transactions`)).json().items.find((t: { orderId: string }) => t.orderId === orderId);
    expect(charge.actor).toEqual(expected.placedBy);
  });

  it("goes with its team: a team with a credential, a bound account and an ACME order is deleted whole", async () => {
    const teamId = await createTeam(f.owner.client, "Short-lived ACME team");
    const profile = await addBillingProfile(f.owner.client, teamId);
    const response = await f.owner.client.post(url(teamId), { name: "temporary", productId: "dv-1y", billingProfileId: profile });
    expect(response.statusCode, response.body).toBe(201);
    const credentialId = response.json().acmeCredential.id as string;
    const account = newId(h.clock.now().getTime());
    await h.t.db.kysely
      .insertInto("acmeAccounts")
      .values({ id: account, credentialId, teamId, thumbprint: `thumb-${account}`, jwk: "{}", status: "valid", createdAt: h.clock.now().toISOString(), lastUsedAt: null })
      .execute();
    const orderId = await placeOrder(f.owner.client, teamId, profile);
    await h.t.db.kysely.updateTable("orders").set({ source: "acme", acmeAccountId: account }).where("id", "=", orderId).execute();
    await h.t.db.kysely.insertInto("acmeOrders").values({ orderId, accountId: account, expiresAt: h.clock.now().toISOString(), error: null, finalizedAt: null }).execute();

    const deleted = await f.owner.client.delete(`/api/teams/${teamId}`);
    expect(deleted.statusCode, deleted.body).toBe(204);
    for (const table of ["acmeCredentials", "acmeAccounts"] as const) {
      expect(await h.t.db.kysely.selectFrom(table).select("id").where("teamId", "=", teamId).execute(), table).toEqual([]);
    }
    expect(await h.t.db.kysely.selectFrom("acmeOrders").select("orderId").where("orderId", "=", orderId).execute()).toEqual([]);
  });

  it("needs automation.manage; a key holding it creates one, its creator the accountable person and the key the audited actor", async () => {
    for (const role of ["billing", "validation", "installer"] as const) {
      const client = f.members[role].client;
      expect((await create(client)).statusCode, role).toBe(403);
      expect((await client.get(url())).statusCode, role).toBe(403);
    }
    expect((await create(f.members.account_admin.client)).statusCode).toBe(201);
    const key = await createApiKey(f.owner.client, f.teamId, ["automation.manage"], "ACME provisioner");
    const bot = keyClient(h, key.secret);
    const response = await create(bot, { name: "by a key" });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().acmeCredential.createdBy).toEqual({ id: f.owner.user.id, email: f.owner.user.email });
    const audit = (await f.owner.client.get(`/api/teams/${f.teamId}/audit?limit=100`)).json().items as { action: string; actor: unknown; details: Record<string, unknown> }[];
    const entry = audit.find((e) => e.action === "acme_credential.created" && e.details.acmeCredentialId === response.json().acmeCredential.id);
    expect(entry?.actor).toEqual({ type: "apiKey", id: key.id, email: f.owner.user.email });
  });
});
