// Account settings (issue 14) on both engines: a person's name, password and sessions under
// /api/me/…. A password change needs the current password, ends every other session and keeps
// this one, and is rate-limited; sessions are listed by an id that is not the token's hash, with
// the device in words and "this device"; one can be signed out, or all the others at once.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE } from "../src/server/clock.js";
import { LIMITS } from "../src/server/limits/definitions.js";
import { hashToken } from "../src/server/secrets.js";
import { createTestApp, Client, PASSWORD } from "./helpers/app.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";

const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

describe.each(ENGINES)("account settings on %s", (engine) => {
  let h: TestApp;
  beforeAll(async () => {
    h = await createTestApp(engine);
  });
  afterAll(async () => {
    await h.app.close();
    await h.t.drop();
  });

  /** A second browser of the same person, signed in with a User-Agent. */
  async function logInFrom(who: SignedIn, userAgent: string, password = PASSWORD): Promise<Client> {
    const client = h.client();
    const response = await client.request("POST", "/api/auth/login", { email: who.user.email, password }, { "user-agent": userAgent });
    expect(response.statusCode, response.body).toBe(200);
    return client;
  }

  function tokenOf(client: Client): string {
    return decodeURIComponent(client.cookie!.split("=").slice(1).join("="));
  }

  it("lists the person's sessions with the device in words, this device marked, and never the token's hash", async () => {
    const ann = await h.signUp("Ann Sessions");
    const laptop = await logInFrom(ann, FIREFOX_WINDOWS);
    h.clock.advance(2 * MINUTE);
    const phone = await logInFrom(ann, SAFARI_IPHONE);
    const response = await laptop.get("/api/me/sessions");
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().items as { id: string; device: string; current: boolean; lastSeenAt: string }[];
    expect(items).toHaveLength(3);
    // Most recently used first: the phone signed in last.
    expect(items[0]).toMatchObject({ device: "Safari on an iPhone", current: false });
    expect(items.find((s) => s.current)).toMatchObject({ device: "Firefox on Windows" });
    expect(items.filter((s) => s.current)).toHaveLength(1);
    const hashes = [ann.client, laptop, phone].map((c) => hashToken(tokenOf(c)));
    for (const hash of hashes) {
      expect(response.body).not.toContain(hash);
      expect(response.body).not.toContain(tokenOf([ann.client, laptop, phone][hashes.indexOf(hash)]!));
    }
    // Another person sees only their own.
    const bob = await h.signUp("Bob Sessions");
    const bobs = (await bob.client.get("/api/me/sessions")).json().items;
    expect(bobs).toHaveLength(1);
    expect(bobs[0].current).toBe(true);
  });

  it("signs out one session by its id; another person's session id answers 404 and stays signed in", async () => {
    const ann = await h.signUp("Ann One");
    const phone = await logInFrom(ann, SAFARI_IPHONE);
    const bob = await h.signUp("Bob One");
    const phoneId = (await ann.client.get("/api/me/sessions")).json().items.find((s: { device: string }) => s.device === "Safari on an iPhone").id;

    const foreign = await bob.client.delete(`/api/me/sessions/${phoneId}`);
    expect([foreign.statusCode, foreign.json().code]).toEqual([404, "not_found"]);
    expect((await phone.get("/api/me")).statusCode).toBe(200);

    expect((await ann.client.delete(`/api/me/sessions/${phoneId}`)).statusCode).toBe(204);
    expect((await phone.get("/api/me")).json().code).toBe("unauthenticated");
    expect((await ann.client.get("/api/me")).statusCode).toBe(200);
    const again = await ann.client.delete(`/api/me/sessions/${phoneId}`);
    expect(again.statusCode).toBe(404);
  });

  it("signing out this device by its own id ends it and clears the cookie", async () => {
    const ann = await h.signUp("Ann Self");
    const own = (await ann.client.get("/api/me/sessions")).json().items[0];
    expect(own.current).toBe(true);
    const response = await ann.client.delete(`/api/me/sessions/${own.id}`);
    expect(response.statusCode).toBe(204);
    expect(response.cookies.find((c) => c.name.endsWith("certdesk_session"))?.value).toBe("");
    expect(ann.client.cookie).toBeUndefined();
  });

  it("signs out everywhere else, keeping this session", async () => {
    const ann = await h.signUp("Ann Elsewhere");
    const laptop = await logInFrom(ann, FIREFOX_WINDOWS);
    const phone = await logInFrom(ann, SAFARI_IPHONE);
    const bob = await h.signUp("Bob Elsewhere");
    const response = await laptop.post("/api/me/sessions/end-others");
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ ended: 2 });
    expect((await laptop.get("/api/me")).statusCode).toBe(200);
    for (const gone of [ann.client, phone]) expect((await gone.get("/api/me")).statusCode).toBe(401);
    expect((await bob.client.get("/api/me")).statusCode).toBe(200);
    expect((await laptop.get("/api/me/sessions")).json().items).toHaveLength(1);
  });

  it("changes the name, by the sign-up rule", async () => {
    const ann = await h.signUp("Ann Name");
    const response = await ann.client.patch("/api/me", { name: "  Ann Renamed  " });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().user).toMatchObject({ id: ann.user.id, name: "Ann Renamed", email: ann.user.email });
    expect((await ann.client.get("/api/me")).json().user.name).toBe("Ann Renamed");
    for (const name of ["", "   ", "Ann\u202Eevil"]) {
      const bad = await ann.client.patch("/api/me", { name });
      expect([bad.statusCode, bad.json().code], JSON.stringify(name)).toEqual([400, "invalid_request"]);
      expect(bad.json().errors[0].field).toBe("name");
    }
    expect((await ann.client.get("/api/me")).json().user.name).toBe("Ann Renamed");
  });

  it("changes the password only with the current one; other sessions end, this one stays; reset links die", async () => {
    const ann = await h.signUp("Ann Password");
    const laptop = await logInFrom(ann, FIREFOX_WINDOWS);
    const phone = await logInFrom(ann, SAFARI_IPHONE);
    expect((await h.client().post("/api/auth/password-reset", { email: ann.user.email })).statusCode).toBe(202);
    const resetToken = await h.linkTokenFor(ann.user.email, "reset-password");

    const wrong = await laptop.post("/api/me/password", { currentPassword: "not the password at all", newPassword: "a brand new passphrase" });
    expect([wrong.statusCode, wrong.json().code, wrong.json().errors[0].field]).toEqual([400, "invalid_request", "currentPassword"]);
    const weak = await laptop.post("/api/me/password", { currentPassword: PASSWORD, newPassword: "short" });
    expect([weak.statusCode, weak.json().errors[0].field]).toEqual([400, "newPassword"]);
    expect(weak.json().detail).toMatch(/at least 10 characters/);
    // Nothing changed yet: every session still works.
    for (const client of [ann.client, phone]) expect((await client.get("/api/me")).statusCode).toBe(200);

    const changed = await laptop.post("/api/me/password", { currentPassword: PASSWORD, newPassword: "a brand new passphrase" });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toEqual({ ended: 2 });
    expect((await laptop.get("/api/me")).statusCode).toBe(200);
    for (const client of [ann.client, phone]) expect((await client.get("/api/me")).statusCode).toBe(401);

    const old = await h.client().post("/api/auth/login", { email: ann.user.email, password: PASSWORD });
    expect(old.statusCode).toBe(401);
    expect((await h.client().post("/api/auth/login", { email: ann.user.email, password: "a brand new passphrase" })).statusCode).toBe(200);
    const reset = await h.client().post("/api/auth/password-reset/confirm", { token: resetToken, password: "yet another passphrase" });
    expect([reset.statusCode, reset.json().code]).toEqual([410, "reset_token_invalid"]);
  });

  it("rate-limits password changes per person, wrong current passwords included", async () => {
    const ann = await h.signUp("Ann Limit");
    const { max } = LIMITS.passwordChangesPerUser;
    for (let i = 0; i < max; i += 1) {
      const response = await ann.client.post("/api/me/password", { currentPassword: `wrong password ${i}`, newPassword: "a brand new passphrase" });
      expect(response.statusCode).toBe(400);
    }
    const refused = await ann.client.post("/api/me/password", { currentPassword: PASSWORD, newPassword: "a brand new passphrase" });
    expect([refused.statusCode, refused.json().code]).toEqual([429, "rate_limited"]);
    expect(refused.headers["retry-after"]).toBeDefined();
    // Another person's budget is their own.
    const bob = await h.signUp("Bob Limit");
    expect((await bob.client.post("/api/me/password", { currentPassword: PASSWORD, newPassword: "a brand new passphrase" })).statusCode).toBe(200);
  });

  it("answers 400, not 500, to bodies and ids outside the grammar", async () => {
    const ann = await h.signUp("Ann Grammar");
    for (const body of [{}, { name: 5 }, { name: "x", extra: 1 }]) expect((await ann.client.patch("/api/me", body)).statusCode).toBe(400);
    for (const body of [{}, { currentPassword: PASSWORD }, { currentPassword: PASSWORD, newPassword: "x".repeat(300) }]) {
      expect((await ann.client.post("/api/me/password", body)).json().code).toBe("invalid_request");
    }
    expect((await ann.client.delete(`/api/me/sessions/${"x".repeat(65)}`)).statusCode).toBe(400);
    expect((await ann.client.delete("/api/me/sessions/unknown")).statusCode).toBe(404);
  });

  it("gives every session an id of its own, and shows the settings the invite form needs", async () => {
    const ann = await h.signUp("Ann Settings");
    const settings = await ann.client.get("/api/settings");
    expect(settings.statusCode).toBe(200);
    expect(settings.json()).toEqual({ invitationTtlHours: h.config.invitationTtlHours });
    const ids = await sql<{ id: string | null }>`select id from sessions`.execute(h.t.db.kysely);
    expect(ids.rows.every((row) => typeof row.id === "string" && row.id.length > 0)).toBe(true);
    expect(new Set(ids.rows.map((row) => row.id)).size).toBe(ids.rows.length);
  });
});
