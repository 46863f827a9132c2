// The OCSP responder's protocol half (RFC 6960): parses a request, answers each CertID good,
// revoked (with time and reason) or unknown, and signs the BasicOCSPResponse with the issuing CA's
// own key (so no delegated responder certificate is needed; RFC 6960 4.2.2.2). ASN.1 from the
// @peculiar/asn1-ocsp and asn1-x509 schemas; the status of a serial comes from the caller.
import { createHash } from "node:crypto";
import { ecdsaWithSHA256 } from "@peculiar/asn1-ecc";
import {
  BasicOCSPResponse,
  CertStatus,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nonce,
} from "@peculiar/asn1-ocsp";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { Certificate, CRLReason } from "@peculiar/asn1-x509";
import type { CertID } from "@peculiar/asn1-ocsp";
import { webcrypto, x509 } from "./crypto.js";
import type { IssuingCa } from "./ca.js";
import { REASON_CODES } from "./crl.js";
import type { RevokedEntry } from "./crl.js";

/** How long a "good" or "revoked" answer may be cached by relying parties. */
export const OCSP_VALIDITY_MS = 24 * 60 * 60 * 1000;
const MAX_REQUESTS = 20;
const HASHES: Record<string, string> = { "1.3.14.3.2.26": "sha1", "2.16.840.1.101.3.4.2.1": "sha256" };

/** undefined: certdesk never issued that serial; otherwise its revocation, or null while valid. */
export type SerialStatus = (serialHex: string) => Promise<RevokedEntry | null | undefined>;

export function ocspError(status: OCSPResponseStatus): ArrayBuffer {
  return AsnConvert.serialize(new OCSPResponse({ responseStatus: status }));
}

/** The DER OCSPResponse answering the DER OCSPRequest `der`. */
export async function answerOcsp(ca: IssuingCa, der: Uint8Array, statusOf: SerialStatus, now: Date): Promise<ArrayBuffer> {
  let request: OCSPRequest;
  try {
    request = AsnConvert.parse(der, OCSPRequest);
  } catch {
    return ocspError(OCSPResponseStatus.malformedRequest);
  }
  const list = request.tbsRequest.requestList;
  if (list.length === 0 || list.length > MAX_REQUESTS) return ocspError(OCSPResponseStatus.malformedRequest);

  const issuer = AsnConvert.parse(ca.certificate.rawData, Certificate);
  const issuerName = new Uint8Array(AsnConvert.serialize(issuer.tbsCertificate.subject));
  const issuerKey = new Uint8Array(issuer.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);
  const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const responses: SingleResponse[] = [];
  for (const { reqCert } of list) {
    const status = (await isOurs(reqCert, issuerName, issuerKey)) ? await statusOf(serialHex(reqCert.serialNumber)) : undefined;
    responses.push(
      new SingleResponse({
        certID: reqCert,
        certStatus: certStatusOf(status),
        thisUpdate,
        nextUpdate: new Date(thisUpdate.getTime() + OCSP_VALIDITY_MS),
      }),
    );
  }
  const nonce = request.tbsRequest.requestExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
  const data = new ResponseData({
    responderID: new ResponderID({ byKey: new OctetString(createHash("sha1").update(issuerKey).digest()) }),
    producedAt: thisUpdate,
    responses,
    ...(nonce ? { responseExtensions: [nonce] } : {}),
  });
  const tbs = AsnConvert.serialize(data);
  const raw = await webcrypto.subtle.sign(ca.signingAlgorithm, ca.signingKey, tbs);
  const signature = new x509.AsnEcSignatureFormatter().toAsnSignature(ca.signingAlgorithm, raw);
  if (!signature) return ocspError(OCSPResponseStatus.internalError);
  const basic = new BasicOCSPResponse({ tbsResponseData: data, signatureAlgorithm: ecdsaWithSHA256, signature, certs: [issuer] });
  return AsnConvert.serialize(
    new OCSPResponse({
      responseStatus: OCSPResponseStatus.successful,
      responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
    }),
  );
}

/** Whether the CertID names this CA: its name's and key's hashes, with SHA-1 or SHA-256. */
async function isOurs(id: CertID, issuerName: Uint8Array, issuerKey: Uint8Array): Promise<boolean> {
  const hash = HASHES[id.hashAlgorithm.algorithm];
  if (!hash) return false;
  const digest = (data: Uint8Array) => createHash(hash).update(data).digest();
  return (
    Buffer.from(id.issuerNameHash.buffer).equals(digest(issuerName)) && Buffer.from(id.issuerKeyHash.buffer).equals(digest(issuerKey))
  );
}

function certStatusOf(status: RevokedEntry | null | undefined): CertStatus {
  if (status === undefined) return new CertStatus({ unknown: null });
  if (status === null) return new CertStatus({ good: null });
  return new CertStatus({
    revoked: new RevokedInfo({
      revocationTime: new Date(Math.floor(status.revokedAt.getTime() / 1000) * 1000),
      revocationReason: new CRLReason(REASON_CODES[status.reason] as number),
    }),
  });
}

/** The serial as certdesk stores it: lower-case hex without the DER sign byte. */
function serialHex(serial: ArrayBuffer): string {
  return Buffer.from(serial).toString("hex").replace(/^(00)+(?=[0-9a-f]{2})/, "");
}
