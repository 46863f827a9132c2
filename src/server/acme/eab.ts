// External Account Binding (RFC 8555 §7.3.4): newAccount carries an inner JWS, MACed with the
// credential's HMAC key, whose payload is the account's key. Only a holder of a team's live ACME
// credential can therefore create an account, and the account is bound to that team (SPEC 20).
import { calculateJwkThumbprint, decodeProtectedHeader, flattenedVerify } from "jose";
import type { JWK } from "jose";
import { parseFlattened } from "./jws.js";
import { AcmeProblem } from "./problems.js";

const MAC_ALGORITHMS = ["HS256", "HS384", "HS512"];

/** A credential as the binding needs it: live or revoked, and its HMAC key opened. */
export interface BindingCredential {
  id: string;
  teamId: string;
  revoked: boolean;
  hmacKey: Uint8Array;
}

/**
 * Checks the binding against the outer request (its URL and account key) and returns the
 * credential it names. Every failure is `unauthorized` except a binding that is not a JWS at all.
 */
export async function verifyBinding(
  binding: unknown,
  outer: { url: string; jwk: JWK },
  credentialOf: (keyId: string) => Promise<BindingCredential | undefined>,
): Promise<BindingCredential> {
  const inner = parseFlattened(binding);
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(inner) as Record<string, unknown>;
  } catch {
    throw new AcmeProblem("malformed", "The externalAccountBinding's protected header is not base64url-encoded JSON.");
  }
  if (typeof header.alg !== "string" || !MAC_ALGORITHMS.includes(header.alg)) {
    throw new AcmeProblem("badSignatureAlgorithm", "The externalAccountBinding must be MACed with HS256, HS384 or HS512.", { algorithms: MAC_ALGORITHMS });
  }
  if ("nonce" in header) throw new AcmeProblem("malformed", "The externalAccountBinding must not carry a nonce.");
  if (header.url !== outer.url) throw new AcmeProblem("unauthorized", "The externalAccountBinding's url must be the newAccount URL.");
  if (typeof header.kid !== "string" || header.kid.length === 0) throw new AcmeProblem("unauthorized", "The externalAccountBinding must name the credential's key id (kid).");
  const credential = await credentialOf(header.kid);
  if (!credential) throw new AcmeProblem("unauthorized", "The externalAccountBinding names an unknown key id.");
  if (credential.revoked) throw new AcmeProblem("unauthorized", "This ACME credential was revoked; ask the team for a new one.");
  let payload: Uint8Array;
  try {
    ({ payload } = await flattenedVerify(inner, credential.hmacKey, { algorithms: [header.alg] }));
  } catch {
    throw new AcmeProblem("unauthorized", "The externalAccountBinding's MAC does not verify with this credential's HMAC key.");
  }
  let bound: unknown;
  try {
    bound = JSON.parse(Buffer.from(payload).toString("utf8"));
  } catch {
    throw new AcmeProblem("malformed", "The externalAccountBinding's payload must be the account's JWK.");
  }
  const same =
    typeof bound === "object" && bound !== null &&
    (await calculateJwkThumbprint(bound as JWK).catch(() => null)) === (await calculateJwkThumbprint(outer.jwk));
  if (!same) throw new AcmeProblem("unauthorized", "The externalAccountBinding binds a different key than the one signing this request.");
  return credential;
}
