// The audit log (SPEC rule 11; API.md "Audit"): every change of the Teams core is recorded with
// who, what, when and in which team; newest first, cursor-paginated; append-only in the database.
import type { LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../src/shared/permissions.js";
import { setTeamLimit } from "../src/server/commands/set-team-limit.js";
import { createTestApp } from "./helpers/app.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { expectProblem } from "./helpers/problems.js";

interface AuditItem {
  id: string;
  at: string;
  actor: { id: string; email: string } | null;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}


describe.each(ENGINES)("audit log on %s", (engine) => {
  let h: TestApp;
  let ada: SignedIn;
  let bob: SignedIn;
  let carolEmail: string;
  let dan: SignedIn;
  let eve: SignedIn;
  let frank: SignedIn;
  let teamId: string;
  /** What each step should have recorded, oldest first. */
  const expected: Partial<AuditItem>[] = [];

  beforeAll(async () => {
    h = await createTestApp(engine);
    [ada, bob, dan, eve, frank] = await signUpAll(["Ada Audit", "Bob Audit", "Dan Audit", "Eve Audit", "Frank Audit"]);
    carolEmail = `carol.audit.${engine}@example.com`;
  });
  afterAll(() => h.close());

  /** Several accounts at once, typed as the tuple of names given. */
  function signUpAll<const T extends readonly string[]>(names: T): Promise<{ [K in keyof T]: SignedIn }> {
    return Promise.all(names.map((name) => h.signUp(name))) as Promise<{ [K in keyof T]: SignedIn }>;
  }

  const actor = (who: SignedIn) => ({ id: who.user.id, email: who.user.email });

  /** Moves the clock on between steps so that `at` differs from step to step. */
  async function step<T>(work: () => Promise<T>, entry: Partial<AuditItem>): Promise<T> {
    h.clock.advance(1000);
    const result = await work();
    expected.push({ ...entry, at: h.clock.now().toISOString() });
    return result;
  }

  async function ok(response: Promise<LightMyRequestResponse>, status: number): Promise<LightMyRequestResponse> {
    const done = await response;
    expect(done.statusCode, done.body).toBe(status);
    return done;
  }

  async function invite(email: string, roles: Role[]): Promise<{ id: string; token: string }> {
    const response = await ok(ada.client.post(`/api/teams/${teamId}/invitations`, { email, roles }), 201);
    return { id: response.json().invitation.id, token: await h.linkTokenFor(email) };
  }

  async function readAll(by: SignedIn, team: string, limit = 100): Promise<AuditItem[]> {
    const items: AuditItem[] = [];
    let cursor: string | null = null;
    do {
      const response = await by.client.get(`/api/teams/${team}/audit?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
      expect(response.statusCode, response.body).toBe(200);
      const page: { items: AuditItem[]; nextCursor: string | null } = response.json();
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && items.length < 1000);
    return items;
  }

  it("records every change of the Teams core with who, what, target and team", async () => {
    const created = await step(() => ok(ada.client.post("/api/teams", { name: "Audited" }), 201), { action: "team.created", actor: actor(ada) });
    teamId = created.json().team.id;
    expected[0]!.target = teamId;
    expected[0]!.details = { name: "Audited" };

    await step(() => ok(ada.client.patch(`/api/teams/${teamId}`, { name: "Audited Ltd" }), 200), {
      action: "team.renamed",
      actor: actor(ada),
      target: teamId,
      details: { from: "Audited", to: "Audited Ltd" },
    });

    const forBob = await step(() => invite(bob.user.email, ["validation"]), { action: "invitation.sent", actor: actor(ada), target: bob.user.email });
    await step(() => ok(ada.client.post(`/api/teams/${teamId}/invitations/${forBob.id}/resend`), 200), {
      action: "invitation.resent",
      actor: actor(ada),
      target: bob.user.email,
    });
    const bobToken = await h.linkTokenFor(bob.user.email);
    await step(() => ok(bob.client.post(`/api/invitations/${bobToken}/accept`), 200), {
      action: "invitation.accepted",
      actor: actor(bob),
      target: bob.user.email,
      details: { invitationId: forBob.id, roles: ["validation"] },
    });

    const forCarol = await step(() => invite(carolEmail, ["billing"]), { action: "invitation.sent", actor: actor(ada), target: carolEmail });
    await step(() => ok(ada.client.delete(`/api/teams/${teamId}/invitations/${forCarol.id}`), 204), {
      action: "invitation.revoked",
      actor: actor(ada),
      target: carolEmail,
      details: { invitationId: forCarol.id },
    });

    const forDan = await step(() => invite(dan.user.email, ["installer"]), { action: "invitation.sent", actor: actor(ada), target: dan.user.email });
    await step(() => ok(dan.client.post(`/api/invitations/${forDan.token}/decline`), 204), {
      action: "invitation.declined",
      actor: actor(dan),
      target: dan.user.email,
    });

    await step(() => ok(ada.client.patch(`/api/teams/${teamId}/members/${bob.user.id}`, { roles: ["billing", "validation"] }), 200), {
      action: "member.roles_changed",
      actor: actor(ada),
      target: bob.user.email,
      details: { userId: bob.user.id, from: ["validation"], to: ["billing", "validation"] },
    });

    for (const who of [eve, frank]) {
      const sent = await step(() => invite(who.user.email, ["installer"]), { action: "invitation.sent", actor: actor(ada), target: who.user.email });
      await step(() => ok(who.client.post(`/api/invitations/${sent.token}/accept`), 200), {
        action: "invitation.accepted",
        actor: actor(who),
        target: who.user.email,
      });
    }
    await step(() => ok(eve.client.delete(`/api/teams/${teamId}/members/${eve.user.id}`), 204), {
      action: "member.left",
      actor: actor(eve),
      target: eve.user.email,
    });
    await step(() => ok(ada.client.delete(`/api/teams/${teamId}/members/${frank.user.id}`), 204), {
      action: "member.removed",
      actor: actor(ada),
      target: frank.user.email,
      details: { userId: frank.user.id, roles: ["installer"] },
    });

    await step(() => ok(ada.client.post(`/api/teams/${teamId}/transfer`, { userId: bob.user.id }), 200), {
      action: "team.ownership_transferred",
      actor: actor(ada),
      target: bob.user.email,
    });

    // Read by the new Owner and by the old one, now an account_admin: the same log.
    const items = await readAll(bob, teamId);
    expect(await readAll(ada, teamId)).toEqual(items);
    expect(items).toHaveLength(expected.length);
    const newestFirst = [...expected].reverse();
    items.forEach((item, i) => {
      expect(item, `entry ${i}`).toMatchObject(newestFirst[i]!);
      expect(Object.keys(item).sort()).toEqual(["action", "actor", "at", "details", "id", "target"]);
    });
    const transfer = items[0]!;
    expect(transfer.details).toMatchObject({ from: ada.user.id, to: bob.user.id });

    // Every row belongs to the team in the database as well.
    const rows = await h.t.db.kysely.selectFrom("auditLog").select(["id", "teamId"]).where("id", "in", items.map((i) => i.id)).execute();
    expect(rows).toHaveLength(items.length);
    expect(new Set(rows.map((r) => r.teamId))).toEqual(new Set([teamId]));
  });

  it("lists newest first and pages with a cursor", async () => {
    const all = await readAll(bob, teamId);
    const times = all.map((i) => i.at);
    expect(times).toEqual([...times].sort().reverse());
    expect(all.map((i) => i.id)).toEqual(all.map((i) => i.id).sort().reverse());
    for (const limit of [1, 4, 7]) {
      expect((await readAll(bob, teamId, limit)).map((i) => i.id), `limit ${limit}`).toEqual(all.map((i) => i.id));
    }
    const first = (await bob.client.get(`/api/teams/${teamId}/audit?limit=4`)).json();
    expect(first.items).toHaveLength(4);
    expect(first.nextCursor).toEqual(expect.any(String));
    expectProblem(await bob.client.get(`/api/teams/${teamId}/audit?cursor=garbage`), 400, "invalid_request");
    expectProblem(await bob.client.get(`/api/teams/${teamId}/audit?limit=0`), 400, "invalid_request");
    expectProblem(await bob.client.get(`/api/teams/${teamId}/audit?limit=101`), 400, "invalid_request");
  });

  it("needs audit.view, and hides the team from strangers", async () => {
    // Dan declined; eve left; frank was removed: none of them is a member any more.
    expectProblem(await dan.client.get(`/api/teams/${teamId}/audit`), 404, "not_found");
    expectProblem(await eve.client.get(`/api/teams/${teamId}/audit`), 404, "not_found");
    const sent = await ok(bob.client.post(`/api/teams/${teamId}/invitations`, { email: frank.user.email, roles: ["billing"] }), 201);
    expect(sent.json().invitation.status).toBe("pending");
    await ok(frank.client.post(`/api/invitations/${await h.linkTokenFor(frank.user.email)}/accept`), 200);
    expectProblem(await frank.client.get(`/api/teams/${teamId}/audit`), 403, "forbidden");
    expectProblem(await h.client().get(`/api/teams/${teamId}/audit`), 401, "unauthenticated");
  });

  it("records an operator's limit change in the user's default team, without an actor", async () => {
    h.clock.advance(1000);
    await setTeamLimit({ db: h.t.db, config: h.config, clock: h.clock }, ada.user.email, 5);
    const [latest] = await readAll(ada, ada.defaultTeamId, 1);
    expect(latest).toMatchObject({
      action: "team.limit_changed",
      actor: null,
      target: ada.user.email,
      details: { from: 3, to: 5 },
      at: h.clock.now().toISOString(),
    });
  });

  it("keeps a deleted team's log in the database", async () => {
    h.clock.advance(1000);
    const created = await ok(ada.client.post("/api/teams", { name: "Gone soon" }), 201);
    const goneId: string = created.json().team.id;
    h.clock.advance(1000);
    await ok(ada.client.delete(`/api/teams/${goneId}`), 204);
    expectProblem(await ada.client.get(`/api/teams/${goneId}/audit`), 404, "not_found");
    const rows = await h.t.db.kysely.selectFrom("auditLog").selectAll().where("teamId", "=", goneId).orderBy("id").execute();
    expect(rows.map((r) => r.action)).toEqual(["team.created", "team.deleted"]);
    expect(rows[1]).toMatchObject({ actorId: ada.user.id, actorEmail: ada.user.email, target: goneId, at: h.clock.now().toISOString() });
    expect(JSON.parse(rows[1]!.details)).toEqual({ name: "Gone soon" });
  });

  it("refuses to update or delete audit rows in the database itself", async () => {
    const db = h.t.db.kysely;
    const before = await db.selectFrom("auditLog").selectAll().orderBy("id").execute();
    expect(before.length).toBeGreaterThan(10);
    const victim = before[0]!.id;
    await expect(db.updateTable("auditLog").set({ action: "nothing.happened" }).where("id", "=", victim).execute()).rejects.toThrow(/append-only/);
    await expect(db.updateTable("auditLog").set({ actorEmail: null }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom("auditLog").where("id", "=", victim).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom("auditLog").execute()).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where team_id = ${teamId}`.execute(db)).rejects.toThrow(/append-only/);
    // Not even inside a transaction that would otherwise commit.
    await expect(
      db.transaction().execute(async (tx) => {
        await tx.updateTable("auditLog").set({ target: null }).where("teamId", "=", teamId).execute();
      }),
    ).rejects.toThrow(/append-only/);
    expect(await db.selectFrom("auditLog").selectAll().orderBy("id").execute()).toEqual(before);
  });
});
