// An invitation carries its inviter's authority (SECURITY 31; API.md "Members", DELETE): an inviter
// who no longer holds members.invite in the team — removed, left, or given roles without it — takes
// their pending invitations there with them, each revoked and audited in the same transaction. And
// the public preview of an invitation that has ended shows its status and nothing else.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../src/shared/permissions.js";
import { HOUR } from "../src/server/clock.js";
import { createTestApp, uniqueEmail } from "./helpers/app.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { expectProblem } from "./helpers/problems.js";

/** Sessions must outlive the 72 hours the clock is moved by at the end. */
const LONG_SESSIONS = { SESSION_IDLE_MINUTES: String(30 * 24 * 60), SESSION_ABSOLUTE_HOURS: String(30 * 24) };

describe.each(ENGINES)("invitations and their inviter's authority on %s", (engine) => {
  let h: TestApp;
  let owner: SignedIn;

  beforeAll(async () => {
    h = await createTestApp(engine, LONG_SESSIONS);
    owner = await h.signUp("Olga Owner");
    await h.t.db.kysely.updateTable("users").set({ teamLimit: 20 }).where("id", "=", owner.user.id).execute();
  });
  afterAll(() => h.close());

  async function createTeam(by: SignedIn, name: string): Promise<string> {
    const response = await by.client.post("/api/teams", { name });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().team.id;
  }

  async function invite(by: SignedIn, teamId: string, roles: Role[] = ["installer"], email = uniqueEmail("Invitee")) {
    const response = await by.client.post(`/api/teams/${teamId}/invitations`, { email, roles });
    expect(response.statusCode, response.body).toBe(201);
    return { id: response.json().invitation.id as string, email, token: await h.linkTokenFor(email) };
  }

  /** A new account that joins the team with the roles. */
  async function member(teamId: string, name: string, roles: Role[]): Promise<SignedIn> {
    const person = await h.signUp(name);
    const { token } = await invite(owner, teamId, roles, person.user.email);
    const accepted = await person.client.post(`/api/invitations/${token}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    return person;
  }

  async function statusOf(invitationId: string): Promise<string> {
    const row = await h.t.db.kysely.selectFrom("invitations").select("status").where("id", "=", invitationId).executeTakeFirstOrThrow();
    return row.status;
  }

  async function revocations(teamId: string) {
    const rows = await h.t.db.kysely
      .selectFrom("auditLog")
      .select(["actorId", "target", "details"])
      .where("teamId", "=", teamId)
      .where("action", "=", "invitation.revoked")
      .orderBy("id")
      .execute();
    return rows.map((row) => ({ actorId: row.actorId, target: row.target, details: JSON.parse(row.details) }));
  }

  /** The invitee's link is refused as revoked, for accept and for decline. */
  async function expectLinkRevoked(invitation: { email: string; token: string }): Promise<void> {
    const invitee = await h.signUp("Late Invitee", invitation.email);
    expectProblem(await invitee.client.post(`/api/invitations/${invitation.token}/accept`), 410, "invitation_revoked");
    expectProblem(await h.client().post(`/api/invitations/${invitation.token}/decline`), 410, "invitation_revoked");
    expect((await h.client().get(`/api/invitations/${invitation.token}`)).json()).toEqual({ status: "revoked" });
  }

  it("revokes a removed inviter's pending invitations, audited with the remover as actor; others' stay", async () => {
    const teamId = await createTeam(owner, "Removal");
    const otherTeamId = await createTeam(owner, "Elsewhere");
    const alma = await member(teamId, "Alma Admin", ["account_admin"]);
    const bert = await member(teamId, "Bert Admin", ["account_admin"]);
    const accepted = await invite(alma, teamId, ["billing"]);
    const joiner = await h.signUp("Joiner", accepted.email);
    expect((await joiner.client.post(`/api/invitations/${accepted.token}/accept`)).statusCode).toBe(200);
    const almaInvites = [await invite(alma, teamId, ["installer"]), await invite(alma, teamId, ["validation", "billing"])];
    const bertInvite = await invite(bert, teamId);
    const ownerInvite = await invite(owner, teamId);
    // Alma is an admin of another team too: what she sent there is not this team's business.
    const { token: elsewhereToken } = await invite(owner, otherTeamId, ["account_admin"], alma.user.email);
    expect((await alma.client.post(`/api/invitations/${elsewhereToken}/accept`)).statusCode).toBe(200);
    const almaOtherTeamInvite = await invite(alma, otherTeamId);

    expect((await owner.client.delete(`/api/teams/${teamId}/members/${alma.user.id}`)).statusCode).toBe(204);

    for (const invitation of almaInvites) expect(await statusOf(invitation.id)).toBe("revoked");
    expect(await statusOf(accepted.id)).toBe("accepted");
    expect(await statusOf(bertInvite.id)).toBe("pending");
    expect(await statusOf(ownerInvite.id)).toBe("pending");
    expect(await statusOf(almaOtherTeamInvite.id)).toBe("pending");
    expect(await revocations(teamId)).toEqual(
      almaInvites.map((invitation) => ({
        actorId: owner.user.id,
        target: invitation.email,
        details: { invitationId: invitation.id, reason: "inviter_lost_access", cause: "removed", inviterId: alma.user.id },
      })),
    );
    expect(await revocations(otherTeamId)).toEqual([]);
    // The team's list says so too, and the links are refused.
    const listed = (await owner.client.get(`/api/teams/${teamId}/invitations?status=revoked`)).json().items.map((i: { id: string }) => i.id);
    expect(listed.sort()).toEqual(almaInvites.map((i) => i.id).sort());
    for (const invitation of almaInvites) await expectLinkRevoked(invitation);
    // Bert's invitation still works.
    const bertInvitee = await h.signUp("Bert's Invitee", bertInvite.email);
    expect((await bertInvitee.client.post(`/api/invitations/${bertInvite.token}/accept`)).statusCode).toBe(200);
  });

  it("revokes the invitations of an inviter who leaves, with the leaver as actor", async () => {
    const teamId = await createTeam(owner, "Leaving");
    const lena = await member(teamId, "Lena Leaver", ["account_admin", "installer"]);
    const sent = await invite(lena, teamId, ["billing"]);
    expect((await lena.client.delete(`/api/teams/${teamId}/members/${lena.user.id}`)).statusCode).toBe(204);
    expect(await statusOf(sent.id)).toBe("revoked");
    expect(await revocations(teamId)).toEqual([
      {
        actorId: lena.user.id,
        target: sent.email,
        details: { invitationId: sent.id, reason: "inviter_lost_access", cause: "left", inviterId: lena.user.id },
      },
    ]);
    await expectLinkRevoked(sent);
  });

  it("revokes them when a role change takes members.invite away", async () => {
    const teamId = await createTeam(owner, "Demotion");
    const admin = await member(teamId, "Dora Demoted", ["account_admin"]);
    const boss = await member(teamId, "Bea Boss", ["account_admin"]);
    const sent = [await invite(admin, teamId), await invite(admin, teamId, ["billing"])];
    const bossInvite = await invite(boss, teamId);
    const changed = await boss.client.patch(`/api/teams/${teamId}/members/${admin.user.id}`, { roles: ["billing", "validation"] });
    expect(changed.statusCode, changed.body).toBe(200);
    for (const invitation of sent) expect(await statusOf(invitation.id)).toBe("revoked");
    expect(await statusOf(bossInvite.id)).toBe("pending");
    expect(await revocations(teamId)).toEqual(
      sent.map((invitation) => ({
        actorId: boss.user.id,
        target: invitation.email,
        details: { invitationId: invitation.id, reason: "inviter_lost_access", cause: "roles_changed", inviterId: admin.user.id },
      })),
    );
    await expectLinkRevoked(sent[0]!);
    // Given members.invite back, the revoked ones stay revoked: nothing is revived.
    expect((await owner.client.patch(`/api/teams/${teamId}/members/${admin.user.id}`, { roles: ["account_admin"] })).statusCode).toBe(200);
    expect(await statusOf(sent[1]!.id)).toBe("revoked");
  });

  it("revokes nothing when the new roles keep members.invite, nor when the Owner hands ownership on", async () => {
    const teamId = await createTeam(owner, "Kept");
    const admin = await member(teamId, "Kai Kept", ["account_admin"]);
    const receiver = await member(teamId, "Rico Receiver", ["billing"]);
    const adminInvite = await invite(admin, teamId);
    const ownerInvite = await invite(owner, teamId);
    const changed = await owner.client.patch(`/api/teams/${teamId}/members/${admin.user.id}`, { roles: ["account_admin", "billing"] });
    expect(changed.statusCode, changed.body).toBe(200);
    // The old Owner stays on as Account Admin, which keeps members.invite (SPEC rule 9).
    const transferred = await owner.client.post(`/api/teams/${teamId}/transfer`, { userId: receiver.user.id });
    expect(transferred.statusCode, transferred.body).toBe(200);
    expect(await statusOf(adminInvite.id)).toBe("pending");
    expect(await statusOf(ownerInvite.id)).toBe("pending");
    expect(await revocations(teamId)).toEqual([]);
    // The former Owner, now an admin, is then removed by the new Owner: now theirs go.
    expect((await receiver.client.delete(`/api/teams/${teamId}/members/${owner.user.id}`)).statusCode).toBe(204);
    expect(await statusOf(ownerInvite.id)).toBe("revoked");
    expect(await statusOf(adminInvite.id)).toBe("pending");
  });

  it("leaves an expired invitation expired: its link is already refused", async () => {
    const teamId = await createTeam(owner, "Expired");
    const admin = await member(teamId, "Ella Expired", ["account_admin"]);
    const old = await invite(admin, teamId);
    h.clock.advance(72 * HOUR);
    const fresh = await invite(admin, teamId);
    expect((await owner.client.delete(`/api/teams/${teamId}/members/${admin.user.id}`)).statusCode).toBe(204);
    expect(await statusOf(fresh.id)).toBe("revoked");
    expect((await h.client().get(`/api/invitations/${old.token}`)).json()).toEqual({ status: "expired" });
    expect((await revocations(teamId)).map((entry) => entry.details.invitationId)).toEqual([fresh.id]);
  });

  describe("the preview of an invitation that has ended", () => {
    async function preview(token: string) {
      const response = await h.client().get(`/api/invitations/${token}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    }

    it("shows the offer while pending, and only {status} once accepted, revoked, declined or expired", async () => {
      const teamId = await createTeam(owner, "Previews");
      const pending = await invite(owner, teamId, ["billing"]);
      expect(Object.keys(await preview(pending.token)).sort()).toEqual(["email", "expiresAt", "invitedBy", "roles", "status", "teamName"]);

      const accepted = await invite(owner, teamId);
      const acceptor = await h.signUp("Acceptor", accepted.email);
      expect((await acceptor.client.post(`/api/invitations/${accepted.token}/accept`)).statusCode).toBe(200);
      expect(await preview(accepted.token)).toStrictEqual({ status: "accepted" });

      const revoked = await invite(owner, teamId);
      expect((await owner.client.delete(`/api/teams/${teamId}/invitations/${revoked.id}`)).statusCode).toBe(204);
      expect(await preview(revoked.token)).toStrictEqual({ status: "revoked" });

      const declined = await invite(owner, teamId);
      expect((await h.client().post(`/api/invitations/${declined.token}/decline`)).statusCode).toBe(204);
      expect(await preview(declined.token)).toStrictEqual({ status: "declined" });

      // Expired while its row still says pending: the reader's status decides.
      h.clock.advance(72 * HOUR);
      expect(await preview(pending.token)).toStrictEqual({ status: "expired" });
      // Nothing of the team, the inviter or the address in the body at all.
      const body = (await h.client().get(`/api/invitations/${pending.token}`)).body;
      for (const secret of ["Previews", owner.user.email, "Olga", pending.email, "billing"]) expect(body).not.toContain(secret);
    });

    it("documents both shapes in the OpenAPI answer", async () => {
      const doc = (await h.client().get("/api/openapi.json")).json();
      const answer = doc.paths["/api/invitations/{token}"].get.responses["200"];
      const schema = answer.content["application/json"].schema;
      const shapes = (schema.anyOf ?? schema.oneOf) as { properties: Record<string, unknown> }[];
      expect(shapes.map((shape) => Object.keys(shape.properties).sort())).toEqual([
        ["email", "expiresAt", "invitedBy", "roles", "status", "teamName"],
        ["status"],
      ]);
    });
  });
});
