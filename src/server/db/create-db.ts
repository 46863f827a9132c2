// createDb(url): one Kysely instance over SQLite (embedded default) or PostgreSQL (production).
import fs from "node:fs";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";
import { CamelCasePlugin, CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver } from "kysely";
import type { DatabaseConnection, SqliteDatabase as SqliteDialectDatabase } from "kysely";
import pg from "pg";
import { ReadCache, attachReadCache } from "./read-cache.js";
import type { Database } from "./schema.js";

export type Engine = "sqlite" | "postgres";

export interface Db {
  kysely: Kysely<Database>;
  engine: Engine;
  close(): Promise<void>;
}

/**
 * Every write transaction on SQLite starts with BEGIN IMMEDIATE: a deferred
 * transaction that reads and then writes fails with SQLITE_BUSY when another
 * connection (the CLI, a second process) wrote in between.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly options: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(options);
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.options);
  }
}

/** The database and its -wal and -shm files: owner only (SECURITY.md 25). */
const SQLITE_FILE_MODE = 0o600;

export function openSqlite(file: string): SqliteDatabase.Database {
  const onDisk = file !== ":memory:" && file !== "";
  if (onDisk) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    // Created here with 0600 rather than by SQLite with the umask's 0644: SQLite gives the -wal and
    // -shm files it creates the database file's mode, so all three start owner-only.
    fs.closeSync(fs.openSync(file, "a", SQLITE_FILE_MODE));
  }
  const database = new SqliteDatabase(file);
  database.pragma("journal_mode = WAL");
  // Freed space (a deleted row, the old copy of an updated one, a dropped page) is overwritten with
  // zeros, so the body of a sent e-mail is not left behind in the file's free pages.
  database.pragma("secure_delete = ON");
  // Files made before this release (or by another tool) are tightened too.
  if (onDisk) for (const suffix of ["", "-wal", "-shm"]) tightenIfPresent(file + suffix);
  database.pragma("synchronous = FULL"); // the embedded default keeps every commit through a power cut
  database.pragma("foreign_keys = ON");
  database.pragma("busy_timeout = 5000");
  // SQLite's default page cache is 2 MB: a team of 10,000 members already spills out of it and
  // every lookup becomes a few read() calls. A larger cache and memory-mapped reads keep the hot
  // pages in memory.
  database.pragma("cache_size = -65536"); // KiB: 64 MiB
  database.pragma("mmap_size = 268435456"); // 256 MiB
  dropValueSamples(database);
  return database;
}

function tightenIfPresent(file: string): void {
  try {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & ~SQLITE_FILE_MODE) fs.chmodSync(file, mode & SQLITE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/**
 * better-sqlite3 builds SQLite with STAT4. Once ANALYZE has stored value samples (sqlite_stat4),
 * SQLite re-plans, on every run, each statement that compares an indexed column with a bound
 * parameter: a membership lookup took 23 µs instead of 6. No plan here depends on how values are
 * distributed, so the samples go; the row counts of sqlite_stat1 stay and are re-read.
 */
export function dropValueSamples(database: SqliteDatabase.Database): void {
  const samples = database.prepare("select 1 from sqlite_schema where type = 'table' and name = 'sqlite_stat4'").get();
  if (!samples || !database.prepare("select 1 from sqlite_stat4 limit 1").get()) return;
  database.exec("delete from sqlite_stat4; analyze sqlite_schema");
}

/**
 * Kysely's SQLite driver prepares every statement anew; preparing is a good part of a small
 * query's cost. The same SQL text reuses its prepared statement (parameters are bound per run,
 * and nothing here iterates a statement while another run of it starts).
 */
function withStatementCache(database: SqliteDatabase.Database, reads: ReadCache): SqliteDialectDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= 2000) statements.clear(); // queries are built from code: a few hundred shapes at most
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      // Kysely prepares right before each run: a statement that may write empties the read cache.
      if (!statement.readonly) reads.noteWrite();
      return statement as unknown as ReturnType<SqliteDialectDatabase["prepare"]>;
    },
  };
}

export function createDb(url: string, options: { poolSize?: number } = {}): Db {
  const plugins = [new CamelCasePlugin()];
  if (url.startsWith("sqlite:")) {
    const sqlite = openSqlite(url.slice("sqlite:".length));
    const reads = new ReadCache(sqlite);
    const database = withStatementCache(sqlite, reads);
    const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }), plugins });
    attachReadCache(kysely, reads);
    return { kysely, engine: "sqlite", close: () => kysely.destroy() };
  }
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // An idle client's network error must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  // Nor a busy one's: a connection that ends while a request holds it (pg_terminate_backend, a
  // failover) fails that request's query, which answers 503, and then node-postgres also emits
  // "error" on the client, which the pool listens for only while the client is idle.
  pool.on("connect", (client) => client.on("error", () => {}));
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
  return { kysely, engine: "postgres", close: () => kysely.destroy() };
}
