// The database remembers which master key sealed its secrets (master-key.ts): one check value per key
// version, so that a server started with another key, or with none, stops instead of failing to open
// every queued e-mail. The check value reveals nothing about the key (sealer.ts keyCheckValue).
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("master_key_checks")
    .addColumn("key_version", "integer", (c) => c.primaryKey())
    .addColumn("check_value", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("master_key_checks").execute();
}
