// What lets a server keep reads in memory on PostgreSQL and still refuse a removed member on their
// very next request, whichever server they reach (issue 13; the design is in db/read-cache.ts):
// - cache_version: one row whose number moves whenever a transaction that changed a table the
//   read cache serves from commits. Every request waits for a read of it sent after it arrived, so
//   a change committed anywhere is seen by the next request everywhere. The number is
//   moved by a constraint trigger deferred to COMMIT: the row is locked for the last moment of the
//   transaction only (not from its first write on), and it is the last lock a transaction takes, so
//   writers queue on it briefly but never deadlock on it. A transaction moves it once, however many
//   rows it wrote (a setting local to the transaction remembers).
// - the member count of 0011 moves once per statement and team (transition tables) rather than
//   once per row: adding or removing 100,000 members updated the same team row 100,000 times in
//   one transaction, each update walking the row's growing chain of versions.
// SQLite has the table too (one query text for both engines) but no trigger: there, PRAGMA
// data_version tells a process that another one committed.
import { sql } from "kysely";
import type { Kysely } from "kysely";
import { detectEngine } from "./0002_audit_append_only.js";

/** The tables the read cache serves from (db/read-cache.ts lists what it keeps), and what moves the version. */
const CACHED_TABLES: Record<string, string> = {
  users: "insert or update or delete",
  teams: "insert or update or delete",
  memberships: "insert or update or delete",
  orders: "insert or update or delete",
  order_domains: "insert or update or delete",
  certificates: "insert or update or delete",
  // Not the touch of last_seen_at once a minute (the cache never decides an idle session: sessions.ts).
  sessions: "insert or delete or update of token_hash, user_id, expires_at",
  // Not last_used_at, written once a minute per key in use.
  api_keys: "insert or delete or update of id, team_id, name, secret_hash, permissions, created_by, expires_at, revoked_at",
};

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("cache_version")
    .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn("version", "bigint", (c) => c.notNull())
    .execute();
  await sql`insert into cache_version (id, version) values (1, 1)`.execute(db);
  if ((await detectEngine(db)) === "sqlite") return;

  await sql`create function cache_version_bump() returns trigger language plpgsql as $$
    begin
      if current_setting('certdesk.cache_version_moved', true) is distinct from 'yes' then
        perform set_config('certdesk.cache_version_moved', 'yes', true);
        update cache_version set version = version + 1 where id = 1;
      end if;
      return null;
    end $$`.execute(db);
  for (const [table, events] of Object.entries(CACHED_TABLES)) {
    await sql
      .raw(
        `create constraint trigger ${table}_cache_version after ${events} on ${table}
        deferrable initially deferred for each row execute function cache_version_bump()`,
      )
      .execute(db);
  }

  await sql`drop trigger memberships_count on memberships`.execute(db);
  await sql`drop function memberships_count()`.execute(db);
  await sql`create function memberships_count_added() returns trigger language plpgsql as $$
    begin
      update teams set member_count = member_count + added.n
        from (select team_id, count(*) as n from added_rows group by team_id) added where teams.id = added.team_id;
      return null;
    end $$`.execute(db);
  await sql`create function memberships_count_removed() returns trigger language plpgsql as $$
    begin
      update teams set member_count = member_count - removed.n
        from (select team_id, count(*) as n from removed_rows group by team_id) removed where teams.id = removed.team_id;
      return null;
    end $$`.execute(db);
  await sql`create trigger memberships_count_added after insert on memberships
    referencing new table as added_rows for each statement execute function memberships_count_added()`.execute(db);
  await sql`create trigger memberships_count_removed after delete on memberships
    referencing old table as removed_rows for each statement execute function memberships_count_removed()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if ((await detectEngine(db)) === "postgres") {
    await sql`drop trigger memberships_count_added on memberships`.execute(db);
    await sql`drop trigger memberships_count_removed on memberships`.execute(db);
    await sql`drop function memberships_count_added()`.execute(db);
    await sql`drop function memberships_count_removed()`.execute(db);
    await sql`create function memberships_count() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          update teams set member_count = member_count + 1 where id = new.team_id;
        else
          update teams set member_count = member_count - 1 where id = old.team_id;
        end if;
        return null;
      end $$`.execute(db);
    await sql`create trigger memberships_count after insert or delete on memberships
      for each row execute function memberships_count()`.execute(db);
    for (const table of Object.keys(CACHED_TABLES)) await sql.raw(`drop trigger ${table}_cache_version on ${table}`).execute(db);
    await sql`drop function cache_version_bump()`.execute(db);
  }
  await db.schema.dropTable("cache_version").execute();
}
