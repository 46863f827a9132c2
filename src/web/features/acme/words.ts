// What the ACME page says: a credential's and an account's state, and the commands that bind a
// client with a new credential. The commands are built in one place so the dialog shows exactly
// what the README documents and the browser test checks.
import type { AcmeAccountDto as AcmeAccount, AcmeCredentialDto as AcmeCredential } from "../../../shared/schemas";

export type CredentialStatus = "active" | "revoked";

export const CREDENTIAL_LABELS: Record<CredentialStatus, string> = { active: "Active", revoked: "Revoked" };
export const CREDENTIAL_TONES: Record<CredentialStatus, "green" | "red"> = { active: "green", revoked: "red" };

export function credentialStatus(credential: Pick<AcmeCredential, "revokedAt">): CredentialStatus {
  return credential.revokedAt ? "revoked" : "active";
}

export const ACCOUNT_LABELS: Record<AcmeAccount["status"], string> = { valid: "Active", deactivated: "Deactivated", revoked: "Revoked" };
export const ACCOUNT_TONES: Record<AcmeAccount["status"], "green" | "neutral" | "red"> = { valid: "green", deactivated: "neutral", revoked: "red" };

/** A thumbprint short enough for a table cell; the whole one is in the title and for copying. */
export function shortThumbprint(thumbprint: string): string {
  return thumbprint.length > 16 ? `${thumbprint.slice(0, 12)}…` : thumbprint;
}

export interface Binding {
  directoryUrl: string;
  keyId: string;
  hmacKey: string;
}

/** certbot with its own web server on port 80 (http-01). */
export function certbotCommand({ directoryUrl, keyId, hmacKey }: Binding): string {
  return `certbot certonly --server ${directoryUrl} --eab-kid ${keyId} --eab-hmac-key ${hmacKey} --standalone -d example.com`;
}

/** certbot proving control through a TXT record (dns-01), which also covers wildcards. */
export function certbotDnsCommand({ directoryUrl, keyId, hmacKey }: Binding): string {
  return `certbot certonly --server ${directoryUrl} --eab-kid ${keyId} --eab-hmac-key ${hmacKey} --manual --preferred-challenges dns -d example.com`;
}

/** lego with its own web server on port 80 (http-01). */
export function legoCommand({ directoryUrl, keyId, hmacKey }: Binding): string {
  return `lego --server ${directoryUrl} --eab --kid ${keyId} --hmac ${hmacKey} --email you@example.com --domains example.com --http run`;
}
