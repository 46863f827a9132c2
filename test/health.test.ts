// The load balancer's probes (README "Running several servers"): /health/live answers while the
// process runs; /health/ready answers 200 only while the database answers and holds every
// migration, else 503 problem+json `unavailable` with Retry-After. Neither needs a session or
// spends the address's request budget, and both are in the OpenAPI document as public.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrations } from "../src/server/migrations/index.js";
import { createTestApp } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";

describe.each(ENGINES)("health on %s", (engine) => {
  let h: TestApp;
  // Two requests a minute per address: the probes below would be refused at once if they counted.
  beforeAll(async () => {
    h = await createTestApp(engine, { RATE_LIMIT_SCALE: "0.001" });
  });
  afterAll(() => h?.close());

  const probe = (url: string) => h.app.inject({ method: "GET", url, remoteAddress: "192.0.2.10" });

  function expectNotReady(answer: Awaited<ReturnType<typeof probe>>) {
    expect(answer.statusCode, answer.body).toBe(503);
    expect(answer.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(Number(answer.headers["retry-after"])).toBeGreaterThan(0);
    expect(answer.json()).toMatchObject({ status: 503, code: "unavailable" });
  }

  it("live and ready answer ok without a session, uncached, however often a balancer asks", async () => {
    for (let i = 0; i < 10; i++) {
      for (const url of ["/health/live", "/health/ready"]) {
        const answer = await probe(url);
        expect(answer.statusCode, `${url} #${i}: ${answer.body}`).toBe(200);
        expect(answer.json()).toEqual({ status: "ok" });
        expect(answer.headers["cache-control"]).toBe("no-store");
        expect(answer.headers["set-cookie"]).toBeUndefined();
      }
    }
    // The same address is out of its /api budget by now: the probes did not spend it, the API does.
    const api = [];
    for (let i = 0; i < 3; i++) api.push((await h.app.inject({ method: "GET", url: "/api/products", remoteAddress: "192.0.2.10" })).statusCode);
    expect(api).toContain(429);
    expect((await probe("/health/ready")).statusCode).toBe(200);
    expect((await h.app.inject({ method: "HEAD", url: "/health/live" })).statusCode).toBe(200);
  });

  it("is in the OpenAPI document, public", async () => {
    const document = (await h.app.inject({ method: "GET", url: "/api/openapi.json", remoteAddress: "192.0.2.11" })).json();
    for (const path of ["/health/live", "/health/ready"]) {
      expect(document.paths[path]?.get, path).toBeDefined();
      expect(document.paths[path].get.security).toEqual([]);
    }
    expect(Object.keys(document.paths["/health/ready"].get.responses)).toEqual(expect.arrayContaining(["200", "503"]));
  });

  it("ready is 503 while a migration this server knows is missing from the database, and ok once it is there", async () => {
    const last = Object.keys(migrations).sort().at(-1)!;
    const row = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration where name = ${last}`.execute(h.t.db.kysely);
    expect(row.rows).toHaveLength(1);
    await sql`delete from kysely_migration where name = ${last}`.execute(h.t.db.kysely);
    try {
      expectNotReady(await probe("/health/ready"));
      expect((await probe("/health/live")).statusCode).toBe(200);
    } finally {
      await sql`insert into kysely_migration (name, timestamp) values (${last}, ${row.rows[0]!.timestamp})`.execute(h.t.db.kysely);
    }
    expect((await probe("/health/ready")).statusCode).toBe(200);
  });

  it("ready is 503 once the database cannot be reached; live still answers", async () => {
    // The server's own handle closed under it: every query fails as when the database is gone.
    await h.t.db.close();
    const concurrent = await Promise.all([probe("/health/ready"), probe("/health/ready"), probe("/health/ready")]);
    for (const answer of concurrent) expectNotReady(answer);
    expect((await probe("/health/live")).statusCode).toBe(200);
  });
});
