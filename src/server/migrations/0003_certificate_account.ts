// The certificate account a team manages: catalogue, billing profiles, ledger, orders with their
// domains' validation, documents and issued certificates.
import { sql } from "kysely";
import type { Kysely } from "kysely";

export const PRODUCTS = [
  { id: "dv-1y", name: "DV SSL, 1 year", type: "DV", years: 1, price_minor: 4900 },
  { id: "dv-2y", name: "DV SSL, 2 years", type: "DV", years: 2, price_minor: 8900 },
  { id: "ov-1y", name: "OV SSL, 1 year", type: "OV", years: 1, price_minor: 14900 },
  { id: "ov-2y", name: "OV SSL, 2 years", type: "OV", years: 2, price_minor: 27900 },
  { id: "ev-1y", name: "EV SSL, 1 year", type: "EV", years: 1, price_minor: 29900 },
  { id: "ev-2y", name: "EV SSL, 2 years", type: "EV", years: 2, price_minor: 56900 },
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("products")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull().check(sql`type in ('DV', 'OV', 'EV')`))
    .addColumn("years", "integer", (c) => c.notNull().check(sql`years in (1, 2)`))
    .addColumn("price_minor", "integer", (c) => c.notNull().check(sql`price_minor > 0`))
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("wildcard_allowed", "integer", (c) => c.notNull())
    .execute();
  await db
    .insertInto("products")
    // EV certificates may not cover wildcard names (CA/Browser Forum EV Guidelines).
    .values(PRODUCTS.map((p) => ({ ...p, currency: "USD", wildcard_allowed: p.type === "EV" ? 0 : 1 })))
    .execute();

  await db.schema
    .createTable("billing_profiles")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("team_id", "text", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("country", "text", (c) => c.notNull())
    .addColumn("card_brand", "text", (c) => c.notNull())
    .addColumn("card_last4", "text", (c) => c.notNull().check(sql`length(card_last4) = 4`))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    // Removed profiles stay for the ledger's sake, hidden from lists.
    .addColumn("deleted_at", "text")
    .execute();
  await db.schema.createIndex("billing_profiles_team_idx").on("billing_profiles").columns(["team_id", "id"]).execute();

  await db.schema
    .createTable("orders")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("team_id", "text", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("product_id", "text", (c) => c.notNull().references("products.id"))
    .addColumn("billing_profile_id", "text", (c) => c.notNull().references("billing_profiles.id"))
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('pending_validation', 'issued', 'refunded')`))
    .addColumn("price_minor", "integer", (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("issued_at", "text")
    .addColumn("refunded_at", "text")
    .addColumn("csr_pem", "text")
    .execute();
  await db.schema.createIndex("orders_team_idx").on("orders").columns(["team_id", "id"]).execute();

  await db.schema
    .createTable("order_domains")
    .addColumn("order_id", "text", (c) => c.notNull().references("orders.id").onDelete("cascade"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("domain", "text", (c) => c.notNull())
    .addColumn("method", "text", (c) => c.check(sql`method in ('email', 'http', 'dns')`))
    .addColumn("challenge", "text")
    .addColumn("completed_at", "text")
    .addPrimaryKeyConstraint("order_domains_pk", ["order_id", "domain"])
    .execute();

  // The ledger. One charge and at most one refund per order, held by a unique index.
  await db.schema
    .createTable("transactions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("team_id", "text", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("order_id", "text", (c) => c.notNull().references("orders.id").onDelete("cascade"))
    .addColumn("billing_profile_id", "text", (c) => c.notNull().references("billing_profiles.id"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('charge', 'refund')`))
    .addColumn("amount_minor", "integer", (c) => c.notNull().check(sql`amount_minor > 0`))
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("actor_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("gateway_reference", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("transactions_one_per_kind").on("transactions").columns(["order_id", "kind"]).unique().execute();
  await db.schema.createIndex("transactions_team_idx").on("transactions").columns(["team_id", "id"]).execute();

  await db.schema
    .createTable("documents")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("team_id", "text", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("order_id", "text", (c) => c.notNull().references("orders.id").onDelete("cascade"))
    .addColumn("filename", "text", (c) => c.notNull())
    .addColumn("media_type", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("uploaded_by", "text", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("documents_order_idx").on("documents").columns(["order_id", "id"]).execute();

  // Every certificate issued for an order; the newest is the current one (reissue adds a row).
  await db.schema
    .createTable("certificates")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("order_id", "text", (c) => c.notNull().references("orders.id").onDelete("cascade"))
    .addColumn("serial_number", "text", (c) => c.notNull().unique())
    .addColumn("certificate_pem", "text", (c) => c.notNull())
    .addColumn("chain_pem", "text", (c) => c.notNull())
    .addColumn("not_before", "text", (c) => c.notNull())
    .addColumn("not_after", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("certificates_order_idx").on("certificates").columns(["order_id", "id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["certificates", "documents", "transactions", "order_domains", "orders", "billing_profiles", "products"]) {
    await db.schema.dropTable(table).execute();
  }
}
