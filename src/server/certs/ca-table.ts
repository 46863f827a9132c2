// The demonstration CA on PostgreSQL: one row (migration 0014) that every server of a deployment
// loads, so that each of them signs with the same intermediate and serves the same root, CRL and
// OCSP answers (the CRL numbers already live in the database: queries/revocations.ts). The keys are
// sealed with MASTER_KEY exactly as in the files (DemoCa.generate), so a copy of the database alone
// does not reveal them; the certificates are plain PEM.
//
// Creation is a race the database settles: each server that finds no row makes a CA and inserts it
// with ON CONFLICT DO NOTHING, then reads back the row that won and loads that one. A loser's keys
// were never stored anywhere and are dropped; every server ends with the same CA.
//
// A deployment that ran on PostgreSQL before keeps its CA: a complete CA directory under this
// server's DATA_DIR is what gets inserted (sealed) when the table is empty, since certificates
// already issued chain to it. A directory that holds another CA than the table's stops the start
// (CaStoreError): this server's old certificates chain to keys the deployment no longer signs with,
// which is for the operator to decide, never for a start-up to hide. Nothing here deletes a file.
import type { Db } from "../db/create-db.js";
import type { Sealer } from "../sealer.js";
import { DemoCa } from "./ca.js";
import { CaStoreError, inspectCaDir, readCaFiles } from "./store.js";
import type { CaFiles } from "./store.js";

/** The one row's key: the table holds the deployment's CA, never a second one. */
const CA_ROW = "demonstration";
const WHERE = "in the database";

export async function loadOrCreateSharedCa(db: Db, sealer: Sealer, localDir: string): Promise<DemoCa> {
  const local = (await inspectCaDir(localDir)) === "complete" ? await readCaFiles(localDir) : undefined;
  let stored = await readRow(db);
  if (!stored) {
    const candidate = local ? DemoCa.sealed(local, sealer) : await DemoCa.generate(sealer);
    // Checked before it is offered: a damaged directory must not become every server's CA.
    if (local) await DemoCa.fromFiles(candidate, sealer, `in ${localDir}`);
    await db.kysely
      .insertInto("demonstrationCa")
      .values({
        id: CA_ROW,
        rootCertPem: candidate.rootCert,
        rootKeySealed: candidate.rootKey,
        intermediateCertPem: candidate.intermediateCert,
        intermediateKeySealed: candidate.intermediateKey,
        createdAt: new Date().toISOString(),
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
    stored = await readRow(db);
    if (!stored) throw new CaStoreError("The demonstration CA's row vanished right after it was written.");
  }
  if (local && (local.rootCert.trim() !== stored.rootCert.trim() || local.intermediateCert.trim() !== stored.intermediateCert.trim())) {
    throw new CaStoreError(
      `${localDir} holds another demonstration CA than the database's, which every server now shares. ` +
        "Nothing was changed. Certificates this server issued before chain to the CA in that directory; " +
        "move the directory aside to start with the shared CA.",
    );
  }
  return DemoCa.fromFiles(stored, sealer, WHERE);
}

async function readRow(db: Db): Promise<CaFiles | undefined> {
  const row = await db.kysely.selectFrom("demonstrationCa").selectAll().where("id", "=", CA_ROW).executeTakeFirst();
  if (!row) return undefined;
  return {
    rootCert: row.rootCertPem,
    rootKey: row.rootKeySealed,
    intermediateCert: row.intermediateCertPem,
    intermediateKey: row.intermediateKeySealed,
  };
}
