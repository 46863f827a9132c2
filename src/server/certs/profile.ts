// What each certificate type carries (SPEC 17–18, issue 11). Every certificate: the CN and SANs,
// the CA/Browser Forum policy OID of its type, CRL Distribution Points and Authority Information
// Access (OCSP + caIssuers). OV and EV also name the organization (O, L, C) from the team's
// organization profile.
//
// | type | policy OID (BR 7.1.6.1) | subject                | CRL DP | AIA OCSP + caIssuers |
// | DV   | 2.23.140.1.2.1          | CN                     | yes    | yes                  |
// | OV   | 2.23.140.1.2.2          | C, L, O, CN            | yes    | yes                  |
// | EV   | 2.23.140.1.1            | C, L, O, CN            | yes    | yes                  |
import type { ProductType } from "../../shared/schemas/orders.js";

export const POLICY_OIDS: Record<ProductType, string> = {
  DV: "2.23.140.1.2.1",
  OV: "2.23.140.1.2.2",
  EV: "2.23.140.1.1",
};

/** Whether the type names the organization in the subject (and so needs its profile). */
export function namesOrganization(type: ProductType): boolean {
  return type === "OV" || type === "EV";
}

/**
 * The public PKI routes (routes/pki.ts), relative to BASE_URL, and the absolute URLs every
 * certificate names. The answers are signed, so they need no session and no TLS of their own.
 */
export const PKI_PATHS = {
  rootPem: "/pki/root.pem",
  rootDer: "/pki/root.der",
  intermediateDer: "/pki/issuing-ca.der",
  intermediatePem: "/pki/issuing-ca.pem",
  crl: "/pki/issuing-ca.crl",
  ocsp: "/pki/ocsp",
} as const;

export function pkiUrls(baseUrl: string): { crl: string; ocsp: string; caIssuers: string } {
  const base = baseUrl.replace(/\/+$/, "");
  return { crl: base + PKI_PATHS.crl, ocsp: base + PKI_PATHS.ocsp, caIssuers: base + PKI_PATHS.intermediateDer };
}
