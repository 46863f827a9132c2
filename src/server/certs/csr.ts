// CSR checks: one PEM CERTIFICATE REQUEST, parsable, self-signature valid, an accepted key,
// and DNS names only. Every refusal is AppError("invalid_csr", detail) with a detail the
// customer can act on.
import { createPublicKey } from "node:crypto";
import { x509 } from "./crypto.js";
import { canonicalNames, isDnsName } from "./dns-name.js";
import { MAX_CSR_BYTES } from "../../shared/formats.js";
import { AppError } from "../errors.js";

const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 8192;
const EC_CURVES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384" };
const SAN_OID = "2.5.29.17";
const PEM_BLOCK = /-----BEGIN ([^-\r\n]*)-----([\s\S]*?)-----END ([^-\r\n]*)-----/g;
const CSR_LABELS = new Set(["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"]);

export interface ParsedCsr {
  /** Subject CN (when it is a DNS name) ∪ SAN dNSNames: lower-cased, deduplicated, sorted. */
  names: string[];
  /** "RSA 2048", "RSA 3072", …, "ECDSA P-256" or "ECDSA P-384". */
  publicKeyAlgorithm: string;
  csr: x509.Pkcs10CertificateRequest;
}

function refuse(detail: string): never {
  throw new AppError("invalid_csr", detail);
}

/** Shows a piece of customer input in a detail without letting it grow the message. */
function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** The DER of the single CERTIFICATE REQUEST block, or a refusal explaining what is wrong. */
function decodePem(pem: unknown): Buffer {
  if (typeof pem !== "string") refuse("The CSR must be PEM text.");
  if (Buffer.byteLength(pem, "utf8") > MAX_CSR_BYTES) {
    refuse(`The CSR is larger than ${MAX_CSR_BYTES / 1024} KiB.`);
  }
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) {
    refuse("No PEM block found: paste the CSR from -----BEGIN CERTIFICATE REQUEST----- to -----END CERTIFICATE REQUEST-----.");
  }
  if (blocks.length > 1) refuse(`Expected a single CERTIFICATE REQUEST, found ${blocks.length} PEM blocks.`);
  const block = blocks[0]!;
  const [whole, label = "", body = "", endLabel = ""] = block;
  if (!CSR_LABELS.has(label)) refuse(`Expected a CERTIFICATE REQUEST, got a PEM ${quote(label)} block.`);
  if (endLabel !== label) refuse(`The PEM block begins with ${quote(label)} but ends with ${quote(endLabel)}.`);
  const outside = pem.slice(0, block.index) + pem.slice(block.index! + whole.length);
  if (outside.trim() !== "") refuse("Unexpected text outside the PEM block.");
  const base64 = body.replace(/\s+/g, "");
  if (base64.length === 0 || base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    refuse("The PEM body is not valid base64.");
  }
  const der = Buffer.from(base64, "base64");
  if (derLength(der) !== der.length) refuse("The CSR is not a single DER-encoded structure.");
  return der;
}

/** Total length of the outer DER SEQUENCE (tag + length + content), or -1 if it is not one. */
function derLength(der: Buffer): number {
  if (der.length < 2 || der[0] !== 0x30) return -1;
  const first = der[1]!;
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4 || der.length < 2 + count) return -1;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + der[2 + i]!;
  return 2 + count + length;
}

/** Describes an accepted key ("RSA 2048", "ECDSA P-256") or refuses it. */
function checkKey(csr: x509.Pkcs10CertificateRequest): string {
  let key;
  try {
    key = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: "der", type: "spki" });
  } catch {
    refuse("The CSR's public key could not be read: use RSA (2048 bits or more) or ECDSA P-256/P-384.");
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "rsa") {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
      refuse(`RSA keys must have ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits; this one has ${bits}.`);
    }
    const exponent = details.publicExponent ?? 0n;
    if (exponent < 3n || exponent % 2n === 0n) refuse("The RSA public exponent is not acceptable (use 65537).");
    return `RSA ${bits}`;
  }
  if (key.asymmetricKeyType === "ec") {
    const curve = EC_CURVES[details.namedCurve ?? ""];
    if (!curve) refuse(`ECDSA keys must use P-256 or P-384; this one uses ${quote(details.namedCurve ?? "an unnamed curve")}.`);
    return `ECDSA ${curve}`;
  }
  refuse(`Unsupported key type ${quote(key.asymmetricKeyType ?? "unknown")}: use RSA (2048 bits or more) or ECDSA P-256/P-384.`);
}

/** Subject CN when it is a DNS name, plus every SAN dNSName; any other SAN type is refused. */
function collectNames(csr: x509.Pkcs10CertificateRequest): string[] {
  const names = csr.subjectName.getField("CN").filter(isDnsName);
  let sans: x509.GeneralName[];
  try {
    sans = csr
      .getExtensions(SAN_OID)
      .flatMap((extension) => [...new x509.SubjectAlternativeNameExtension(extension.rawData).names.items]);
  } catch {
    refuse("The CSR's subjectAltName extension could not be read (unsupported name types).");
  }
  const others: string[] = [];
  for (const san of sans) {
    if (san.type !== "dns") others.push(`${san.type} ${san.value}`);
    else if (!isDnsName(san.value)) refuse(`The subjectAltName ${quote(san.value)} is not a valid DNS name.`);
    else names.push(san.value);
  }
  if (others.length > 0) {
    refuse(`Only DNS names can be certified; the CSR also asks for ${others.map(quote).join(", ")}.`);
  }
  if (names.length === 0) refuse("The CSR names no DNS name (neither as subject CN nor as subjectAltName).");
  return canonicalNames(names);
}

export async function parseCsr(pem: string): Promise<ParsedCsr> {
  const der = decodePem(pem);
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(new Uint8Array(der));
  } catch {
    refuse("The CSR could not be parsed as a PKCS#10 certificate request.");
  }
  const publicKeyAlgorithm = checkKey(csr);
  let verified = false;
  try {
    verified = await csr.verify();
  } catch {
    verified = false;
  }
  if (!verified) refuse("The CSR's signature does not verify: it was altered or not signed by its own key.");
  return { names: collectNames(csr), publicKeyAlgorithm, csr };
}

/** Refuses unless the CSR's names are exactly the domains (case- and order-insensitive). */
export function assertCsrNamesMatch(names: string[], domains: string[]): void {
  const have = new Set(canonicalNames(names));
  const want = new Set(canonicalNames(domains));
  const missing = [...want].filter((name) => !have.has(name));
  const extra = [...have].filter((name) => !want.has(name));
  if (missing.length === 0 && extra.length === 0) return;
  const parts = ["The CSR's names must be exactly the order's domains."];
  if (missing.length > 0) parts.push(`Missing from the CSR: ${missing.join(", ")}.`);
  if (extra.length > 0) parts.push(`In the CSR but not in the order: ${extra.join(", ")}.`);
  refuse(parts.join(" "));
}
