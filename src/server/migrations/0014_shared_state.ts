// What a second server needs, in the database (issue 13: several servers behind one load
// balancer). PostgreSQL only: on SQLite there is one server, and these stay files under DATA_DIR.
// - demonstration_ca: the CA every server signs with, one row (certs/ca-table.ts); the keys sealed
//   with MASTER_KEY (sealer.ts) as in the files, the certificates in PEM.
// - document_chunks: an uploaded document's bytes, in rows of at most 256 KiB
//   (account/document-storage.ts), so that neither an upload nor a download holds a whole file in
//   memory. The foreign key is checked at commit (deferred): the recording transaction writes the
//   bytes first and takes the team's lock only for the short rest of it. Deleting a document, its
//   order or its team removes its bytes (cascade).
import type { Kysely } from "kysely";
import { sql } from "kysely";
import { detectEngine } from "./0002_audit_append_only.js";

export async function up(db: Kysely<any>): Promise<void> {
  if ((await detectEngine(db)) === "sqlite") return;
  await db.schema
    .createTable("demonstration_ca")
    .addColumn("id", "text", (c) => c.primaryKey().check(sql`id = 'demonstration'`))
    .addColumn("root_cert_pem", "text", (c) => c.notNull())
    .addColumn("root_key_sealed", "text", (c) => c.notNull().check(sql`root_key_sealed like 'v%.%'`))
    .addColumn("intermediate_cert_pem", "text", (c) => c.notNull())
    .addColumn("intermediate_key_sealed", "text", (c) => c.notNull().check(sql`intermediate_key_sealed like 'v%.%'`))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("document_chunks")
    .addColumn("document_id", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull().check(sql`position >= 0`))
    .addColumn("bytes", "bytea", (c) => c.notNull().check(sql`octet_length(bytes) between 1 and 262144`))
    .addPrimaryKeyConstraint("document_chunks_pkey", ["document_id", "position"])
    .addForeignKeyConstraint("document_chunks_document_fkey", ["document_id"], "documents", ["id"], (fk) =>
      fk.onDelete("cascade").deferrable().initiallyDeferred(),
    )
    .execute();
  // PDF, PNG and JPEG are compressed already: stored out of line without another compression attempt.
  await sql`alter table document_chunks alter column bytes set storage external`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if ((await detectEngine(db)) === "sqlite") return;
  await db.schema.dropTable("document_chunks").execute();
  await db.schema.dropTable("demonstration_ca").execute();
}
