// Servers started together on a fresh database (issue 13): each runs its migrations at start, so
// two `certdesk migrate` processes are started at once on one empty database. Both must exit 0,
// each migration must be recorded once, and the schema must be the one a single run makes.
// PostgreSQL: the test holds the migration lock while both start, waits until PostgreSQL shows both
// waiting for it, then lets go, so the two really race for it. SQLite: both processes start at once
// on one file and meet at its write lock. Runs the compiled server (`npm run build:server`).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import SqliteDatabase from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db, Engine } from "../src/server/db/create-db.js";
import { MIGRATION_LOCK_KEY, migrations } from "../src/server/migrations/index.js";
import { ENGINES, createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = path.join(ROOT, "bin/certdesk.js");
const BUILT = path.join(ROOT, "dist/src/server/cli.js");
const TIMEOUT = 60_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `certdesk migrate` on DATABASE_URL with a shared MASTER_KEY (as servers of one deployment have). */
function startMigrate(databaseUrl: string, masterKey: string): { done: Promise<Run>; dataDir: string } {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL|DATA_DIR|SMTP_URL|MAIL_DIR|BASE_URL|PORT|MASTER_KEY)$/.test(name)));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-migrate-race-"));
  const child = spawn(process.execPath, [BIN, "migrate"], {
    cwd: ROOT,
    env: { ...base, DATA_DIR: dataDir, DATABASE_URL: databaseUrl, MASTER_KEY: masterKey },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const killer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT);
  const done = new Promise<Run>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(killer);
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    }),
  );
  return { done, dataDir };
}

/** The schema as the catalogue describes it: tables with their columns, indexes, triggers. */
async function schemaOf(db: Db): Promise<string[]> {
  if (db.engine === "sqlite") {
    const objects = await sql<{ type: string; name: string; tbl: string }>`
      select type, name, tbl_name as tbl from sqlite_schema where name not like 'sqlite_%' order by type, name`.execute(db.kysely);
    const columns = await sql<{ tbl: string; name: string; type: string }>`
      select m.name as tbl, c.name, c.type from sqlite_schema m join pragma_table_info(m.name) c
      where m.type = 'table' and m.name not like 'sqlite_%' order by m.name, c.cid`.execute(db.kysely);
    return [...objects.rows.map((o) => `${o.type} ${o.tbl}.${o.name}`), ...columns.rows.map((c) => `column ${c.tbl}.${c.name} ${c.type}`)];
  }
  const columns = await sql<{ tbl: string; name: string; type: string }>`
    select table_name as tbl, column_name as name, data_type as type from information_schema.columns
    where table_schema = 'public' order by table_name, ordinal_position`.execute(db.kysely);
  const indexes = await sql<{ tbl: string; name: string }>`select tablename as tbl, indexname as name from pg_indexes where schemaname = 'public' order by 1, 2`.execute(db.kysely);
  const triggers = await sql<{ tbl: string; name: string }>`
    select c.relname as tbl, t.tgname as name from pg_trigger t join pg_class c on c.oid = t.tgrelid
    where not t.tgisinternal order by 1, 2`.execute(db.kysely);
  return [
    ...columns.rows.map((c) => `column ${c.tbl}.${c.name} ${c.type}`),
    ...indexes.rows.map((i) => `index ${i.tbl}.${i.name}`),
    ...triggers.rows.map((t) => `trigger ${t.tbl}.${t.name}`),
  ];
}

/** Polls until `condition` holds (never a timing assertion: it gives up only after a long while). */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + TIMEOUT;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(() => {
  if (!fs.existsSync(BUILT)) throw new Error(`The certdesk command is not built (${path.relative(ROOT, BUILT)} is missing): run \`npm run build:server\` first.`);
});

describe.each(ENGINES)("two servers migrating one fresh %s database at once", (engine: Engine) => {
  const dropped: TestDatabase[] = [];
  afterEach(async () => {
    for (const t of dropped.splice(0)) await t.drop();
  });

  it("both exit 0, every migration is applied once, and the schema is complete", { timeout: TIMEOUT * 2 }, async () => {
    const fresh = await createTestDatabase(engine, { migrated: false, poolSize: 2 });
    dropped.push(fresh);
    // What one process alone makes, from the same build (dist/), is what the two must make together.
    const reference = await createTestDatabase(engine, { migrated: false });
    dropped.push(reference);
    const masterKey = randomBytes(32).toString("base64url");
    const alone = await startMigrate(reference.url, masterKey).done;
    expect(alone.code, alone.stderr).toBe(0);

    let release: (() => Promise<void>) | undefined;
    if (engine === "postgres") {
      // Hold the lock the servers take, on a connection of our own, until both wait for it.
      let letGo = () => {};
      const held = new Promise<void>((resolve) => (letGo = resolve));
      let locked = () => {};
      const taken = new Promise<void>((resolve) => (locked = resolve));
      const holder = fresh.db.kysely.connection().execute(async (connection) => {
        await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
        locked();
        await held;
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(connection);
      });
      await taken;
      release = async () => {
        letGo();
        await holder;
      };
    }

    const runs = [startMigrate(fresh.url, masterKey), startMigrate(fresh.url, masterKey)];
    if (release) {
      // pg_locks is the cluster's: asked through another database, about the fresh one.
      const name = new URL(fresh.url).pathname.slice(1);
      await until(async () => {
        const waiting = await sql<{ n: number }>`
          select count(*)::int as n from pg_locks
          where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = ${name})`.execute(reference.db.kysely);
        return waiting.rows[0]!.n === 2;
      }, "both processes wait for the migration lock");
      await release();
    }
    const results = await Promise.all(runs.map((run) => run.done));

    for (const [i, run] of results.entries()) expect(run.code, `process ${i + 1}: ${run.stderr}${run.stdout}`).toBe(0);
    // One applied everything, the other found it done (which one is up to the race).
    const said = results.map((run) => run.stdout.trim()).sort();
    expect(said[0]).toMatch(/^Applied: 0001_teams_core, /);
    expect(said[1]).toBe("The database is up to date.");

    const applied = (db: Db) => sql<{ name: string }>`select name from kysely_migration order by name`.execute(db.kysely).then((r) => r.rows.map((row) => row.name));
    const names = await applied(fresh.db);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(await applied(reference.db));
    expect(names).toEqual(expect.arrayContaining(Object.keys(migrations)));
    expect(await schemaOf(fresh.db)).toEqual(await schemaOf(reference.db));
  });

  it.runIf(engine === "sqlite")("waits for another process's migration longer than SQLite's busy timeout (5 s)", { timeout: TIMEOUT * 2 }, async () => {
    const fresh = await createTestDatabase(engine, { migrated: false });
    dropped.push(fresh);
    // Another process holds the write lock (as a long migration would) for 7 s.
    const other = new SqliteDatabase(fresh.url.slice("sqlite:".length));
    other.exec("begin immediate");
    const run = startMigrate(fresh.url, randomBytes(32).toString("base64url"));
    try {
      await new Promise((resolve) => setTimeout(resolve, 7_000));
    } finally {
      other.exec("rollback");
      other.close();
    }
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Applied: 0001_teams_core, /);
  });
});
