// The orders list of issue 11's dashboard: status (revoked included), a domain prefix search, the
// orders expiring within n days of the injected clock, and newest-first or soonest-to-expire-first,
// each alone and together, walked page by page through the cursor without repeats or gaps; bad
// values and a cursor from the other sort are 400s. Orders are issued for real: placed, a CSR, then
// each domain validated by DNS at a chosen date, so each certificate ends at a different time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CamelCasePlugin, Kysely, SqliteDialect } from "kysely";
import type { CompiledQuery } from "kysely";
import { DAY } from "../src/server/clock.js";
import { openSqlite } from "../src/server/db/create-db.js";
import type { Database } from "../src/server/db/schema.js";
import { encodeCursor } from "../src/server/queries/cursor.js";
import { listOrders } from "../src/server/queries/orders.js";
import { loadTeamMember } from "../src/server/queries/team-member.js";
import type { Client, TestApp } from "./helpers/app.js";
import { PASSWORD, createTestApp } from "./helpers/app.js";
import { makeCsr } from "./helpers/csr.js";
import { validateByDns } from "./helpers/dcv.js";
import { ENGINES } from "./helpers/engines.js";
import { addBillingProfile, uniqueDomain } from "./helpers/fixtures.js";

const T0 = Date.parse("2026-06-01T00:00:00Z");

