// The envelope of every ACME POST (RFC 8555 §6.2–6.5): a flattened JWS whose protected header names
// the algorithm, a fresh nonce, the exact URL posted to, and either the key itself (`jwk`: only
// newAccount and revokeCert by certificate key) or the account (`kid`: its account URL). JWS is
// verified by `jose`, never by hand; this module only decides what ACME demands around it. The
// checks run in the order clients can act on: shape, algorithm, URL, nonce, key, signature.
import { decodeProtectedHeader, flattenedVerify, importJWK } from "jose";
import type { FlattenedJWSInput, JWK } from "jose";
import { AcmeProblem } from "./problems.js";

/** Account key algorithms accepted (`none` and MACs never): ES256 and RS256 at least (issue 12). */
export const ACCOUNT_KEY_ALGORITHMS = ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA"];

export interface ProtectedHeader {
  alg: string;
  nonce?: string;
  url: string;
  jwk?: JWK;
  kid?: string;
}

export interface SignedRequest {
  header: ProtectedHeader;
  /** The decoded JSON payload; null for POST-as-GET (an empty payload, RFC 8555 §6.3). */
  payload: Record<string, unknown> | null;
  /** The JWS as sent (keyChange verifies the inner one, newAccount the EAB). */
  jws: FlattenedJWSInput;
}

const malformed = (detail: string) => new AcmeProblem("malformed", detail);

/** The request body as a flattened JWS, or `malformed`. */
export function parseFlattened(body: unknown): FlattenedJWSInput {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw malformed("The request body must be a flattened JWS (a JSON object).");
  const { protected: prot, payload, signature, ...rest } = body as Record<string, unknown>;
  if ("signatures" in rest) throw malformed("Send a flattened JWS: the general serialization (signatures) is not accepted.");
  if ("header" in rest) throw malformed("An unprotected JWS header is not accepted.");
  if (typeof prot !== "string" || typeof payload !== "string" || typeof signature !== "string") {
    throw malformed("A flattened JWS has string members protected, payload and signature.");
  }
  return { protected: prot, payload, signature };
}

/** The protected header, checked for the members ACME requires; `expected` is the URL posted to. */
export function protectedHeaderOf(jws: FlattenedJWSInput, expected: string): ProtectedHeader {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jws) as Record<string, unknown>;
  } catch {
    throw malformed("The JWS protected header is not base64url-encoded JSON.");
  }
  const { alg, nonce, url, jwk, kid } = header;
  if (typeof alg !== "string" || !ACCOUNT_KEY_ALGORITHMS.includes(alg)) {
    throw new AcmeProblem("badSignatureAlgorithm", `The JWS algorithm ${JSON.stringify(alg)} is not accepted.`, { algorithms: ACCOUNT_KEY_ALGORITHMS });
  }
  if ((jwk === undefined) === (kid === undefined)) throw malformed("The JWS protected header must hold exactly one of jwk and kid.");
  if (jwk !== undefined && (typeof jwk !== "object" || jwk === null || Array.isArray(jwk))) throw malformed("The jwk header must be a JSON object.");
  if (kid !== undefined && typeof kid !== "string") throw malformed("The kid header must be an account URL.");
  if (typeof url !== "string") throw malformed("The JWS protected header must hold the url posted to.");
  if (url !== expected) throw new AcmeProblem("unauthorized", `The JWS url ${JSON.stringify(url)} is not the URL posted to (${expected}).`);
  if (nonce !== undefined && typeof nonce !== "string") throw new AcmeProblem("badNonce", "The nonce must be a string.");
  return { alg, url, ...(nonce !== undefined ? { nonce } : {}), ...(jwk !== undefined ? { jwk: jwk as JWK } : {}), ...(kid !== undefined ? { kid } : {}) };
}

/** A public JWK usable with `alg`, or badPublicKey. Private members are refused outright. */
export async function publicKeyOf(jwk: JWK, alg: string): Promise<CryptoKey> {
  if ("d" in jwk || "p" in jwk || "k" in jwk) throw new AcmeProblem("badPublicKey", "The jwk holds private key material; send the public key only.");
  try {
    const key = await importJWK(jwk, alg);
    if (key instanceof Uint8Array) throw new Error("symmetric key");
    return key as CryptoKey;
  } catch (error) {
    if (error instanceof AcmeProblem) throw error;
    throw new AcmeProblem("badPublicKey", `The jwk is not a public key for ${alg}: ${(error as Error).message}`);
  }
}

/** Verifies the signature with `key` and decodes the payload (null for POST-as-GET). */
export async function verifiedPayload(jws: FlattenedJWSInput, key: CryptoKey, alg: string): Promise<Record<string, unknown> | null> {
  let bytes: Uint8Array;
  try {
    ({ payload: bytes } = await flattenedVerify(jws, key, { algorithms: [alg] }));
  } catch (error) {
    throw malformed(`The JWS signature does not verify: ${(error as Error).message}`);
  }
  if (bytes.length === 0) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw malformed("The JWS payload is not JSON.");
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) throw malformed("The JWS payload must be a JSON object.");
  return payload as Record<string, unknown>;
}
