// SECURITY 17 and 28: invitations are rate-limited per client address, per inviter and per team;
// re-sends per invitation (3 an hour), per inviter (the same budget as new invitations) and per
// recipient address across every team (5 an hour). All through the one limiter.
import { afterEach, describe, expect, it } from "vitest";
import { HOUR, MINUTE, ManualClock } from "../src/server/clock.js";
import { AppError } from "../src/server/errors.js";
import { Limiter } from "../src/server/limits/limiter.js";
import { createTestApp } from "./helpers/app.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { createTeam, invite, inviteAndAccept } from "./helpers/fixtures.js";
import { expectProblem } from "./helpers/problems.js";

describe.each(ENGINES)("invitation rate limits on %s", (engine) => {
  let h: TestApp | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function outboxCount(address: string): Promise<number> {
    const rows = await h!.t.db.kysely.selectFrom("outbox").select("id").where("toAddress", "=", address).execute();
    return rows.length;
  }

  const resend = (who: SignedIn, teamId: string, invitationId: string) => who.client.post(`/api/teams/${teamId}/invitations/${invitationId}/resend`);

  it("answers 429 rate_limited with Retry-After once an address has sent its share", async () => {
    // RATE_LIMIT_SCALE 0.05: 100 invitations an hour per address become 5.
    h = await createTestApp(engine, { RATE_LIMIT_SCALE: "0.05" });
    const ada = await h.signUp("Ada");
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await ada.client.post(`/api/teams/${ada.defaultTeamId}/invitations`, { email: `limit${i}@example.com`, roles: ["billing"] });
      statuses.push(response.statusCode);
      if (response.statusCode === 429) {
        expect(response.json().code).toBe("rate_limited");
        expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    const stored = await h.t.db.kysely.selectFrom("invitations").select("id").execute();
    expect(stored).toHaveLength(5);
  });

  it("counts each inviter and each team on its own, and starts afresh after the window", () => {
    // The app's table at RATE_LIMIT_SCALE 0.01: 100 an hour per inviter become 1, 300 per team 3.
    const clock = new ManualClock();
    const limits = new Limiter(clock, 0.01);
    limits.take(["invitationsPerInviter", "ada"]);
    const refused = limits.refusalOf(["invitationsPerInviter", "ada"]);
    expect([refused?.code, refused?.extra.retryAfterSeconds]).toEqual(["rate_limited", 3600]);
    expect(() => limits.take(["invitationsPerInviter", "bob"])).not.toThrow();
    for (let i = 0; i < 3; i++) limits.take(["invitationsPerTeam", "team-a"]);
    expect(() => limits.take(["invitationsPerTeam", "team-a"])).toThrow(AppError);
    expect(() => limits.take(["invitationsPerTeam", "team-b"])).not.toThrow();
    clock.advance(HOUR);
    expect(() => limits.take(["invitationsPerInviter", "ada"], ["invitationsPerTeam", "team-a"])).not.toThrow();
  });

  it("re-sends: the 4th re-send of one invitation in an hour is 429 with Retry-After, and sends nothing", async () => {
    h = await createTestApp(engine);
    const ada = await h.signUp("Ada");
    const email = "resent.often@example.com";
    const id = await invite(ada.client, ada.defaultTeamId, email, ["billing"]);
    const other = await invite(ada.client, ada.defaultTeamId, "resent.once@example.com", ["billing"]);
    h.clock.advance(10 * MINUTE);
    for (let i = 0; i < 3; i++) expect((await resend(ada, ada.defaultTeamId, id)).statusCode).toBe(200);
    const sent = await outboxCount(email);
    expect(sent).toBe(4);
    h.clock.advance(20 * MINUTE);
    const refused = expectProblem(await resend(ada, ada.defaultTeamId, id), 429, "rate_limited");
    expect(refused.detail).toContain("re-sent too often");
    const response = await resend(ada, ada.defaultTeamId, id);
    expect(Number(response.headers["retry-after"])).toBe(40 * 60); // the hour began with the first re-send
    expect(await outboxCount(email)).toBe(sent);
    // Another invitation of the same team is not held back.
    expect((await resend(ada, ada.defaultTeamId, other)).statusCode).toBe(200);
    h.clock.advance(40 * MINUTE);
    expect((await resend(ada, ada.defaultTeamId, id)).statusCode).toBe(200);
  });

  it("re-sends: an outsider's attempts do not spend the invitation's budget", async () => {
    h = await createTestApp(engine);
    const ada = await h.signUp("Ada");
    const mallory = await h.signUp("Mallory");
    const id = await invite(ada.client, ada.defaultTeamId, "guarded@example.com", ["billing"]);
    for (let i = 0; i < 5; i++) expectProblem(await resend(mallory, ada.defaultTeamId, id), 404, "not_found");
    for (let i = 0; i < 3; i++) expect((await resend(ada, ada.defaultTeamId, id)).statusCode).toBe(200);
  });

  it("re-sends: at most 5 an hour to one recipient address, across teams", async () => {
    h = await createTestApp(engine);
    const ada = await h.signUp("Ada");
    const bob = await h.signUp("Bob");
    const email = "popular@example.com";
    const fromAda = await invite(ada.client, ada.defaultTeamId, email, ["billing"]);
    const fromBob = await invite(bob.client, bob.defaultTeamId, email, ["installer"]);
    const elsewhere = await invite(bob.client, bob.defaultTeamId, "someone.else@example.com", ["installer"]);
    for (let i = 0; i < 3; i++) expect((await resend(ada, ada.defaultTeamId, fromAda)).statusCode).toBe(200);
    for (let i = 0; i < 2; i++) expect((await resend(bob, bob.defaultTeamId, fromBob)).statusCode).toBe(200);
    const before = await outboxCount(email);
    // Bob's invitation has re-sends left, the address has none.
    const refused = expectProblem(await resend(bob, bob.defaultTeamId, fromBob), 429, "rate_limited");
    expect(refused.detail).toContain("this address");
    expect(await outboxCount(email)).toBe(before);
    expect((await resend(bob, bob.defaultTeamId, elsewhere)).statusCode).toBe(200);
    // The address is compared as stored, whatever case it was invited in.
    const third = await createTeam(ada.client, "Third team");
    const shouted = await invite(ada.client, third, "POPULAR@example.com", ["billing"]);
    expectProblem(await resend(ada, third, shouted), 429, "rate_limited");
    h.clock.advance(HOUR);
    expect((await resend(bob, bob.defaultTeamId, fromBob)).statusCode).toBe(200);
  });

  it("re-sends: each inviter's budget is shared with their new invitations, and another inviter of the team keeps theirs", async () => {
    // RATE_LIMIT_SCALE 0.1: 100 invitations (new or re-sent) an hour per inviter become 10.
    h = await createTestApp(engine, { RATE_LIMIT_SCALE: "0.1" });
    const ada = await h.signUp("Ada");
    const admin = await h.signUp("Admin");
    const teamId = ada.defaultTeamId;
    await inviteAndAccept(h, ada.client, teamId, admin, ["account_admin"]); // Ada: 1
    const ids = [];
    for (const name of ["first", "second", "third"]) ids.push(await invite(ada.client, teamId, `${name}@example.com`, ["billing"])); // 4
    const [first, second, third] = ids as [string, string, string];
    for (const id of [first, second]) for (let i = 0; i < 3; i++) expect((await resend(ada, teamId, id)).statusCode).toBe(200); // 10
    const refused = expectProblem(await resend(ada, teamId, third), 429, "rate_limited");
    expect(refused.detail).toContain("from you");
    expectProblem(await ada.client.post(`/api/teams/${teamId}/invitations`, { email: "fourth@example.com", roles: ["billing"] }), 429, "rate_limited");
    expect(await outboxCount("third@example.com")).toBe(1);
    expect((await resend(admin, teamId, third)).statusCode).toBe(200);
    h.clock.advance(HOUR);
    expect((await resend(ada, teamId, third)).statusCode).toBe(200);
  });
});
