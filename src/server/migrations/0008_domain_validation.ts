// Domain validation performed by certdesk (SPEC 14–16).
// - domain_validations: the team's ledger, one row per (team, name) with the newest validation's
//   method and time; later orders of the team reuse it while BR 4.2.1 allows (validation/reuse.ts).
//   Deleted with the team: another team never sees or uses it.
// - order_domains.reused: 1 when the step started validated from the ledger, not by a check.
// - domain_approvals: the `email` method's approval links. Only the token's SHA-256 is kept; the
//   challenge it was sent for binds it to that choice (a new choice draws a new challenge, and the
//   old link stops working); used_at makes it single use.
import { sql } from "kysely";
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("domain_validations")
    .addColumn("team_id", "text", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("domain", "text", (c) => c.notNull())
    .addColumn("method", "text", (c) => c.notNull().check(sql`method in ('email', 'http', 'dns')`))
    .addColumn("validated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("domain_validations_pk", ["team_id", "domain"])
    .execute();

  await db.schema.alterTable("order_domains").addColumn("reused", "integer", (c) => c.notNull().defaultTo(0)).execute();

  await db.schema
    .createTable("domain_approvals")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("team_id", "text", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("order_id", "text", (c) => c.notNull().references("orders.id").onDelete("cascade"))
    .addColumn("domain", "text", (c) => c.notNull())
    .addColumn("approver_email", "text", (c) => c.notNull())
    .addColumn("challenge", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .execute();
  await db.schema.createIndex("domain_approvals_order_idx").on("domain_approvals").columns(["order_id", "domain"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("domain_approvals").execute();
  await db.schema.alterTable("order_domains").dropColumn("reused").execute();
  await db.schema.dropTable("domain_validations").execute();
}
