// Account settings (issue 14): a session gains an id that is not a secret, so the dashboard can
// list a person's sessions and end one by it (the token's hash stays a lookup key only and never
// leaves the server), and the User-Agent it was started with, so a person recognises the device.
// Billing profiles gain the rest of the address SPEC.md names (street, city, postal code).
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sessions").addColumn("id", "text").execute();
  await db.schema.alterTable("sessions").addColumn("user_agent", "text").execute();
  // Sessions started before this migration get an id of their own; new ones get one at start.
  // Aliased to one word: the result's keys are the same with or without the camel-case plugin.
  const existing = await sql<{ h: string }>`select token_hash as h from sessions`.execute(db);
  for (const { h } of existing.rows) {
    await sql`update sessions set id = ${randomUUID()} where token_hash = ${h}`.execute(db);
  }
  await db.schema.createIndex("sessions_id_idx").on("sessions").column("id").unique().execute();

  for (const column of ["street", "city", "postal_code"]) {
    await db.schema
      .alterTable("billing_profiles")
      .addColumn(column, "text", (c) => c.notNull().defaultTo(""))
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ["postal_code", "city", "street"]) await db.schema.alterTable("billing_profiles").dropColumn(column).execute();
  await db.schema.dropIndex("sessions_id_idx").execute();
  await db.schema.alterTable("sessions").dropColumn("user_agent").execute();
  await db.schema.alterTable("sessions").dropColumn("id").execute();
}
