// revokeCert (RFC 8555 §7.6): the certificate (DER, base64url) and a reason code. Signed either by an
// account of the team whose order it is (kid), or by the certificate's own key (jwk) — whoever holds
// that key may end the certificate. It is revoked as a member's revocation is (SPEC 18): CRL and OCSP
// say so at once. Only the five reasons certdesk records are accepted (SPEC 18; RFC 5280 codes).
import * as x509 from "@peculiar/x509";
import { createPublicKey } from "node:crypto";
import { calculateJwkThumbprint } from "jose";
import type { JWK } from "jose";
import type { Executor } from "../db/transaction.js";
import type { RevocationReason } from "../../shared/schemas/orders.js";
import { AcmeProblem } from "./problems.js";

export const REASONS: Readonly<Record<number, RevocationReason>> = {
  0: "unspecified",
  1: "keyCompromise",
  3: "affiliationChanged",
  4: "superseded",
  5: "cessationOfOperation",
};

export interface RevocationRequest {
  serialNumber: string;
  reason: RevocationReason;
  certificate: x509.X509Certificate;
}

export function parseRevocation(payload: Record<string, unknown> | null): RevocationRequest {
  const raw = payload?.certificate;
  if (typeof raw !== "string" || !/^[A-Za-z0-9_-]+$/.test(raw)) throw new AcmeProblem("malformed", "revokeCert takes {certificate}: its DER, base64url-encoded.");
  const code = payload?.reason ?? 0;
  if (typeof code !== "number" || !Number.isInteger(code)) throw new AcmeProblem("badRevocationReason", "reason must be an integer reason code.");
  const reason = REASONS[code];
  if (!reason) throw new AcmeProblem("badRevocationReason", `Reason code ${code} is not accepted; use 0 (unspecified), 1 (keyCompromise), 3 (affiliationChanged), 4 (superseded) or 5 (cessationOfOperation).`);
  let certificate: x509.X509Certificate;
  try {
    certificate = new x509.X509Certificate(Buffer.from(raw, "base64url"));
  } catch {
    throw new AcmeProblem("malformed", "The certificate is not a DER X.509 certificate.");
  }
  return { serialNumber: certificate.serialNumber.toLowerCase(), reason, certificate };
}

/** The order (and team) of a certificate certdesk issued, byte for byte, or 404. */
export async function issuedCertificate(executor: Executor, request: RevocationRequest) {
  const row = await executor
    .selectFrom("certificates as c")
    .innerJoin("orders as o", "o.id", "c.orderId")
    .leftJoin("acmeOrders as a", "a.orderId", "o.id")
    .select(["c.orderId", "c.certificatePem", "c.revokedAt", "o.teamId", "a.accountId"])
    .where("c.serialNumber", "=", request.serialNumber)
    .executeTakeFirst();
  const pem = row && new x509.X509Certificate(row.certificatePem);
  if (!row || !pem || Buffer.compare(Buffer.from(pem.rawData), Buffer.from(request.certificate.rawData)) !== 0) {
    throw new AcmeProblem("malformed", "certdesk did not issue this certificate.", { status: 404 });
  }
  if (row.revokedAt !== null) throw new AcmeProblem("alreadyRevoked", "This certificate is already revoked.");
  return row;
}

/** Whether the request's jwk is the certificate's own public key (compared by thumbprint). */
export async function signedByCertificateKey(jwk: JWK, certificate: x509.X509Certificate): Promise<boolean> {
  const certJwk = createPublicKey({ key: Buffer.from(certificate.publicKey.rawData), format: "der", type: "spki" }).export({ format: "jwk" }) as JWK;
  return (await calculateJwkThumbprint(certJwk)) === (await calculateJwkThumbprint(jwk));
}
