// The read cache (db/read-cache.ts): SQLite only, emptied by any write, ours or another
// connection's, never filled inside a transaction or while a write ran; and what it means over
// HTTP — a change made elsewhere is seen by the next request.
import SqliteDatabase from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cachedRead, isShared } from "../src/server/db/read-cache.js";
import { inTransaction } from "../src/server/db/transaction.js";
import { ENGINES, createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";
import { createTestApp } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("the read cache on SQLite", () => {
  let t: TestDatabase;
  let loads = 0;
  const countProducts = () =>
    cachedRead(t.db.kysely, "products", async () => {
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
        const seen = await cachedRead(tx, "products", async () => ({ n: 0 }));
        expect(seen.n).toBe(0); // loaded, not taken from the cache
        expect(isShared(seen)).toBe(false);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect((await countProducts()).n).toBe(before);
  });

  it("holds at most 5,000 entries, dropping the oldest first", async () => {
    const loaded: string[] = [];
    const read = (key: string) => cachedRead(t.db.kysely, key, async () => (loaded.push(key), { key }));
    for (let i = 0; i <= 5_000; i++) await read(`k${i}`);
    loaded.length = 0;
    await read("k5000");
    await read("k1");
    await read("k0");
    expect(loaded).toEqual(["k0"]);
  });

  it("does not keep a result when a write ran while it was being read", async () => {
    let step = 0;
    const racing = await cachedRead(t.db.kysely, "racing", async () => {
      step += 1;
      await addProduct("cache-race").execute(t.db.kysely); // a write lands between the read's start and its end
      return { read: step };
    });
    expect(racing.read).toBe(1);
    const again = await cachedRead(t.db.kysely, "racing", async () => ({ read: 2 }));
    expect(again.read).toBe(2);
  });
});

describe.runIf(ENGINES.includes("postgres"))("the read cache on PostgreSQL", () => {
  it("is off: several servers share the database and none would see the others' writes", async () => {
    const t = await createTestDatabase("postgres");
    try {
      let loads = 0;
      const read = () => cachedRead(t.db.kysely, "k", async () => ({ n: ++loads }));
      await read();
      await read();
      expect(loads).toBe(2);
    } finally {
      await t.drop();
    }
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
