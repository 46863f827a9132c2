// Accounts and sessions over HTTP (SPEC rule 1; API.md "Auth and me"; SECURITY.md 1, 3, 4):
// sign-up with its default team, password rules, log-in, log-out and password reset.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PERMISSIONS } from "../src/shared/permissions.js";
import { MINUTE } from "../src/server/clock.js";
import { Client, PASSWORD, createTestApp, uniqueEmail } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { expectProblem } from "./helpers/problems.js";


describe.each(ENGINES)("accounts and sessions on %s", (engine) => {
  let h: TestApp;
  beforeAll(async () => {
    h = await createTestApp(engine);
  });
  afterAll(() => h.close());

  /** A client holding a copy of another client's session cookie, like a second tab or a stolen cookie. */
  function sameSession(client: Client): Client {
    const copy = h.client();
    copy.cookie = client.cookie;
    return copy;
  }

  async function countRows(table: "users" | "teams" | "memberships" | "sessions"): Promise<number> {
    const row = await h.t.db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string | number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  describe("sign-up", () => {
    it("creates the user, a default team named after them with them as Owner, and makes it active", async () => {
      const client = h.client();
      const email = uniqueEmail("Ada Lovelace");
      const response = await client.post("/api/auth/signup", { email, password: PASSWORD, name: "Ada Lovelace" });
      expect(response.statusCode).toBe(201);
      const { user } = response.json();
      expect(user).toMatchObject({ email, name: "Ada Lovelace", teamLimit: 3 });
      expect(Object.keys(user).sort()).toEqual(["createdAt", "email", "id", "name", "teamLimit"]);
      expect(client.cookie).toBeDefined();

      const me = await client.get("/api/me");
      expect(me.statusCode).toBe(200);
      const body = me.json();
      expect(body.user.id).toBe(user.id);
      expect(body.activeTeam).toEqual({
        id: expect.any(String),
        name: "Ada Lovelace's team",
        isDefault: true,
        isOwner: true,
        roles: [],
        permissions: [...PERMISSIONS].sort(),
      });
      expect(body.teams).toEqual([body.activeTeam]);

      const team = await h.t.db.kysely.selectFrom("teams").selectAll().where("id", "=", body.activeTeam.id).executeTakeFirstOrThrow();
      expect(team).toMatchObject({ ownerId: user.id, isDefault: 1, name: "Ada Lovelace's team" });
      const memberships = await h.t.db.kysely.selectFrom("memberships").selectAll().where("userId", "=", user.id).execute();
      expect(memberships).toHaveLength(1);
      expect(memberships[0]).toMatchObject({ teamId: team.id, roles: "" });
    });

    it("stores the e-mail trimmed and lower-cased", async () => {
      const local = uniqueEmail("Grace").split("@")[0]!;
      const response = await h.client().post("/api/auth/signup", { email: `  ${local.toUpperCase()}@Example.COM `, password: PASSWORD, name: "Grace" });
      expect(response.statusCode).toBe(201);
      expect(response.json().user.email).toBe(`${local}@example.com`);
    });

    it("refuses an e-mail that is taken, also in another case, and changes nothing", async () => {
      const email = uniqueEmail("Taken");
      expect((await h.client().post("/api/auth/signup", { email, password: PASSWORD, name: "First" })).statusCode).toBe(201);
      const before = await Promise.all([countRows("users"), countRows("teams"), countRows("memberships"), countRows("sessions")]);

      const again = h.client();
      expectProblem(await again.post("/api/auth/signup", { email, password: PASSWORD, name: "Second" }), 409, "email_taken");
      expect(again.cookie).toBeUndefined();
      expectProblem(await h.client().post("/api/auth/signup", { email: email.toUpperCase(), password: PASSWORD, name: "Third" }), 409, "email_taken");
      expectProblem(await h.client().post("/api/auth/signup", { email: ` ${email} `, password: PASSWORD, name: "Fourth" }), 409, "email_taken");

      const after = await Promise.all([countRows("users"), countRows("teams"), countRows("memberships"), countRows("sessions")]);
      expect(after).toEqual(before);
    });

    it("refuses an address whose letters only imitate ASCII (fullwidth, Kelvin sign)", async () => {
      for (const email of ["ｍallory@example.com", "\u212Aate@example.com"]) {
        const problem = expectProblem(await h.client().post("/api/auth/signup", { email, password: PASSWORD, name: "Mallory" }), 400, "invalid_request");
        expect(problem.errors?.map((e) => e.field)).toContain("email");
      }
    });

    it("refuses a missing name, a malformed e-mail and unknown fields", async () => {
      const email = uniqueEmail("Fields");
      expectProblem(await h.client().post("/api/auth/signup", { email, password: PASSWORD }), 400, "invalid_request");
      expectProblem(await h.client().post("/api/auth/signup", { email: "not-an-email", password: PASSWORD, name: "X" }), 400, "invalid_request");
      const problem = expectProblem(
        await h.client().post("/api/auth/signup", { email, password: PASSWORD, name: "X", teamLimit: 100 }),
        400,
        "invalid_request",
      );
      expect(problem.errors?.map((e) => e.field)).toContain("teamLimit");
      expect(await h.t.db.kysely.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst()).toBeUndefined();
    });
  });

  describe("password rules", () => {
    it("refuses fewer than 10 characters and accepts exactly 10", async () => {
      const email = uniqueEmail("Short");
      const problem = expectProblem(await h.client().post("/api/auth/signup", { email, password: "nine char", name: "Short" }), 400, "invalid_request");
      expect(problem.errors?.map((e) => e.field)).toEqual(["password"]);
      expect(await h.t.db.kysely.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst()).toBeUndefined();
      expect((await h.client().post("/api/auth/signup", { email, password: "ten chars!", name: "Short" })).statusCode).toBe(201);
    });

    it("refuses a common password, whatever its case", async () => {
      for (const password of ["password123", "Password1234", "1q2w3e4r5t"]) {
        const problem = expectProblem(await h.client().post("/api/auth/signup", { email: uniqueEmail("Common"), password, name: "Common" }), 400, "invalid_request");
        expect(problem.errors?.map((e) => e.field)).toEqual(["password"]);
      }
    });

    it("accepts 64 characters and more, without truncating them", async () => {
      const email64 = uniqueEmail("Sixty Four");
      const password64 = "p".repeat(32) + "q".repeat(32);
      expect((await h.client().post("/api/auth/signup", { email: email64, password: password64, name: "Sixty Four" })).statusCode).toBe(201);
      expect((await h.client().post("/api/auth/login", { email: email64, password: password64 })).statusCode).toBe(200);

      const email = uniqueEmail("Long Password");
      const password = Array.from({ length: 100 }, (_, i) => "abcdefghijklmnopqrstuvwxyz0123456789"[i % 36]).join("");
      expect(password).toHaveLength(100);
      expect((await h.client().post("/api/auth/signup", { email, password, name: "Long Password" })).statusCode).toBe(201);
      expect((await h.client().post("/api/auth/login", { email, password })).statusCode).toBe(200);
      // Were the password cut at 64 or 72 bytes (bcrypt), its 99-character prefix would work too.
      expectProblem(await h.client().post("/api/auth/login", { email, password: password.slice(0, 99) }), 401, "invalid_credentials");
      expectProblem(await h.client().post("/api/auth/login", { email, password: password.slice(0, 72) }), 401, "invalid_credentials");
      expectProblem(await h.client().post("/api/auth/login", { email, password: password + "x" }), 401, "invalid_credentials");
    });

    it("stores only an argon2id hash", async () => {
      const { user } = await h.signUp("Hashed");
      const row = await h.t.db.kysely.selectFrom("users").select("passwordHash").where("id", "=", user.id).executeTakeFirstOrThrow();
      expect(row.passwordHash).toMatch(/^\$argon2id\$/);
      expect(row.passwordHash).not.toContain(PASSWORD);
    });
  });

  describe("log-in", () => {
    it("signs in with the right password, case-insensitively on the e-mail, with a new session token", async () => {
      const ada = await h.signUp("Login Ada");
      const first = ada.client.cookie;
      const previous = sameSession(ada.client);
      const response = await ada.client.post("/api/auth/login", { email: ada.user.email.toUpperCase(), password: PASSWORD });
      expect(response.statusCode).toBe(200);
      expect(response.json().user).toMatchObject({ id: ada.user.id, email: ada.user.email });
      expect(ada.client.cookie).toBeDefined();
      expect(ada.client.cookie).not.toBe(first);
      expect((await ada.client.get("/api/me")).statusCode).toBe(200);
      // The session the log-in came with is ended, not left alive next to the new one (no fixation).
      expectProblem(await previous.get("/api/me"), 401, "unauthenticated");
      const cookie = response.cookies.find((c) => c.name.endsWith("certdesk_session"));
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    });

    it("answers an unknown e-mail and a wrong password with the same 401 and the same body", async () => {
      const ada = await h.signUp("Wrong Password");
      const wrong = h.client();
      const wrongPassword = await wrong.post("/api/auth/login", { email: ada.user.email, password: "not the password at all" });
      const unknown = await h.client().post("/api/auth/login", { email: uniqueEmail("Nobody"), password: "not the password at all" });
      expectProblem(wrongPassword, 401, "invalid_credentials");
      expectProblem(unknown, 401, "invalid_credentials");
      expect(wrongPassword.body).toBe(unknown.body);
      expect(wrong.cookie).toBeUndefined();
      expect(wrongPassword.cookies).toEqual([]);
    });

    it("needs no session for the public routes and a session for /api/me", async () => {
      expectProblem(await h.client().get("/api/me"), 401, "unauthenticated");
      expectProblem(await h.client().post("/api/teams", { name: "Anonymous" }), 401, "unauthenticated");
    });
  });

  describe("log-out", () => {
    it("ends the session on the server: the old cookie no longer works", async () => {
      const ada = await h.signUp("Logout Ada");
      const stolen = sameSession(ada.client);
      expect((await stolen.get("/api/me")).statusCode).toBe(200);
      const out = await ada.client.post("/api/auth/logout");
      expect(out.statusCode).toBe(204);
      expect(ada.client.cookie).toBeUndefined();
      expectProblem(await stolen.get("/api/me"), 401, "unauthenticated");
      expectProblem(await stolen.post("/api/teams", { name: "After logout" }), 401, "unauthenticated");
      // Signing in again works.
      expect((await ada.client.post("/api/auth/login", { email: ada.user.email, password: PASSWORD })).statusCode).toBe(200);
      expect((await ada.client.get("/api/me")).statusCode).toBe(200);
      expectProblem(await stolen.get("/api/me"), 401, "unauthenticated");
    });
  });

  describe("password reset", () => {
    const NEW_PASSWORD = "a brand new passphrase";

    async function outboxCount(address: string): Promise<number> {
      const row = await h.t.db.kysely
        .selectFrom("outbox")
        .select((eb) => eb.fn.countAll<string | number>().as("n"))
        .where("toAddress", "=", address)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    }

    it("answers 202 with the same body for an unknown and a known e-mail, and mails only the known one", async () => {
      const ada = await h.signUp("Reset Known");
      const nobody = uniqueEmail("Reset Nobody");
      const known = await h.client().post("/api/auth/password-reset", { email: ada.user.email });
      const unknown = await h.client().post("/api/auth/password-reset", { email: nobody });
      expect(known.statusCode).toBe(202);
      expect(unknown.statusCode).toBe(202);
      expect(known.body).toBe(unknown.body);
      expect(await outboxCount(nobody)).toBe(0);
      expect(await outboxCount(ada.user.email)).toBe(1);
      const mail = await h.lastEmailTo(ada.user.email);
      expect(mail?.text).toContain("http://certdesk.test/reset-password/");
    });

    it("sets the new password, ends every session, and works only once", async () => {
      const ada = await h.signUp("Reset Ada");
      const otherDevice = h.client();
      expect((await otherDevice.post("/api/auth/login", { email: ada.user.email, password: PASSWORD })).statusCode).toBe(200);
      expect((await h.client().post("/api/auth/password-reset", { email: ` ${ada.user.email.toUpperCase()} ` })).statusCode).toBe(202);
      const token = await h.linkTokenFor(ada.user.email, "reset-password");
      // The token is stored only as a hash.
      const resets = await h.t.db.kysely.selectFrom("passwordResets").selectAll().execute();
      expect(JSON.stringify(resets)).not.toContain(token);

      const confirm = await h.client().post("/api/auth/password-reset/confirm", { token, password: NEW_PASSWORD });
      expect(confirm.statusCode).toBe(204);
      expectProblem(await ada.client.get("/api/me"), 401, "unauthenticated");
      expectProblem(await otherDevice.get("/api/me"), 401, "unauthenticated");
      const sessions = await h.t.db.kysely.selectFrom("sessions").select("tokenHash").where("userId", "=", ada.user.id).execute();
      expect(sessions).toEqual([]);

      expectProblem(await h.client().post("/api/auth/login", { email: ada.user.email, password: PASSWORD }), 401, "invalid_credentials");
      expect((await h.client().post("/api/auth/login", { email: ada.user.email, password: NEW_PASSWORD })).statusCode).toBe(200);

      expectProblem(await h.client().post("/api/auth/password-reset/confirm", { token, password: "yet another passphrase" }), 410, "reset_token_invalid");
      expect((await h.client().post("/api/auth/login", { email: ada.user.email, password: NEW_PASSWORD })).statusCode).toBe(200);
    });

    it("voids the user's other outstanding reset links once one is used", async () => {
      const ada = await h.signUp("Reset Twice");
      await h.client().post("/api/auth/password-reset", { email: ada.user.email });
      const first = await h.linkTokenFor(ada.user.email, "reset-password");
      await h.client().post("/api/auth/password-reset", { email: ada.user.email });
      const second = await h.linkTokenFor(ada.user.email, "reset-password");
      expect(second).not.toBe(first);
      expect((await h.client().post("/api/auth/password-reset/confirm", { token: second, password: NEW_PASSWORD })).statusCode).toBe(204);
      expectProblem(await h.client().post("/api/auth/password-reset/confirm", { token: first, password: "a third passphrase" }), 410, "reset_token_invalid");
    });

    it("refuses a weak new password without using up the token", async () => {
      const ada = await h.signUp("Reset Weak");
      await h.client().post("/api/auth/password-reset", { email: ada.user.email });
      const token = await h.linkTokenFor(ada.user.email, "reset-password");
      const problem = expectProblem(await h.client().post("/api/auth/password-reset/confirm", { token, password: "short" }), 400, "invalid_request");
      expect(problem.errors?.map((e) => e.field)).toEqual(["password"]);
      expectProblem(await h.client().post("/api/auth/password-reset/confirm", { token, password: "password1234" }), 400, "invalid_request");
      expect((await ada.client.get("/api/me")).statusCode).toBe(200);
      expect((await h.client().post("/api/auth/password-reset/confirm", { token, password: NEW_PASSWORD })).statusCode).toBe(204);
    });

    it("expires after one hour", async () => {
      const ada = await h.signUp("Reset Late");
      await h.client().post("/api/auth/password-reset", { email: ada.user.email });
      const late = await h.linkTokenFor(ada.user.email, "reset-password");
      h.clock.advance(60 * MINUTE + 1000);
      expectProblem(await h.client().post("/api/auth/password-reset/confirm", { token: late, password: NEW_PASSWORD }), 410, "reset_token_invalid");
      expect((await h.client().post("/api/auth/login", { email: ada.user.email, password: PASSWORD })).statusCode).toBe(200);

      await h.client().post("/api/auth/password-reset", { email: ada.user.email });
      const inTime = await h.linkTokenFor(ada.user.email, "reset-password");
      h.clock.advance(59 * MINUTE);
      expect((await h.client().post("/api/auth/password-reset/confirm", { token: inTime, password: NEW_PASSWORD })).statusCode).toBe(204);
    });

    it("refuses a token it never issued", async () => {
      expectProblem(
        await h.client().post("/api/auth/password-reset/confirm", { token: "A".repeat(43), password: NEW_PASSWORD }),
        410,
        "reset_token_invalid",
      );
      // Any shape of token gets the documented answer, not a schema error.
      expectProblem(await h.client().post("/api/auth/password-reset/confirm", { token: "short", password: NEW_PASSWORD }), 410, "reset_token_invalid");
      expectProblem(await h.client().post("/api/auth/password-reset/confirm", { token: "", password: NEW_PASSWORD }), 400, "invalid_request");
    });
  });
});
