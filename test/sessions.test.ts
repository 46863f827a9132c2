// Session security (SECURITY 2–6, 13, 24): the cookie, the token and its storage, fixation,
// timeouts by the injected clock, log-out and reset, CSRF, headers, throttling, losing access at
// once, and logs without secrets. Every app built in this file logs (level trace) into `logs`.
import { createHash } from "node:crypto";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DAY, MINUTE } from "../src/server/clock.js";
import { PASSWORD, createTestApp, uniqueEmail } from "./helpers/app.js";
import type { Client, SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { addAccountObjects, buildTeamFixture, createTeam, dumpDatabase, inviteAndAccept, registeredApiRoutes, snapshot } from "./helpers/fixtures.js";

const logs = vi.hoisted(() => ({ lines: [] as string[] }));

// buildApp as the tests' createTestApp calls it, but with a real pino logger writing into `logs`.
vi.mock("../src/server/app.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/server/app.js")>();
  const buildApp: typeof original.buildApp = (deps, options = {}) =>
    original.buildApp(deps, { ...options, logger: { level: "trace", stream: { write: (line: string) => void logs.lines.push(line) } } });
  return { ...original, buildApp };
});

function setCookieHeader(response: LightMyRequestResponse): string {
  const header = response.headers["set-cookie"];
  const all = Array.isArray(header) ? header : header ? [header] : [];
  const session = all.find((line) => /^(__Host-)?certdesk_session=/.test(line));
  if (!session) throw new Error(`no session cookie in ${JSON.stringify(header)}`);
  return session;
}

function tokenOf(client: Client): string {
  if (!client.cookie) throw new Error("client holds no session");
  return client.cookie.slice(client.cookie.indexOf("=") + 1);
}

const sha256 = (token: string) => createHash("sha256").update(token).digest("base64url");

function problemCode(response: LightMyRequestResponse): string | undefined {
  return response.body && String(response.headers["content-type"]).includes("json") ? (response.json() as { code?: string }).code : undefined;
}

