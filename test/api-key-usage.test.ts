// API keys in use (SECURITY 33): each key's own rate limit, and a secret that never reaches a log
// line, a later answer or the database in clear. Every app here logs at level trace into `logs`.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MINUTE } from "../src/server/clock.js";
import { Client, createTestApp } from "./helpers/app.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { dumpDatabase } from "./helpers/fixtures.js";

const logs = vi.hoisted(() => ({ lines: [] as string[] }));

vi.mock("../src/server/app.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/server/app.js")>();
  const buildApp: typeof original.buildApp = (deps, options = {}) =>
    original.buildApp(deps, { ...options, logger: { level: "trace", stream: { write: (line: string) => void logs.lines.push(line) } } });
  return { ...original, buildApp };
});

function bearer(h: TestApp, secret: string, method: string, url: string, body?: unknown) {
  return h.app.inject({
    method: method as "GET",
    url,
    headers: { authorization: `Bearer ${secret}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe.each(ENGINES)("API keys in use on %s", (engine) => {
  let h: TestApp;
  let owner: SignedIn;

  beforeAll(async () => {
    // Unscaled limits: the per-key budget is the real one (600 a minute).
    h = await createTestApp(engine, { RATE_LIMIT_SCALE: "1" });
    owner = await h.signUp("Usage Owner");
  });
  afterAll(async () => {
    await h.app.close();
    await h.t.drop();
  });

  async function newKey(permissions: string[]): Promise<{ id: string; secret: string }> {
    const created = await owner.client.post(`/api/teams/${owner.defaultTeamId}/api-keys`, { name: "usage", permissions });
    expect(created.statusCode, created.body).toBe(201);
    return { id: created.json().apiKey.id, secret: created.json().secret };
  }

  it("limits each key to its own budget a minute (429 with Retry-After), leaving other keys and the dashboard alone", async () => {
    const busy = await newKey(["team.view"]);
    const quiet = await newKey(["team.view"]);
    const url = `/api/teams/${owner.defaultTeamId}`;
    const answers: number[] = [];
    for (let i = 0; i < 600; i++) answers.push((await bearer(h, busy.secret, "GET", url)).statusCode);
    expect(answers.every((status) => status === 200)).toBe(true);
    const refused = await bearer(h, busy.secret, "GET", url);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe("rate_limited");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect((await bearer(h, quiet.secret, "GET", url)).statusCode).toBe(200);
    expect((await owner.client.get(url)).statusCode).toBe(200);
    h.clock.advance(MINUTE);
    expect((await bearer(h, busy.secret, "GET", url)).statusCode).toBe(200);
  });

  it("never shows the secret again: not in later answers, a log line or the database in clear", async () => {
    logs.lines.length = 0;
    const key = await newKey(["team.view", "orders.view", "automation.manage"]);
    await bearer(h, key.secret, "GET", `/api/teams/${owner.defaultTeamId}/orders`);
    await bearer(h, key.secret, "GET", `/api/teams/${owner.defaultTeamId}/api-keys`);
    await bearer(h, key.secret, "GET", "/api/me"); // refused, and logged as such
    await bearer(h, `${key.secret.slice(0, -1)}0`, "GET", `/api/teams/${owner.defaultTeamId}`); // an unknown key
    const later = await Promise.all([
      owner.client.get(`/api/teams/${owner.defaultTeamId}/api-keys`),
      owner.client.get(`/api/teams/${owner.defaultTeamId}/audit`),
      bearer(h, key.secret, "GET", `/api/teams/${owner.defaultTeamId}/api-keys`),
    ]);
    for (const answer of later) expect(answer.body).not.toContain(key.secret.slice(4));
    expect(logs.lines.length).toBeGreaterThan(5);
    const logged = logs.lines.join("\n");
    expect(logged).not.toContain(key.secret.slice(4));
    expect(logged).not.toContain(key.secret.slice(4, 40));
    const dump = JSON.stringify(await dumpDatabase(h.t.db));
    expect(dump).not.toContain(key.secret.slice(4, 40));
    // Only its hash is stored, and it is the SHA-256 of the whole secret.
    const row = await h.t.db.kysely.selectFrom("apiKeys").select("secretHash").where("id", "=", key.id).executeTakeFirstOrThrow();
    expect(row.secretHash).toBe(createHash("sha256").update(key.secret).digest("base64url"));
  });

  it("audits every use of a key as the key: a refused one in the log with the key's id", async () => {
    logs.lines.length = 0;
    const key = await newKey(["team.view"]);
    const refused = await bearer(h, key.secret, "GET", `/api/teams/${owner.defaultTeamId}/billing-profiles`);
    expect(refused.statusCode).toBe(403);
    const denial = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === "access denied");
    expect(denial).toMatchObject({ actor: key.id, actorType: "apiKey", team: owner.defaultTeamId, code: "forbidden" });
  });

  it("a person's session cannot be used to reach a key's power, and a key cannot make a session", async () => {
    const key = await newKey(["team.view"]);
    const client = new Client(h.app);
    const login = await client.request("POST", "/api/auth/login", { email: owner.user.email, password: "a long enough passphrase" }, { authorization: `Bearer ${key.secret}` });
    expect(login.statusCode).toBe(401);
    expect(login.headers["set-cookie"]).toBeUndefined();
  });
});
