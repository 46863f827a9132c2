// What the public PKI routes read: a serial's status for OCSP, the revoked list for the CRL, and
// the CRL's next number — kept per issuing CA in the database and only ever increased, so every
// server hands out increasing numbers (RFC 5280 5.2.3).
import { sql } from "kysely";
import type { RevokedEntry } from "../certs/crl.js";
import type { Db } from "../db/create-db.js";
import type { RevocationReason } from "../../shared/schemas/orders.js";

export async function serialStatus(db: Db, serialHex: string): Promise<RevokedEntry | null | undefined> {
  if (!/^[0-9a-f]{1,64}$/.test(serialHex)) return undefined;
  const row = await db.kysely
    .selectFrom("certificates")
    .select(["serialNumber", "revokedAt", "revocationReason"])
    .where("serialNumber", "=", serialHex)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.revokedAt === null) return null;
  return { serialNumber: row.serialNumber, revokedAt: new Date(row.revokedAt), reason: (row.revocationReason ?? "unspecified") as RevocationReason };
}

/** Revoked certificates not yet expired (RFC 5280 3.3: an expired one may leave the CRL). */
export async function revokedEntries(db: Db, now: Date): Promise<RevokedEntry[]> {
  const rows = await db.kysely
    .selectFrom("certificates")
    .select(["serialNumber", "revokedAt", "revocationReason"])
    .where("revokedAt", "is not", null)
    .where("notAfter", ">", now.toISOString())
    .orderBy("serialNumber")
    .execute();
  return rows.map((r) => ({ serialNumber: r.serialNumber, revokedAt: new Date(r.revokedAt!), reason: (r.revocationReason ?? "unspecified") as RevocationReason }));
}

/** The next CRL number of the CA `caName`: 1, then one more than the last, atomically on both engines. */
export async function nextCrlNumber(db: Db, caName: string, now: Date): Promise<number> {
  const row = await db.kysely
    .insertInto("caCrlNumbers")
    .values({ caName, crlNumber: 1, issuedAt: now.toISOString() })
    .onConflict((oc) => oc.column("caName").doUpdateSet({ crlNumber: sql<number>`ca_crl_numbers.crl_number + 1`, issuedAt: now.toISOString() }))
    .returning("crlNumber")
    .executeTakeFirstOrThrow();
  return Number(row.crlNumber);
}

/** `certdesk ca crl`: the last CRL number handed out per issuing CA, and what the CRL lists now. */
export async function crlReport(db: Db, now: Date): Promise<string[]> {
  const numbers = await db.kysely.selectFrom("caCrlNumbers").select(["caName", "crlNumber", "issuedAt"]).orderBy("caName").execute();
  const lines = numbers.length === 0 ? ["No CRL handed out yet."] : numbers.map((r) => `CRL number ${r.crlNumber} (issuing CA serial ${r.caName}), signed ${r.issuedAt}`);
  const entries = await revokedEntries(db, now);
  lines.push(`${entries.length} revoked certificate(s) listed:`);
  for (const entry of entries) lines.push(`  ${entry.serialNumber}  ${entry.revokedAt.toISOString()}  ${entry.reason}`);
  return lines;
}
