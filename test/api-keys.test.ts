// API keys (SPEC rule 13, API.md "Machine access", SECURITY 33) on both engines: creation within
// the creator's permissions, bearer use on the key's own team only, 401/403/404 as the contract says,
// revocation and expiry on the very next request, a key outliving its creator, the secret shown once.
import { sql } from "kysely";
import { backgroundIdle } from "../src/server/background.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE } from "../src/server/clock.js";
import { createTestApp } from "./helpers/app.js";
import type { Client, TestApp } from "./helpers/app.js";
import { keyClient } from "./helpers/api-keys.js";
import { ENGINES } from "./helpers/engines.js";
import { addBillingProfile, buildTeamFixture, createTeam, inviteAndAccept, multipartFile, SMALL_PDF } from "./helpers/fixtures.js";
import type { TeamFixture } from "./helpers/fixtures.js";

const SECRET_SHAPE = /^cdk_[0-9a-f]{64}$/;

describe.each(ENGINES)("API keys on %s", (engine) => {
  let h: TestApp;
  let f: TeamFixture;
  let profileId: string;

  beforeAll(async () => {
    h = await createTestApp(engine);
    f = await buildTeamFixture(h, "Keys");
    profileId = await addBillingProfile(f.owner.client, f.teamId);
  });
  afterAll(async () => {
    await h.app.close();
    await h.t.drop();
  });

  async function createKey(client: Client, permissions: string[], extra: Record<string, unknown> = {}) {
    return client.post(`/api/teams/${f.teamId}/api-keys`, { name: "deploy bot", permissions, ...extra });
  }

  async function keyFor(permissions: string[], creator = f.owner.client): Promise<{ id: string; secret: string }> {
    const response = await createKey(creator, permissions);
    expect(response.statusCode, response.body).toBe(201);
    return { id: response.json().apiKey.id, secret: response.json().secret };
  }

  it("creates a key whose secret is shown once, has a scanner-friendly shape and is stored only hashed", async () => {
    const response = await createKey(f.owner.client, ["orders.view", "orders.create"]);
    expect(response.statusCode, response.body).toBe(201);
    const { apiKey, secret } = response.json();
    expect(secret).toMatch(SECRET_SHAPE);
    expect(apiKey).toMatchObject({ name: "deploy bot", permissions: ["orders.create", "orders.view"], createdBy: { id: f.owner.user.id, email: f.owner.user.email }, expiresAt: null, lastUsedAt: null, revokedAt: null });
    expect(JSON.stringify(apiKey)).not.toContain(secret);
    const list = await f.owner.client.get(`/api/teams/${f.teamId}/api-keys`);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(secret);
    expect(list.json().items.map((k: { id: string }) => k.id)).toContain(apiKey.id);
    // Not in the database in clear: every text column of every row of the key table.
    const rows = await sql<Record<string, unknown>>`select * from api_keys`.execute(h.t.db.kysely);
    expect(JSON.stringify(rows.rows)).not.toContain(secret);
    expect(JSON.stringify(rows.rows)).not.toContain(secret.slice(4));
  });

  it("acts on its own team's routes with its own permissions, without a CSRF header", async () => {
    const key = await keyFor(["orders.view", "team.view"]);
    const bot = keyClient(h, key.secret);
    expect((await bot.get(`/api/teams/${f.teamId}/orders`)).statusCode).toBe(200);
    expect((await bot.get(`/api/teams/${f.teamId}`)).statusCode).toBe(200);
    const refused = await bot.get(`/api/teams/${f.teamId}/billing-profiles`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: "forbidden" });
    expect(refused.json().detail).toContain("billing.view");
  });

  it("answers 404 for any other team, even one its creator belongs to", async () => {
    const key = await keyFor(["team.view", "orders.view"]);
    const bot = keyClient(h, key.secret);
    const ownerTeam = await createTeam(f.owner.client, "Owner's other team");
    expect((await bot.get(`/api/teams/${ownerTeam}`)).statusCode).toBe(404);
    expect((await bot.get(`/api/teams/${f.owner.defaultTeamId}/orders`)).statusCode).toBe(404);
  });

  it("answers 401 on the routes about a person and outside the team's routes", async () => {
    const key = await keyFor(["team.view"]);
    const bot = keyClient(h, key.secret);
    for (const [method, url, body] of [
      ["GET", "/api/me", undefined],
      ["PUT", "/api/me/active-team", { teamId: f.teamId }],
      ["GET", "/api/teams", undefined],
      ["POST", "/api/teams", { name: "by a key" }],
      ["POST", "/api/auth/logout", undefined],
      ["POST", "/api/auth/login", { email: f.owner.user.email, password: "whatever it is" }],
      ["POST", "/api/invitations/some-token/accept", undefined],
    ] as const) {
      const response = await bot.request(method, url, body as never);
      expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(401);
      expect(response.json().code).toBe("unauthenticated");
    }
    // Public reads stay public.
    expect((await bot.get("/api/products")).statusCode).toBe(200);
  });

  it("answers 401 for an unknown, malformed, expired or revoked key; revocation counts from the very next request", async () => {
    for (const header of [`Bearer cdk_${"0".repeat(64)}`, "Bearer nonsense", "Basic abc", "Bearer", ""]) {
      const response = await h.app.inject({ method: "GET", url: `/api/teams/${f.teamId}`, headers: { authorization: header } });
      expect(response.statusCode, header).toBe(401);
    }
    const expiring = await createKey(f.owner.client, ["team.view"], { expiresAt: new Date(h.clock.now().getTime() + 10 * MINUTE).toISOString() });
    expect(expiring.statusCode).toBe(201);
    const soon = keyClient(h, expiring.json().secret);
    expect((await soon.get(`/api/teams/${f.teamId}`)).statusCode).toBe(200);
    h.clock.advance(10 * MINUTE);
    expect((await soon.get(`/api/teams/${f.teamId}`)).statusCode).toBe(401);

    const key = await keyFor(["team.view"]);
    const bot = keyClient(h, key.secret);
    expect((await bot.get(`/api/teams/${f.teamId}`)).statusCode).toBe(200);
    expect((await f.owner.client.delete(`/api/teams/${f.teamId}/api-keys/${key.id}`)).statusCode).toBe(204);
    expect((await bot.get(`/api/teams/${f.teamId}`)).statusCode).toBe(401);
    const listed = (await f.owner.client.get(`/api/teams/${f.teamId}/api-keys`)).json().items.find((k: { id: string }) => k.id === key.id);
    expect(listed.revokedAt).not.toBeNull();
    // Revoking again changes nothing; another team's key id is not found.
    expect((await f.owner.client.delete(`/api/teams/${f.teamId}/api-keys/${key.id}`)).statusCode).toBe(204);
    expect((await f.owner.client.delete(`/api/teams/${f.owner.defaultTeamId}/api-keys/${key.id}`)).statusCode).toBe(404);
  });

  it("refuses expiries in the past or too far ahead", async () => {
    for (const expiresAt of [new Date(h.clock.now().getTime() - 1000).toISOString(), "2999-01-01T00:00:00.000Z"]) {
      const response = await createKey(f.owner.client, ["team.view"], { expiresAt });
      expect(response.statusCode, expiresAt).toBe(400);
      expect(response.json().code).toBe("invalid_request");
    }
  });

  it("gives a key only a subset of its creator's permissions, never the Owner's own acts", async () => {
    const admin = f.members.account_admin.client;
    // Account Admin lacks team.delete: but no key may hold it, so it is refused as a request error for everyone.
    for (const creator of [f.owner.client, admin]) {
      const response = await createKey(creator, ["team.view", "team.delete"]);
      expect(response.statusCode).toBe(400);
    }
    expect((await createKey(admin, ["billing.view", "members.invite"])).statusCode).toBe(201);
    // Only holders of automation.manage manage keys at all.
    for (const role of ["billing", "validation", "installer"] as const) {
      const response = await createKey(f.members[role].client, ["team.view"]);
      expect(response.statusCode, role).toBe(403);
      expect((await f.members[role].client.get(`/api/teams/${f.teamId}/api-keys`)).statusCode).toBe(403);
    }
    expect((await createKey(f.outsider.client, ["team.view"])).statusCode).toBe(404);
    // A key that manages keys can only hand on what it holds itself.
    const manager = keyClient(h, (await keyFor(["automation.manage", "orders.view"])).secret);
    const wider = await manager.post(`/api/teams/${f.teamId}/api-keys`, { name: "wider", permissions: ["orders.create"] });
    expect(wider.statusCode).toBe(403);
    const narrower = await manager.post(`/api/teams/${f.teamId}/api-keys`, { name: "narrower", permissions: ["orders.view"] });
    expect(narrower.statusCode).toBe(201);
  });

  it("keeps working after its creator is removed from the team, and still names them", async () => {
    const admin = await h.signUp("Keys Temporary Admin");
    await inviteAndAccept(h, f.owner.client, f.teamId, admin, ["account_admin"]);
    const key = await keyFor(["team.view", "orders.view"], admin.client);
    expect((await f.owner.client.delete(`/api/teams/${f.teamId}/members/${admin.user.id}`)).statusCode).toBe(204);
    const bot = keyClient(h, key.secret);
    expect((await bot.get(`/api/teams/${f.teamId}/orders`)).statusCode).toBe(200);
    const listed = (await f.owner.client.get(`/api/teams/${f.teamId}/api-keys`)).json().items.find((k: { id: string }) => k.id === key.id);
    expect(listed.createdBy).toEqual({ id: admin.user.id, email: admin.user.email });
  });

  it("never widens a cookie session with a key, nor a key with a cookie", async () => {
    const key = await keyFor(["team.view"]);
    // The Owner's cookie plus a narrow key: the key alone decides (billing.view refused).
    const both = await f.owner.client.request("GET", `/api/teams/${f.teamId}/billing-profiles`, undefined, { authorization: `Bearer ${key.secret}` });
    expect(both.statusCode).toBe(403);
    // A revoked or unknown key with a valid cookie: 401, the cookie is not a fallback.
    const unknown = await f.owner.client.request("GET", `/api/teams/${f.teamId}`, undefined, { authorization: `Bearer cdk_${"1".repeat(64)}` });
    expect(unknown.statusCode).toBe(401);
    // A person-only route with a key and a cookie: still refused as a key.
    const me = await f.owner.client.request("GET", "/api/me", undefined, { authorization: `Bearer ${key.secret}` });
    expect(me.statusCode).toBe(401);
  });

  it("records its last use at most once a minute, without a write per request", async () => {
    const key = await keyFor(["team.view"]);
    const bot = keyClient(h, key.secret);
    const lastUsed = async () => {
      await backgroundIdle(h.app); // the write runs after the answer
      const row = await h.t.db.kysely.selectFrom("apiKeys").select("lastUsedAt").where("id", "=", key.id).executeTakeFirstOrThrow();
      return row.lastUsedAt;
    };
    expect(await lastUsed()).toBeNull();
    await bot.get(`/api/teams/${f.teamId}`);
    const first = await lastUsed();
    expect(first).toBe(h.clock.now().toISOString());
    h.clock.advance(30_000);
    await bot.get(`/api/teams/${f.teamId}`);
    expect(await lastUsed()).toBe(first);
    h.clock.advance(31_000);
    await bot.get(`/api/teams/${f.teamId}`);
    expect(await lastUsed()).toBe(h.clock.now().toISOString());
  });

  it("is audited as the key, with its creator, when it acts; and its creation and revocation are audited", async () => {
    const key = await keyFor(["orders.create", "orders.view", "validation.manage", "validation.view"]);
    const bot = keyClient(h, key.secret);
    const placed = await bot.post(`/api/teams/${f.teamId}/orders`, { productId: "dv-1y", domains: ["bot.example.com"], billingProfileId: profileId });
    expect(placed.statusCode, placed.body).toBe(201);
    expect(placed.json().order.source).toBe("api");
    const { body, headers } = multipartFile("proof.pdf", SMALL_PDF);
    const uploaded = await bot.request("POST", `/api/teams/${f.teamId}/orders/${placed.json().order.id}/documents`, body, headers);
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const audit = (await f.owner.client.get(`/api/teams/${f.teamId}/audit?limit=100`)).json().items as { action: string; actor: unknown; details: Record<string, unknown> }[];
    const byKey = audit.filter((entry) => (entry.actor as { id?: string } | null)?.id === key.id);
    expect(byKey.map((entry) => entry.action).sort()).toEqual(["document.uploaded", "order.placed"]);
    for (const entry of byKey) expect(entry.actor).toEqual({ type: "apiKey", id: key.id, email: f.owner.user.email });
    expect(audit.find((e) => e.action === "api_key.created" && e.details.apiKeyId === key.id)?.actor).toMatchObject({ type: "user", id: f.owner.user.id });
    const charge = (await f.owner.client.get(`/api/teams/${f.teamId}/transactions`)).json().items.find((t: { orderId: string }) => t.orderId === placed.json().order.id);
    expect(charge.actor).toMatchObject({ type: "apiKey", id: key.id });
  });
});