describe.each(ENGINES)("sessions on %s", (engine) => {
  let h: TestApp;
  beforeAll(async () => {
    h = await createTestApp(engine);
  });
  afterAll(() => h?.close());

  async function sessionsOf(userId: string) {
    return h.t.db.kysely.selectFrom("sessions").selectAll().where("userId", "=", userId).execute();
  }

  /** A second client of the same user, signed in with the password. */
  async function logIn(email: string, password = PASSWORD): Promise<Client> {
    const client = h.client();
    const response = await client.post("/api/auth/login", { email, password });
    expect(response.statusCode, response.body).toBe(200);
    return client;
  }

  describe("the cookie and the token (SECURITY 4)", () => {
    it("is HttpOnly, SameSite=Lax, Path=/, host-only, and not Secure over http", async () => {
      const client = h.client();
      const response = await client.post("/api/auth/signup", { email: uniqueEmail("Cookie"), password: PASSWORD, name: "Cookie" });
      expect(response.statusCode).toBe(201);
      const cookie = setCookieHeader(response);
      expect(cookie).toMatch(/^certdesk_session=/);
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      expect(cookie).toMatch(/;\s*Path=\/(;|$)/);
      expect(cookie).not.toMatch(/;\s*Secure/i);
      expect(cookie).not.toMatch(/;\s*Domain=/i);
      expect(response.headers["strict-transport-security"]).toBeUndefined();
    });

    it("with an https BASE_URL is Secure and __Host- prefixed, with HSTS", async () => {
      const secure = await createTestApp(engine, { BASE_URL: "https://certdesk.test" });
      try {
        const client = secure.client();
        const response = await client.post("/api/auth/signup", { email: uniqueEmail("Secure"), password: PASSWORD, name: "Secure" });
        expect(response.statusCode).toBe(201);
        const cookie = setCookieHeader(response);
        expect(cookie).toMatch(/^__Host-certdesk_session=/);
        expect(cookie).toMatch(/;\s*Secure/i);
        expect(cookie).toMatch(/;\s*HttpOnly/i);
        expect(cookie).toMatch(/;\s*SameSite=Lax/i);
        expect(cookie).toMatch(/;\s*Path=\/(;|$)/);
        expect(cookie).not.toMatch(/;\s*Domain=/i); // __Host- forbids it
        const me = await client.get("/api/me");
        expect(me.statusCode).toBe(200);
        for (const answer of [response, me]) expect(String(answer.headers["strict-transport-security"])).toMatch(/max-age=\d{7,}/);
        // The plain name is not accepted as a substitute under https.
        const plain = await secure.app.inject({ method: "GET", url: "/api/me", headers: { cookie: `certdesk_session=${tokenOf(client)}` } });
        expect(plain.statusCode).toBe(401);
      } finally {
        await secure.close();
      }
    });

    it("carries at least 128 random bits, and the database holds only its SHA-256", async () => {
      const user = await h.signUp("Token Holder");
      const second = await logIn(user.user.email);
      for (const client of [user.client, second]) {
        const token = tokenOf(client);
        expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(Buffer.from(token, "base64url").length).toBeGreaterThanOrEqual(16);
      }
      expect(tokenOf(user.client)).not.toBe(tokenOf(second));
      const rows = await sessionsOf(user.user.id);
      expect(rows.map((row) => row.tokenHash).sort()).toEqual([sha256(tokenOf(user.client)), sha256(tokenOf(second))].sort());
      const everything = JSON.stringify(await dumpDatabase(h.t.db));
      for (const client of [user.client, second]) expect(everything).not.toContain(tokenOf(client));
    });

    it("is new at every log-in, and the session the request came with dies (no fixation)", async () => {
      const user = await h.signUp("Fixation");
      const before = tokenOf(user.client);
      const stale = h.client();
      stale.cookie = user.client.cookie;
      const login = await user.client.post("/api/auth/login", { email: user.user.email, password: PASSWORD });
      expect(login.statusCode).toBe(200);
      expect(tokenOf(user.client)).not.toBe(before);
      expect((await stale.get("/api/me")).statusCode).toBe(401);
      expect((await user.client.get("/api/me")).statusCode).toBe(200);

      // A token planted by an attacker is never adopted.
      const planted = h.client();
      const plantedToken = "A".repeat(43);
      planted.cookie = `certdesk_session=${plantedToken}`;
      expect((await planted.post("/api/auth/login", { email: user.user.email, password: PASSWORD })).statusCode).toBe(200);
      expect(tokenOf(planted)).not.toBe(plantedToken);
      const attacker = h.client();
      attacker.cookie = `certdesk_session=${plantedToken}`;
      expect((await attacker.get("/api/me")).statusCode).toBe(401);
    });
  });

  describe("timeouts by the injected clock (SECURITY 4)", () => {
    it("ends a session idle for 120 minutes; activity keeps it alive", async () => {
      const user = await h.signUp("Idle");
      h.clock.advance(119 * MINUTE);
      expect((await user.client.get("/api/me")).statusCode).toBe(200);
      h.clock.advance(119 * MINUTE);
      expect((await user.client.get("/api/me")).statusCode).toBe(200);
      h.clock.advance(120 * MINUTE);
      const after = await user.client.get("/api/me");
      expect([after.statusCode, problemCode(after)]).toEqual([401, "unauthenticated"]);
      expect(await sessionsOf(user.user.id)).toEqual([]);
    });

    it("ends a session 7 days after log-in however busy it is", async () => {
      const user = await h.signUp("Absolute");
      const step = 110 * MINUTE;
      let elapsed = 0;
      while (elapsed + step < 7 * DAY) {
        h.clock.advance(step);
        elapsed += step;
        const alive = await user.client.get("/api/me");
        expect(alive.statusCode, `after ${elapsed / MINUTE} minutes`).toBe(200);
      }
      h.clock.advance(7 * DAY - elapsed);
      expect((await user.client.get("/api/me")).statusCode).toBe(401);
      // A fresh log-in works.
      expect((await (await logIn(user.user.email)).get("/api/me")).statusCode).toBe(200);
    });
  });

  describe("ending sessions (SECURITY 4)", () => {
    it("log-out ends this session on the server and clears the cookie; other sessions stay", async () => {
      const user = await h.signUp("Leaver");
      const other = await logIn(user.user.email);
      const token = tokenOf(user.client);
      const out = await user.client.post("/api/auth/logout");
      expect(out.statusCode).toBe(204);
      expect(setCookieHeader(out)).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
      const replay = h.client();
      replay.cookie = `certdesk_session=${token}`;
      expect((await replay.get("/api/me")).statusCode).toBe(401);
      expect((await sessionsOf(user.user.id)).map((row) => row.tokenHash)).toEqual([sha256(tokenOf(other))]);
      expect((await other.get("/api/me")).statusCode).toBe(200);
    });

    it("a password reset ends every session of the user", async () => {
      const user = await h.signUp("Forgetful");
      const other = await logIn(user.user.email);
      expect(await sessionsOf(user.user.id)).toHaveLength(2);
      expect((await h.client().post("/api/auth/password-reset", { email: user.user.email })).statusCode).toBe(202);
      const token = await h.linkTokenFor(user.user.email, "reset-password");
      const newPassword = "a different long passphrase";
      expect((await h.client().post("/api/auth/password-reset/confirm", { token, password: newPassword })).statusCode).toBe(204);
      for (const client of [user.client, other]) expect((await client.get("/api/me")).statusCode).toBe(401);
      expect(await sessionsOf(user.user.id)).toEqual([]);
      expect((await h.client().post("/api/auth/login", { email: user.user.email, password: PASSWORD })).statusCode).toBe(401);
      await logIn(user.user.email, newPassword);
    });
  });

  describe("CSRF (SECURITY 5)", () => {
    it("refuses a state change with the cookie but without X-Requested-With, or from a foreign origin", async () => {
      const user = await h.signUp("Csrf Target");
      const teamsBefore = (await user.client.get("/api/teams")).json().items.length;

      user.client.csrf = false;
      for (const [method, url] of [
        ["POST", "/api/teams"],
        ["PATCH", `/api/teams/${user.defaultTeamId}`],
        ["PUT", "/api/me/active-team"],
        ["POST", "/api/auth/logout"],
      ] as const) {
        const response = await user.client.request(method, url, method === "POST" && url === "/api/teams" ? { name: "Forged" } : {});
        expect([response.statusCode, problemCode(response)], `${method} ${url}`).toEqual([403, "csrf"]);
      }
      const wrongValue = await user.client.request("POST", "/api/teams", { name: "Forged" }, { "x-requested-with": "XMLHttpRequest" });
      expect([wrongValue.statusCode, problemCode(wrongValue)]).toEqual([403, "csrf"]);
      user.client.csrf = true;

      const foreign: Record<string, string>[] = [{ origin: "https://evil.example" }, { origin: "http://certdesk.test.evil.example" }, { "sec-fetch-site": "cross-site" }];
      for (const headers of foreign) {
        const response = await user.client.request("POST", "/api/teams", { name: "Forged" }, headers);
        expect([response.statusCode, problemCode(response)], JSON.stringify(headers)).toEqual([403, "csrf"]);
      }
      expect((await user.client.get("/api/teams")).json().items.length).toBe(teamsBefore);
      expect((await user.client.get("/api/me")).statusCode).toBe(200); // the forged log-out did nothing

      const sameOrigin = await user.client.request("POST", "/api/teams", { name: "Real" }, { origin: "http://certdesk.test" });
      expect(sameOrigin.statusCode).toBe(201);
    });

    it("GET never changes anything: every GET route, called with real ids, leaves the database as it was", async () => {
      const fx = await buildTeamFixture(h, "Reader");
      const objects = await addAccountObjects(fx.owner.client, fx.teamId, "reader");
      const email = uniqueEmail("reader invitee");
      await fx.owner.client.post(`/api/teams/${fx.teamId}/invitations`, { email, roles: ["billing"] });
      const ids: Record<string, string> = {
        teamId: fx.teamId,
        userId: fx.members.billing.user.id,
        invitationId: fx.pendingInvitation.id,
        token: await h.linkTokenFor(email),
        ...objects,
      };
      const before = await snapshot(h.t.db);
      const gets = registeredApiRoutes(h).filter((route) => route.method === "GET");
      expect(gets.length).toBeGreaterThan(15);
      for (const route of gets) {
        const url = route.url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => encodeURIComponent(ids[name] ?? "missing"));
        for (const client of [fx.owner.client, fx.members.installer.client, fx.outsider.client, h.client()]) {
          const response = await client.get(url);
          expect(response.statusCode, `${url} → ${response.body.slice(0, 200)}`).toBeLessThan(500);
        }
      }
      // A GET to a state-changing path is no way round either.
      expect((await fx.owner.client.get("/api/auth/logout")).statusCode).toBe(404);
      expect((await fx.owner.client.get(`/api/invitations/${ids.token}/accept`)).statusCode).toBe(404);
      expect(await snapshot(h.t.db)).toEqual(before);
      expect((await fx.owner.client.get("/api/me")).statusCode).toBe(200);
    });
  });

  describe("headers (SECURITY 6)", () => {
    it("sends a strict CSP, nosniff and no-store on API answers, errors included", async () => {
      const user = await h.signUp("Headers");
      const answers = [
        await user.client.get("/api/me"),
        await h.client().get("/api/me"), // 401
        await user.client.get("/api/no-such-route"), // 404
        await user.client.post("/api/teams", { name: "" }), // 400
        await h.client().get("/api/openapi.json"),
      ];
      for (const answer of answers) {
        const csp = String(answer.headers["content-security-policy"]);
        expect(csp).toContain("object-src 'none'");
        expect(csp).toContain("base-uri 'none'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("default-src 'none'"); // a JSON answer loads nothing
        expect(answer.headers["x-content-type-options"]).toBe("nosniff");
        expect(answer.headers["x-frame-options"]).toBe("DENY");
        expect(answer.headers["cross-origin-resource-policy"]).toBe("same-origin");
        expect(String(answer.headers["cache-control"])).toContain("no-store");
      }
      const page = await h.client().get("/");
      expect(String(page.headers["content-security-policy"])).toContain("frame-ancestors 'none'");
      expect(String(page.headers["content-security-policy"])).toContain("script-src 'self'");
      expect(page.headers["x-content-type-options"]).toBe("nosniff");
      expect(page.headers["referrer-policy"]).toBe("no-referrer");
    });
  });

  describe("throttling (SECURITY 2, 3)", () => {
    it("slows failed log-ins per account with 429 and Retry-After, yet lets the real user in within 60 s", async () => {
      const user = await h.signUp("Throttled");
      const attempt = (password: string) => h.client().post("/api/auth/login", { email: user.user.email, password });
      for (let i = 0; i < 5; i++) expect((await attempt(`wrong password ${i}`)).statusCode).toBe(401);
      const limited = await attempt(PASSWORD); // even the right password waits
      expect([limited.statusCode, problemCode(limited)]).toEqual([429, "rate_limited"]);
      expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);

      // An attacker keeps guessing, waiting out each delay.
      let failures = 5;
      while (failures < 14) {
        const answer = await attempt(`wrong password ${failures}`);
        if (answer.statusCode === 429) {
          const wait = Number(answer.headers["retry-after"]);
          expect(wait).toBeGreaterThanOrEqual(1);
          expect(wait).toBeLessThanOrEqual(60);
          h.clock.advance(wait * 1000);
        } else {
          expect(answer.statusCode).toBe(401);
          failures += 1;
        }
      }
      const stillWaiting = await attempt(PASSWORD);
      expect(stillWaiting.statusCode).toBe(429);
      expect(Number(stillWaiting.headers["retry-after"])).toBeLessThanOrEqual(60);
      h.clock.advance(60_000);
      expect((await attempt(PASSWORD)).statusCode).toBe(200);
      // Another account from the same address was never affected.
      const bystander = await h.signUp("Bystander");
      expect((await h.client().post("/api/auth/login", { email: bystander.user.email, password: PASSWORD })).statusCode).toBe(200);
    });

    it("counts failed log-ins per client address, whatever X-Forwarded-For claims (no trusted proxy)", async () => {
      // RATE_LIMIT_SCALE 0.05: 5 failures per address instead of 100, so the test stays quick.
      const small = await createTestApp(engine, { RATE_LIMIT_SCALE: "0.05" });
      try {
        const attempt = (i: number, remoteAddress = "127.0.0.1") =>
          small.app.inject({
            method: "POST",
            url: "/api/auth/login",
            remoteAddress,
            headers: { "content-type": "application/json", "x-forwarded-for": `203.0.113.${i}` },
            payload: JSON.stringify({ email: uniqueEmail(`nobody ${i}`), password: "not the password" }),
          });
        for (let i = 1; i <= 5; i++) expect((await attempt(i)).statusCode).toBe(401);
        const blocked = await attempt(6);
        expect([blocked.statusCode, problemCode(blocked)]).toEqual([429, "rate_limited"]);
        expect(Number(blocked.headers["retry-after"])).toBeGreaterThanOrEqual(1);
        // Another client address is not blocked.
        expect((await attempt(7, "198.51.100.7")).statusCode).toBe(401);
      } finally {
        await small.close();
      }
    });

    it("limits sign-ups (email_taken included) per client: the 21st in an hour gets 429, whatever X-Forwarded-For says", async () => {
      const limitedApp = await createTestApp(engine, { RATE_LIMIT_SCALE: "1" });
      try {
        const taken = uniqueEmail("Taken");
        const signUp = (i: number, body: Record<string, string>, remoteAddress = "127.0.0.1") =>
          limitedApp.app.inject({
            method: "POST",
            url: "/api/auth/signup",
            remoteAddress,
            headers: { "content-type": "application/json", "x-requested-with": "certdesk", "x-forwarded-for": `192.0.2.${i}` },
            payload: JSON.stringify(body),
          });
        expect((await signUp(1, { email: taken, password: PASSWORD, name: "Taken" })).statusCode).toBe(201);
        for (let i = 2; i <= 3; i++) {
          const again = await signUp(i, { email: taken, password: PASSWORD, name: "Prober" });
          expect([again.statusCode, problemCode(again)]).toEqual([409, "email_taken"]);
        }
        for (let i = 4; i <= 20; i++) expect((await signUp(i, { email: uniqueEmail("weak"), password: "short", name: "Weak" })).statusCode).toBe(400);
        const fresh = uniqueEmail("Twenty First");
        const blocked = await signUp(21, { email: fresh, password: PASSWORD, name: "Twenty First" });
        expect([blocked.statusCode, problemCode(blocked)]).toEqual([429, "rate_limited"]);
        expect(Number(blocked.headers["retry-after"])).toBeGreaterThanOrEqual(1);
        const probe = await signUp(22, { email: taken, password: PASSWORD, name: "Prober" });
        expect(probe.statusCode).toBe(429); // email_taken can no longer be used to enumerate
        const users = await limitedApp.t.db.kysely.selectFrom("users").select("email").execute();
        expect(users.map((u) => u.email)).not.toContain(fresh);
        // Another client is not held back by this one.
        expect((await signUp(23, { email: uniqueEmail("Elsewhere"), password: PASSWORD, name: "Elsewhere" }, "198.51.100.9")).statusCode).toBe(201);
      } finally {
        await limitedApp.close();
      }
    });
  });

  describe("losing access at once (SECURITY 13)", () => {
    let owner: SignedIn;
    let member: SignedIn;
    let teamId: string;

    beforeAll(async () => {
      [owner, member] = await Promise.all([h.signUp("Lead"), h.signUp("Helper")]);
      teamId = await createTeam(owner.client, "Shared team");
      await inviteAndAccept(h, owner.client, teamId, member, ["account_admin"]);
      expect((await member.client.put("/api/me/active-team", { teamId })).statusCode).toBe(200);
    });

    it("a demoted member's very next request is refused", async () => {
      expect((await member.client.get(`/api/teams/${teamId}/invitations`)).statusCode).toBe(200);
      expect((await owner.client.patch(`/api/teams/${teamId}/members/${member.user.id}`, { roles: ["installer"] })).statusCode).toBe(200);
      const next = await member.client.get(`/api/teams/${teamId}/invitations`);
      expect([next.statusCode, problemCode(next)]).toEqual([403, "forbidden"]);
      const invite = await member.client.post(`/api/teams/${teamId}/invitations`, { email: uniqueEmail("late"), roles: ["billing"] });
      expect(invite.statusCode).toBe(403);
      const me = (await member.client.get("/api/me")).json();
      expect(me.activeTeam).toMatchObject({ id: teamId, roles: ["installer"] });
    });

    it("a removed member's very next request is refused, and their default team becomes active", async () => {
      expect((await owner.client.delete(`/api/teams/${teamId}/members/${member.user.id}`)).statusCode).toBe(204);
      const next = await member.client.get(`/api/teams/${teamId}`);
      expect([next.statusCode, problemCode(next)]).toEqual([404, "not_found"]);
      const me = (await member.client.get("/api/me")).json();
      expect(me.activeTeam).toMatchObject({ id: member.defaultTeamId, isDefault: true, isOwner: true });
      expect(me.teams.map((t: { id: string }) => t.id)).not.toContain(teamId);
      const back = await member.client.put("/api/me/active-team", { teamId });
      expect(back.statusCode).toBe(404);
    });

    it("when a team is deleted, its members fall back to their default team", async () => {
      const doomed = await createTeam(owner.client, "Doomed team");
      await inviteAndAccept(h, owner.client, doomed, member, ["billing"]);
      expect((await member.client.put("/api/me/active-team", { teamId: doomed })).statusCode).toBe(200);
      expect((await owner.client.delete(`/api/teams/${doomed}`)).statusCode).toBe(204);
      expect((await member.client.get(`/api/teams/${doomed}`)).statusCode).toBe(404);
      expect((await member.client.get("/api/me")).json().activeTeam.id).toBe(member.defaultTeamId);
    });
  });

  describe("logging (SECURITY 24, 10, 14)", () => {
    it("logs authentication events and denied access with request id, actor and team, and never a secret", async () => {
      const first = logs.lines.length;
      const secrets: string[] = [PASSWORD];
      const email = uniqueEmail("Logged");
      const logged = h.client();
      const signedUp = await logged.post("/api/auth/signup", { email, password: PASSWORD, name: "Logged" });
      expect(signedUp.statusCode).toBe(201);
      const userId = signedUp.json().user.id as string;
      secrets.push(tokenOf(logged));
      const wrong = "a wrong but long password";
      secrets.push(wrong);
      expect((await h.client().post("/api/auth/login", { email, password: wrong })).statusCode).toBe(401);
      const again = await logIn(email);
      secrets.push(tokenOf(again));

      const teamId = await createTeam(again, "Logged team");
      const inviteeEmail = uniqueEmail("Logged invitee");
      expect((await again.post(`/api/teams/${teamId}/invitations`, { email: inviteeEmail, roles: ["billing"] })).statusCode).toBe(201);
      const invitationToken = await h.linkTokenFor(inviteeEmail);
      secrets.push(invitationToken);
      const invitee = await h.signUp("Logged invitee", inviteeEmail);
      secrets.push(tokenOf(invitee.client));
      expect((await h.client().get(`/api/invitations/${invitationToken}`)).statusCode).toBe(200);
      expect((await invitee.client.post(`/api/invitations/${invitationToken}/accept`)).statusCode).toBe(200);

      // Denied: a member without the permission, and a non-member.
      const forbidden = await invitee.client.get(`/api/teams/${teamId}/audit`);
      expect(forbidden.statusCode).toBe(403);
      // Removing somebody else passes the route's guard (team.view) and is refused in the command: logged too.
      const removal = await invitee.client.delete(`/api/teams/${teamId}/members/${userId}`);
      expect(removal.statusCode).toBe(403);
      const stranger = await h.signUp("Logged stranger");
      secrets.push(tokenOf(stranger.client));
      expect((await stranger.client.get(`/api/teams/${teamId}`)).statusCode).toBe(404);

      expect((await logged.post("/api/auth/logout")).statusCode).toBe(204);

      // A password reset, start to end.
      expect((await h.client().post("/api/auth/password-reset", { email })).statusCode).toBe(202);
      const resetToken = await h.linkTokenFor(email, "reset-password");
      secrets.push(resetToken);
      const newPassword = "another long passphrase for logs";
      secrets.push(newPassword);
      expect((await h.client().get(`/reset-password/${resetToken}`)).statusCode).toBeLessThan(500);
      expect((await h.client().get(`/invitations/${invitationToken}`)).statusCode).toBeLessThan(500);
      expect((await h.client().post("/api/auth/password-reset/confirm", { token: resetToken, password: newPassword })).statusCode).toBe(204);

      const lines = logs.lines.slice(first);
      expect(lines.length).toBeGreaterThan(20);
      // No secret, nor a hash of one, nor a password hash, in any line.
      for (const secret of secrets) {
        expect(lines.filter((line) => line.includes(secret)), `a log line holds ${secret.slice(0, 6)}…`).toEqual([]);
        expect(lines.filter((line) => line.includes(sha256(secret))), `a log line holds the hash of ${secret.slice(0, 6)}…`).toEqual([]);
      }
      expect(lines.filter((line) => line.includes("$argon2"))).toEqual([]);
      // The URLs are still logged, with the token cut out (team-side invitation ids are not secret and stay).
      expect(lines.some((line) => line.includes('"url":"/api/invitations/[redacted]/accept"'))).toBe(true);
      expect(lines.some((line) => line.includes('"url":"/reset-password/[redacted]"'))).toBe(true);
      expect(lines.some((line) => line.includes(`"url":"/api/teams/${teamId}/invitations"`))).toBe(true);

      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const denied = entries.filter((entry) => String(entry.msg).startsWith("access denied"));
      expect(denied).toContainEqual(expect.objectContaining({ actor: invitee.user.id, team: teamId, reqId: expect.any(String) }));
      expect(denied).toContainEqual(expect.objectContaining({ actor: stranger.user.id, team: teamId, reqId: expect.any(String) }));
      expect(denied).toContainEqual(expect.objectContaining({ actor: invitee.user.id, team: teamId, access: "members.remove", reqId: expect.any(String) }));
      const events = entries.filter((entry) => typeof entry.event === "string");
      expect(events).toContainEqual(expect.objectContaining({ event: "login", actor: userId, reqId: expect.any(String) }));
      expect(events).toContainEqual(expect.objectContaining({ event: "login_failed", reqId: expect.any(String) }));
      expect(events).toContainEqual(expect.objectContaining({ event: "logout", actor: userId, reqId: expect.any(String) }));
      expect(events).toContainEqual(expect.objectContaining({ event: "password_reset", actor: userId, reqId: expect.any(String) }));
    });

    it("no line logged by any app of this file holds the test password or a password hash", () => {
      expect(logs.lines.length).toBeGreaterThan(100);
      expect(logs.lines.filter((line) => line.includes(PASSWORD) || line.includes("$argon2"))).toEqual([]);
    });
  });
});
