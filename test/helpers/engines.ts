// Every store test runs on SQLite and, when TEST_POSTGRES_URL is set, on PostgreSQL in a database of its own.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createDb } from "../../src/server/db/create-db.js";
import type { Db, Engine } from "../../src/server/db/create-db.js";
import { migrateToLatest } from "../../src/server/migrations/index.js";

export const ENGINES: Engine[] = process.env.TEST_POSTGRES_URL ? ["sqlite", "postgres"] : ["sqlite"];

if (process.env.CI === "true" && !process.env.TEST_POSTGRES_URL) {
  throw new Error("CI=true but TEST_POSTGRES_URL is not set: the PostgreSQL half of the suite would be skipped.");
}

export interface TestDatabase {
  url: string;
  db: Db;
  /** Closes the connection and removes the database or file. */
  drop(): Promise<void>;
}

/** A fresh, migrated database of the given engine (`migrated: false`: empty), owned by the caller. */
export async function createTestDatabase(engine: Engine, options: { poolSize?: number; migrated?: boolean } = {}): Promise<TestDatabase> {
  if (engine === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-test-"));
    const url = `sqlite:${path.join(dir, "test.db")}`;
    const db = createDb(url);
    if (options.migrated !== false) await migrateToLatest(db);
    return {
      url,
      db,
      async drop() {
        await db.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = process.env.TEST_POSTGRES_URL!;
  const name = `certdesk_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), options);
  if (options.migrated !== false) await migrateToLatest(db);
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.close();
      const again = new pg.Client({ connectionString: adminUrl });
      await again.connect();
      await again.query(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}
