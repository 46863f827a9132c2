// The OCSP request the bench sends (RFC 6960, built from the @peculiar/asn1-ocsp schemas): the
// status of one serial of the server's issuing CA, as the GET path of A.1 (base64, URL-encoded).
import { createHash } from "node:crypto";
import { CertID, OCSPRequest, Request, TBSRequest } from "@peculiar/asn1-ocsp";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate } from "@peculiar/asn1-x509";

const SHA1 = "1.3.14.3.2.26";

export function ocspGetPath(issuerDer: ArrayBuffer, serialHex: string): string {
  const issuer = AsnConvert.parse(issuerDer, Certificate);
  const sha1 = (data: ArrayBuffer | Uint8Array) => createHash("sha1").update(new Uint8Array(data)).digest();
  const certId = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1, parameters: null }),
    issuerNameHash: new OctetString(sha1(AsnConvert.serialize(issuer.tbsCertificate.subject))),
    issuerKeyHash: new OctetString(sha1(issuer.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey)),
    serialNumber: new Uint8Array(Buffer.from(serialHex, "hex")).buffer,
  });
  const request = new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: certId })] }) });
  return `/pki/ocsp/${encodeURIComponent(Buffer.from(AsnConvert.serialize(request)).toString("base64"))}`;
}
