// A team's ACME credentials as tests make them (API.md "Machine access"): through the API, like a
// member holding automation.manage makes one; the answer is the only one holding the HMAC key.
import type { Client } from "./app.js";

export interface CreatedAcmeCredential {
  id: string;
  keyId: string;
  /** The EAB MAC key, base64url. */
  hmacKey: string;
  directoryUrl: string;
}

/** A credential of `teamId` ordering `productId`, charged to `billingProfileId`, created by `creator`. */
export async function createAcmeCredential(
  creator: Client,
  teamId: string,
  billingProfileId: string,
  name = "test credential",
  productId = "dv-1y",
): Promise<CreatedAcmeCredential> {
  const response = await creator.post(`/api/teams/${teamId}/acme-credentials`, { name, productId, billingProfileId });
  if (response.statusCode !== 201) throw new Error(`ACME credential creation failed: ${response.statusCode} ${response.body}`);
  const { acmeCredential, hmacKey } = response.json() as { acmeCredential: { id: string; keyId: string; directoryUrl: string }; hmacKey: string };
  return { id: acmeCredential.id, keyId: acmeCredential.keyId, hmacKey, directoryUrl: acmeCredential.directoryUrl };
}
