// Invitations over HTTP (SPEC rule 5; API.md "Invitations"; SECURITY.md 14–16): the e-mail and
// its link, the token's secrecy, accept, decline, revoke, re-send, expiry, and every refusal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../src/shared/permissions.js";
import { HOUR, MINUTE } from "../src/server/clock.js";
import { formatUtc } from "../src/server/mail/layout.js";
import { hashToken } from "../src/server/secrets.js";
import { Client, PASSWORD, createTestApp, uniqueEmail } from "./helpers/app.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { expectProblem } from "./helpers/problems.js";

interface InvitationItem {
  id: string;
  email: string;
  roles: string[];
  status: string;
  invitedBy: { id: string; email: string; name: string };
  createdAt: string;
  expiresAt: string;
}


/** Sessions must outlive the 72 hours the clock is moved by. */
const LONG_SESSIONS = { SESSION_IDLE_MINUTES: String(30 * 24 * 60), SESSION_ABSOLUTE_HOURS: String(30 * 24) };

describe.each(ENGINES)("invitations on %s", (engine) => {
  let h: TestApp;
  let ada: SignedIn;
  let teamId: string;

  beforeAll(async () => {
    h = await createTestApp(engine, LONG_SESSIONS);
    ada = await h.signUp("Ada Lovelace");
    const team = await ada.client.post("/api/teams", { name: "Analytical Engines" });
    teamId = team.json().team.id;
  });
  afterAll(() => h.close());

  async function invite(email: string, roles: Role[] = ["validation"], by: SignedIn = ada, team = teamId) {
    const response = await by.client.post(`/api/teams/${team}/invitations`, { email, roles });
    expect(response.statusCode, response.body).toBe(201);
    const invitation: InvitationItem = response.json().invitation;
    return { invitation, token: await h.linkTokenFor(invitation.email) };
  }

  async function preview(token: string) {
    return h.client().get(`/api/invitations/${token}`);
  }

  async function list(query = "", by: SignedIn = ada): Promise<{ items: InvitationItem[]; nextCursor: string | null }> {
    const response = await by.client.get(`/api/teams/${teamId}/invitations${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  async function isMember(userId: string, team = teamId): Promise<boolean> {
    const row = await h.t.db.kysely.selectFrom("memberships").select("userId").where("teamId", "=", team).where("userId", "=", userId).executeTakeFirst();
    return row !== undefined;
  }

  async function storedStatus(id: string): Promise<string> {
    return (await h.t.db.kysely.selectFrom("invitations").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status;
  }

  /** Records every response body a client receives. */
  function recording(client: Client, bodies: string[]): Client {
    const original = client.request.bind(client);
    client.request = async (...args: Parameters<Client["request"]>) => {
      const response = await original(...args);
      bodies.push(response.body);
      return response;
    };
    return client;
  }

  describe("sending", () => {
    it("answers 201 and e-mails the team, the inviter, the roles in plain words, the expiry and the link", async () => {
      const email = uniqueEmail("Bob Mail");
      const response = await ada.client.post(`/api/teams/${teamId}/invitations`, { email, roles: ["validation", "account_admin"] });
      expect(response.statusCode).toBe(201);
      const invitation = response.json().invitation;
      expect(Object.keys(invitation).sort()).toEqual(["createdAt", "email", "expiresAt", "id", "invitedBy", "roles", "status"]);
      expect(invitation).toMatchObject({
        email,
        roles: ["account_admin", "validation"],
        status: "pending",
        invitedBy: { id: ada.user.id, email: ada.user.email, name: "Ada Lovelace" },
        createdAt: h.clock.now().toISOString(),
      });
      expect(Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt)).toBe(72 * HOUR);

      const mail = await h.lastEmailTo(email);
      expect(mail).toBeDefined();
      const token = await h.linkTokenFor(email);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
      for (const body of [mail!.text, mail!.html]) {
        expect(body).toContain("Analytical Engines");
        expect(body).toContain("Ada Lovelace");
        expect(body).toContain("Account Admin");
        expect(body).toContain("Validation");
        expect(body).toContain(formatUtc(new Date(invitation.expiresAt)));
        expect(body).toContain(`http://certdesk.test/invitations/${token}`);
      }
      expect(mail!.text).not.toContain("account_admin");
      expect(mail!.subject).toContain("Analytical Engines");
    });

    it("never puts the token in an API answer and stores only its hash", async () => {
      const bodies: string[] = [];
      const owner = recording(ada.client, bodies);
      const email = uniqueEmail("Secret Bob");
      const first = await owner.post(`/api/teams/${teamId}/invitations`, { email, roles: ["billing"] });
      const id = first.json().invitation.id;
      const oldToken = await h.linkTokenFor(email);
      await owner.get(`/api/teams/${teamId}/invitations`);
      await owner.post(`/api/teams/${teamId}/invitations/${id}/resend`);
      const token = await h.linkTokenFor(email);
      expect(token).not.toBe(oldToken);
      const bob = await h.signUp("Secret Bob", email);
      recording(bob.client, bodies);
      await bob.client.get(`/api/invitations/${token}`);
      await bob.client.get(`/api/invitations/${oldToken}`);
      expect((await bob.client.post(`/api/invitations/${token}/accept`)).statusCode).toBe(200);
      await bob.client.get("/api/me");
      await owner.get(`/api/teams/${teamId}/invitations?status=all`);
      await owner.get(`/api/teams/${teamId}/members?q=secret`);
      await owner.get(`/api/teams/${teamId}/audit`);
      await owner.get(`/api/teams/${teamId}`);
      owner.request = Client.prototype.request.bind(owner);

      expect(bodies.length).toBeGreaterThanOrEqual(11);
      for (const secret of [token, oldToken, hashToken(token), hashToken(oldToken)]) {
        for (const body of bodies) expect(body).not.toContain(secret);
      }
      const rows = await h.t.db.kysely.selectFrom("invitations").selectAll().execute();
      const table = JSON.stringify(rows);
      expect(table).not.toContain(token);
      expect(table).not.toContain(oldToken);
      expect(rows.find((row) => row.id === id)?.tokenHash).toBe(hashToken(token));
      // A copy of the database cannot accept: the stored hash is not a token.
      const stolen = await h.signUp("Thief", uniqueEmail("Thief"));
      expectProblem(await stolen.client.post(`/api/invitations/${hashToken(token)}/accept`), 404, "not_found");
    });

    it("compares the address trimmed and lower-cased", async () => {
      const local = uniqueEmail("Bob").split("@")[0]!;
      const { invitation, token } = await invite(`  ${local.toUpperCase()}@Example.COM `, ["installer"]);
      expect(invitation.email).toBe(`${local}@example.com`);
      expectProblem(await ada.client.post(`/api/teams/${teamId}/invitations`, { email: `${local}@example.com`, roles: ["billing"] }), 409, "invitation_pending");
      const bob = await h.signUp("Bob", `${local}@example.com`);
      expect((await bob.client.post(`/api/invitations/${token}/accept`)).statusCode).toBe(200);
      expect(await isMember(bob.user.id)).toBe(true);
    });

    it("refuses look-alike addresses (fullwidth letters, the Kelvin sign)", async () => {
      for (const email of ["ｂob@example.com", "bob@ｅxample.com", "\u212Aelvin@example.com"]) {
        const problem = expectProblem(await ada.client.post(`/api/teams/${teamId}/invitations`, { email, roles: ["billing"] }), 400, "invalid_request");
        expect(problem.errors?.map((e) => e.field)).toContain("email");
      }
    });

    it("refuses zero roles, the Owner as a role, unknown roles and malformed addresses", async () => {
      const email = uniqueEmail("Roles");
      for (const body of [
        { email, roles: [] },
        { email, roles: ["owner"] },
        { email, roles: ["superuser"] },
        { email },
        { email: "not an address", roles: ["billing"] },
        { email, roles: ["billing"], teamId },
      ]) {
        expectProblem(await ada.client.post(`/api/teams/${teamId}/invitations`, body), 400, "invalid_request");
      }
      const rows = await h.t.db.kysely.selectFrom("invitations").select("id").where("email", "=", email).execute();
      expect(rows).toEqual([]);
    });

    it("refuses a current member, the Owner, and an address with a pending invitation", async () => {
      const bob = await h.signUp("Member Bob");
      const { token } = await invite(bob.user.email);
      expectProblem(await ada.client.post(`/api/teams/${teamId}/invitations`, { email: bob.user.email.toUpperCase(), roles: ["billing"] }), 409, "invitation_pending");
      await bob.client.post(`/api/invitations/${token}/accept`);
      expectProblem(await ada.client.post(`/api/teams/${teamId}/invitations`, { email: bob.user.email, roles: ["billing"] }), 409, "already_member");
      expectProblem(await ada.client.post(`/api/teams/${teamId}/invitations`, { email: ada.user.email, roles: ["billing"] }), 409, "already_member");
      const pending = await h.t.db.kysely.selectFrom("invitations").select("id").where("email", "=", bob.user.email).where("status", "=", "pending").execute();
      expect(pending).toEqual([]);
    });

    it("needs members.invite, and hides the team from strangers", async () => {
      const biller = await h.signUp("Invite Biller");
      const stranger = await h.signUp("Invite Stranger");
      const { token } = await invite(biller.user.email, ["billing"]);
      await biller.client.post(`/api/invitations/${token}/accept`);
      const email = uniqueEmail("Nope");
      expect(expectProblem(await biller.client.post(`/api/teams/${teamId}/invitations`, { email, roles: ["billing"] }), 403, "forbidden").detail).toContain(
        "members.invite",
      );
      expectProblem(await biller.client.get(`/api/teams/${teamId}/invitations`), 403, "forbidden");
      expectProblem(await stranger.client.post(`/api/teams/${teamId}/invitations`, { email, roles: ["billing"] }), 404, "not_found");
      expectProblem(await stranger.client.get(`/api/teams/${teamId}/invitations`), 404, "not_found");
      expectProblem(await h.client().post(`/api/teams/${teamId}/invitations`, { email, roles: ["billing"] }), 401, "unauthenticated");
    });
  });

  describe("the invitee's side", () => {
    it("shows what the link offers without a session", async () => {
      const email = uniqueEmail("Preview");
      const { invitation, token } = await invite(email, ["billing", "installer"]);
      const response = await preview(token);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        teamName: "Analytical Engines",
        invitedBy: { name: "Ada Lovelace", email: ada.user.email },
        email,
        roles: ["billing", "installer"],
        expiresAt: invitation.expiresAt,
        status: "pending",
      });
      expectProblem(await preview("A".repeat(43)), 404, "not_found");
      expectProblem(await preview("short"), 404, "not_found");
    });

    it("accepts once: the second accept is 410 invitation_used", async () => {
      const bob = await h.signUp("Accept Bob");
      const { invitation, token } = await invite(bob.user.email, ["validation"]);
      expectProblem(await h.client().post(`/api/invitations/${token}/accept`), 401, "unauthenticated");
      const accepted = await bob.client.post(`/api/invitations/${token}/accept`);
      expect(accepted.statusCode).toBe(200);
      expect(accepted.json().team).toMatchObject({ id: teamId, name: "Analytical Engines", isOwner: false, roles: ["validation"] });
      expect(await isMember(bob.user.id)).toBe(true);
      expectProblem(await bob.client.post(`/api/invitations/${token}/accept`), 410, "invitation_used");
      expectProblem(await bob.client.post(`/api/invitations/${token}/decline`), 410, "invitation_used");
      expect((await preview(token)).json().status).toBe("accepted");
      expect((await list("?status=accepted")).items.map((i) => i.id)).toContain(invitation.id);
      const memberships = await h.t.db.kysely.selectFrom("memberships").select("userId").where("teamId", "=", teamId).where("userId", "=", bob.user.id).execute();
      expect(memberships).toHaveLength(1);
    });

    it("refuses another account with 403 and leaves the invitation pending", async () => {
      const bob = await h.signUp("Mismatch Bob");
      const eve = await h.signUp("Mismatch Eve");
      const { invitation, token } = await invite(bob.user.email);
      expectProblem(await eve.client.post(`/api/invitations/${token}/accept`), 403, "invitation_email_mismatch");
      expectProblem(await eve.client.post(`/api/invitations/${token}/decline`), 403, "invitation_email_mismatch");
      expect(await isMember(eve.user.id)).toBe(false);
      expect(await storedStatus(invitation.id)).toBe("pending");
      expect((await preview(token)).json().status).toBe("pending");
      expect((await bob.client.post(`/api/invitations/${token}/accept`)).statusCode).toBe(200);
    });

    it("lets an invitee without an account sign up from the link and then accept", async () => {
      const email = uniqueEmail("Newcomer");
      const { token } = await invite(email, ["installer"]);
      const shown = (await preview(token)).json();
      const newcomer = h.client();
      expect((await newcomer.post("/api/auth/signup", { email: shown.email, password: PASSWORD, name: "Newcomer" })).statusCode).toBe(201);
      const accepted = await newcomer.post(`/api/invitations/${token}/accept`);
      expect(accepted.statusCode).toBe(200);
      const me = (await newcomer.get("/api/me")).json();
      expect(me.teams.map((t: { id: string }) => t.id)).toContain(teamId);
      expect(me.activeTeam.isDefault).toBe(true);
    });

    it("declines without an account; accepting afterwards is 410 invitation_declined", async () => {
      const email = uniqueEmail("Decliner");
      const { invitation, token } = await invite(email);
      expect((await h.client().post(`/api/invitations/${token}/decline`)).statusCode).toBe(204);
      expect(await storedStatus(invitation.id)).toBe("declined");
      const decliner = await h.signUp("Decliner", email);
      expectProblem(await decliner.client.post(`/api/invitations/${token}/accept`), 410, "invitation_declined");
      expectProblem(await h.client().post(`/api/invitations/${token}/decline`), 410, "invitation_declined");
      expect(await isMember(decliner.user.id)).toBe(false);
      expect((await preview(token)).json().status).toBe("declined");
      // Declined is final for that invitation, not for the address.
      await invite(email);
    });
  });

  describe("the team's side", () => {
    it("revokes: the link then answers 410 invitation_revoked", async () => {
      const email = uniqueEmail("Revoked");
      const { invitation, token } = await invite(email);
      expect((await ada.client.delete(`/api/teams/${teamId}/invitations/${invitation.id}`)).statusCode).toBe(204);
      expect(await storedStatus(invitation.id)).toBe("revoked");
      const invitee = await h.signUp("Revoked", email);
      expectProblem(await invitee.client.post(`/api/invitations/${token}/accept`), 410, "invitation_revoked");
      expectProblem(await ada.client.delete(`/api/teams/${teamId}/invitations/${invitation.id}`), 410, "invitation_revoked");
      expectProblem(await ada.client.post(`/api/teams/${teamId}/invitations/${invitation.id}/resend`), 410, "invitation_revoked");
      expect((await preview(token)).json().status).toBe("revoked");
      expect(await isMember(invitee.user.id)).toBe(false);
      expectProblem(await ada.client.delete(`/api/teams/${teamId}/invitations/01900000-0000-7000-8000-000000000000`), 404, "not_found");
    });

    it("re-sends: a new token, the old one refused, the 72 hours restarted", async () => {
      const email = uniqueEmail("Resent");
      const { invitation, token: oldToken } = await invite(email);
      h.clock.advance(10 * HOUR);
      const resent = await ada.client.post(`/api/teams/${teamId}/invitations/${invitation.id}/resend`);
      expect(resent.statusCode).toBe(200);
      const fresh: InvitationItem = resent.json().invitation;
      expect(fresh).toMatchObject({ id: invitation.id, email, status: "pending", createdAt: invitation.createdAt });
      expect(fresh.expiresAt).toBe(new Date(h.clock.now().getTime() + 72 * HOUR).toISOString());
      const token = await h.linkTokenFor(email);
      expect(token).not.toBe(oldToken);
      expect((await h.lastEmailTo(email))?.text).toContain(formatUtc(new Date(fresh.expiresAt)));

      expectProblem(await preview(oldToken), 404, "not_found");
      const invitee = await h.signUp("Resent", email);
      expectProblem(await invitee.client.post(`/api/invitations/${oldToken}/accept`), 404, "not_found");
      // Past the first 72 hours, within the new ones.
      h.clock.advance(70 * HOUR);
      expect((await preview(token)).json().status).toBe("pending");
      expect((await invitee.client.post(`/api/invitations/${token}/accept`)).statusCode).toBe(200);
      expectProblem(await ada.client.post(`/api/teams/${teamId}/invitations/${invitation.id}/resend`), 410, "invitation_used");
      const rows = await h.t.db.kysely.selectFrom("invitations").select("id").where("email", "=", email).execute();
      expect(rows).toHaveLength(1);
    });

    it("keeps one team's invitations out of another team's paths", async () => {
      const other = await h.signUp("Other Owner");
      const { invitation } = await invite(uniqueEmail("Elsewhere"), ["billing"], other, other.defaultTeamId);
      expectProblem(await ada.client.delete(`/api/teams/${teamId}/invitations/${invitation.id}`), 404, "not_found");
      expectProblem(await ada.client.post(`/api/teams/${teamId}/invitations/${invitation.id}/resend`), 404, "not_found");
      expectProblem(await ada.client.delete(`/api/teams/${other.defaultTeamId}/invitations/${invitation.id}`), 404, "not_found");
      expect(await storedStatus(invitation.id)).toBe("pending");
    });
  });

  describe("expiry", () => {
    it("expires after 72 hours: 410 invitation_expired, listed as expired, and no longer blocking a new invitation", async () => {
      const email = uniqueEmail("Late");
      const { invitation, token } = await invite(email);
      const invitee = await h.signUp("Late", email);
      h.clock.advance(72 * HOUR - MINUTE);
      expect((await preview(token)).json().status).toBe("pending");
      h.clock.advance(MINUTE);
      expect((await preview(token)).json().status).toBe("expired");
      expectProblem(await invitee.client.post(`/api/invitations/${token}/accept`), 410, "invitation_expired");
      expectProblem(await invitee.client.post(`/api/invitations/${token}/decline`), 410, "invitation_expired");
      expect(await isMember(invitee.user.id)).toBe(false);

      const expired = await list("?status=expired&limit=100");
      expect(expired.items.find((i) => i.id === invitation.id)?.status).toBe("expired");
      expect((await list("?status=pending&limit=100")).items.map((i) => i.id)).not.toContain(invitation.id);
      expect((await list("?limit=100")).items.find((i) => i.id === invitation.id)?.status).toBe("expired");

      const again = await invite(email);
      expect(again.invitation.id).not.toBe(invitation.id);
      expect(await storedStatus(invitation.id)).toBe("expired");
      // Reviving the expired one now would make two pending invitations: refused, and no e-mail goes out.
      const outbox = await h.t.db.kysely.selectFrom("outbox").select("id").where("toAddress", "=", email).execute();
      expectProblem(await ada.client.post(`/api/teams/${teamId}/invitations/${invitation.id}/resend`), 409, "invitation_pending");
      expect(await h.t.db.kysely.selectFrom("outbox").select("id").where("toAddress", "=", email).execute()).toEqual(outbox);
      expect(await h.linkTokenFor(email)).toBe(again.token);
      expect(await storedStatus(invitation.id)).toBe("expired");
      expect((await invitee.client.post(`/api/invitations/${again.token}/accept`)).statusCode).toBe(200);
    });

    it("can re-send an expired invitation, which is pending again", async () => {
      const email = uniqueEmail("Revived");
      const { invitation } = await invite(email);
      h.clock.advance(73 * HOUR);
      const resent = await ada.client.post(`/api/teams/${teamId}/invitations/${invitation.id}/resend`);
      expect(resent.statusCode).toBe(200);
      expect(resent.json().invitation.status).toBe("pending");
      const invitee = await h.signUp("Revived", email);
      expect((await invitee.client.post(`/api/invitations/${await h.linkTokenFor(email)}/accept`)).statusCode).toBe(200);
    });
  });

  describe("the list", () => {
    it("filters by status and pages with a cursor, newest first", async () => {
      const owner = await h.signUp("List Owner");
      const teamResponse = await owner.client.post("/api/teams", { name: "Listed" });
      const team: string = teamResponse.json().team.id;
      const sent: { id: string; token: string; email: string }[] = [];
      for (let i = 0; i < 7; i += 1) {
        h.clock.advance(1000);
        const email = uniqueEmail(`Listed ${i}`);
        const { invitation, token } = await invite(email, ["billing"], owner, team);
        sent.push({ id: invitation.id, token, email });
      }
      await owner.client.delete(`/api/teams/${team}/invitations/${sent[0]!.id}`);
      await h.client().post(`/api/invitations/${sent[1]!.token}/decline`);
      const acceptor = await h.signUp("Listed Acceptor", sent[2]!.email);
      await acceptor.client.post(`/api/invitations/${sent[2]!.token}/accept`);

      const get = async (query: string) => {
        const response = await owner.client.get(`/api/teams/${team}/invitations${query}`);
        expect(response.statusCode, response.body).toBe(200);
        return response.json() as { items: InvitationItem[]; nextCursor: string | null };
      };
      const newestFirst = [...sent].reverse().map((s) => s.id);
      const pages: InvitationItem[][] = [];
      let cursor: string | null = null;
      do {
        const page: { items: InvitationItem[]; nextCursor: string | null } = await get(`?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
        pages.push(page.items);
        cursor = page.nextCursor;
      } while (cursor && pages.length < 10);
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(pages.flat().map((i) => i.id)).toEqual(newestFirst);

      expect((await get("?status=revoked")).items.map((i) => i.id)).toEqual([sent[0]!.id]);
      expect((await get("?status=declined")).items.map((i) => i.id)).toEqual([sent[1]!.id]);
      expect((await get("?status=accepted")).items.map((i) => i.id)).toEqual([sent[2]!.id]);
      expect((await get("?status=pending")).items.map((i) => i.id)).toEqual(newestFirst.slice(0, 4));
      expect((await get("?status=all")).items).toHaveLength(7);
      expect((await get("?status=expired")).items).toEqual([]);
      const pendingPage = await get("?status=pending&limit=2");
      expect(pendingPage.items.map((i) => i.id)).toEqual(newestFirst.slice(0, 2));
      const pendingRest = await get(`?status=pending&limit=2&cursor=${pendingPage.nextCursor}`);
      expect(pendingRest.items.map((i) => i.id)).toEqual(newestFirst.slice(2, 4));
      expect(pendingRest.nextCursor).toBeNull();

      expectProblem(await owner.client.get(`/api/teams/${team}/invitations?status=bogus`), 400, "invalid_request");
      expectProblem(await owner.client.get(`/api/teams/${team}/invitations?cursor=garbage`), 400, "invalid_request");
      expectProblem(await owner.client.get(`/api/teams/${team}/invitations?limit=0`), 400, "invalid_request");
      expectProblem(await owner.client.get(`/api/teams/${team}/invitations?limit=101`), 400, "invalid_request");
    });
  });
});

describe.each(ENGINES)("INVITATION_TTL_HOURS on %s", (engine) => {
  let h: TestApp;
  beforeAll(async () => {
    h = await createTestApp(engine, { ...LONG_SESSIONS, INVITATION_TTL_HOURS: "0.5" });
  });
  afterAll(() => h.close());

  it("sets how long an invitation lives", async () => {
    const ada = await h.signUp("Short Lived");
    const email = uniqueEmail("Quick");
    const response = await ada.client.post(`/api/teams/${ada.defaultTeamId}/invitations`, { email, roles: ["billing"] });
    const invitation = response.json().invitation;
    expect(Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt)).toBe(30 * MINUTE);
    const token = await h.linkTokenFor(email);
    h.clock.advance(31 * MINUTE);
    const invitee = await h.signUp("Quick", email);
    expectProblem(await invitee.client.post(`/api/invitations/${token}/accept`), 410, "invitation_expired");
  });
});
