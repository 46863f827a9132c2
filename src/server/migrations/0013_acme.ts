// ACME (SPEC rule 20, RFC 8555). A team's ACME credential is an External Account Binding: a key
// id and an HMAC key (sealed with MASTER_KEY: the server must compute the MAC, so a hash would
// not do), naming the product and billing profile its orders use. Any number of ACME accounts
// bind with one credential (hosts, clusters); each account is a JWK, found by its RFC 7638
// thumbprint. An ACME order is a certdesk order (orders.source = 'acme') with an acme_orders row
// beside it; each of its names has an ACME authorization whose challenges share one token.
// Nonces live in the database so that every server of a deployment accepts them.
//
// Rows that name who acted gain `acme_account_id` beside `api_key_id`: the user column then names
// the credential's creator (the accountable person), as for keys (migration 0007).
import type { Kysely } from "kysely";
import { sql } from "kysely";

const ACTED_BY = ["orders", "transactions"] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("acme_credentials")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("team_id", "text", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    // The EAB key identifier clients send as the inner JWS's `kid`.
    .addColumn("key_id", "text", (c) => c.notNull().unique())
    // The 32-byte HMAC key, sealed (sealer.ts): needed in clear to check each binding's MAC.
    .addColumn("hmac_key_sealed", "text", (c) => c.notNull())
    .addColumn("product_id", "text", (c) => c.notNull().references("products.id"))
    .addColumn("billing_profile_id", "text", (c) => c.notNull().references("billing_profiles.id"))
    .addColumn("created_by", "text", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("revoked_at", "text")
    .execute();
  await db.schema.createIndex("acme_credentials_team_idx").on("acme_credentials").columns(["team_id", "id"]).execute();
  // What an account's (credential_id, team_id) refers to: the schema, not only the code, keeps an
  // account in its credential's team (SPEC 13, 20).
  await db.schema.createIndex("acme_credentials_id_team").on("acme_credentials").columns(["id", "team_id"]).unique().execute();

  await db.schema
    .createTable("acme_accounts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("credential_id", "text", (c) => c.notNull())
    .addColumn("team_id", "text", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    // RFC 7638 SHA-256 thumbprint of the current key, base64url: one account per key.
    .addColumn("thumbprint", "text", (c) => c.notNull().unique())
    .addColumn("jwk", "text", (c) => c.notNull()) // the public JWK, JSON
    .addColumn("contact", "text", (c) => c.notNull().defaultTo("[]")) // JSON array of mailto: URLs
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('valid', 'deactivated', 'revoked')`))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_used_at", "text")
    .addForeignKeyConstraint("acme_accounts_credential_team_fk", ["credential_id", "team_id"], "acme_credentials", ["id", "team_id"], (fk) => fk.onDelete("cascade"))
    .execute();
  await db.schema.createIndex("acme_accounts_credential_idx").on("acme_accounts").columns(["credential_id", "id"]).execute();

  for (const table of ACTED_BY) {
    await db.schema
      .alterTable(table)
      .addColumn("acme_account_id", "text", (c) => c.references("acme_accounts.id").onDelete("set null"))
      .execute();
  }

  await db.schema
    .createTable("acme_orders")
    .addColumn("order_id", "text", (c) => c.primaryKey().references("orders.id").onDelete("cascade"))
    .addColumn("account_id", "text", (c) => c.notNull().references("acme_accounts.id").onDelete("cascade"))
    .addColumn("expires_at", "text", (c) => c.notNull())
    // The problem document that made the order invalid (JSON), or null.
    .addColumn("error", "text")
    .addColumn("finalized_at", "text")
    .execute();
  await db.schema.createIndex("acme_orders_account_idx").on("acme_orders").columns(["account_id", "order_id"]).execute();

  await db.schema
    .createTable("acme_authorizations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("order_id", "text", (c) => c.notNull().references("orders.id").onDelete("cascade"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("token", "text", (c) => c.notNull())
    // pending | valid | invalid | deactivated; `valid` also when the team's ledger covered the name.
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('pending', 'valid', 'invalid', 'deactivated')`))
    // The challenge the client answered (http-01 | dns-01), its state and what was found.
    .addColumn("challenge_type", "text")
    .addColumn("challenge_status", "text")
    // When the check began: a check left `processing` by a stopped server is offered again after a while.
    .addColumn("challenge_started_at", "text")
    .addColumn("error", "text")
    .addColumn("validated_at", "text")
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("acme_authorizations_order_idx").on("acme_authorizations").columns(["order_id", "position"]).unique().execute();

  await db.schema
    .createTable("acme_nonces")
    .addColumn("nonce_hash", "text", (c) => c.primaryKey())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("acme_nonces_expiry_idx").on("acme_nonces").column("expires_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("acme_nonces").execute();
  await db.schema.dropTable("acme_authorizations").execute();
  await db.schema.dropTable("acme_orders").execute();
  for (const table of ACTED_BY) await db.schema.alterTable(table).dropColumn("acme_account_id").execute();
  await db.schema.dropTable("acme_accounts").execute();
  await db.schema.dropTable("acme_credentials").execute();
}
