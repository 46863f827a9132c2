// What the hourly sweep (commands/sweep-expired.ts) deletes is found through an index: ended
// sessions by their end and by their last use, expired reset links, and e-mails that failed for
// good. Sent e-mails are found through outbox_due_idx, which starts with sent_at.
import type { Kysely } from "kysely";

const INDEXES = [
  { name: "sessions_expires_idx", table: "sessions", column: "expires_at" },
  { name: "sessions_last_seen_idx", table: "sessions", column: "last_seen_at" },
  { name: "password_resets_expires_idx", table: "password_resets", column: "expires_at" },
  { name: "outbox_failed_idx", table: "outbox", column: "failed_at" },
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const { name, table, column } of INDEXES) await db.schema.createIndex(name).on(table).column(column).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const { name } of INDEXES) await db.schema.dropIndex(name).execute();
}
