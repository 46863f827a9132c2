// SECURITY 9 (and SPEC rules 6, 12): members of team A reach nothing of team B. Every team route is
// called with B's team and B's object ids, and with A's path carrying B's ids; each answer is
// 404 not_found, and the database is byte-for-byte what it was (B unchanged, nothing written).
// The same holds for A's API keys (SPEC rule 13): a key acts in its own team only.
import { backgroundIdle } from "../src/server/background.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Permission } from "../src/shared/permissions.js";
import type { Body, Client, TestApp } from "./helpers/app.js";
import { createTestApp, uniqueEmail } from "./helpers/app.js";
import { createAcmeCredential } from "./helpers/acme-credentials.js";
import type { CreatedAcmeCredential } from "./helpers/acme-credentials.js";
import { createApiKey, keyClient } from "./helpers/api-keys.js";
import type { CreatedKey } from "./helpers/api-keys.js";
import { makeCsr } from "./helpers/csr.js";
import { ENGINES } from "./helpers/engines.js";
import { SMALL_PDF, addAccountObjects, buildTeamFixture, inviteAndAccept, multipartFile, registeredApiRoutes, snapshot, uniqueDomain } from "./helpers/fixtures.js";
import type { AccountObjects, TeamFixture } from "./helpers/fixtures.js";

interface Call {
  method: string;
  url: string;
  body?: Body;
  headers?: Record<string, string>;
}

/** The ids a path parameter may take in one team. */
type Ids = Record<string, string>;

/** By hand from SPEC.md: what the installer role grants. */
const INSTALLER: ReadonlySet<Permission> = new Set(["team.view", "orders.view", "certificates.manage"]);

/** By hand from SPEC.md's table and API.md "Machine access": every permission a key may hold (all but team.delete and team.transfer). */
const KEY_GRANTABLE: readonly Permission[] = [
  "team.view", "team.update", "members.invite", "members.update", "members.remove", "audit.view", "orders.view", "orders.create",
  "billing.view", "billing.manage", "billing.refund", "validation.view", "validation.manage", "certificates.manage", "automation.manage",
];

