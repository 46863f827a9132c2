// GET /api/teams/:teamId's memberCount is a column kept by triggers (migrations 0011 and 0016), not a
// count of the membership per request: right after joins, removals, leaving, parallel accepts and
// bulk statements, on both engines.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, uniqueEmail } from "./helpers/app.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { createTeam, invite, inviteAndAccept } from "./helpers/fixtures.js";

describe.each(ENGINES)("member count on %s", (engine) => {
  let h: TestApp;
  let owner: SignedIn;

  beforeAll(async () => {
    h = await createTestApp(engine);
    owner = await h.signUp("Count Owner");
  });
  afterAll(() => h.close());

  const countOf = async (teamId: string) => {
    const answer = await owner.client.get(`/api/teams/${teamId}`);
    expect(answer.statusCode, answer.body).toBe(200);
    const stored = await h.t.db.kysely.selectFrom("memberships").select((eb) => eb.fn.countAll<string | number>().as("n")).where("teamId", "=", teamId).executeTakeFirstOrThrow();
    expect(answer.json().team.memberCount).toBe(Number(stored.n));
    return answer.json().team.memberCount as number;
  };

  it("follows joins, removals and leaving", async () => {
    const teamId = await createTeam(owner.client, "Counted team");
    expect(await countOf(teamId)).toBe(1);
    const people = await Promise.all([h.signUp("Count A"), h.signUp("Count B"), h.signUp("Count C")]);
    for (const person of people) await inviteAndAccept(h, owner.client, teamId, person, ["installer"]);
    expect(await countOf(teamId)).toBe(4);
    expect((await owner.client.delete(`/api/teams/${teamId}/members/${people[0]!.user.id}`)).statusCode).toBe(204);
    expect((await people[1]!.client.delete(`/api/teams/${teamId}/members/${people[1]!.user.id}`)).statusCode).toBe(204);
    expect(await countOf(teamId)).toBe(2);
    expect(await countOf(owner.defaultTeamId)).toBe(1);
    // Deleting the team takes its memberships (and the triggers' updates) with it, without an error.
    expect((await owner.client.delete(`/api/teams/${teamId}`)).statusCode).toBe(204);
  });

  it("counts rows added and removed many at a time, in two teams by one statement (a seed, a bulk tool)", async () => {
    const first = await createTeam(owner.client, "Bulk team one");
    const second = await createTeam(owner.client, "Bulk team two");
    const people = await Promise.all(Array.from({ length: 5 }, (_, i) => h.signUp(`Bulk ${i}`, uniqueEmail(`bulk ${i}`))));
    const at = new Date().toISOString();
    await h.t.db.kysely
      .insertInto("memberships")
      .values([
        ...people.map((p) => ({ teamId: first, userId: p.user.id, roles: "billing", joinedAt: at })),
        ...people.slice(0, 2).map((p) => ({ teamId: second, userId: p.user.id, roles: "billing", joinedAt: at })),
      ])
      .execute();
    expect([await countOf(first), await countOf(second)]).toEqual([6, 3]);
    await h.t.db.kysely.deleteFrom("memberships").where("userId", "in", people.slice(1).map((p) => p.user.id)).execute();
    expect([await countOf(first), await countOf(second)]).toEqual([2, 2]);
    for (const teamId of [first, second]) expect((await owner.client.delete(`/api/teams/${teamId}`)).statusCode).toBe(204);
  });

  it("counts every one of 20 accepts made at once", async () => {
    const teamId = await createTeam(owner.client, "Busy team");
    const people = await Promise.all(Array.from({ length: 20 }, (_, i) => h.signUp(`Busy ${i}`, uniqueEmail(`busy ${i}`))));
    const tokens: string[] = [];
    for (const person of people) {
      await invite(owner.client, teamId, person.user.email, ["billing"]);
      tokens.push(await h.linkTokenFor(person.user.email));
    }
    const answers = await Promise.all(people.map((person, i) => person.client.post(`/api/invitations/${tokens[i]}/accept`)));
    expect(answers.map((a) => a.statusCode)).toEqual(people.map(() => 200));
    expect(await countOf(teamId)).toBe(21);
  });
});
