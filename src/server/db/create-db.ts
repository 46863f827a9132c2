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

/**
 * Writes that change nothing the read cache serves (db/read-cache.ts; migration 0016's triggers
 * ignore them too) and run often: a session's touch and a key's last use (once a minute each), the
 * audit log, the outbox, the rate-limit exchange (every second), ACME nonces. Any other write is
 * taken to change something; this list only spares the cache needless emptying, so a table
 * written per request or on a timer belongs here.
 */
const NOT_CACHED =
  /^(?:(?:insert into|update|delete from) "(?:audit_log|outbox|limit_counters|acme_nonces)"|update "sessions" set "last_seen_at" = \$1 where|update "api_keys" set "last_used_at" = \$1 where)/;

/**
 * Hot statements (db/reusable-query.ts) run as server-side prepared statements on PostgreSQL:
 * node-postgres parses a named query once per connection and then only binds and executes it.
 */
const preparedNames = new Map<string, string>();

export function prepareOnPostgres(text: string): void {
  if (!preparedNames.has(text) && preparedNames.size < 200) preparedNames.set(text, `certdesk_${preparedNames.size + 1}`);
}

type QueryText = (text: string, values?: unknown[]) => Promise<pg.QueryResult>;

/**
 * What passes through a pooled connection: registered statements go out prepared, and the read
 * cache hears of a write when it has committed (an autocommitted statement when it ends, a
 * transaction that wrote at its COMMIT): from then on a request of this process reads its own
 * change. Another process's commits reach the cache through cache_version.
 */
function watchConnection(client: pg.PoolClient, reads: ReadCache): void {
  const send = client.query.bind(client) as unknown as (query: pg.QueryConfig) => Promise<pg.QueryResult>;
  let inTransaction = false;
  let wrote = false;
  const query: QueryText = async (text, values) => {
    const verb = text.slice(0, 6).toLowerCase();
    if (verb === "select") {
      const name = preparedNames.get(text);
      return send(name ? { name, text, values } : { text, values });
    }
    if (verb === "begin" || verb === "start ") {
      inTransaction = true;
      wrote = false;
      return send({ text, values });
    }
    if (verb === "commit" || (verb === "rollba" && !/^rollback to/i.test(text))) {
      const committed = verb === "commit" && wrote;
      inTransaction = false;
      wrote = false;
      try {
        return await send({ text, values });
      } finally {
        if (committed) reads.noteWrite(); // even when COMMIT failed midway: emptying is always safe
      }
    }
    const changes = !NOT_CACHED.test(text) && verb !== "savepo" && verb !== "releas" && verb !== "rollba";
    if (changes && inTransaction) wrote = true;
    try {
      return await send({ text, values });
    } finally {
      if (changes && !inTransaction) reads.noteWrite();
    }
  };
  (client as unknown as { query: unknown }).query = (text: unknown, ...rest: unknown[]) =>
    // Kysely passes (text, values); anything else (a cursor, a callback) goes through untouched.
    typeof text === "string" && rest.length <= 1 && (rest[0] === undefined || Array.isArray(rest[0]))
      ? query(text, rest[0] as unknown[] | undefined)
      : (send as unknown as (...args: unknown[]) => unknown)(text, ...rest);
}

export function createDb(url: string, options: { poolSize?: number } = {}): Db {
  const plugins = [new CamelCasePlugin()];
  if (url.startsWith("sqlite:")) {
    const sqlite = openSqlite(url.slice("sqlite:".length));
    const reads = ReadCache.forSqlite(sqlite);
    const database = withStatementCache(sqlite, reads);
    const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }), plugins });
    attachReadCache(kysely, reads);
    return { kysely, engine: "sqlite", close: () => kysely.destroy() };
  }
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  const reads = ReadCache.forPostgres(async () => {
    const { rows } = await pool.query<{ version: string }>({ name: "certdesk_cache_version", text: "select version from cache_version" });
    return Number(rows[0]!.version);
  });
  // An idle client's network error must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  pool.on("connect", (client) => {
    // Nor a busy one's: a connection that ends while a request holds it (pg_terminate_backend, a
    // failover) fails that request's query, which answers 503, and then node-postgres also emits
    // "error" on the client, which the pool listens for only while the client is idle.
    client.on("error", () => {});
    watchConnection(client, reads);
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
  attachReadCache(kysely, reads);
  return { kysely, engine: "postgres", close: () => kysely.destroy() };
}
