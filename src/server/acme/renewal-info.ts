// Renewal information (RFC 9773, ARI): for a certificate identified by its issuer's key identifier
// and its serial, the window in which its client should renew. The window follows the
// certificate's own lifetime — from two thirds to five sixths of it — so a 200-day certificate is
// renewed about 67 days before it ends and a 47-day one about 16 days before (SPEC 17); a revoked
// certificate's window is already open: renew now.
import * as x509 from "@peculiar/x509";
import type { Executor } from "../db/transaction.js";
import { AcmeProblem } from "./problems.js";

/** Clients ask again after this long (RFC 9773 §4.2 Retry-After). */
export const RENEWAL_INFO_RETRY_SECONDS = 6 * 60 * 60;

export interface RenewalWindow {
  suggestedWindow: { start: string; end: string };
  explanationURL?: string;
}

/** The serial (lower-case hex) and key identifier (hex) a certID names, or malformed. */
export function parseCertId(certId: string): { keyIdentifier: string; serialNumber: string } {
  const parts = certId.split(".");
  if (parts.length !== 2 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
    throw new AcmeProblem("malformed", "A certID is base64url(authorityKeyIdentifier) \".\" base64url(serialNumber).");
  }
  const keyIdentifier = Buffer.from(parts[0]!, "base64url").toString("hex");
  // The serial's DER INTEGER content bytes; a leading zero byte only keeps it positive.
  const serialNumber = Buffer.from(parts[1]!, "base64url").toString("hex").replace(/^(00)+(?=[0-9a-f])/, "");
  return { keyIdentifier, serialNumber };
}

export async function renewalInfo(executor: Executor, certId: string, now: Date): Promise<RenewalWindow> {
  const { keyIdentifier, serialNumber } = parseCertId(certId);
  const row = await executor
    .selectFrom("certificates")
    .select(["certificatePem", "notBefore", "notAfter", "revokedAt"])
    .where("serialNumber", "=", serialNumber)
    .executeTakeFirst();
  const aki = row && new x509.X509Certificate(row.certificatePem).getExtension(x509.AuthorityKeyIdentifierExtension);
  if (!row || !aki || aki.keyId?.toLowerCase() !== keyIdentifier) {
    throw new AcmeProblem("malformed", "certdesk did not issue a certificate with this certID.", { status: 404 });
  }
  if (row.revokedAt !== null) {
    return { suggestedWindow: { start: new Date(now.getTime() - 60 * 60 * 1000).toISOString(), end: now.toISOString() } };
  }
  const from = Date.parse(row.notBefore);
  const lifetime = Date.parse(row.notAfter) - from;
  return {
    suggestedWindow: {
      start: new Date(from + Math.round((lifetime * 2) / 3)).toISOString(),
      end: new Date(from + Math.round((lifetime * 5) / 6)).toISOString(),
    },
  };
}
