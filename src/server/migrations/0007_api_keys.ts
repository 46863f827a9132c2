// Machine access (SPEC rule 13): a team's API keys, and the principal recorded on what they do.
// A key belongs to its team (deleted with it) and names its creator, who may leave the team: the
// key keeps working. Only the secret's SHA-256 is stored.
//
// Rows that name who acted keep their user column (the accountable person: the user, or the key's
// creator, so the existing foreign keys hold) and gain `api_key_id` when a key acted. The audit
// log gains `actor_type` (user | apiKey | acmeAccount): its actor_id is then the key's id.
import { sql } from "kysely";
import type { Kysely } from "kysely";

const ACTED_BY = ["orders", "transactions", "documents", "invitations"] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("team_id", "text", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("secret_hash", "text", (c) => c.notNull().unique())
    // Sorted, comma-separated permission names: a subset of the creator's at creation.
    .addColumn("permissions", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text")
    .addColumn("revoked_at", "text")
    .addColumn("last_used_at", "text")
    .execute();
  await db.schema.createIndex("api_keys_team_idx").on("api_keys").columns(["team_id", "id"]).execute();

  for (const table of ACTED_BY) {
    await db.schema
      .alterTable(table)
      .addColumn("api_key_id", "text", (c) => c.references("api_keys.id").onDelete("set null"))
      .execute();
  }
  // Where an order came from (API.md): the dashboard (a session), the API (a key) or ACME.
  await db.schema
    .alterTable("orders")
    .addColumn("source", "text", (c) => c.notNull().defaultTo("dashboard").check(sql`source in ('dashboard', 'api', 'acme')`))
    .execute();
  await db.schema
    .alterTable("audit_log")
    .addColumn("actor_type", "text", (c) => c.notNull().defaultTo("user").check(sql`actor_type in ('user', 'apiKey', 'acmeAccount')`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("audit_log").dropColumn("actor_type").execute();
  await db.schema.alterTable("orders").dropColumn("source").execute();
  for (const table of ACTED_BY) await db.schema.alterTable(table).dropColumn("api_key_id").execute();
  await db.schema.dropTable("api_keys").execute();
}
