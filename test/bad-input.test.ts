// Bad input (SPEC "What every part must do with bad input"; API.md "Errors"; SECURITY.md 10):
// malformed JSON, wrong types, unknown fields, oversized and non-JSON bodies, garbage ids and
// tokens. Each is a 4xx problem+json with a stable code, never a 500, and the data is unchanged.
import { randomBytes, randomUUID } from "node:crypto";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, createTestApp, uniqueEmail } from "./helpers/app.js";
import type { Body, Client, SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { snapshot as tableSnapshot } from "./helpers/fixtures.js";

interface Case {
  /** What is wrong with the request. */
  name: string;
  who?: "owner" | "member" | "anonymous";
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  body?: Body;
  headers?: Record<string, string>;
  /** The status, or the acceptable ones where API.md leaves the choice open (a bad id: 400 or 404). */
  status: number | number[];
  code?: string;
  /** Fields `errors` must name (schema refusals). */
  fields?: string[];
  csrf?: boolean;
}

const MIB = 1024 * 1024;
const json = { "content-type": "application/json" };

describe.each(ENGINES)("bad input on %s", (engine) => {
  let h: TestApp;
  let owner: SignedIn;
  let member: SignedIn;
  let teamId: string;
  let invitationId: string;
  let token: string;
  let snapshot: string;

  beforeAll(async () => {
    h = await createTestApp(engine);
    [owner, member] = await Promise.all([h.signUp("Owner Bad"), h.signUp("Member Bad")]);
    const team = await owner.client.post("/api/teams", { name: "Sturdy" });
    teamId = team.json().team.id;
    await owner.client.post(`/api/teams/${teamId}/invitations`, { email: member.user.email, roles: ["installer"] });
    await member.client.post(`/api/invitations/${await h.linkTokenFor(member.user.email)}/accept`);
    const pending = await owner.client.post(`/api/teams/${teamId}/invitations`, { email: "pending.bad@example.com", roles: ["billing"] });
    invitationId = pending.json().invitation.id;
    token = await h.linkTokenFor("pending.bad@example.com");
    snapshot = await takeSnapshot();
  });
  afterAll(() => h.close());

  /** Every table of the database, every row, in a stable order. */
  /** Every table's rows, less what using the service legitimately touches (fixtures.ts snapshot: rate-limit counters, a session's last use). */
  async function takeSnapshot(): Promise<string> {
    const tables = await tableSnapshot(h.t.db);
    expect(Object.keys(tables)).toEqual(expect.arrayContaining(["users", "teams", "memberships", "invitations", "sessions", "audit_log", "outbox"]));
    return JSON.stringify(tables);
  }

  function clientFor(who: Case["who"], csrf: boolean): Client {
    if (who === "anonymous") return h.client();
    const base = who === "member" ? member.client : owner.client;
    const copy = h.client();
    copy.cookie = base.cookie;
    copy.csrf = csrf;
    return copy;
  }

  async function send(c: Case): Promise<LightMyRequestResponse> {
    const client = clientFor(c.who ?? "owner", c.csrf ?? true);
    const headers = { ...(typeof c.body === "string" && c.headers === undefined ? json : {}), ...c.headers };
    return client.request(c.method, c.url, c.body, headers);
  }

  function expectRefused(c: Case, response: LightMyRequestResponse): void {
    const label = `${c.name}: ${c.method} ${c.url.slice(0, 120)} → ${response.statusCode} ${response.body.slice(0, 300)}`;
    expect(response.statusCode, label).toBeGreaterThanOrEqual(400);
    expect(response.statusCode, label).toBeLessThan(500);
    const allowed = Array.isArray(c.status) ? c.status : [c.status];
    expect(allowed, label).toContain(response.statusCode);
    expect(response.headers["content-type"], label).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem, label).toMatchObject({ status: response.statusCode, type: `https://certdesk.dev/errors/${problem.code}` });
    expect(typeof problem.title, label).toBe("string");
    expect(problem.code, label).toMatch(/^[a-z_]+$/);
    if (c.code) expect(problem.code, label).toBe(c.code);
    if (c.fields) {
      const named = (problem.errors ?? []).map((e: { field: string }) => e.field);
      for (const field of c.fields) expect(named, label).toContain(field);
      for (const e of problem.errors ?? []) expect(typeof e.message, label).toBe("string");
    }
    // No stack traces or internals.
    expect(response.body, label).not.toMatch(/node_modules|\.ts:\d+|\n\s+at |SQLITE_|syntax error|violates/);
  }

  async function check(cases: Case[]): Promise<void> {
    for (const c of cases) {
      const response = await send(c);
      expectRefused(c, response);
      expect(await takeSnapshot(), `data changed by: ${c.name}`).toBe(snapshot);
    }
  }

  it("refuses malformed JSON", async () => {
    const bad = (name: string, method: Case["method"], url: string, body: string, extra: Partial<Case> = {}): Case => ({
      name,
      method,
      url,
      body,
      status: 400,
      code: "invalid_request",
      ...extra,
    });
    await check([
      bad("truncated object", "POST", "/api/teams", '{"name":'),
      bad("unquoted keys", "PATCH", `/api/teams/${teamId}`, "{name: 'x'}"),
      bad("lone bracket", "POST", "/api/auth/signup", "[", { who: "anonymous" }),
      bad("trailing comma", "POST", `/api/teams/${teamId}/invitations`, '{"email":"a@b.co","roles":["billing"],}'),
      bad("empty body", "POST", "/api/teams", ""),
      bad("JSON null", "POST", "/api/teams", "null"),
      bad("a bare string", "PUT", "/api/me/active-team", '"just a string"'),
      bad("an array", "PATCH", `/api/teams/${teamId}/members/${member.user.id}`, '["billing"]'),
      bad("prototype pollution", "POST", "/api/teams", '{"__proto__":{"isOwner":true},"name":"Polluted"}'),
      bad("constructor pollution", "POST", "/api/teams", '{"constructor":{"prototype":{"isOwner":true}},"name":"Polluted"}'),
      bad("binary garbage", "POST", "/api/auth/login", randomBytes(64).toString("latin1"), { who: "anonymous" }),
    ]);
  });

  it("refuses wrong types, naming the field, without converting them", async () => {
    const wrong = (name: string, method: Case["method"], url: string, body: Body, fields: string[], extra: Partial<Case> = {}): Case => ({
      name,
      method,
      url,
      body,
      fields,
      status: 400,
      code: "invalid_request",
      ...extra,
    });
    await check([
      wrong("number for a name", "POST", "/api/teams", { name: 42 }, ["name"]),
      wrong("boolean for a name", "POST", "/api/teams", { name: true }, ["name"]),
      wrong("array for a name", "POST", "/api/teams", { name: ["Listed"] }, ["name"]),
      wrong("object for a name", "PATCH", `/api/teams/${teamId}`, { name: { text: "x" } }, ["name"]),
      wrong("null for a name", "PATCH", `/api/teams/${teamId}`, { name: null }, ["name"]),
      wrong("empty name", "POST", "/api/teams", { name: "" }, ["name"]),
      wrong("blank name", "POST", "/api/teams", { name: "   " }, ["name"]),
      wrong("deeply nested name", "POST", "/api/teams", `{"name":${"[".repeat(2000)}${"]".repeat(2000)}}`, ["name"]),
      wrong("number for an e-mail", "POST", `/api/teams/${teamId}/invitations`, { email: 5, roles: ["billing"] }, ["email"]),
      wrong("string for roles", "POST", `/api/teams/${teamId}/invitations`, { email: "typed@example.com", roles: "billing" }, ["roles"]),
      wrong("numbers in roles", "POST", `/api/teams/${teamId}/invitations`, { email: "typed@example.com", roles: [1] }, ["roles.0"]),
      wrong("string for roles on a member", "PATCH", `/api/teams/${teamId}/members/${member.user.id}`, { roles: "billing" }, ["roles"]),
      wrong("number for a team id", "PUT", "/api/me/active-team", { teamId: 123 }, ["teamId"]),
      wrong("huge number for a user id", "POST", `/api/teams/${teamId}/transfer`, '{"userId":1e400}', ["userId"]),
      wrong("numbers for credentials", "POST", "/api/auth/login", { email: 1, password: 2 }, ["email"], { who: "anonymous" }),
      wrong("array for an e-mail", "POST", "/api/auth/signup", { email: ["x@example.com"], password: PASSWORD, name: "X" }, ["email"], { who: "anonymous" }),
      wrong("missing name", "POST", "/api/teams", {}, ["name"]),
      wrong("missing roles", "POST", `/api/teams/${teamId}/invitations`, { email: "typed@example.com" }, ["roles"]),
      wrong("NUL in a name", "POST", "/api/teams", { name: "Null\u0000Team" }, ["name"]),
      wrong("NUL in an e-mail", "POST", "/api/auth/login", { email: "a\u0000@example.com", password: PASSWORD }, ["email"], { who: "anonymous" }),
    ]);
  });

  it("refuses unknown fields such as owner, teamId and isOwner", async () => {
    const extra = (name: string, method: Case["method"], url: string, body: Body, fields: string[], more: Partial<Case> = {}): Case => ({
      name,
      method,
      url,
      body,
      fields,
      status: 400,
      code: "invalid_request",
      ...more,
    });
    await check([
      extra("owner on create", "POST", "/api/teams", { name: "Mine", owner: member.user.id }, ["owner"]),
      extra("isOwner on create", "POST", "/api/teams", { name: "Mine", isOwner: true }, ["isOwner"]),
      extra("teamId on create", "POST", "/api/teams", { name: "Mine", teamId }, ["teamId"]),
      extra("owner on rename", "PATCH", `/api/teams/${teamId}`, { name: "Renamed", owner: member.user.id }, ["owner"]),
      extra("isDefault on rename", "PATCH", `/api/teams/${teamId}`, { name: "Renamed", isDefault: true }, ["isDefault"]),
      extra("teamId on invite", "POST", `/api/teams/${teamId}/invitations`, { email: "extra@example.com", roles: ["billing"], teamId: member.defaultTeamId }, ["teamId"]),
      extra("status on invite", "POST", `/api/teams/${teamId}/invitations`, { email: "extra@example.com", roles: ["billing"], status: "accepted" }, ["status"]),
      extra("isOwner on roles", "PATCH", `/api/teams/${teamId}/members/${member.user.id}`, { roles: ["billing"], isOwner: true }, ["isOwner"]),
      extra("userId on active team", "PUT", "/api/me/active-team", { teamId, userId: member.user.id }, ["userId"]),
      extra("owner on transfer", "POST", `/api/teams/${teamId}/transfer`, { userId: member.user.id, owner: true }, ["owner"]),
      extra("teamLimit on sign-up", "POST", "/api/auth/signup", { email: uniqueEmail("Extra"), password: PASSWORD, name: "Extra", teamLimit: 99 }, ["teamLimit"], { who: "anonymous" }),
      extra("isOwner on sign-up", "POST", "/api/auth/signup", { email: uniqueEmail("Extra"), password: PASSWORD, name: "Extra", isOwner: true }, ["isOwner"], { who: "anonymous" }),
      extra("unknown query parameter", "GET", `/api/teams/${teamId}/members?teamId=${member.defaultTeamId}`, undefined, ["querystring.teamId"]),
    ]);
  });

  it("refuses bodies over 1 MiB with 413 and anything but JSON with 415", async () => {
    await check([
      { name: "1.1 MiB name", method: "POST", url: "/api/teams", body: { name: "x".repeat(1.1 * MIB) }, status: 413, code: "payload_too_large" },
      { name: "2 MiB sign-up", method: "POST", url: "/api/auth/signup", who: "anonymous", body: { email: "big@example.com", password: "p".repeat(2 * MIB), name: "Big" }, status: 413, code: "payload_too_large" },
      { name: "1 MiB + 1 invitation", method: "POST", url: `/api/teams/${teamId}/invitations`, body: `{"email":"a@b.co","roles":["billing"],"pad":"${"x".repeat(MIB)}"}`, status: 413, code: "payload_too_large" },
      { name: "text/plain", method: "POST", url: "/api/teams", body: '{"name":"Plain"}', headers: { "content-type": "text/plain" }, status: 415, code: "unsupported_media_type" },
      { name: "form", method: "POST", url: "/api/teams", body: "name=Form", headers: { "content-type": "application/x-www-form-urlencoded" }, status: 415, code: "unsupported_media_type" },
      { name: "xml", method: "PATCH", url: `/api/teams/${teamId}`, body: "<name>x</name>", headers: { "content-type": "application/xml" }, status: 415, code: "unsupported_media_type" },
      { name: "text/plain log-in", method: "POST", url: "/api/auth/login", who: "anonymous", body: "{}", headers: { "content-type": "text/plain" }, status: 415, code: "unsupported_media_type" },
      { name: "multipart on a JSON route", method: "POST", url: "/api/teams", body: "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--x--", headers: { "content-type": "multipart/form-data; boundary=x" }, status: [400, 415] },
    ]);
  });

  it("refuses garbage ids in paths with 400 or 404", async () => {
    const uuid = randomUUID();
    const garbage = ["garbage", "'%20OR%201=1--", "..%2F..%2Fetc%2Fpasswd", "%00", "%E0%A4%A", "x".repeat(5000), uuid.toUpperCase(), `${teamId}x`];
    const cases: Case[] = [];
    for (const id of garbage) {
      cases.push(
        { name: `team ${id.slice(0, 20)}`, method: "GET", url: `/api/teams/${id}`, status: [400, 404] },
        { name: `rename ${id.slice(0, 20)}`, method: "PATCH", url: `/api/teams/${id}`, body: { name: "Hijacked" }, status: [400, 404] },
        { name: `delete ${id.slice(0, 20)}`, method: "DELETE", url: `/api/teams/${id}`, status: [400, 404] },
        { name: `member ${id.slice(0, 20)}`, method: "PATCH", url: `/api/teams/${teamId}/members/${id}`, body: { roles: ["billing"] }, status: [400, 404] },
        { name: `remove ${id.slice(0, 20)}`, method: "DELETE", url: `/api/teams/${teamId}/members/${id}`, status: [400, 404] },
        { name: `revoke ${id.slice(0, 20)}`, method: "DELETE", url: `/api/teams/${teamId}/invitations/${id}`, status: [400, 404] },
        { name: `resend ${id.slice(0, 20)}`, method: "POST", url: `/api/teams/${teamId}/invitations/${id}/resend`, status: [400, 404] },
      );
    }
    cases.push(
      { name: "unknown team", method: "GET", url: `/api/teams/${uuid}/members`, status: 404, code: "not_found" },
      { name: "unknown member", method: "DELETE", url: `/api/teams/${teamId}/members/${uuid}`, status: 404, code: "not_found" },
      { name: "unknown invitation", method: "POST", url: `/api/teams/${teamId}/invitations/${uuid}/resend`, status: 404, code: "not_found" },
      { name: "a team id for an invitation", method: "DELETE", url: `/api/teams/${teamId}/invitations/${teamId}`, status: 404, code: "not_found" },
      { name: "an invitation id for a team", method: "GET", url: `/api/teams/${invitationId}`, status: 404, code: "not_found" },
      { name: "NUL in a query", method: "GET", url: `/api/teams/${teamId}/members?q=%00`, status: 400, code: "invalid_request" },
      { name: "NUL in a cursor", method: "GET", url: `/api/teams/${teamId}/audit?cursor=${Buffer.from('["\\u0000"]').toString("base64url")}`, status: 400, code: "invalid_request" },
      { name: "no such route", method: "GET", url: "/api/no-such-thing", status: 404, code: "not_found" },
      { name: "no such method", method: "PUT", url: "/api/teams", body: { name: "Put" }, status: [404, 405] },
    );
    await check(cases);
  });

  it("refuses garbage and foreign tokens", async () => {
    const unknown = randomBytes(32).toString("base64url");
    await check([
      { name: "short token", method: "GET", url: "/api/invitations/garbage", who: "anonymous", status: 404, code: "not_found" },
      { name: "bad characters", method: "GET", url: `/api/invitations/${"%2B".repeat(30)}`, who: "anonymous", status: [400, 404] },
      { name: "long token", method: "GET", url: `/api/invitations/${"A".repeat(500)}`, who: "anonymous", status: [400, 404] },
      { name: "unknown token", method: "GET", url: `/api/invitations/${unknown}`, who: "anonymous", status: 404, code: "not_found" },
      { name: "accept unknown", method: "POST", url: `/api/invitations/${unknown}/accept`, who: "member", status: 404, code: "not_found" },
      { name: "accept altered", method: "POST", url: `/api/invitations/${token}x/accept`, who: "member", status: 404, code: "not_found" },
      { name: "accept someone else's", method: "POST", url: `/api/invitations/${token}/accept`, who: "member", status: 403, code: "invitation_email_mismatch" },
      { name: "decline someone else's", method: "POST", url: `/api/invitations/${token}/decline`, who: "member", status: 403, code: "invitation_email_mismatch" },
      { name: "decline garbage", method: "POST", url: "/api/invitations/!!!/decline", who: "anonymous", status: [400, 404] },
      { name: "NUL in a token", method: "POST", url: `/api/invitations/${token}%00/accept`, who: "member", status: 400, code: "invalid_request" },
      { name: "empty reset token", method: "POST", url: "/api/auth/password-reset/confirm", who: "anonymous", body: { token: "", password: "a fine new passphrase" }, status: 400, code: "invalid_request" },
      { name: "accept anonymously", method: "POST", url: `/api/invitations/${token}/accept`, who: "anonymous", status: 401, code: "unauthenticated" },
      { name: "reset unknown token", method: "POST", url: "/api/auth/password-reset/confirm", who: "anonymous", body: { token: unknown, password: "a fine new passphrase" }, status: 410, code: "reset_token_invalid" },
      { name: "reset garbage token", method: "POST", url: "/api/auth/password-reset/confirm", who: "anonymous", body: { token: "no", password: "a fine new passphrase" }, status: 410, code: "reset_token_invalid" },
      { name: "invitation token as reset token", method: "POST", url: "/api/auth/password-reset/confirm", who: "anonymous", body: { token, password: "a fine new passphrase" }, status: 410, code: "reset_token_invalid" },
    ]);
  });

  it("refuses the unauthenticated, the forged and the forbidden without touching anything", async () => {
    await check([
      { name: "no session", method: "DELETE", url: `/api/teams/${teamId}`, who: "anonymous", status: 401, code: "unauthenticated" },
      { name: "no CSRF header", method: "POST", url: "/api/teams", body: { name: "Forged" }, csrf: false, status: 403, code: "csrf" },
      { name: "foreign origin", method: "PATCH", url: `/api/teams/${teamId}`, body: { name: "Forged" }, headers: { origin: "https://evil.example" }, status: 403, code: "csrf" },
      { name: "member renames", method: "PATCH", url: `/api/teams/${teamId}`, who: "member", body: { name: "Mine now" }, status: 403, code: "forbidden" },
      { name: "member deletes", method: "DELETE", url: `/api/teams/${teamId}`, who: "member", status: 403, code: "forbidden" },
      { name: "member invites", method: "POST", url: `/api/teams/${teamId}/invitations`, who: "member", body: { email: "friend@example.com", roles: ["account_admin"] }, status: 403, code: "forbidden" },
      { name: "member edits own roles", method: "PATCH", url: `/api/teams/${teamId}/members/${member.user.id}`, who: "member", body: { roles: ["account_admin"] }, status: 403, code: "forbidden" },
      { name: "stranger team", method: "GET", url: `/api/teams/${owner.defaultTeamId}`, who: "member", status: 404, code: "not_found" },
      { name: "owner removed", method: "DELETE", url: `/api/teams/${teamId}/members/${owner.user.id}`, status: 403, code: "owner_protected" },
      { name: "default team deleted", method: "DELETE", url: `/api/teams/${owner.defaultTeamId}`, status: 409, code: "default_team" },
      { name: "already a member", method: "POST", url: `/api/teams/${teamId}/invitations`, body: { email: member.user.email, roles: ["billing"] }, status: 409, code: "already_member" },
      { name: "already pending", method: "POST", url: `/api/teams/${teamId}/invitations`, body: { email: "PENDING.bad@example.com", roles: ["billing"] }, status: 409, code: "invitation_pending" },
      { name: "e-mail taken", method: "POST", url: "/api/auth/signup", who: "anonymous", body: { email: member.user.email, password: PASSWORD, name: "Again" }, status: 409, code: "email_taken" },
      { name: "wrong password", method: "POST", url: "/api/auth/login", who: "anonymous", body: { email: member.user.email, password: "not the password" }, status: 401, code: "invalid_credentials" },
    ]);
  });

  it("still works normally afterwards", async () => {
    const response = await owner.client.get(`/api/teams/${teamId}`);
    expect(response.statusCode).toBe(200);
    expect(response.json().team).toMatchObject({ name: "Sturdy", memberCount: 2, isOwner: true });
    expect((await h.client().get(`/api/invitations/${token}`)).json().status).toBe("pending");
  });
});

describe.each(ENGINES)("broken Unicode on %s", (engine) => {
  it("refuses an unpaired surrogate instead of storing U+FFFD", async () => {
    const h = await createTestApp(engine);
    try {
      const ada = await h.signUp("Ada");
      const response = await ada.client.request("POST", "/api/teams", '{"name":"Acme \\ud800"}', { "content-type": "application/json" });
      expect(response.json()).toMatchObject({ status: 400, code: "invalid_request" });
      const names = await h.t.db.kysely.selectFrom("teams").select("name").execute();
      expect(names.map((n) => n.name)).not.toContain("Acme \ufffd");
    } finally {
      await h.close();
    }
  });
});
