// The orders list's domain search (issue 11) is a prefix match on order_domains.domain, found through
// this index rather than by reading every domain of the team. Domains are stored lower-case A-labels
// (place-order.ts), so a byte-wise range [q, q + U+FFFF) is exactly "starts with q". On PostgreSQL the
// index and the query both use the "C" collation: under a linguistic collation a range is not a
// prefix (punctuation is ignored at the first level), and the planner would not use the index.
import { sql } from "kysely";
import type { Kysely } from "kysely";
import { detectEngine } from "./0002_audit_append_only.js";

export async function up(db: Kysely<any>): Promise<void> {
  if ((await detectEngine(db)) === "sqlite") {
    await db.schema.createIndex("order_domains_domain_idx").on("order_domains").columns(["domain", "order_id"]).execute();
    return;
  }
  await sql`create index order_domains_domain_idx on order_domains (domain collate "C", order_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("order_domains_domain_idx").execute();
}
