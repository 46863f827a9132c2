// A team's member count, kept by the database itself (issue "PostgreSQL, fast"): GET /api/teams/:teamId
// counted the whole membership on every call, the one read whose cost grew with the team. Triggers
// keep teams.member_count in step with every insert and delete of a membership, in the same
// transaction, whoever writes it (a command, the operator CLI, a seed), so no code path can forget.
import { sql } from "kysely";
import type { Kysely } from "kysely";
import { detectEngine } from "./0002_audit_append_only.js";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("teams").addColumn("member_count", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await sql`update teams set member_count = (select count(*) from memberships where memberships.team_id = teams.id)`.execute(db);
  if ((await detectEngine(db)) === "sqlite") {
    await sql`create trigger memberships_count_insert after insert on memberships
      begin update teams set member_count = member_count + 1 where id = new.team_id; end`.execute(db);
    await sql`create trigger memberships_count_delete after delete on memberships
      begin update teams set member_count = member_count - 1 where id = old.team_id; end`.execute(db);
    return;
  }
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
}

export async function down(db: Kysely<any>): Promise<void> {
  if ((await detectEngine(db)) === "sqlite") {
    await sql`drop trigger memberships_count_insert`.execute(db);
    await sql`drop trigger memberships_count_delete`.execute(db);
  } else {
    await sql`drop trigger memberships_count on memberships`.execute(db);
    await sql`drop function memberships_count()`.execute(db);
  }
  await db.schema.alterTable("teams").dropColumn("member_count").execute();
}
