// SECURITY 23: the embedded engine runs WAL with synchronous=FULL, a busy timeout, foreign keys,
// and write transactions that start with BEGIN IMMEDIATE — shown here against a second connection,
// as the CLI or a second process would hold one.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDb, openSqlite } from "../src/server/db/create-db.js";
import type { Db } from "../src/server/db/create-db.js";
import { inTransaction } from "../src/server/db/transaction.js";
import { migrateToLatest } from "../src/server/migrations/index.js";

describe("SQLite as the embedded default", () => {
  let dir: string;
  let file: string;
  let db: Db;
  let other: SqliteDatabase.Database;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-sqlite-"));
    file = path.join(dir, "certdesk.db");
    db = createDb(`sqlite:${file}`);
    await migrateToLatest(db);
    other = new SqliteDatabase(file);
    other.pragma("busy_timeout = 0"); // fail at once instead of waiting, to observe the lock
  });

  afterEach(async () => {
    other.close();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const product = (id: string) =>
    `insert into products (id, name, type, years, price_minor, currency, wildcard_allowed) values ('${id}', 'x', 'DV', 1, 1, 'USD', 1)`;

  it("opens with WAL, synchronous=FULL, a busy timeout and foreign keys", () => {
    const probe = openSqlite(file);
    try {
      expect(probe.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(probe.pragma("synchronous", { simple: true })).toBe(2); // FULL
      expect(probe.pragma("busy_timeout", { simple: true })).toBe(5000);
      expect(probe.pragma("foreign_keys", { simple: true })).toBe(1);
    } finally {
      probe.close();
    }
  });

  it("shows why: a deferred transaction that reads, then writes after another writer, fails with SQLITE_BUSY", () => {
    const deferred = new SqliteDatabase(file);
    try {
      deferred.exec("begin");
      deferred.prepare("select count(*) from products").get();
      other.exec(product("elsewhere"));
      expect(() => deferred.exec(product("mine"))).toThrow(expect.objectContaining({ code: expect.stringMatching(/^SQLITE_BUSY/) }));
      deferred.exec("rollback");
    } finally {
      deferred.close();
    }
  });

  it("holds the write lock from the first statement of each transaction (BEGIN IMMEDIATE)", async () => {
    let outsider: unknown;
    await inTransaction(db, async (tx) => {
      await tx.selectFrom("products").select("id").execute();
      // Another connection cannot write in between: the read-then-write below cannot be invalidated.
      try {
        other.exec(product("elsewhere"));
      } catch (error) {
        outsider = error;
      }
      await tx
        .insertInto("products")
        .values({ id: "mine", name: "x", type: "DV", years: 1, priceMinor: 1, currency: "USD", wildcardAllowed: 1 })
        .execute();
    });
    expect(outsider).toMatchObject({ code: expect.stringMatching(/^SQLITE_BUSY/) });
    const ids = other.prepare("select id from products where id in ('mine', 'elsewhere')").all();
    expect(ids).toEqual([{ id: "mine" }]);
  });

  it("keeps ANALYZE's row counts but drops its value samples, which made SQLite re-plan every lookup", () => {
    other.exec(product("analyzed"));
    other.exec("analyze");
    expect((other.prepare("select count(*) as n from sqlite_stat4").get() as { n: number }).n).toBeGreaterThan(0);
    const probe = openSqlite(file);
    try {
      expect((probe.prepare("select count(*) as n from sqlite_stat4").get() as { n: number }).n).toBe(0);
      expect((probe.prepare("select count(*) as n from sqlite_stat1").get() as { n: number }).n).toBeGreaterThan(0);
    } finally {
      probe.close();
    }
  });
});
