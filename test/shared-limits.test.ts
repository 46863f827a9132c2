// Rate limits shared by several servers on one PostgreSQL database (issue 13, limits/shared-store.ts):
// two apps on one database are two servers behind a load balancer. Requests spread over both spend
// one budget once their counters have been exchanged (each app does so once a second; the test
// asks for an exchange instead of sleeping), a failed-log-in backoff earned on both holds on both,
// and the successful log-in that ends it on one ends it on the other.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exchangeLimits } from "../src/server/limits/shared-store.js";
import { PASSWORD, createTestApp } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";

describe.runIf(process.env.TEST_POSTGRES_URL)("rate limits shared by two servers on PostgreSQL", () => {
  let a: TestApp;
  let b: TestApp;
  // RATE_LIMIT_SCALE 0.01: 12 requests a minute per address (requestsPerAddress is 1200 × scale).
  const env = { RATE_LIMIT_SCALE: "0.01" };
  beforeAll(async () => {
    a = await createTestApp("postgres", env);
    b = await createTestApp("postgres", env, { sameDatabaseAs: a });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  /** Both servers send what they counted, then each reads what the other sent. */
  async function exchange(): Promise<void> {
    await exchangeLimits(a.app);
    await exchangeLimits(b.app);
    await exchangeLimits(a.app);
  }

  const get = (h: TestApp, remoteAddress: string) => h.app.inject({ method: "GET", url: "/api/products", remoteAddress });

  it("requests spread over both servers spend one budget per address", async () => {
    const address = "192.0.2.50";
    // 6 on each: under the budget of 12 on either server alone.
    for (let i = 0; i < 6; i++) {
      expect((await get(a, address)).statusCode).toBe(200);
      expect((await get(b, address)).statusCode).toBe(200);
    }
    await exchange();
    const row = await sql<{ count: number }>`select count from limit_counters where limit_name = 'requestsPerAddress' and key = ${address}`.execute(a.t.db.kysely);
    expect(row.rows).toEqual([{ count: 12 }]);
    // The budget is spent on both: without sharing, each would allow 6 more.
    for (const h of [a, b]) {
      const refused = await get(h, address);
      expect(refused.statusCode, refused.body).toBe(429);
      expect(refused.json().code).toBe("rate_limited");
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    }
    // Another address has its own budget.
    expect((await get(b, "192.0.2.51")).statusCode).toBe(200);
  });

  it("a budget spent on one server only is known on the other after an exchange", async () => {
    const address = "192.0.2.60";
    for (let i = 0; i < 12; i++) expect((await get(a, address)).statusCode).toBe(200);
    expect((await get(a, address)).statusCode).toBe(429);
    await exchange();
    expect((await get(b, address)).statusCode).toBe(429);
  });

  it("a failed-log-in backoff earned across both servers holds on both; the log-in that ends it ends it everywhere", async () => {
    const { user } = await a.signUp("Backoff Bea");
    // Each attempt from its own address: at this scale an address may fail once (failedLogInsPerAddress).
    let attempt = 0;
    const logIn = (h: TestApp, password: string) =>
      h.app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { email: user.email, password },
        remoteAddress: `198.51.100.${(attempt += 1)}`,
        headers: { "x-requested-with": "certdesk" },
      });
    // Five failures are free (failedLogInsPerAccount); three on each server make six.
    for (let i = 0; i < 3; i++) {
      expect((await logIn(a, "wrong password one")).statusCode).toBe(401);
      expect((await logIn(b, "wrong password two")).statusCode).toBe(401);
    }
    await exchange();
    // Blocked on both, even with the right password: the sixth failure's wait is 2 s.
    for (const h of [a, b]) expect((await logIn(h, PASSWORD)).statusCode).toBe(429);
    // (Each app's clock began when it was made, a second or two apart: past the wait by either one.)
    for (const h of [a, b]) h.clock.advance(10_000);
    expect((await logIn(a, PASSWORD)).statusCode).toBe(200);
    await exchange();
    // B forgot the failures too: the next wrong password is a plain 401, not a wait.
    expect((await logIn(b, "wrong password three")).statusCode).toBe(401);
    expect((await logIn(b, PASSWORD)).statusCode).toBe(200);
  });
});

describe("rate limits on SQLite", () => {
  let h: TestApp;
  beforeAll(async () => {
    h = await createTestApp("sqlite", { RATE_LIMIT_SCALE: "0.01" });
  });
  afterAll(async () => {
    await h?.close();
  });

  // One server process owns an SQLite file: its counters stay in its memory and never touch the database.
  it("count in the server's memory: the budget holds, and no counter row is written", async () => {
    const address = "192.0.2.60";
    const answers: number[] = [];
    for (let i = 0; i < 13; i++) answers.push((await h.app.inject({ method: "GET", url: "/api/products", remoteAddress: address })).statusCode);
    expect(answers.slice(0, 12).every((status) => status === 200)).toBe(true);
    expect(answers[12]).toBe(429);
    await exchangeLimits(h.app); // nothing to exchange on SQLite
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = 'limit_counters'`.execute(h.t.db.kysely);
    const rows = tables.rows.length ? (await sql<{ n: number }>`select count(*) as n from limit_counters`.execute(h.t.db.kysely)).rows[0]!.n : 0;
    expect(rows).toBe(0);
  });
});
