// The ordered list of migrations, bundled in code so the compiled server and the tests run the same set.
import { Migrator, sql } from "kysely";
import type { Kysely, Migration, MigrationResultSet } from "kysely";
import type { Db } from "../db/create-db.js";
import * as m0001 from "./0001_teams_core.js";
import * as m0002 from "./0002_audit_append_only.js";
import * as m0003 from "./0003_certificate_account.js";
import * as m0004 from "./0004_outbox_failures.js";
import * as m0005 from "./0005_expiry_indexes.js";
import * as m0006 from "./0006_secrets_at_rest.js";
import * as m0007 from "./0007_api_keys.js";
import * as m0008 from "./0008_domain_validation.js";
import * as m0009 from "./0009_certificate_rules.js";
import * as m0010 from "./0010_account_settings.js";
import * as m0011 from "./0011_member_count.js";
import * as m0012 from "./0012_order_search.js";
import * as m0013 from "./0013_acme.js";
import * as m0014 from "./0014_shared_state.js";
import * as m0015 from "./0015_limit_counters.js";
import * as m0016 from "./0016_read_cache.js";

export const migrations: Record<string, Migration> = {
  "0001_teams_core": m0001,
  "0002_audit_append_only": m0002,
  "0003_certificate_account": m0003,
  "0004_outbox_failures": m0004,
  "0005_expiry_indexes": m0005,
  "0006_secrets_at_rest": m0006,
  "0007_api_keys": m0007,
  "0008_domain_validation": m0008,
  "0009_certificate_rules": m0009,
  "0010_account_settings": m0010,
  "0011_member_count": m0011,
  "0012_order_search": m0012,
  "0013_acme": m0013,
  "0014_shared_state": m0014,
  "0015_limit_counters": m0015,
  "0016_read_cache": m0016,
};

/**
 * A key of certdesk's own for pg_advisory_lock (any 64-bit number no other lock in the database
 * uses), distinct from the one Kysely's Migrator takes inside.
 */
export const MIGRATION_LOCK_KEY = 4_253_117_009_331n;

/**
 * Applies what is pending, safe when several servers start at once on one database: they take
 * turns, the first applies everything, the others find nothing left to do.
 *
 * The Migrator alone is not enough for that. On PostgreSQL it locks only around the migrations
 * themselves, after creating its own tables unlocked (a create-if-not-exists race it tolerates by
 * catching the error); one session-level advisory lock on the connection that then runs every
 * statement serializes the whole of it. On SQLite it locks nothing (one connection per process),
 * so two processes could both run 0001: there the whole migration is one BEGIN IMMEDIATE
 * transaction, which also makes a failed migration leave the file as it was. The other process
 * waits for that write lock and then sees nothing pending.
 */
export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  return db.kysely.connection().execute(async (connection) => {
    if (db.engine === "postgres") {
      await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
      try {
        return await migrate(connection, false);
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(connection);
      }
    }
    await beginImmediate(connection);
    try {
      const result = await migrate(connection, true);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

/** How long a start waits for another process's migration on the same SQLite file. */
const SQLITE_MIGRATION_WAIT_MS = 60_000;

/**
 * BEGIN IMMEDIATE, waiting for another process's migration however long it takes up to a minute:
 * each try waits busy_timeout (5 s) for the write lock, shorter than a slow machine may need.
 */
async function beginImmediate(connection: Kysely<any>): Promise<void> {
  const deadline = Date.now() + SQLITE_MIGRATION_WAIT_MS;
  for (;;) {
    try {
      await sql`begin immediate`.execute(connection);
      return;
    } catch (error) {
      const busy = /^SQLITE_BUSY/.test(String((error as { code?: unknown }).code));
      if (!busy || Date.now() > deadline) throw error;
    }
  }
}

async function migrate(db: Kysely<any>, inOpenTransaction: boolean): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // SQLite: already inside the BEGIN IMMEDIATE above (the Migrator would not open one there anyway).
    disableTransactions: inOpenTransaction,
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

/**
 * The migrations this server knows that the database has not applied (the readiness check asks:
 * a server whose schema is behind must not take traffic). One query; throws if the database
 * cannot be read at all.
 */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
  const done = new Set(applied.rows.map((row) => row.name));
  return Object.keys(migrations).filter((name) => !done.has(name));
}
