// The read cache (db/read-cache.ts): on SQLite emptied by any write, ours or another connection's;
// on PostgreSQL by a newer cache_version read with a request's session or key, or by a commit of
// ours; never filled inside a transaction or while a write ran; and what it means over HTTP — a
// change made elsewhere (another connection, another server) is seen by the next request.
import SqliteDatabase from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveSession } from "../src/server/auth/sessions.js";
import { createDb } from "../src/server/db/create-db.js";
import type { Db } from "../src/server/db/create-db.js";
import { cachedRead, isShared, lookupRead, readKey } from "../src/server/db/read-cache.js";
import { inTransaction } from "../src/server/db/transaction.js";
import type { Tx } from "../src/server/db/transaction.js";
import { ENGINES, createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";
import { createTestApp } from "./helpers/app.js";
import type { Client, TestApp } from "./helpers/app.js";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const productsKey = readKey<{ n: number }, []>("test.products");
const anyKey = readKey<{ key: string }, [key: string]>("test.any");
const racingKey = readKey<{ read: number }, []>("test.racing");
const usersKey = readKey<{ n: number }, []>("test.users");
const lookupKey = readKey<{ looked: boolean }, []>("test.lookup");

describe("the read cache on SQLite", () => {
  let t: TestDatabase;
  let loads = 0;
  const countProducts = () =>
    cachedRead(t.db.kysely, productsKey(), async () => {
      loads += 1;
      const row = await t.db.kysely.selectFrom("products").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      return { n: Number(row.n) };
    });
  const addProduct = (id: string) =>
    sql`insert into products (id, name, type, years, price_minor, currency, wildcard_allowed) values (${id}, 'x', 'DV', 1, 1, 'USD', 1)`;

  beforeEach(async () => {
    t = await createTestDatabase("sqlite");
    loads = 0;
  });
  afterEach(async () => {
    await t.drop();
  });

  it("serves a repeated read from memory, deeply frozen and marked as shared", async () => {
    const first = await countProducts();
    const second = await countProducts();
    expect(loads).toBe(1);
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(isShared(first)).toBe(true);
  });

  it("forgets everything after a write through this process", async () => {
    const before = (await countProducts()).n;
    await addProduct("cache-own-write").execute(t.db.kysely);
    expect((await countProducts()).n).toBe(before + 1);
    expect(loads).toBe(2);
  });

  it("forgets everything after another connection commits (PRAGMA data_version), from the next turn of the event loop", async () => {
    const before = (await countProducts()).n;
    const other = new SqliteDatabase(t.url.slice("sqlite:".length));
    try {
      other.prepare("insert into products (id, name, type, years, price_minor, currency, wildcard_allowed) values ('cache-other', 'x', 'DV', 1, 1, 'USD', 1)").run();
    } finally {
      other.close();
    }
    await nextTurn();
    expect((await countProducts()).n).toBe(before + 1);
  });

  it("never keeps what a transaction read: it may still roll back", async () => {
    const before = (await countProducts()).n;
    await expect(
      inTransaction(t.db, async (tx) => {
        await addProduct("cache-rolled-back").execute(tx);
        const seen = await cachedRead(tx, productsKey(), async () => ({ n: 0 }));
        expect(seen.n).toBe(0); // loaded, not taken from the cache
        expect(isShared(seen)).toBe(false);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect((await countProducts()).n).toBe(before);
  });

  it("holds at most 5,000 entries, dropping the oldest first", async () => {
    const loaded: string[] = [];
    const read = (key: string) => cachedRead(t.db.kysely, anyKey(key), async () => (loaded.push(key), { key }));
    for (let i = 0; i <= 5_000; i++) await read(`k${i}`);
    loaded.length = 0;
    await read("k5000");
    await read("k1");
    await read("k0");
    expect(loaded).toEqual(["k0"]);
  });

  it("runs one load for requests that miss the same key at once", async () => {
    const [first, second] = await Promise.all([countProducts(), countProducts()]);
    expect(loads).toBe(1);
    expect(second).toBe(first);
  });

  it("does not keep a result when a write ran while it was being read", async () => {
    let step = 0;
    const racing = await cachedRead(t.db.kysely, racingKey(), async () => {
      step += 1;
      await addProduct("cache-race").execute(t.db.kysely); // a write lands between the read's start and its end
      return { read: step };
    });
    expect(racing.read).toBe(1);
    const again = await cachedRead(t.db.kysely, racingKey(), async () => ({ read: 2 }));
    expect(again.read).toBe(2);
  });
});

describe.runIf(ENGINES.includes("postgres"))("the read cache on PostgreSQL", () => {
  let t: TestDatabase;
  /** Another server's connections to the same database. */
  let other: Db;
  let loads = 0;
  const countUsers = () =>
    cachedRead(t.db.kysely, usersKey(), async () => {
      loads += 1;
      const row = await t.db.kysely.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      return { n: Number(row.n) };
    });
  /** What a request's session lookup does first: wait for a cache_version read sent after the call. */
  const lookUp = () => lookupRead(t.db.kysely, lookupKey(), async () => ({ looked: true }));
  const version = async (db: Db) => Number((await db.kysely.selectFrom("cacheVersion").select("version").executeTakeFirstOrThrow()).version);
  const addUser = (db: Db | Tx, email: string) =>
    ("kysely" in db ? db.kysely : db)
      .insertInto("users")
      .values({ id: `u-${email}`, email, name: email, passwordHash: "x", teamLimit: null, activeTeamId: null, createdAt: new Date().toISOString() })
      .execute();

  beforeEach(async () => {
    t = await createTestDatabase("postgres");
    other = createDb(t.url);
    loads = 0;
  });
  afterEach(async () => {
    await other.close();
    await t.drop();
  });

  it("caches nothing before a lookup has read cache_version", async () => {
    await countUsers();
    await countUsers();
    expect(loads).toBe(2);
  });

  it("serves from memory after a lookup, and forgets it when the next lookup reads a version another server's commit moved", async () => {
    await lookUp();
    const before = await countUsers();
    expect(await countUsers()).toBe(before);
    expect(loads).toBe(1);
    await addUser(other, "other-server@example.com");
    expect((await countUsers()).n).toBe(before.n); // no lookup since: still the request that started before the commit
    await lookUp(); // the next request
    expect((await countUsers()).n).toBe(before.n + 1);
    expect(loads).toBe(2);
  });

  it("lets a lookup that starts while a version read is in flight wait for the next one, sent after it", async () => {
    await lookUp();
    const before = await countUsers();
    const inFlight = lookUp(); // its version read may already be on its way
    await addUser(other, "while-in-flight@example.com");
    await Promise.all([inFlight, lookUp()]);
    expect((await countUsers()).n).toBe(before.n + 1);
  });

  it("moves cache_version once per transaction, at its commit, and not for tables it does not serve from", async () => {
    const start = await version(t.db);
    await inTransaction(other, async (tx) => {
      await addUser(tx, "one@example.com");
      await addUser(tx, "two@example.com");
      expect(await version(t.db)).toBe(start); // not before the commit is visible
    });
    expect(await version(t.db)).toBe(start + 1);
    await sql`insert into products (id, name, type, years, price_minor, currency, wildcard_allowed) values ('pg-cache-product', 'x', 'DV', 1, 1, 'USD', 1)`.execute(other.kysely);
    expect(await version(t.db)).toBe(start + 1);
    await expect(inTransaction(other, async (tx) => {
      await addUser(tx, "rolled-back@example.com");
      throw new Error("roll back");
    })).rejects.toThrow("roll back");
    expect(await version(t.db)).toBe(start + 1);
  });

  it("forgets everything when a write of this process commits, within the same request", async () => {
    await lookUp();
    const before = await countUsers();
    await inTransaction(t.db, (tx) => addUser(tx, "own-transaction@example.com"));
    expect((await countUsers()).n).toBe(before.n + 1);
    await addUser(t.db, "own-autocommit@example.com");
    expect((await countUsers()).n).toBe(before.n + 2);
    expect(loads).toBe(3);
  });

  it("is not emptied by the frequent writes to tables it does not serve from (a session's touch)", async () => {
    await lookUp();
    await countUsers();
    await t.db.kysely.updateTable("sessions").set({ lastSeenAt: new Date().toISOString() }).where("tokenHash", "=", "none").execute();
    await inTransaction(t.db, (tx) => tx.updateTable("sessions").set({ lastSeenAt: new Date().toISOString() }).where("tokenHash", "=", "none").execute());
    await countUsers();
    expect(loads).toBe(1);
  });

  it("does not keep a result when a write of this process committed while it was being read", async () => {
    await lookUp();
    const racing = await cachedRead(t.db.kysely, racingKey(), async () => {
      await addUser(t.db, "racing@example.com");
      return { read: 1 };
    });
    expect(racing.read).toBe(1);
    expect((await cachedRead(t.db.kysely, racingKey(), async () => ({ read: 2 }))).read).toBe(2);
  });

  it("runs the hot lookups as prepared statements", async () => {
    await resolveSession(t.db.kysely, { now: () => new Date() } as never, {} as never, "no-such-session");
    const prepared = await sql<{ name: string }>`select name from pg_prepared_statements`.execute(t.db.kysely);
    // pg_prepared_statements shows the connection's own; the pool's one idle connection ran both.
    expect(prepared.rows.some((row) => row.name.startsWith("certdesk_"))).toBe(true);
  });
});

describe.runIf(ENGINES.includes("postgres"))("two servers on one PostgreSQL database, each with its read cache", () => {
  let a: TestApp;
  let b: TestApp;
  beforeEach(async () => {
    a = await createTestApp("postgres");
    b = await createTestApp("postgres", {}, { sameDatabaseAs: a });
  });
  afterEach(async () => {
    await b.close();
    await a.close();
  });

  /** The same person's next request, sent to server B. */
  const onB = (client: Client) => Object.assign(b.client(), { cookie: client.cookie });

  it("refuses a key revoked through the other server on its very next request", async () => {
    const owner = await a.signUp("Two Server Key Owner");
    const teamId = owner.defaultTeamId;
    const created = await owner.client.post(`/api/teams/${teamId}/api-keys`, { name: "two servers", permissions: ["orders.view"] });
    expect(created.statusCode).toBe(201);
    const { apiKey, secret } = created.json() as { apiKey: { id: string }; secret: string };
    const withKey = () => b.client().request("GET", `/api/teams/${teamId}/orders`, undefined, { authorization: `Bearer ${secret}` });
    for (let i = 0; i < 2; i++) expect((await withKey()).statusCode).toBe(200);
    expect((await owner.client.delete(`/api/teams/${teamId}/api-keys/${apiKey.id}`)).statusCode).toBe(204);
    expect((await withKey()).statusCode).toBe(401);
  });

  it("keeps a session the other server used since: a cached last use never decides that it is idle", async () => {
    const person = await a.signUp("Two Server Walker");
    const personOnB = onB(person.client);
    expect((await personOnB.get("/api/me")).statusCode).toBe(200); // B keeps the session row as of now
    const minutes = (n: number) => {
      a.clock.advance(n * 60_000);
      b.clock.advance(n * 60_000);
    };
    minutes(a.config.sessionIdleMinutes - 20);
    expect((await person.client.get("/api/me")).statusCode).toBe(200); // A writes the last use; the version stays
    minutes(30); // idle since B's row, not since A's last use
    expect((await personOnB.get("/api/me")).statusCode).toBe(200);
    expect((await person.client.get("/api/me")).statusCode).toBe(200);
  });

  it("refuses a removed member's and a demoted member's very next request on the other server, and shows the other's changes at once", async () => {
    const owner = await a.signUp("Two Server Owner");
    const removed = await a.signUp("Two Server Removed");
    const demoted = await a.signUp("Two Server Demoted");
    const teamId = owner.defaultTeamId;
    for (const [member, roles] of [[removed, ["billing"]], [demoted, ["account_admin"]]] as const) {
      expect((await owner.client.post(`/api/teams/${teamId}/invitations`, { email: member.user.email, roles })).statusCode).toBe(201);
      const token = await a.linkTokenFor(member.user.email);
      expect((await member.client.post(`/api/invitations/${token}/accept`)).statusCode).toBe(200);
    }
    const removedOnB = onB(removed.client);
    const demotedOnB = onB(demoted.client);
    const ownerOnB = onB(owner.client);
    // Read twice on B: the second answer comes from B's cache.
    for (let i = 0; i < 2; i++) {
      expect((await removedOnB.get(`/api/teams/${teamId}/members`)).statusCode).toBe(200);
      expect((await demotedOnB.get(`/api/teams/${teamId}/audit`)).statusCode).toBe(200);
      expect((await ownerOnB.get(`/api/teams/${teamId}`)).json().team.name).not.toBe("Renamed on A");
    }

    expect((await owner.client.delete(`/api/teams/${teamId}/members/${removed.user.id}`)).statusCode).toBe(204);
    expect((await removedOnB.get(`/api/teams/${teamId}/members`)).statusCode).toBe(404);

    expect((await owner.client.patch(`/api/teams/${teamId}/members/${demoted.user.id}`, { roles: ["installer"] })).statusCode).toBe(200);
    expect((await demotedOnB.get(`/api/teams/${teamId}/audit`)).statusCode).toBe(403);

    expect((await owner.client.patch(`/api/teams/${teamId}`, { name: "Renamed on A" })).statusCode).toBe(200);
    expect((await ownerOnB.get(`/api/teams/${teamId}`)).json().team.name).toBe("Renamed on A");
    const page = (await ownerOnB.get(`/api/teams/${teamId}/members`)).json();
    expect(page.items.map((m: { userId: string }) => m.userId).sort()).toEqual([owner.user.id, demoted.user.id].sort());
  });
});

describe("cached reads over HTTP (SQLite)", () => {
  let h: TestApp;
  beforeEach(async () => {
    h = await createTestApp("sqlite");
  });
  afterEach(async () => {
    await h.close();
  });

  it("shows a change the operator CLI (another connection) committed on the very next request", async () => {
    const owner = await h.signUp("Cached Owner");
    expect((await owner.client.get("/api/me")).json().user.teamLimit).toBe(3);
    expect((await owner.client.get("/api/me")).json().user.teamLimit).toBe(3); // now from the cache
    const cli = new SqliteDatabase(h.t.url.slice("sqlite:".length));
    try {
      cli.prepare("update users set team_limit = 7 where id = ?").run(owner.user.id);
    } finally {
      cli.close();
    }
    await nextTurn(); // a client's next request always arrives in a later turn
    expect((await owner.client.get("/api/me")).json().user.teamLimit).toBe(7);
  });

  it("answers a removed member 404 at once, although their membership was cached a moment before", async () => {
    const owner = await h.signUp("Remover");
    const member = await h.signUp("Removed");
    const teamId = owner.defaultTeamId;
    const invitation = await owner.client.post(`/api/teams/${teamId}/invitations`, { email: member.user.email, roles: ["billing"] });
    expect(invitation.statusCode).toBe(201);
    const token = await h.linkTokenFor(member.user.email);
    expect((await member.client.post(`/api/invitations/${token}/accept`)).statusCode).toBe(200);
    for (let i = 0; i < 2; i++) expect((await member.client.get(`/api/teams/${teamId}/members`)).statusCode).toBe(200);
    expect((await owner.client.delete(`/api/teams/${teamId}/members/${member.user.id}`)).statusCode).toBe(204);
    expect((await member.client.get(`/api/teams/${teamId}/members`)).statusCode).toBe(404);
    const page = (await owner.client.get(`/api/teams/${teamId}/members`)).json();
    expect(page.items.map((m: { userId: string }) => m.userId)).toEqual([owner.user.id]);
  });
});
