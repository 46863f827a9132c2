// Races over real HTTP (SECURITY 18–20 and the unique-constraint races): many requests fired
// at once at a listening server. On PostgreSQL the server's pool runs them side by side, so a
// missing lock or check shows up here; on SQLite BEGIN IMMEDIATE serializes them.
// Every answer must be one of the expected statuses: never a 500.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail, PASSWORD } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { startLiveServer } from "./helpers/server.js";
import type { HttpResponse, LiveServer, LiveSignedIn } from "./helpers/server.js";

/** Status → how many answers had it, e.g. { 201: 2, 409: 6 }. */
function tally(responses: readonly HttpResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

/** Fails with every unexpected answer shown, so a 500 is readable in the report. */
function expectOnly(responses: readonly HttpResponse[], allowed: Record<number, readonly string[] | null>): void {
  const unexpected = responses.filter((r) => {
    if (!(r.status in allowed)) return true;
    const codes = allowed[r.status];
    return codes !== null && codes !== undefined && !codes.includes(r.code ?? "");
  });
  expect(unexpected.map((r) => `${r.status} ${r.text.slice(0, 300)}`)).toEqual([]);
}

describe.each(ENGINES)("concurrent requests on %s", (engine) => {
  let live: LiveServer;

  beforeAll(async () => {
    live = await startLiveServer(engine);
  });
  afterAll(() => live?.close());

  async function ownedTeams(userId: string): Promise<number> {
    const { n } = await live.t.db.kysely
      .selectFrom("teams")
      .select((eb) => eb.fn.countAll<string | number>().as("n"))
      .where("ownerId", "=", userId)
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  async function membershipsOf(teamId: string, userId: string) {
    return live.t.db.kysely.selectFrom("memberships").selectAll().where("teamId", "=", teamId).where("userId", "=", userId).execute();
  }

  /** Invites `invitee` to the team with the roles and has them accept. */
  async function join(owner: LiveSignedIn, teamId: string, invitee: LiveSignedIn, roles: string[]): Promise<void> {
    const invite = await owner.client.post(`/api/teams/${teamId}/invitations`, { email: invitee.user.email, roles });
    expect(invite.status, invite.text).toBe(201);
    const token = await live.invitationToken(invitee.user.email);
    const accept = await invitee.client.post(`/api/invitations/${token}/accept`);
    expect(accept.status, accept.text).toBe(200);
  }

  describe("team limit", () => {
    it("8 simultaneous creations by a user owning 1 of 3 create exactly 2", async () => {
      const ada = await live.signUp("Ada Limit");
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) => ada.client.post("/api/teams", { name: `Race ${i}` })),
      );
      expectOnly(responses, { 201: null, 409: ["team_limit_reached"] });
      expect(tally(responses)).toEqual({ 201: 2, 409: 6 });
      expect(await ownedTeams(ada.user.id)).toBe(3);
    });

    it("10 simultaneous creations by a user owning 2 of 3 create exactly 1 (SECURITY 19)", async () => {
      const bea = await live.signUp("Bea Limit");
      expect((await bea.client.post("/api/teams", { name: "Second" })).status).toBe(201);
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => bea.client.post("/api/teams", { name: `Race ${i}` })),
      );
      expectOnly(responses, { 201: null, 409: ["team_limit_reached"] });
      expect(tally(responses)).toEqual({ 201: 1, 409: 9 });
      expect(await ownedTeams(bea.user.id)).toBe(3);
      // Every created team is whole: its Owner holds a membership and its creation is audited.
      const teams = await live.t.db.kysely.selectFrom("teams").select("id").where("ownerId", "=", bea.user.id).execute();
      for (const team of teams) {
        expect(await membershipsOf(team.id, bea.user.id)).toHaveLength(1);
      }
    });
  });

  describe("invitation acceptance", () => {
    for (const parallel of [5, 20]) {
      it(`${parallel} simultaneous accepts of one invitation make exactly one membership (SECURITY 18)`, async () => {
        const owner = await live.signUp("Olga Accept");
        const invitee = await live.signUp("Ivan Accept");
        const invite = await owner.client.post(`/api/teams/${owner.defaultTeamId}/invitations`, {
          email: invitee.user.email,
          roles: ["billing"],
        });
        expect(invite.status, invite.text).toBe(201);
        const token = await live.invitationToken(invitee.user.email);
        const responses = await Promise.all(
          Array.from({ length: parallel }, () => invitee.client.post(`/api/invitations/${token}/accept`)),
        );
        expectOnly(responses, { 200: null, 410: ["invitation_used"], 409: ["already_member"] });
        expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
        expect(await membershipsOf(owner.defaultTeamId, invitee.user.id)).toHaveLength(1);
        const audit = await live.t.db.kysely
          .selectFrom("auditLog")
          .select("id")
          .where("teamId", "=", owner.defaultTeamId)
          .where("action", "=", "invitation.accepted")
          .execute();
        expect(audit).toHaveLength(1);
        const rows = await live.t.db.kysely.selectFrom("invitations").select("status").where("teamId", "=", owner.defaultTeamId).execute();
        expect(rows).toEqual([{ status: "accepted" }]);
      });
    }
  });

  describe("transfer, role change and removal at once (SECURITY 20)", () => {
    it("leaves exactly one Owner who holds a membership, round after round", async () => {
      const owner = await live.signUp("Otto Transfer");
      const admin = await live.signUp("Alma Admin");
      const receiver = await live.signUp("Rita Receiver");
      // Enough room for every round's team, on both sides of the transfer.
      await live.t.db.kysely.updateTable("users").set({ teamLimit: 50 }).where("id", "in", [owner.user.id, receiver.user.id]).execute();

      const outcomes: string[] = [];
      for (let round = 0; round < 5; round += 1) {
        const created = await owner.client.post("/api/teams", { name: `Transfer round ${round}` });
        expect(created.status, created.text).toBe(201);
        const teamId: string = created.json().team.id;
        await join(owner, teamId, admin, ["account_admin"]);
        await join(owner, teamId, receiver, ["billing"]);

        // Vary who starts first a little; the server decides the real order.
        const calls = [
          () => owner.client.post(`/api/teams/${teamId}/transfer`, { userId: receiver.user.id }),
          () => admin.client.patch(`/api/teams/${teamId}/members/${receiver.user.id}`, { roles: ["validation"] }),
          () => admin.client.delete(`/api/teams/${teamId}/members/${receiver.user.id}`),
        ];
        const order = [0, 1, 2].map((i) => (i + round) % 3);
        const answers: HttpResponse[] = [];
        await Promise.all(order.map(async (i) => (answers[i] = await calls[i]!())));
        const [transfer, roles, removal] = answers as [HttpResponse, HttpResponse, HttpResponse];

        expectOnly([transfer], { 200: null, 404: ["not_found"] });
        expectOnly([roles], { 200: null, 403: ["owner_protected"], 404: ["not_found"] });
        expectOnly([removal], { 204: null, 403: ["owner_protected"], 404: ["not_found"] });
        outcomes.push(`${transfer.status}/${roles.status}/${removal.status}`);

        const team = await live.t.db.kysely.selectFrom("teams").select("ownerId").where("id", "=", teamId).executeTakeFirstOrThrow();
        const members = await live.t.db.kysely.selectFrom("memberships").selectAll().where("teamId", "=", teamId).execute();
        const ownerRow = members.find((m) => m.userId === team.ownerId);
        expect(ownerRow, "the Owner holds a membership").toBeDefined();
        expect(ownerRow!.roles).toBe("");
        // Nobody but the Owner has an empty role set, and nobody holds two rows.
        expect(members.filter((m) => m.roles === "").map((m) => m.userId)).toEqual([team.ownerId]);
        expect(new Set(members.map((m) => m.userId)).size).toBe(members.length);

        if (transfer.status === 200) {
          expect(team.ownerId).toBe(receiver.user.id);
          expect(removal.status, "the new Owner cannot have been removed").not.toBe(204);
          expect(members.find((m) => m.userId === owner.user.id)?.roles).toBe("account_admin");
        } else {
          expect(team.ownerId).toBe(owner.user.id);
          expect(removal.status).toBe(204);
          expect(members.some((m) => m.userId === receiver.user.id)).toBe(false);
        }
        if (removal.status === 204) {
          expect(team.ownerId).not.toBe(receiver.user.id);
          expect(members.some((m) => m.userId === receiver.user.id)).toBe(false);
        }
      }
      expect(outcomes).toHaveLength(5);
    });
  });

  describe("unique e-mails and invitations", () => {
    it("concurrent sign-ups with one e-mail create exactly one account", async () => {
      const email = uniqueEmail("Sam Same");
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          live.client().post("/api/auth/signup", { email: i % 2 ? email.toUpperCase() : email, password: PASSWORD, name: `Sam ${i}` }),
        ),
      );
      expectOnly(responses, { 201: null, 409: ["email_taken"] });
      expect(tally(responses)).toEqual({ 201: 1, 409: 5 });
      const users = await live.t.db.kysely.selectFrom("users").select("id").where("email", "=", email).execute();
      expect(users).toHaveLength(1);
      // The winner's default team exists, exactly once; the losers left nothing behind.
      const teams = await live.t.db.kysely.selectFrom("teams").select(["id", "isDefault"]).where("ownerId", "=", users[0]!.id).execute();
      expect(teams).toEqual([expect.objectContaining({ isDefault: 1 })]);
    });

    it("concurrent invitations of one address leave exactly one pending invitation and one e-mail", async () => {
      const owner = await live.signUp("Ines Inviter");
      const email = uniqueEmail("Paula Pending");
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          owner.client.post(`/api/teams/${owner.defaultTeamId}/invitations`, {
            email: i % 2 ? ` ${email.toUpperCase()} ` : email,
            roles: ["installer"],
          }),
        ),
      );
      expectOnly(responses, { 201: null, 409: ["invitation_pending"] });
      expect(tally(responses)).toEqual({ 201: 1, 409: 7 });
      const pending = await live.t.db.kysely
        .selectFrom("invitations")
        .select("id")
        .where("teamId", "=", owner.defaultTeamId)
        .where("email", "=", email)
        .where("status", "=", "pending")
        .execute();
      expect(pending).toHaveLength(1);
      // No e-mail queued for the refused ones (their transactions rolled back).
      const queued = await live.t.db.kysely.selectFrom("outbox").select("id").where("toAddress", "=", email).execute();
      expect(queued).toHaveLength(1);
      const audited = await live.t.db.kysely
        .selectFrom("auditLog")
        .select("id")
        .where("teamId", "=", owner.defaultTeamId)
        .where("action", "=", "invitation.sent")
        .execute();
      expect(audited).toHaveLength(1);
    });
  });
});
