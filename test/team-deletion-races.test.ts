// Deleting a team while its members are placing orders, invitees are accepting and people are
// switching to it (SECURITY 30), over real HTTP at a listening server. On PostgreSQL the server's
// pool runs these transactions side by side: without the team's row lock at the start of every
// write they answered 500 (foreign-key violations, NoResultError, deadlocks). On SQLite they queue
// behind BEGIN IMMEDIATE, and the answers must be the same set.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "./helpers/engines.js";
import { sleep, startLiveServer } from "./helpers/server.js";
import type { HttpResponse, LiveServer, LiveSignedIn } from "./helpers/server.js";

const ROUNDS = 10;
const INVITEES = 20;
const ORDERS = 24;
const BUYERS = 3;
const WAVES = 4;
const WAVE_MS = 5;

interface Shot {
  what: string;
  response: HttpResponse;
}

/** Every answer must be one of the allowed status/code pairs; the failure lists each other one, 5xx first. */
function expectOnly(shots: readonly Shot[], allowed: Record<string, Record<number, string | null>>): void {
  const unexpected = shots.filter(({ what, response }) => {
    const statuses = allowed[what] ?? {};
    if (!(response.status in statuses)) return true;
    const code = statuses[response.status];
    return code !== null && code !== undefined && response.code !== code;
  });
  const serverErrors = unexpected.filter((shot) => shot.response.status >= 500);
  const describe = (shot: Shot) => `${shot.what}: ${shot.response.status} ${shot.response.text.slice(0, 300)}`;
  expect([...serverErrors, ...unexpected.filter((shot) => shot.response.status < 500)].map(describe)).toEqual([]);
}