describe.each(ENGINES)("orders list filters and sorts on %s", (engine) => {
  let h: TestApp;
  let owner: Client;
  let ownerEmail: string;
  let ownerId: string;
  let teamId: string;
  /** Orders by name, placed in this order (so their ids rise A → E). */
  const ids: Record<string, string> = {};
  const domains: Record<string, string> = {};
  const list = () => `/api/teams/${teamId}/orders`;

  /** Moves the injected clock; the session may have ended, so sign in again. */
  async function setClock(ms: number): Promise<void> {
    h.clock.set(new Date(ms));
    owner = h.client();
    expect((await owner.post("/api/auth/login", { email: ownerEmail, password: PASSWORD })).statusCode).toBe(200);
  }

  async function names(query: string): Promise<string[]> {
    const response = await owner.get(`${list()}?${query}`);
    expect(response.statusCode, response.body).toBe(200);
    const byId = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
    return response.json().items.map((o: { id: string }) => byId[o.id]);
  }

  /** Every page of `query` at `limit`, checking that no order comes twice. */
  async function walk(query: string, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 20; pages += 1) {
      const response = await owner.get(`${list()}?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...body.items.map((o: { id: string }) => Object.keys(ids).find((name) => ids[name] === o.id)!));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    return seen;
  }

  beforeAll(async () => {
    h = await createTestApp(engine);
    h.clock.set(new Date(T0));
    const signedIn = await h.signUp("Orders Lister");
    owner = signedIn.client;
    ownerEmail = signedIn.user.email;
    ownerId = signedIn.user.id;
    teamId = signedIn.defaultTeamId;
    const billingProfileId = await addBillingProfile(owner, teamId);
    domains.A = uniqueDomain("alpha");
    domains.B = uniqueDomain("beta");
    domains.C = `*.${uniqueDomain("gamma")}`;
    domains.D = uniqueDomain("delta");
    domains.E = uniqueDomain("epsilon");
    for (const name of ["A", "B", "C", "D", "E"]) {
      const placed = await owner.post(list(), { productId: "dv-1y", domains: [domains[name]], billingProfileId });
      expect(placed.statusCode, placed.body).toBe(201);
      ids[name] = placed.json().order.id;
      if (name === "E") continue; // E stays pending: no certificate
      const csr = await owner.post(`${list()}/${ids[name]}/csr`, { csr: makeCsr({ san: [domains[name]!] }).csrPem });
      expect(csr.statusCode, csr.body).toBe(200);
    }
    // Issued out of placement order, so soonest-to-expire differs from newest: D, B, A, C.
    for (const [name, day] of [["D", 0], ["B", 10], ["A", 20], ["C", 30]] as const) {
      await setClock(T0 + day * DAY + 1000);
      const checked = await validateByDns(h, owner, teamId, ids[name]!, domains[name]!);
      expect(checked.statusCode, checked.body).toBe(200);
      expect(checked.json().order.status).toBe("issued");
    }
    const revoked = await owner.post(`${list()}/${ids.A}/revoke`, { reason: "keyCompromise" });
    expect(revoked.statusCode, revoked.body).toBe(200);
    // Now: D ends in ~5 days, B in ~15, A (revoked) in ~25, C in ~35.
    await setClock(T0 + 195 * DAY);
  });

  afterAll(async () => {
    await h?.close();
  });

  it("lists newest first by default and soonest notAfter first with sort=expires, orders without a certificate last", async () => {
    expect(await names("")).toEqual(["E", "D", "C", "B", "A"]);
    expect(await names("sort=newest")).toEqual(["E", "D", "C", "B", "A"]);
    expect(await names("sort=expires")).toEqual(["D", "B", "A", "C", "E"]);
    const items = (await owner.get(`${list()}?sort=expires`)).json().items;
    const ends = items.slice(0, 4).map((o: { certificate: { notAfter: string } }) => Date.parse(o.certificate.notAfter));
    expect(ends).toEqual([...ends].sort((a: number, b: number) => a - b));
    expect(items[4].certificate).toBeNull();
  });

  it("filters by status, revoked included", async () => {
    expect(await names("status=revoked")).toEqual(["A"]);
    expect(await names("status=issued")).toEqual(["D", "C", "B"]);
    expect(await names("status=pending_validation")).toEqual(["E"]);
    expect(await names("status=refunded")).toEqual([]);
  });

  it("searches by domain prefix, case-insensitively, wildcards by their base name; not by substring", async () => {
    expect(await names("q=ALPHA")).toEqual(["A"]);
    expect(await names(`q=${encodeURIComponent(domains.B!)}`)).toEqual(["B"]);
    expect(await names("q=gam")).toEqual(["C"]);
    expect(await names(`q=${encodeURIComponent("*.gamma")}`)).toEqual(["C"]);
    expect(await names("q=lpha")).toEqual([]);
    expect(await names("q=example.com")).toEqual([]);
  });

  it("keeps issued, unrevoked orders whose certificate ends within n days of the clock", async () => {
    expect(await names("expiresWithinDays=30")).toEqual(["D", "B"]); // A is revoked, C ends in 35 days
    expect(await names("expiresWithinDays=10")).toEqual(["D"]);
    expect(await names("expiresWithinDays=365&sort=expires")).toEqual(["D", "B", "C"]);
    // Once D has ended it is no longer "expiring"; the clock is read on every request.
    await setClock(T0 + 205 * DAY);
    expect(await names("expiresWithinDays=30")).toEqual(["C", "B"]);
    expect(await names("expiresWithinDays=30&sort=expires")).toEqual(["B", "C"]);
    await setClock(T0 + 195 * DAY);
    expect(await names("expiresWithinDays=30")).toEqual(["D", "B"]);
  });

  it("combines the filters and the sort", async () => {
    expect(await names("status=issued&sort=expires")).toEqual(["D", "B", "C"]);
    expect(await names("q=alpha&status=revoked")).toEqual(["A"]);
    expect(await names("q=alpha&status=issued")).toEqual([]);
    expect(await names("q=beta&expiresWithinDays=30&sort=expires")).toEqual(["B"]);
    expect(await names("q=delta&expiresWithinDays=30&status=issued")).toEqual(["D"]);
    expect(await names("q=gamma&expiresWithinDays=30")).toEqual([]);
  });

  it("walks every combination page by page without repeats or gaps", async () => {
    const queries = ["sort=newest", "sort=expires", "status=issued&sort=expires", "expiresWithinDays=365&sort=expires", "expiresWithinDays=30", "q=e&sort=expires"];
    for (const query of queries) {
      const whole = await names(query);
      for (const limit of [1, 2, 3]) expect(await walk(query, limit), `${query} by ${limit}`).toEqual(whole);
    }
    // The page that ends on the last certified order hands over to those without a certificate.
    expect(await walk("sort=expires", 4)).toEqual(["D", "B", "A", "C", "E"]);
  });

  // On PostgreSQL the planner rightly scans tables this small (test/query-plans.test.ts seeds thousands of rows for that).
  it.runIf(engine === "sqlite")("finds a domain prefix through order_domains_domain_idx and walks the expiry sort in orders_team_expiry_idx order (SQLite plans)", async () => {
    const captured: CompiledQuery[] = [];
    const k = new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(h.t.url.slice("sqlite:".length)) }), plugins: [new CamelCasePlugin()], log: (e) => void captured.push(e.query) });
    try {
      const viewer = (await loadTeamMember(k, ownerId, teamId))!.member;
      const plan = async (input: Parameters<typeof listOrders>[2]) => {
        captured.length = 0;
        await listOrders(k, teamId, input, viewer);
        const list = captured.find((q) => q.sql.includes('"orders"."team_id"'))!;
        const { rows } = await k.executeQuery<{ detail: string }>({ ...list, sql: `explain query plan ${list.sql}` });
        return rows.map((r) => r.detail).join("\n");
      };
      const now = h.clock.now();
      // The search starts from the matching domains, then each one's order by (team_id, id).
      const search = await plan({ limit: 2, q: "alpha", now });
      expect(search).toMatch(/SEARCH orders USING INDEX orders_team_idx \(team_id=\? AND id=\?\)/);
      expect(search).toMatch(/order_domains USING (COVERING )?INDEX order_domains_domain_idx \(domain>\? AND domain<\?\)/);
      const expires = await plan({ limit: 2, sort: "expires", expiresWithinDays: 30, now });
      // The expiry sort walks orders_team_expiry_idx in order, also behind a cursor: no sort of the team's orders.
      for (const cursor of [undefined, encodeCursor([new Date(now.getTime() + 10 * DAY).toISOString(), ids.B!])]) {
        const expires = await plan({ limit: 2, sort: "expires", cursor, now });
        expect(expires).toMatch(/SEARCH orders USING INDEX orders_team_expiry_idx \(team_id=\?/);
        expect(expires).not.toContain("TEMP B-TREE");
      }
      const expiring = await plan({ limit: 2, sort: "expires", expiresWithinDays: 30, now });
      expect(expiring).toMatch(/SEARCH orders USING INDEX orders_team_expiry_idx \(team_id=\? AND current_not_after>\? AND current_not_after<\?\)/);
      expect(expiring).toMatch(/latest USING (COVERING )?INDEX certificates_order_idx/);
    } finally {
      await k.destroy();
    }
  });

  it("a reissue moves the order by its new certificate's end; the superseded one, revoked, does not count", async () => {
    const reissued = await owner.post(`${list()}/${ids.D}/csr`, { csr: makeCsr({ san: [domains.D!] }).csrPem });
    expect(reissued.statusCode, reissued.body).toBe(200);
    const ends = reissued.json().order.certificate.notAfter as string;
    expect(Date.parse(ends)).toBeGreaterThan(T0 + 300 * DAY); // the coverage's end, a year after the first issuance
    const row = await h.t.db.kysely.selectFrom("orders").select("currentNotAfter").where("id", "=", ids.D!).executeTakeFirstOrThrow();
    expect(row.currentNotAfter).toBe(ends);
    expect(await names("sort=expires")).toEqual(["B", "A", "C", "D", "E"]);
    expect(await names("expiresWithinDays=30")).toEqual(["B"]);
    expect(await names("expiresWithinDays=365&sort=expires")).toEqual(["B", "C", "D"]);
    expect(await names("status=issued&sort=expires")).toEqual(["B", "C", "D"]);
  });

  it("answers bad values and a cursor from the other sort with 400 invalid_request", async () => {
    const newestCursor = (await owner.get(`${list()}?limit=1`)).json().nextCursor as string;
    const expiresCursor = (await owner.get(`${list()}?limit=1&sort=expires`)).json().nextCursor as string;
    expect(newestCursor && expiresCursor).toBeTruthy();
    for (const query of [
      "sort=oldest",
      "expiresWithinDays=0",
      "expiresWithinDays=366",
      "expiresWithinDays=abc",
      "expiresWithinDays=1.5",
      "q=",
      "q=a%20b",
      `q=${"a".repeat(254)}`,
      "status=expired",
      "colour=red",
      `sort=expires&cursor=${newestCursor}`,
      `cursor=${expiresCursor}`,
      "cursor=bm90LWpzb24",
    ]) {
      const response = await owner.get(`${list()}?${query}`);
      expect([response.statusCode, response.json().code], query).toEqual([400, "invalid_request"]);
    }
  });
});
