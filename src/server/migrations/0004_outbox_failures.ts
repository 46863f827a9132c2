// An e-mail the receiving server refuses for good (SMTP 5xx) is marked failed instead of being
// retried every quarter of an hour forever.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("outbox").addColumn("failed_at", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("outbox").dropColumn("failed_at").execute();
}
