// Certificates that follow today's rules (SPEC 17–19, issue 11).
// - orders.coverage_ends_at: the product's 1 or 2 years, counted from the first issuance; each
//   certificate ends no later (SPEC 17). Set once, at the first issuance.
// - certificates.revoked_at / revocation_reason: what the CRL and the OCSP responder answer
//   (SPEC 18); the reason is one of the five RFC 5280 names certdesk accepts, by a CHECK.
// - certificates.ca_serial_idx: the responder and the CRL look certificates up by serial.
// - organization_profiles: the subject O, L, C of a team's OV/EV certificates.
// - certificate_reminders: one row per (certificate, threshold) sent, unique, inserted in the
//   transaction that queues the e-mails, so a reminder goes out once even with several servers.
// - ca_crl_numbers: the last CRL number per issuing CA, incremented in a transaction, so the
//   numbers of CRLs handed out by several servers only ever increase (RFC 5280 5.2.3).
import { sql } from "kysely";
import type { Kysely } from "kysely";

export const REVOCATION_REASONS = ["unspecified", "keyCompromise", "superseded", "cessationOfOperation", "affiliationChanged"] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("orders").addColumn("coverage_ends_at", "text").execute();
  await db.schema.alterTable("certificates").addColumn("revoked_at", "text").execute();
  await db.schema
    .alterTable("certificates")
    .addColumn("revocation_reason", "text", (c) =>
      c.check(sql.raw(`revocation_reason in (${REVOCATION_REASONS.map((r) => `'${r}'`).join(", ")})`)),
    )
    .execute();
  await db.schema.createIndex("certificates_serial_idx").on("certificates").column("serial_number").unique().execute();
  await db.schema.createIndex("certificates_revoked_idx").on("certificates").columns(["revoked_at", "serial_number"]).execute();
  await db.schema.createIndex("certificates_not_after_idx").on("certificates").columns(["not_after", "id"]).execute();

  await db.schema
    .createTable("organization_profiles")
    .addColumn("team_id", "text", (c) => c.primaryKey().references("teams.id").onDelete("cascade"))
    .addColumn("legal_name", "text", (c) => c.notNull())
    .addColumn("locality", "text", (c) => c.notNull())
    .addColumn("country", "text", (c) => c.notNull()) // ISO 3166-1 alpha-2
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("certificate_reminders")
    .addColumn("certificate_id", "text", (c) => c.notNull().references("certificates.id").onDelete("cascade"))
    .addColumn("days_before", "integer", (c) => c.notNull())
    .addColumn("sent_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("certificate_reminders_pk", ["certificate_id", "days_before"])
    .execute();

  await db.schema
    .createTable("ca_crl_numbers")
    .addColumn("ca_name", "text", (c) => c.primaryKey())
    .addColumn("crl_number", "integer", (c) => c.notNull())
    .addColumn("issued_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("ca_crl_numbers").execute();
  await db.schema.dropTable("certificate_reminders").execute();
  await db.schema.dropTable("organization_profiles").execute();
  await db.schema.dropIndex("certificates_not_after_idx").execute();
  await db.schema.dropIndex("certificates_revoked_idx").execute();
  await db.schema.dropIndex("certificates_serial_idx").execute();
  await db.schema.alterTable("certificates").dropColumn("revocation_reason").execute();
  await db.schema.alterTable("certificates").dropColumn("revoked_at").execute();
  await db.schema.alterTable("orders").dropColumn("coverage_ends_at").execute();
}
