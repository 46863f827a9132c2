// Teams over HTTP (SPEC rules 1, 3, 7, 9, 12; API.md "Teams" and "Auth and me"): create, read,
// rename, delete, the team limit (default, DEFAULT_TEAM_LIMIT, the operator's per-user override),
// ownership transfer, and the active team.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../src/shared/permissions.js";
import { PERMISSIONS } from "../src/shared/permissions.js";
import { setTeamLimit } from "../src/server/commands/set-team-limit.js";
import { createTestApp } from "./helpers/app.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { expectProblem } from "./helpers/problems.js";

const NO_SUCH_TEAM = "01900000-0000-7000-8000-000000000000";


async function createTeam(who: SignedIn, name: string): Promise<string> {
  const response = await who.client.post("/api/teams", { name });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().team.id as string;
}

describe.each(ENGINES)("teams on %s", (engine) => {
  let h: TestApp;
  beforeAll(async () => {
    h = await createTestApp(engine);
  });
  afterAll(() => h.close());

  /** Invites `member` into the team with the given roles and accepts as them. */
  async function join(owner: SignedIn, teamId: string, member: SignedIn, roles: Role[]): Promise<void> {
    const invited = await owner.client.post(`/api/teams/${teamId}/invitations`, { email: member.user.email, roles });
    expect(invited.statusCode, invited.body).toBe(201);
    const token = await h.linkTokenFor(member.user.email);
    const accepted = await member.client.post(`/api/invitations/${token}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
  }

  async function ownerOf(teamId: string): Promise<string | undefined> {
    const row = await h.t.db.kysely.selectFrom("teams").select("ownerId").where("id", "=", teamId).executeTakeFirst();
    return row?.ownerId;
  }

  const deps = () => ({ db: h.t.db, config: h.config, clock: h.clock });

  describe("lifecycle", () => {
    it("creates a team owned by the caller, lists it, reads it with its Owner and member count", async () => {
      const ada = await h.signUp("Ada Lovelace");
      const created = await ada.client.post("/api/teams", { name: "  Analytical Engines  " });
      expect(created.statusCode).toBe(201);
      const team = created.json().team;
      expect(team).toEqual({
        id: expect.any(String),
        name: "Analytical Engines",
        isDefault: false,
        isOwner: true,
        roles: [],
        permissions: [...PERMISSIONS].sort(),
      });

      const list = (await ada.client.get("/api/teams")).json().items;
      expect(list.map((t: { id: string }) => t.id)).toEqual([ada.defaultTeamId, team.id]);

      const read = await ada.client.get(`/api/teams/${team.id}`);
      expect(read.statusCode).toBe(200);
      expect(read.json().team).toMatchObject({
        id: team.id,
        name: "Analytical Engines",
        isDefault: false,
        isOwner: true,
        owner: { id: ada.user.id, email: ada.user.email, name: "Ada Lovelace" },
        memberCount: 1,
      });
      expect(await ownerOf(team.id)).toBe(ada.user.id);
      // Creating a team does not switch the active team.
      expect((await ada.client.get("/api/me")).json().activeTeam.id).toBe(ada.defaultTeamId);
    });

    it("renames a team (Owner and account_admin), refuses roles without team.update, hides it from non-members", async () => {
      const ada = await h.signUp("Rename Owner");
      const admin = await h.signUp("Rename Admin");
      const biller = await h.signUp("Rename Billing");
      const stranger = await h.signUp("Rename Stranger");
      const teamId = await createTeam(ada, "Old name");
      await join(ada, teamId, admin, ["account_admin"]);
      await join(ada, teamId, biller, ["billing"]);

      const renamed = await ada.client.patch(`/api/teams/${teamId}`, { name: "New name" });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json().team).toMatchObject({ id: teamId, name: "New name", memberCount: 3 });
      expect((await admin.client.patch(`/api/teams/${teamId}`, { name: "Admin's name" })).json().team.name).toBe("Admin's name");

      const denied = expectProblem(await biller.client.patch(`/api/teams/${teamId}`, { name: "Biller's name" }), 403, "forbidden");
      expect(denied.detail).toContain("team.update");
      expectProblem(await stranger.client.get(`/api/teams/${teamId}`), 404, "not_found");
      expectProblem(await stranger.client.patch(`/api/teams/${teamId}`, { name: "Stranger's name" }), 404, "not_found");
      expectProblem(await stranger.client.delete(`/api/teams/${teamId}`), 404, "not_found");
      expectProblem(await ada.client.patch(`/api/teams/${teamId}`, { name: "   " }), 400, "invalid_request");

      const row = await h.t.db.kysely.selectFrom("teams").select("name").where("id", "=", teamId).executeTakeFirstOrThrow();
      expect(row.name).toBe("Admin's name");
      // Renaming the default team is allowed; only deletion and transfer are not.
      expect((await ada.client.patch(`/api/teams/${ada.defaultTeamId}`, { name: "Home" })).statusCode).toBe(200);
    });

    it("deletes a team (Owner only) with its memberships and invitations; a default team never", async () => {
      const ada = await h.signUp("Delete Owner");
      const admin = await h.signUp("Delete Admin");
      const teamId = await createTeam(ada, "Short-lived");
      await join(ada, teamId, admin, ["account_admin"]);
      await ada.client.post(`/api/teams/${teamId}/invitations`, { email: "pending.delete@example.com", roles: ["billing"] });

      const denied = expectProblem(await admin.client.delete(`/api/teams/${teamId}`), 403, "forbidden");
      expect(denied.detail).toContain("team.delete");
      expectProblem(await ada.client.delete(`/api/teams/${ada.defaultTeamId}`), 409, "default_team");
      expect(await ownerOf(ada.defaultTeamId)).toBe(ada.user.id);

      expect((await ada.client.delete(`/api/teams/${teamId}`)).statusCode).toBe(204);
      expectProblem(await ada.client.get(`/api/teams/${teamId}`), 404, "not_found");
      expectProblem(await admin.client.get(`/api/teams/${teamId}`), 404, "not_found");
      expectProblem(await ada.client.delete(`/api/teams/${teamId}`), 404, "not_found");
      expect(await ownerOf(teamId)).toBeUndefined();
      expect(await h.t.db.kysely.selectFrom("memberships").select("userId").where("teamId", "=", teamId).execute()).toEqual([]);
      expect(await h.t.db.kysely.selectFrom("invitations").select("id").where("teamId", "=", teamId).execute()).toEqual([]);
      expect((await admin.client.get("/api/teams")).json().items.map((t: { id: string }) => t.id)).toEqual([admin.defaultTeamId]);
    });

    it("answers 404 for a team that does not exist", async () => {
      const ada = await h.signUp("Nothing There");
      expectProblem(await ada.client.get(`/api/teams/${NO_SUCH_TEAM}`), 404, "not_found");
      expectProblem(await ada.client.patch(`/api/teams/${NO_SUCH_TEAM}`, { name: "x" }), 404, "not_found");
      expectProblem(await ada.client.delete(`/api/teams/${NO_SUCH_TEAM}`), 404, "not_found");
      expectProblem(await ada.client.post(`/api/teams/${NO_SUCH_TEAM}/transfer`, { userId: ada.user.id }), 404, "not_found");
    });
  });

  describe("team limit", () => {
    it("lets a new user create 2 more teams and refuses the 3rd with the count in the detail", async () => {
      const ada = await h.signUp("Limit Ada");
      await createTeam(ada, "Second");
      await createTeam(ada, "Third");
      const refused = expectProblem(await ada.client.post("/api/teams", { name: "Fourth" }), 409, "team_limit_reached");
      expect(refused.detail).toBe("You own 3 of 3 teams.");
      const owned = await h.t.db.kysely.selectFrom("teams").select("id").where("ownerId", "=", ada.user.id).execute();
      expect(owned).toHaveLength(3);
    });

    it("frees a place when an owned team is deleted", async () => {
      const ada = await h.signUp("Limit Delete");
      const second = await createTeam(ada, "Second");
      await createTeam(ada, "Third");
      expectProblem(await ada.client.post("/api/teams", { name: "Fourth" }), 409, "team_limit_reached");
      expect((await ada.client.delete(`/api/teams/${second}`)).statusCode).toBe(204);
      await createTeam(ada, "Fourth");
    });

    it("does not count membership in other people's teams", async () => {
      const joiner = await h.signUp("Limit Joiner");
      for (const name of ["Limit Other 1", "Limit Other 2", "Limit Other 3"]) {
        const other = await h.signUp(name);
        await join(other, other.defaultTeamId, joiner, ["installer"]);
      }
      expect((await joiner.client.get("/api/teams")).json().items).toHaveLength(4);
      await createTeam(joiner, "Mine 2");
      await createTeam(joiner, "Mine 3");
      expectProblem(await joiner.client.post("/api/teams", { name: "Mine 4" }), 409, "team_limit_reached");
    });

    it("honours the operator's per-user limit, up or down, and back to the default", async () => {
      const ada = await h.signUp("Limit Enterprise");
      await createTeam(ada, "Second");
      await createTeam(ada, "Third");
      expectProblem(await ada.client.post("/api/teams", { name: "Fourth" }), 409, "team_limit_reached");

      expect(await setTeamLimit(deps(), ada.user.email.toUpperCase(), 5)).toEqual({ from: 3, to: 5 });
      expect((await ada.client.get("/api/me")).json().user.teamLimit).toBe(5);
      await createTeam(ada, "Fourth");
      await createTeam(ada, "Fifth");
      const refused = expectProblem(await ada.client.post("/api/teams", { name: "Sixth" }), 409, "team_limit_reached");
      expect(refused.detail).toBe("You own 5 of 5 teams.");

      // Lowering below what they own keeps their teams and refuses new ones.
      await setTeamLimit(deps(), ada.user.email, 2);
      expect(expectProblem(await ada.client.post("/api/teams", { name: "Sixth" }), 409, "team_limit_reached").detail).toBe("You own 5 of 2 teams.");
      expect((await ada.client.get("/api/teams")).json().items).toHaveLength(5);

      expect(await setTeamLimit(deps(), ada.user.email, null)).toEqual({ from: 2, to: 3 });
      expect((await ada.client.get("/api/me")).json().user.teamLimit).toBe(3);
    });

    it("is refused for unknown users and impossible limits", async () => {
      await expect(setTeamLimit(deps(), "nobody.at.all@example.com", 5)).rejects.toMatchObject({ code: "not_found" });
      const ada = await h.signUp("Limit Bad");
      for (const limit of [0, -1, 1.5, 10_001]) {
        await expect(setTeamLimit(deps(), ada.user.email, limit)).rejects.toMatchObject({ code: "invalid_request" });
      }
      const row = await h.t.db.kysely.selectFrom("users").select("teamLimit").where("id", "=", ada.user.id).executeTakeFirstOrThrow();
      expect(row.teamLimit).toBeNull();
    });
  });

  describe("ownership transfer", () => {
    it("makes the receiver Owner and the old Owner an account_admin", async () => {
      const ada = await h.signUp("Transfer Ada");
      const bob = await h.signUp("Transfer Bob");
      const teamId = await createTeam(ada, "Handed on");
      await join(ada, teamId, bob, ["validation"]);

      const response = await ada.client.post(`/api/teams/${teamId}/transfer`, { userId: bob.user.id });
      expect(response.statusCode).toBe(200);
      expect(response.json().team).toMatchObject({
        id: teamId,
        isOwner: false,
        roles: ["account_admin"],
        owner: { id: bob.user.id, email: bob.user.email },
        memberCount: 2,
      });
      expect(response.json().team.permissions).not.toContain("team.transfer");
      expect(await ownerOf(teamId)).toBe(bob.user.id);

      const bobView = (await bob.client.get(`/api/teams/${teamId}`)).json().team;
      expect(bobView).toMatchObject({ isOwner: true, roles: [], permissions: [...PERMISSIONS].sort() });
      const members = (await bob.client.get(`/api/teams/${teamId}/members`)).json().items;
      expect(members.map((m: { userId: string; isOwner: boolean; roles: string[] }) => [m.userId, m.isOwner, m.roles])).toEqual([
        [bob.user.id, true, []],
        [ada.user.id, false, ["account_admin"]],
      ]);

      // The old Owner can no longer transfer or delete; the new one can hand it back.
      expectProblem(await ada.client.post(`/api/teams/${teamId}/transfer`, { userId: ada.user.id }), 403, "forbidden");
      expectProblem(await ada.client.delete(`/api/teams/${teamId}`), 403, "forbidden");
      expect((await bob.client.post(`/api/teams/${teamId}/transfer`, { userId: ada.user.id })).statusCode).toBe(200);
      expect(await ownerOf(teamId)).toBe(ada.user.id);
    });

    it("refuses the default team, members without team.transfer, non-members and the Owner themself", async () => {
      const ada = await h.signUp("Transfer Refusals");
      const admin = await h.signUp("Transfer Admin");
      const stranger = await h.signUp("Transfer Stranger");
      await join(ada, ada.defaultTeamId, admin, ["account_admin"]);
      const teamId = await createTeam(ada, "Kept");
      await join(ada, teamId, admin, ["account_admin"]);

      expectProblem(await ada.client.post(`/api/teams/${ada.defaultTeamId}/transfer`, { userId: admin.user.id }), 409, "default_team");
      const denied = expectProblem(await admin.client.post(`/api/teams/${teamId}/transfer`, { userId: admin.user.id }), 403, "forbidden");
      expect(denied.detail).toContain("team.transfer");
      expectProblem(await ada.client.post(`/api/teams/${teamId}/transfer`, { userId: stranger.user.id }), 404, "not_found");
      expectProblem(await ada.client.post(`/api/teams/${teamId}/transfer`, { userId: NO_SUCH_TEAM }), 404, "not_found");
      expectProblem(await stranger.client.post(`/api/teams/${teamId}/transfer`, { userId: stranger.user.id }), 404, "not_found");
      expectProblem(await ada.client.post(`/api/teams/${teamId}/transfer`, { userId: ada.user.id }), 400, "invalid_request");
      expectProblem(await ada.client.post(`/api/teams/${teamId}/transfer`, { userId: "not-an-id" }), 400, "invalid_request");

      expect(await ownerOf(ada.defaultTeamId)).toBe(ada.user.id);
      expect(await ownerOf(teamId)).toBe(ada.user.id);
      const adminRow = await h.t.db.kysely
        .selectFrom("memberships")
        .select("roles")
        .where("teamId", "=", teamId)
        .where("userId", "=", admin.user.id)
        .executeTakeFirstOrThrow();
      expect(adminRow.roles).toBe("account_admin");
    });

    it("refuses a receiver who already owns as many teams as their limit allows", async () => {
      const ada = await h.signUp("Transfer Giver");
      const carol = await h.signUp("Transfer Full");
      await createTeam(carol, "Carol 2");
      await createTeam(carol, "Carol 3");
      const teamId = await createTeam(ada, "Unwanted");
      await join(ada, teamId, carol, ["billing"]);

      const refused = expectProblem(await ada.client.post(`/api/teams/${teamId}/transfer`, { userId: carol.user.id }), 409, "team_limit_reached");
      expect(refused.detail).toContain("3 of 3");
      expect(await ownerOf(teamId)).toBe(ada.user.id);
      expect((await carol.client.get(`/api/teams/${teamId}`)).json().team).toMatchObject({ isOwner: false, roles: ["billing"] });

      await setTeamLimit(deps(), carol.user.email, 4);
      expect((await ada.client.post(`/api/teams/${teamId}/transfer`, { userId: carol.user.id })).statusCode).toBe(200);
      expect(await ownerOf(teamId)).toBe(carol.user.id);
    });
  });

  describe("active team", () => {
    it("switches to any team the user belongs to, and refuses others with 404", async () => {
      const ada = await h.signUp("Active Ada");
      const bob = await h.signUp("Active Bob");
      const teamId = await createTeam(ada, "Workplace");
      await join(ada, teamId, bob, ["installer"]);

      const switched = await bob.client.put("/api/me/active-team", { teamId });
      expect(switched.statusCode).toBe(200);
      expect(switched.json().activeTeam).toMatchObject({ id: teamId, name: "Workplace", isOwner: false, roles: ["installer"] });
      expect((await bob.client.get("/api/me")).json().activeTeam.id).toBe(teamId);

      expectProblem(await bob.client.put("/api/me/active-team", { teamId: ada.defaultTeamId }), 404, "not_found");
      expectProblem(await bob.client.put("/api/me/active-team", { teamId: NO_SUCH_TEAM }), 404, "not_found");
      expectProblem(await bob.client.put("/api/me/active-team", { teamId: "garbage" }), 400, "invalid_request");
      expect((await bob.client.get("/api/me")).json().activeTeam.id).toBe(teamId);

      expect((await bob.client.put("/api/me/active-team", { teamId: bob.defaultTeamId })).json().activeTeam.id).toBe(bob.defaultTeamId);
    });

    it("falls back to the default team when the active team is deleted", async () => {
      const ada = await h.signUp("Active Deleter");
      const bob = await h.signUp("Active Member");
      const teamId = await createTeam(ada, "Doomed");
      await join(ada, teamId, bob, ["billing"]);
      await bob.client.put("/api/me/active-team", { teamId });
      await ada.client.put("/api/me/active-team", { teamId });

      expect((await ada.client.delete(`/api/teams/${teamId}`)).statusCode).toBe(204);
      const bobMe = (await bob.client.get("/api/me")).json();
      expect(bobMe.activeTeam).toMatchObject({ id: bob.defaultTeamId, isDefault: true, isOwner: true });
      expect(bobMe.teams.map((t: { id: string }) => t.id)).toEqual([bob.defaultTeamId]);
      expect((await ada.client.get("/api/me")).json().activeTeam.id).toBe(ada.defaultTeamId);
      const rows = await h.t.db.kysely.selectFrom("users").select("activeTeamId").where("id", "in", [ada.user.id, bob.user.id]).execute();
      expect(rows.map((r) => r.activeTeamId)).not.toContain(teamId);
    });
  });
});

describe.each(ENGINES)("DEFAULT_TEAM_LIMIT on %s", (engine) => {
  let h: TestApp;
  beforeAll(async () => {
    h = await createTestApp(engine, { DEFAULT_TEAM_LIMIT: "2" });
  });
  afterAll(() => h.close());

  it("sets how many teams a user may own unless set per user", async () => {
    const ada = await h.signUp("Configured Limit");
    expect(ada.user.teamLimit).toBe(2);
    await createTeam(ada, "Second");
    expect(expectProblem(await ada.client.post("/api/teams", { name: "Third" }), 409, "team_limit_reached").detail).toBe("You own 2 of 2 teams.");
    await setTeamLimit({ db: h.t.db, config: h.config, clock: h.clock }, ada.user.email, 3);
    await createTeam(ada, "Third");
  });
});
