// What the orders list of issue 11 searches and sorts by, found through indexes that start with
// what is asked, so neither cost grows with the team:
// - the domain search is a prefix match on order_domains.domain. Domains are stored lower-case
//   A-labels (place-order.ts), so a byte-wise range [q, q + U+FFFF) is exactly "starts with q". On
//   PostgreSQL the index and the query both use the "C" collation: under a linguistic collation a
//   range is not a prefix (punctuation is ignored at the first level) and the index would not serve.
// - the expiry sort reads orders.current_not_after, the notAfter of the order's newest certificate,
//   through (team_id, current_not_after, id): a page behind a cursor is a seek, like the first page.
//   Triggers keep it, like teams.member_count (0011), in the transaction of whatever writes a
//   certificate, so no issuing path (dashboard, API, ACME, a reissue) can forget it.
import { sql } from "kysely";
import type { Kysely } from "kysely";
import { detectEngine } from "./0002_audit_append_only.js";

const CURRENT = (orderId: string) =>
  `update orders set current_not_after = (select not_after from certificates where order_id = ${orderId} order by id desc limit 1) where id = ${orderId}`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("orders").addColumn("current_not_after", "text").execute();
  await sql.raw(CURRENT("orders.id")).execute(db);
  await db.schema.createIndex("orders_team_expiry_idx").on("orders").columns(["team_id", "current_not_after", "id"]).execute();
  if ((await detectEngine(db)) === "sqlite") {
    await db.schema.createIndex("order_domains_domain_idx").on("order_domains").columns(["domain", "order_id"]).execute();
    await sql.raw(`create trigger certificates_current_insert after insert on certificates begin ${CURRENT("new.order_id")}; end`).execute(db);
    await sql.raw(`create trigger certificates_current_update after update of not_after on certificates begin ${CURRENT("new.order_id")}; end`).execute(db);
    await sql.raw(`create trigger certificates_current_delete after delete on certificates begin ${CURRENT("old.order_id")}; end`).execute(db);
    return;
  }
  await sql`create index order_domains_domain_idx on order_domains (domain collate "C", order_id)`.execute(db);
  await sql
    .raw(
      `create function certificates_current() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        ${CURRENT("old.order_id")};
      else
        ${CURRENT("new.order_id")};
      end if;
      return null;
    end $$`,
    )
    .execute(db);
  await sql`create trigger certificates_current after insert or delete or update of not_after on certificates
    for each row execute function certificates_current()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if ((await detectEngine(db)) === "sqlite") {
    for (const name of ["insert", "update", "delete"]) await sql.raw(`drop trigger certificates_current_${name}`).execute(db);
  } else {
    await sql`drop trigger certificates_current on certificates`.execute(db);
    await sql`drop function certificates_current()`.execute(db);
  }
  await db.schema.dropIndex("order_domains_domain_idx").execute();
  await db.schema.dropIndex("orders_team_expiry_idx").execute();
  await db.schema.alterTable("orders").dropColumn("current_not_after").execute();
}