describe.each(ENGINES)("deleting a team in the middle of its traffic on %s", (engine) => {
  let live: LiveServer;
  let owner: LiveSignedIn;
  let buyers: LiveSignedIn[];
  let invitees: LiveSignedIn[];
  let productId: string;

  beforeAll(async () => {
    live = await startLiveServer(engine);
    owner = await live.signUp("Otto Deleter");
    buyers = [];
    for (let i = 0; i < BUYERS; i += 1) buyers.push(await live.signUp(`Bruno Buyer ${i}`));
    invitees = [];
    for (let i = 0; i < INVITEES; i += 1) invitees.push(await live.signUp(`Ines Invitee ${i}`));
    const products = await live.client().get("/api/products");
    productId = products.json().items[0].id;
  }, 120_000);
  afterAll(() => live?.close());

  const db = () => live.t.db.kysely;

  async function invite(teamId: string, email: string, roles: string[]): Promise<string> {
    const response = await owner.client.post(`/api/teams/${teamId}/invitations`, { email, roles });
    expect(response.status, response.text).toBe(201);
    return live.invitationToken(email);
  }

  /** A fresh team with a billing profile, its buyers in it, and a pending invitation for every invitee. */
  async function prepareRound(round: number) {
    const created = await owner.client.post("/api/teams", { name: `Doomed ${round}` });
    expect(created.status, created.text).toBe(201);
    const teamId: string = created.json().team.id;
    const profile = await owner.client.post(`/api/teams/${teamId}/billing-profiles`, {
      name: "Company card",
      country: "DE",
      cardBrand: "visa",
      cardLast4: "4242",
    });
    expect(profile.status, profile.text).toBe(201);
    for (const buyer of buyers) {
      const token = await invite(teamId, buyer.user.email, ["billing"]);
      const accepted = await buyer.client.post(`/api/invitations/${token}/accept`);
      expect(accepted.status, accepted.text).toBe(200);
    }
    // Sent one after another (each waits for its e-mail), so the team's invitations are all pending.
    const tokens = await Promise.all(invitees.map((invitee) => invite(teamId, invitee.user.email, ["installer"])));
    return { teamId, billingProfileId: profile.json().billingProfile.id as string, tokens };
  }

  /** Rows that would outlive their team or order, anywhere. */
  async function orphans(teamId: string): Promise<Record<string, number>> {
    const count = async (table: "memberships" | "invitations" | "orders" | "billingProfiles" | "transactions" | "documents") =>
      (await db().selectFrom(table).select("teamId").where("teamId", "=", teamId).execute()).length;
    const orderDomains = await db()
      .selectFrom("orderDomains")
      .leftJoin("orders", "orders.id", "orderDomains.orderId")
      .select("orderDomains.orderId")
      .where("orders.id", "is", null)
      .execute();
    const certificates = await db()
      .selectFrom("certificates")
      .leftJoin("orders", "orders.id", "certificates.orderId")
      .select("certificates.orderId")
      .where("orders.id", "is", null)
      .execute();
    const counts: Record<string, number> = {
      memberships: await count("memberships"),
      invitations: await count("invitations"),
      orders: await count("orders"),
      billingProfiles: await count("billingProfiles"),
      transactions: await count("transactions"),
      documents: await count("documents"),
      orderDomains: orderDomains.length,
      certificates: certificates.length,
    };
    return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
  }

  /** Users whose active team is one they are not a member of (a deleted team included). */
  async function strandedActiveTeams(): Promise<{ id: string; activeTeamId: string | null }[]> {
    return db()
      .selectFrom("users")
      .leftJoin("memberships", (join) =>
        join.onRef("memberships.teamId", "=", "users.activeTeamId").onRef("memberships.userId", "=", "users.id"),
      )
      .select(["users.id", "users.activeTeamId"])
      .where("users.activeTeamId", "is not", null)
      .where("memberships.userId", "is", null)
      .execute();
  }

  it(`answers no 5xx and leaves nothing behind, ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const { teamId, billingProfileId, tokens } = await prepareRound(round);
      const buyersAndOwner = [owner, ...buyers];
      const calls: (() => Promise<Shot>)[] = [];
      const shot = (what: string, fire: () => Promise<HttpResponse>) => calls.push(async () => ({ what, response: await fire() }));
      for (let i = 0; i < ORDERS; i += 1) {
        const buyer = buyersAndOwner[i % buyersAndOwner.length]!;
        shot("order", () =>
          buyer.client.post(`/api/teams/${teamId}/orders`, { productId, domains: [`r${round}-o${i}.example.com`], billingProfileId }),
        );
      }
      invitees.forEach((invitee, i) =>
        shot("accept", () => invitee.client.post(`/api/invitations/${tokens[i]}/accept`)),
      );
      // Some switch to the team while it goes: the buyers (members already) and a few invitees,
      // who may or may not have joined by then.
      for (const buyer of buyers) shot("switch", () => buyer.client.put("/api/me/active-team", { teamId }));
      for (const invitee of invitees.slice(0, 5)) shot("switch", () => invitee.client.put("/api/me/active-team", { teamId }));
      // Fired all at once, the bodyless requests (DELETE, accept) are handled before the ones whose
      // JSON is still on its way, and the deletion lands before or after the whole burst of orders,
      // never inside it. So the others go out in four waves 5 ms apart, and the deletion among
      // them, a little later each round: some orders commit before it, some wait on the team's
      // lock while it runs, some come after.
      const others = calls.map(async (call, i) => {
        await sleep((i % WAVES) * WAVE_MS);
        return call();
      });
      await sleep(2 + ((round * 2) % (WAVES * WAVE_MS)));
      const deletion = owner.client.delete(`/api/teams/${teamId}`).then((response): Shot => ({ what: "delete", response }));
      const shots = await Promise.all([...others, deletion]);

      expectOnly(shots, {
        order: { 201: null, 404: "not_found" },
        accept: { 200: null, 404: "not_found" },
        switch: { 200: null, 404: "not_found" },
        delete: { 204: null },
      });

      expect(await db().selectFrom("teams").select("id").where("id", "=", teamId).execute()).toEqual([]);
      expect(await orphans(teamId)).toEqual({});
      expect(await strandedActiveTeams()).toEqual([]);
      // Everyone's account still reads, with an active team they belong to.
      for (const person of [owner, ...buyers, ...invitees.slice(0, 5)]) {
        const me = await person.client.get("/api/me");
        expect(me.status, me.text).toBe(200);
        expect(me.json().activeTeam.id).not.toBe(teamId);
      }
      const deleted = await db().selectFrom("auditLog").select("id").where("teamId", "=", teamId).where("action", "=", "team.deleted").execute();
      expect(deleted).toHaveLength(1);
    }
  }, 300_000);
});
