// The issuing CA's CRL (SPEC 18, RFC 5280 5): DER, signed by the CA that issued the certificates it
// lists, with a CRL number and a nextUpdate at most 7 days ahead. Built with @peculiar/x509's CRL
// generator and the @peculiar/asn1-x509 CRLNumber schema, never by hand.
import { AsnConvert } from "@peculiar/asn1-schema";
import { CRLNumber, id_ce_cRLNumber } from "@peculiar/asn1-x509";
import { x509 } from "./crypto.js";
import type { IssuingCa } from "./ca.js";
import type { RevocationReason } from "../../shared/schemas/orders.js";

/** How far ahead nextUpdate is: relying parties refetch within it (API.md: at most 7 days). */
export const CRL_VALIDITY_MS = 3 * 24 * 60 * 60 * 1000;

/** RFC 5280 CRLReason codes of the reasons certdesk accepts. */
export const REASON_CODES: Record<RevocationReason, x509.X509CrlReason> = {
  unspecified: x509.X509CrlReason.unspecified,
  keyCompromise: x509.X509CrlReason.keyCompromise,
  affiliationChanged: x509.X509CrlReason.affiliationChanged,
  superseded: x509.X509CrlReason.superseded,
  cessationOfOperation: x509.X509CrlReason.cessationOfOperation,
};

export interface RevokedEntry {
  serialNumber: string; // hex
  revokedAt: Date;
  reason: RevocationReason;
}

export async function buildCrl(ca: IssuingCa, input: { number: number; thisUpdate: Date; entries: RevokedEntry[] }): Promise<ArrayBuffer> {
  const thisUpdate = new Date(Math.floor(input.thisUpdate.getTime() / 1000) * 1000);
  const aki = ca.certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.certificate.subjectName,
    thisUpdate,
    nextUpdate: new Date(thisUpdate.getTime() + CRL_VALIDITY_MS),
    signingKey: ca.signingKey,
    signingAlgorithm: ca.signingAlgorithm,
    extensions: [
      new x509.Extension(id_ce_cRLNumber, false, AsnConvert.serialize(new CRLNumber(input.number))),
      ...(aki ? [new x509.AuthorityKeyIdentifierExtension(aki.keyId)] : []),
    ],
    entries: input.entries.map((entry) => ({
      serialNumber: entry.serialNumber,
      revocationDate: new Date(Math.floor(entry.revokedAt.getTime() / 1000) * 1000),
      reason: REASON_CODES[entry.reason],
    })),
  });
  return crl.rawData;
}