describe.each(ENGINES)("tenant isolation on %s", (engine) => {
  let h: TestApp;
  let A: TeamFixture;
  let B: TeamFixture;
  let aObjects: AccountObjects;
  let bObjects: AccountObjects;
  let csrForB: string;
  /** B's own key: A must not revoke it. */
  let bKey: CreatedKey;
  /** A's key holding every permission a key can hold. */
  let aKey: CreatedKey;
  /** B's ACME credential: A must neither see nor revoke it. */
  let bCredential: CreatedAcmeCredential;

  beforeAll(async () => {
    h = await createTestApp(engine);
    [A, B] = await Promise.all([buildTeamFixture(h, "Alpha"), buildTeamFixture(h, "Bravo")]);
    [aObjects, bObjects] = await Promise.all([addAccountObjects(A.owner.client, A.teamId, "alpha"), addAccountObjects(B.owner.client, B.teamId, "bravo")]);
    // A's Account Admin is also an installer in B: their A permissions must not leak into B.
    await inviteAndAccept(h, B.owner.client, B.teamId, A.members.account_admin, ["installer"]);
    csrForB = makeCsr({ san: [bObjects.domain] }).csrPem;
    [bKey, aKey] = await Promise.all([
      createApiKey(B.owner.client, B.teamId, ["team.view", "orders.view"], "Bravo deploy bot"),
      createApiKey(A.owner.client, A.teamId, KEY_GRANTABLE, "Alpha deploy bot"),
    ]);
    bCredential = await createAcmeCredential(B.owner.client, B.teamId, bObjects.billingProfileId, "Bravo web servers");
  });
  afterAll(() => h?.close());

  /** Path parameter → an id of team B (a user in B only, B's pending invitation, B's account objects). */
  const idsOfB = (): Ids => ({
    teamId: B.teamId,
    userId: B.members.validation.user.id,
    invitationId: B.pendingInvitation.id,
    orderId: bObjects.orderId,
    billingProfileId: bObjects.billingProfileId,
    documentId: bObjects.documentId,
    domain: bObjects.domain,
    apiKeyId: bKey.id,
    credentialId: bCredential.id,
  });

  function fill(path: string, ids: Ids): string {
    return path.replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => {
      const id = ids[name];
      if (!id) throw new Error(`tenant sweep: no id for :${name} in ${path}; give team B one and add it here`);
      return encodeURIComponent(id);
    });
  }

  /** A request that would succeed for a member with the permission: only tenancy may stop it. */
  function callFor(method: string, path: string, ids: Ids, actorId: string): Call {
    const url = fill(path, ids);
    const route = `${method} ${path}`;
    switch (route) {
      case "PATCH /api/teams/:teamId":
        return { method, url, body: { name: "Taken over" } };
      case "POST /api/teams/:teamId/transfer":
        return { method, url, body: { userId: ids.teamId === B.teamId ? actorId : B.members.validation.user.id } };
      case "PATCH /api/teams/:teamId/members/:userId":
        return { method, url, body: { roles: ["account_admin"] } };
      case "POST /api/teams/:teamId/invitations":
        return { method, url, body: { email: uniqueEmail("tenant sweep"), roles: ["account_admin"] } };
      case "POST /api/teams/:teamId/billing-profiles":
        return { method, url, body: { name: "Planted", country: "DE", cardBrand: "visa", cardLast4: "1111" } };
      case "PUT /api/teams/:teamId/organization":
        return { method, url, body: { legalName: "Planted Ltd", locality: "Leeds", country: "GB" } };
      case "PATCH /api/teams/:teamId/billing-profiles/:billingProfileId":
        return { method, url, body: { name: "Hijacked" } };
      case "POST /api/teams/:teamId/orders":
        // Even on A's own path, B's billing profile must not be charged.
        return { method, url, body: { productId: "dv-1y", domains: [uniqueDomain("sweep")], billingProfileId: bObjects.billingProfileId } };
      case "POST /api/teams/:teamId/orders/:orderId/validation/:domain":
        return { method, url, body: { method: "dns" } };
      case "POST /api/teams/:teamId/orders/:orderId/csr":
        return { method, url, body: { csr: csrForB } };
      case "POST /api/teams/:teamId/orders/:orderId/revoke":
        return { method, url, body: { reason: "keyCompromise" } };
      case "POST /api/teams/:teamId/api-keys":
        return { method, url, body: { name: "Planted key", permissions: ["team.view"] } };
      case "POST /api/teams/:teamId/acme-credentials":
        // On A's own path too: orders through it would be charged to B's billing profile.
        return { method, url, body: { name: "Planted credential", productId: "dv-1y", billingProfileId: bObjects.billingProfileId } };
      case "POST /api/teams/:teamId/orders/:orderId/documents": {
        const { body, headers } = multipartFile("planted.pdf", SMALL_PDF);
        return { method, url, body, headers };
      }
      default:
        return { method, url, body: method === "GET" || method === "DELETE" ? undefined : {} };
    }
  }

  const teamRoutes = () => registeredApiRoutes(h).filter((route) => route.url.includes(":teamId"));

  /**
   * The ids with which a route on A's own path reaches for B's objects: every id from B; and, under
   * A's own order, B's document. None when the route names no object but the team.
   */
  function aPathWithBIds(route: { method: string; url: string }): Ids[] {
    const idsOfAWithB = (overrides: Ids): Ids => ({ ...idsOfB(), teamId: A.teamId, ...overrides });
    const params = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!).filter((p) => p !== "teamId");
    const idInBody = ["POST /api/teams/:teamId/transfer", "POST /api/teams/:teamId/orders", "POST /api/teams/:teamId/acme-credentials"].includes(`${route.method} ${route.url}`);
    if (params.length === 0 && !idInBody) return [];
    const variants: Ids[] = [idsOfAWithB({})];
    if (params.includes("orderId") && params.some((p) => p !== "orderId" && p !== "domain")) {
      variants.push(idsOfAWithB({ orderId: aObjects.orderId, domain: aObjects.domain }));
    }
    return variants;
  }

  /** The permission a route asks for (a rule's, when it declares one). */
  const needs = (route: { access: unknown }): string =>
    typeof route.access === "object" && route.access !== null ? (route.access as { permission: string }).permission : String(route.access ?? "");

  async function send(client: Client, call: Call) {
    const response = await client.request(call.method, call.url, call.body, call.headers);
    const json = response.headers["content-type"]?.toString().includes("json") && response.body ? response.json() : {};
    return { status: response.statusCode, code: json.code as string | undefined, raw: response.body.slice(0, 300) };
  }

  async function expectNotFound(who: string, client: Client, call: Call) {
    const answer = await send(client, call);
    expect.soft([answer.status, answer.code], `${who}: ${call.method} ${call.url} → ${answer.raw}`).toEqual([404, "not_found"]);
  }

  it("the fixtures are two separate teams", async () => {
    expect(A.teamId).not.toBe(B.teamId);
    const bMembers = (await B.owner.client.get(`/api/teams/${B.teamId}/members`)).json().items.map((m: { userId: string }) => m.userId);
    expect(bMembers).not.toContain(A.owner.user.id);
    expect(bMembers).not.toContain(A.members.billing.user.id);
    expect(bMembers).toContain(A.members.account_admin.user.id);
    expect(teamRoutes().length).toBeGreaterThan(25);
  });

  it("a member of A (even its Owner) calling any team route with B's ids gets 404, and nothing changes", async () => {
    const before = await snapshot(h.t.db);
    for (const actor of [
      { who: "A's Owner", person: A.owner },
      { who: "A's billing member", person: A.members.billing },
    ]) {
      for (const route of teamRoutes()) {
        await expectNotFound(actor.who, actor.person.client, callFor(route.method, route.url, idsOfB(), actor.person.user.id));
      }
      await expectNotFound(actor.who, actor.person.client, { method: "PUT", url: "/api/me/active-team", body: { teamId: B.teamId } });
    }
    expect(await snapshot(h.t.db)).toEqual(before);
  });

  it("A's path carrying B's ids (members, invitations, orders, profiles, documents) gets 404, and nothing changes", async () => {
    const before = await snapshot(h.t.db);
    let calls = 0;
    for (const actor of [
      { who: "A's Owner", person: A.owner, lacks: [] as string[] },
      // By hand from SPEC.md: Account Admin holds everything but these two.
      { who: "A's Account Admin (also B's installer)", person: A.members.account_admin, lacks: ["team.delete", "team.transfer"] },
    ]) {
      for (const route of teamRoutes()) {
        if (actor.lacks.includes(needs(route))) continue; // refused in A already: no tenancy question
        for (const ids of aPathWithBIds(route)) {
          calls += 1;
          await expectNotFound(actor.who, actor.person.client, callFor(route.method, route.url, ids, actor.person.user.id));
        }
      }
    }
    expect(calls).toBeGreaterThan(20);
    expect(await snapshot(h.t.db)).toEqual(before);
  });

  it("A's API key, with B's team id and ids or on A's path with B's ids, gets 404 everywhere, and B is unchanged", async () => {
    const bot = keyClient(h, aKey.secret);
    // The key works in A; its first use is recorded (at most once a minute, and the clock stands
    // still here), so the snapshot is taken once that write has landed.
    expect((await bot.get(`/api/teams/${A.teamId}`)).statusCode).toBe(200);
    await expect.poll(async () => (await A.owner.client.get(`/api/teams/${A.teamId}/api-keys?limit=100`)).json().items.find((k: { id: string }) => k.id === aKey.id)?.lastUsedAt).not.toBeNull();
    const before = await snapshot(h.t.db);
    let calls = 0;
    for (const route of teamRoutes()) {
      calls += 1;
      await expectNotFound("A's key, B's team", bot, callFor(route.method, route.url, idsOfB(), A.owner.user.id));
      if (!KEY_GRANTABLE.includes(needs(route) as Permission)) continue; // refused in A already: no tenancy question
      for (const ids of aPathWithBIds(route)) {
        calls += 1;
        await expectNotFound("A's key, A's path", bot, callFor(route.method, route.url, ids, A.owner.user.id));
      }
    }
    expect(calls).toBeGreaterThan(40);
    expect(await snapshot(h.t.db)).toEqual(before);
    // B's key still works in B, and only there.
    const bBot = keyClient(h, bKey.secret);
    expect((await bBot.get(`/api/teams/${B.teamId}/orders`)).statusCode).toBe(200);
    expect((await bBot.get(`/api/teams/${A.teamId}/orders`)).statusCode).toBe(404);
    // A's list of ACME credentials is A's: B's credential is not in it, and B's still stands.
    const aCredentials = (await bot.get(`/api/teams/${A.teamId}/acme-credentials?limit=100`)).json().items as { id: string }[];
    expect(aCredentials.map((c) => c.id)).not.toContain(bCredential.id);
    const bCredentials = (await B.owner.client.get(`/api/teams/${B.teamId}/acme-credentials?limit=100`)).json().items as { id: string; revokedAt: string | null }[];
    expect(bCredentials.find((c) => c.id === bCredential.id)?.revokedAt).toBeNull();
  });

  it("a user in both teams gets in B only what their role in B grants (rule 6)", async () => {
    const dual = A.members.account_admin; // Account Admin in A, installer in B
    await backgroundIdle(h.app); // an earlier test's key use is recorded after its answer
    const before = await snapshot(h.t.db);
    let refused = 0;
    for (const route of teamRoutes()) {
      const access = route.access as Permission;
      if (INSTALLER.has(access)) continue;
      const answer = await send(dual.client, callFor(route.method, route.url, idsOfB(), dual.user.id));
      expect.soft([answer.status, answer.code], `${route.method} ${route.url} → ${answer.raw}`).toEqual([403, "forbidden"]);
      refused += 1;
    }
    // Removing somebody else is members.remove (the route's rule lets members remove only themselves).
    const removal = await send(dual.client, { method: "DELETE", url: `/api/teams/${B.teamId}/members/${B.members.validation.user.id}` });
    expect([removal.status, removal.code]).toEqual([403, "forbidden"]);
    expect(refused).toBeGreaterThan(10);
    expect(await snapshot(h.t.db)).toEqual(before);
    // ...while in A the same person still administers.
    const inA = await dual.client.get(`/api/teams/${A.teamId}/invitations`);
    expect(inA.statusCode).toBe(200);
  });

  it("invitation tokens of B are not redeemable by A's members", async () => {
    const email = uniqueEmail("bravo invitee");
    const sent = await B.owner.client.post(`/api/teams/${B.teamId}/invitations`, { email, roles: ["billing"] });
    expect(sent.statusCode).toBe(201);
    const token = await h.linkTokenFor(email);
    const accepted = await A.owner.client.post(`/api/invitations/${token}/accept`);
    expect([accepted.statusCode, accepted.json().code]).toEqual([403, "invitation_email_mismatch"]);
    const list = (await B.owner.client.get(`/api/teams/${B.teamId}/invitations?status=pending`)).json();
    expect(list.items.map((i: { email: string }) => i.email)).toContain(email);
    const members = (await B.owner.client.get(`/api/teams/${B.teamId}/members`)).json();
    expect(members.items.map((m: { userId: string }) => m.userId)).not.toContain(A.owner.user.id);
  });
});
