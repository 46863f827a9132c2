// Rate-limit counters every server shares (issue 13; limits/shared-store.ts). PostgreSQL only: with
// SQLite there is one server, whose counters stay in its memory (limits/store.ts).
// One row per (limit, key): its window as the first server to count it began it, the events counted
// in it by all servers, the last one's time, and when the window ends, all in ms since the epoch as
// the servers' clocks tell it. `updated_at` is the database's clock at the row's last change: each
// server reads back the rows changed since its last look (updated_at index), and the expired ones
// are deleted by expires_at.
import type { Kysely } from "kysely";
import { detectEngine } from "./0002_audit_append_only.js";

export async function up(db: Kysely<any>): Promise<void> {
  if ((await detectEngine(db)) === "sqlite") return;
  await db.schema
    .createTable("limit_counters")
    .addColumn("limit_name", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("window_start", "bigint", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addColumn("last", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("limit_counters_pkey", ["limit_name", "key"])
    .execute();
  await db.schema.createIndex("limit_counters_updated_idx").on("limit_counters").column("updated_at").execute();
  await db.schema.createIndex("limit_counters_expires_idx").on("limit_counters").column("expires_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  if ((await detectEngine(db)) === "sqlite") return;
  await db.schema.dropTable("limit_counters").execute();
}
