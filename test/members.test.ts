// Members over HTTP (SPEC rules 2, 4, 7, 10, 12; API.md "Members"; SECURITY.md 11, 13): the
// cursor-paginated list with its prefix filter, role changes, removal and leaving.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../src/shared/permissions.js";
import { createTestApp } from "./helpers/app.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { expectProblem } from "./helpers/problems.js";

interface MemberItem {
  userId: string;
  email: string;
  name: string;
  roles: string[];
  isOwner: boolean;
  joinedAt: string;
}


const cursorOf = (values: unknown) => Buffer.from(JSON.stringify(values)).toString("base64url");

describe.each(ENGINES)("members on %s", (engine) => {
  let h: TestApp;
  beforeAll(async () => {
    h = await createTestApp(engine);
  });
  afterAll(() => h.close());

  /** Several accounts at once, typed as the tuple of names given. */
  function signUpAll<const T extends readonly string[]>(names: T): Promise<{ [K in keyof T]: SignedIn }> {
    return Promise.all(names.map((name) => h.signUp(name))) as Promise<{ [K in keyof T]: SignedIn }>;
  }

  async function join(owner: SignedIn, teamId: string, member: SignedIn, roles: Role[]): Promise<void> {
    const invited = await owner.client.post(`/api/teams/${teamId}/invitations`, { email: member.user.email, roles });
    expect(invited.statusCode, invited.body).toBe(201);
    const accepted = await member.client.post(`/api/invitations/${await h.linkTokenFor(member.user.email)}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
  }

  async function createTeam(owner: SignedIn, name: string): Promise<string> {
    const response = await owner.client.post("/api/teams", { name });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().team.id;
  }

  async function storedRoles(teamId: string, userId: string): Promise<string | undefined> {
    const row = await h.t.db.kysely
      .selectFrom("memberships")
      .select("roles")
      .where("teamId", "=", teamId)
      .where("userId", "=", userId)
      .executeTakeFirst();
    return row?.roles;
  }

  describe("the list", () => {
    const BULK = 120;
    let owner: SignedIn;
    let installer: SignedIn;
    let teamId: string;

    beforeAll(async () => {
      owner = await h.signUp("Ada Owner");
      installer = await h.signUp("Ivy Installer");
      teamId = owner.defaultTeamId;
      await join(owner, teamId, installer, ["installer"]);
      // Many members, written straight to the database: argon2 sign-ups would take minutes.
      // Every third one shares its joining time with its neighbours, so the tie-break on user id counts.
      const base = Date.parse("2030-01-01T00:00:00.000Z");
      const special = [
        { name: "Zed Alpha", email: "alpha.zed@bulk.example" },
        { name: "Zed Beta", email: "beta@bulk.example" },
        { name: "Yvonne", email: "zed.yvonne@bulk.example" },
        { name: "100% Real", email: "percent@bulk.example" },
        { name: "Under_score", email: "underscore@bulk.example" },
      ];
      const people = Array.from({ length: BULK }, (_, i) =>
        special[i] ?? { name: `Member ${String(i).padStart(3, "0")}`, email: `member${String(i).padStart(3, "0")}@bulk.example` },
      );
      const users = people.map((person, i) => ({
        id: randomUUID(),
        email: person.email,
        name: person.name,
        passwordHash: "not-a-real-hash",
        teamLimit: null,
        activeTeamId: null,
        createdAt: new Date(base).toISOString(),
        joinedAt: new Date(base + Math.floor(i / 3) * 1000).toISOString(),
      }));
      await h.t.db.kysely
        .insertInto("users")
        .values(users.map(({ joinedAt: _joinedAt, ...user }) => user))
        .execute();
      await h.t.db.kysely
        .insertInto("memberships")
        .values(users.map((user, i) => ({ teamId, userId: user.id, roles: i % 2 ? "billing" : "installer,validation", joinedAt: user.joinedAt })))
        .execute();
    });

    async function allPages(client = owner.client, query = "", limit = 7): Promise<MemberItem[][]> {
      const pages: MemberItem[][] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/teams/${teamId}/members?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ""}`;
        const response = await client.get(url);
        expect(response.statusCode, response.body).toBe(200);
        const body: { items: MemberItem[]; nextCursor: string | null } = response.json();
        pages.push(body.items);
        cursor = body.nextCursor;
        expect(pages.length).toBeLessThan(500);
      } while (cursor);
      return pages;
    }

    it("walks every member exactly once across pages, the Owner first", async () => {
      const pages = await allPages();
      const total = BULK + 2;
      expect(pages).toHaveLength(Math.ceil(total / 7));
      expect(pages.slice(0, -1).every((page) => page.length === 7)).toBe(true);
      const items = pages.flat();
      expect(items).toHaveLength(total);
      expect(new Set(items.map((m) => m.userId)).size).toBe(total);
      expect(items[0]).toMatchObject({ userId: owner.user.id, isOwner: true, roles: [], email: owner.user.email, name: "Ada Owner" });
      expect(items.filter((m) => m.isOwner)).toHaveLength(1);
      expect(items[1]).toMatchObject({ userId: installer.user.id, isOwner: false, roles: ["installer"] });
      // After the Owner: by joining time, then user id.
      const rest = items.slice(1);
      const sorted = [...rest].sort((a, b) => a.joinedAt.localeCompare(b.joinedAt) || a.userId.localeCompare(b.userId));
      expect(rest.map((m) => m.userId)).toEqual(sorted.map((m) => m.userId));
      expect(items.find((m) => m.email === "beta@bulk.example")?.roles).toEqual(["billing"]);
      expect(items.find((m) => m.email === "alpha.zed@bulk.example")?.roles).toEqual(["installer", "validation"]);
    });

    it("gives the same walk to any member, with limit 1 and limit 100", async () => {
      const byOne = (await allPages(installer.client, "", 1)).flat();
      const byHundred = await allPages(installer.client, "", 100);
      expect(byHundred.map((page) => page.length)).toEqual([100, BULK + 2 - 100]);
      expect(byOne.map((m) => m.userId)).toEqual(byHundred.flat().map((m) => m.userId));
    });

    it("answers 50 members by default", async () => {
      const response = await owner.client.get(`/api/teams/${teamId}/members`);
      expect(response.json().items).toHaveLength(50);
      expect(response.json().nextCursor).toEqual(expect.any(String));
    });

    it("refuses a limit outside 1–100 or not a whole number", async () => {
      for (const limit of ["0", "101", "-1", "1.5", "abc", ""]) {
        const problem = expectProblem(await owner.client.get(`/api/teams/${teamId}/members?limit=${limit}`), 400, "invalid_request");
        expect(problem.errors?.map((e) => e.field).join(",")).toContain("limit");
      }
    });

    it("refuses a cursor it did not issue", async () => {
      const forged = ["garbage", "!!!", cursorOf(["only-one"]), cursorOf({ joinedAt: "x", userId: "y" }), cursorOf([1, 2]), "A".repeat(300)];
      for (const cursor of forged) {
        expectProblem(await owner.client.get(`/api/teams/${teamId}/members?cursor=${encodeURIComponent(cursor)}`), 400, "invalid_request");
      }
    });

    it("filters by a prefix of the name or the e-mail, case-insensitively, wildcards taken literally", async () => {
      const names = async (q: string) =>
        (await allPages(owner.client, `&q=${encodeURIComponent(q)}`, 100)).flat().map((m) => m.name).sort();
      expect(await names("zed")).toEqual(["Yvonne", "Zed Alpha", "Zed Beta"]);
      expect(await names("ZED B")).toEqual(["Zed Beta"]);
      expect(await names("beta@")).toEqual(["Zed Beta"]);
      expect(await names("alpha")).toEqual(["Zed Alpha"]); // by e-mail only: the name does not start with it
      expect(await names("100%")).toEqual(["100% Real"]);
      expect(await names("%")).toEqual([]);
      expect(await names("_")).toEqual([]);
      expect(await names("under_")).toEqual(["Under_score"]);
      expect(await names("nobody-matches")).toEqual([]);
      // The Owner leads the list only when the filter lets them through.
      const ada = (await allPages(owner.client, "&q=ada", 100)).flat();
      expect(ada.map((m) => m.userId)).toEqual([owner.user.id]);
      // The filter and the cursor together.
      const members = await allPages(owner.client, "&q=member", 9);
      expect(members.flat()).toHaveLength(BULK - 5);
      expect(new Set(members.flat().map((m) => m.userId)).size).toBe(BULK - 5);
    });

    it("walks everyone with limit 1 when the Owner joined after other members (after a transfer)", async () => {
      const [ada, bob, carl, dan] = await signUpAll(["Walk Ada", "Walk Bob", "Walk Carl", "Walk Dan"]);
      const handover = await createTeam(ada, "Handover");
      for (const member of [carl, bob, dan]) {
        h.clock.advance(1000);
        await join(ada, handover, member, ["installer"]);
      }
      expect((await ada.client.post(`/api/teams/${handover}/transfer`, { userId: bob.user.id })).statusCode).toBe(200);
      const expected = [bob, ada, carl, dan].map((p) => p.user.id);
      for (const limit of [1, 2, 3]) {
        const walked: string[] = [];
        let cursor: string | null = null;
        do {
          const response = await dan.client.get(`/api/teams/${handover}/members?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
          const body: { items: MemberItem[]; nextCursor: string | null } = response.json();
          walked.push(...body.items.map((m) => m.userId));
          cursor = body.nextCursor;
        } while (cursor && walked.length < 10);
        expect(walked, `limit ${limit}`).toEqual(expected);
      }
    });

    it("is hidden from non-members and anonymous callers", async () => {
      const stranger = await h.signUp("List Stranger");
      expectProblem(await stranger.client.get(`/api/teams/${teamId}/members`), 404, "not_found");
      expectProblem(await h.client().get(`/api/teams/${teamId}/members`), 401, "unauthenticated");
    });
  });

  describe("changing roles", () => {
    let ada: SignedIn;
    let admin: SignedIn;
    let bob: SignedIn;
    let biller: SignedIn;
    let stranger: SignedIn;
    let teamId: string;

    beforeAll(async () => {
      [ada, admin, bob, biller, stranger] = await signUpAll(["Roles Ada", "Roles Admin", "Roles Bob", "Roles Biller", "Roles Stranger"]);
      teamId = await createTeam(ada, "Role play");
      await join(ada, teamId, admin, ["account_admin"]);
      await join(ada, teamId, bob, ["validation"]);
      await join(ada, teamId, biller, ["billing"]);
    });

    it("replaces a member's roles, which take effect at once", async () => {
      const response = await ada.client.patch(`/api/teams/${teamId}/members/${bob.user.id}`, { roles: ["installer", "billing"] });
      expect(response.statusCode).toBe(200);
      expect(response.json().member).toMatchObject({ userId: bob.user.id, email: bob.user.email, roles: ["billing", "installer"], isOwner: false });
      expect(await storedRoles(teamId, bob.user.id)).toBe("billing,installer");
      const seen = (await bob.client.get(`/api/teams/${teamId}`)).json().team;
      expect(seen.roles).toEqual(["billing", "installer"]);
      expect(seen.permissions).toContain("certificates.manage");
      expect(seen.permissions).not.toContain("validation.manage");

      // An account_admin may grant any role, account_admin included.
      const byAdmin = await admin.client.patch(`/api/teams/${teamId}/members/${bob.user.id}`, { roles: ["account_admin"] });
      expect(byAdmin.statusCode).toBe(200);
      expect(byAdmin.json().member.roles).toEqual(["account_admin"]);
      expect((await ada.client.patch(`/api/teams/${teamId}/members/${bob.user.id}`, { roles: ["validation"] })).statusCode).toBe(200);
    });

    it("refuses zero roles, unknown roles, the owner 'role', duplicates and extra fields", async () => {
      const bodies = [
        { roles: [] },
        { roles: ["superuser"] },
        { roles: ["owner"] },
        { roles: ["Owner"] },
        { roles: ["billing", "billing"] },
        { roles: "billing" },
        { roles: null },
        {},
        { roles: ["billing"], isOwner: true },
      ];
      for (const body of bodies) {
        const problem = expectProblem(await ada.client.patch(`/api/teams/${teamId}/members/${bob.user.id}`, body), 400, "invalid_request");
        expect(problem.errors?.length).toBeGreaterThan(0);
      }
      expect(await storedRoles(teamId, bob.user.id)).toBe("validation");
    });

    it("protects the Owner and refuses anyone's own roles", async () => {
      expectProblem(await admin.client.patch(`/api/teams/${teamId}/members/${ada.user.id}`, { roles: ["billing"] }), 403, "owner_protected");
      const own = expectProblem(await admin.client.patch(`/api/teams/${teamId}/members/${admin.user.id}`, { roles: ["billing", "account_admin"] }), 403, "forbidden");
      expect(own.detail).toMatch(/own roles/);
      const ownerSelf = await ada.client.patch(`/api/teams/${teamId}/members/${ada.user.id}`, { roles: ["billing"] });
      expect(ownerSelf.statusCode).toBe(403);
      expect(ownerSelf.json().code).toBe("owner_protected");
      expect(await storedRoles(teamId, ada.user.id)).toBe("");
      expect(await storedRoles(teamId, admin.user.id)).toBe("account_admin");
      expect((await ada.client.get(`/api/teams/${teamId}`)).json().team.isOwner).toBe(true);
    });

    it("needs members.update, and hides the team from non-members", async () => {
      const denied = expectProblem(await biller.client.patch(`/api/teams/${teamId}/members/${bob.user.id}`, { roles: ["billing"] }), 403, "forbidden");
      expect(denied.detail).toContain("members.update");
      expectProblem(await stranger.client.patch(`/api/teams/${teamId}/members/${bob.user.id}`, { roles: ["billing"] }), 404, "not_found");
      expectProblem(await ada.client.patch(`/api/teams/${teamId}/members/${stranger.user.id}`, { roles: ["billing"] }), 404, "not_found");
      expectProblem(await ada.client.patch(`/api/teams/${teamId}/members/${randomUUID()}`, { roles: ["billing"] }), 404, "not_found");
      expect(await storedRoles(teamId, bob.user.id)).toBe("validation");
      expect(await storedRoles(teamId, stranger.user.id)).toBeUndefined();
    });

    it("refuses a demoted member's very next request", async () => {
      expect((await ada.client.patch(`/api/teams/${teamId}/members/${admin.user.id}`, { roles: ["installer"] })).statusCode).toBe(200);
      expectProblem(await admin.client.patch(`/api/teams/${teamId}/members/${bob.user.id}`, { roles: ["billing"] }), 403, "forbidden");
      expectProblem(await admin.client.delete(`/api/teams/${teamId}/members/${bob.user.id}`), 403, "forbidden");
      expectProblem(await admin.client.get(`/api/teams/${teamId}/audit`), 403, "forbidden");
      expect(await storedRoles(teamId, bob.user.id)).toBe("validation");
    });
  });

  describe("removing and leaving", () => {
    it("lets a member with members.remove remove a member, who loses access at once and falls back to their default team", async () => {
      const [ada, admin, bob] = await signUpAll(["Remove Ada", "Remove Admin", "Remove Bob"]);
      const teamId = await createTeam(ada, "Removals");
      await join(ada, teamId, admin, ["account_admin"]);
      await join(ada, teamId, bob, ["validation"]);
      expect((await bob.client.put("/api/me/active-team", { teamId })).statusCode).toBe(200);

      expect((await admin.client.delete(`/api/teams/${teamId}/members/${bob.user.id}`)).statusCode).toBe(204);
      expectProblem(await bob.client.get(`/api/teams/${teamId}`), 404, "not_found");
      expectProblem(await bob.client.get(`/api/teams/${teamId}/members`), 404, "not_found");
      const me = (await bob.client.get("/api/me")).json();
      expect(me.activeTeam).toMatchObject({ id: bob.defaultTeamId, isDefault: true });
      expect(me.teams.map((t: { id: string }) => t.id)).toEqual([bob.defaultTeamId]);
      expect(await storedRoles(teamId, bob.user.id)).toBeUndefined();
      expect((await ada.client.get(`/api/teams/${teamId}`)).json().team.memberCount).toBe(2);
      expectProblem(await admin.client.delete(`/api/teams/${teamId}/members/${bob.user.id}`), 404, "not_found");

      // A removed member can be invited again.
      await join(ada, teamId, bob, ["installer"]);
      expect(await storedRoles(teamId, bob.user.id)).toBe("installer");
    });

    it("lets any member leave, even without members.remove", async () => {
      const [ada, ivy] = await signUpAll(["Leave Ada", "Leave Ivy"]);
      const teamId = await createTeam(ada, "Leavers");
      await join(ada, teamId, ivy, ["installer"]);
      await ivy.client.put("/api/me/active-team", { teamId });
      expect((await ivy.client.delete(`/api/teams/${teamId}/members/${ivy.user.id}`)).statusCode).toBe(204);
      expectProblem(await ivy.client.get(`/api/teams/${teamId}`), 404, "not_found");
      expect((await ivy.client.get("/api/me")).json().activeTeam.id).toBe(ivy.defaultTeamId);
      expect(await storedRoles(teamId, ivy.user.id)).toBeUndefined();
    });

    it("never removes the Owner, nor lets them leave", async () => {
      const [ada, admin] = await signUpAll(["Stay Ada", "Stay Admin"]);
      const teamId = await createTeam(ada, "Owned");
      await join(ada, teamId, admin, ["account_admin"]);
      expectProblem(await ada.client.delete(`/api/teams/${teamId}/members/${ada.user.id}`), 403, "owner_protected");
      expectProblem(await admin.client.delete(`/api/teams/${teamId}/members/${ada.user.id}`), 403, "owner_protected");
      expectProblem(await ada.client.delete(`/api/teams/${ada.defaultTeamId}/members/${ada.user.id}`), 403, "owner_protected");
      expect(await storedRoles(teamId, ada.user.id)).toBe("");
      const team = await h.t.db.kysely.selectFrom("teams").select("ownerId").where("id", "=", teamId).executeTakeFirstOrThrow();
      expect(team.ownerId).toBe(ada.user.id);
    });

    it("needs members.remove to remove someone else, and 404s for strangers and non-members", async () => {
      const [ada, biller, bob, stranger] = await signUpAll(["Perm Ada", "Perm Biller", "Perm Bob", "Perm Stranger"]);
      const teamId = await createTeam(ada, "Guarded");
      await join(ada, teamId, biller, ["billing"]);
      await join(ada, teamId, bob, ["validation"]);
      const denied = expectProblem(await biller.client.delete(`/api/teams/${teamId}/members/${bob.user.id}`), 403, "forbidden");
      expect(denied.detail).toContain("members.remove");
      expectProblem(await stranger.client.delete(`/api/teams/${teamId}/members/${bob.user.id}`), 404, "not_found");
      expectProblem(await stranger.client.delete(`/api/teams/${teamId}/members/${stranger.user.id}`), 404, "not_found");
      expectProblem(await ada.client.delete(`/api/teams/${teamId}/members/${stranger.user.id}`), 404, "not_found");
      expectProblem(await ada.client.delete(`/api/teams/${teamId}/members/not-an-id`), 400, "invalid_request");
      expect(await storedRoles(teamId, bob.user.id)).toBe("validation");
    });
  });
});
