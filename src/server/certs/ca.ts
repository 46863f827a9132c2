// The built-in demonstration CA: a self-signed root and an issuing intermediate, created
// on first start and loaded on every later start; the intermediate signs customers' CSRs. Keys are
// ECDSA P-256 with SHA-256 signatures. Where it is kept is the caller's choice: files under the data
// directory (here, SQLite) or one row shared by every server (ca-table.ts, PostgreSQL); both hold the
// same four PEM texts (CaFiles), and both are opened and checked by DemoCa.fromFiles.
// Given the master key's sealer (the server always gives it), the private keys are sealed at rest
// (API.md: MASTER_KEY also encrypts the CA's keys), so DATA_DIR alone does not reveal them; a CA
// created before sealing has its plain key files sealed in place on its next load.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { webcrypto, x509 } from "./crypto.js";
import { assertCsrNamesMatch, parseCsr } from "./csr.js";
import { isDnsName } from "./dns-name.js";
import { CA_FILES, CaStoreError, inspectCaDir, readCaFiles, writeCaFilesAtomically } from "./store.js";
import type { CaFiles } from "./store.js";
import { AppError } from "../errors.js";
import { isSealed } from "../sealer.js";
import type { Sealer } from "../sealer.js";
import fs from "node:fs/promises";

export const ROOT_NAME = "CN=certdesk Demonstration Root CA, O=certdesk";
export const INTERMEDIATE_NAME = "CN=certdesk Demonstration Issuing CA, O=certdesk";
/** Longest accepted certificate lifetime, in days. */
export const MAX_VALIDITY_DAYS = 3650;

const KEY_ALGORITHM: EcKeyImportParams = { name: "ECDSA", namedCurve: "P-256" };
const SIGNING_ALGORITHM: EcdsaParams = { name: "ECDSA", hash: "SHA-256" };
const DAY_MS = 24 * 60 * 60 * 1000;
const CA_BACKDATE_MS = 60 * 60 * 1000; // tolerate an hour of clock skew on relying parties
const CN_MAX_LENGTH = 64; // RFC 5280 ub-common-name

export interface IssueInput {
  csrPem: string;
  domains: string[];
  /** Days from notBefore; ignored when notAfter is given. */
  validityDays?: number;
  notBefore?: Date;
  /** The exact end (certs/lifetime.ts decides it for customers' certificates). */
  notAfter?: Date;
  /** The CA/Browser Forum policy OID of the certificate's type (certs/profile.ts). */
  policyOid?: string;
  /** OV/EV: the subject's organization, locality and country. */
  organization?: { legalName: string; locality: string; country: string };
  /** Where relying parties find the CRL, the OCSP responder and the issuer (certs/pki-urls.ts). */
  pkiUrls?: { crl: string; ocsp: string; caIssuers: string };
}

/** What the CRL and the OCSP responder sign with: the issuing CA's certificate and key. */
export interface IssuingCa {
  certificate: x509.X509Certificate;
  signingKey: CryptoKey;
  signingAlgorithm: EcdsaParams;
}

export interface IssuedCertificate {
  /** The leaf certificate, PEM, ending in a newline. */
  certificatePem: string;
  /** Intermediate then root, PEM. */
  chainPem: string;
  /** Lower-case hex, 32 digits (16 bytes, positive). */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

const inFlight = new Map<string, Promise<DemoCa>>();

export class DemoCa {
  private constructor(
    private readonly root: x509.X509Certificate,
    private readonly intermediate: x509.X509Certificate,
    private readonly signingKey: CryptoKey,
  ) {}

  /**
   * Loads the CA kept in `dir`, creating it first when `dir` is absent or empty. Calls for
   * the same directory while one is running share its result (one CA, never two); a
   * racing process is detected by the atomic rename and its CA is loaded instead.
   * Throws when `dir` holds a partial or damaged CA rather than replacing it.
   */
  static async loadOrCreate(dir: string, sealer?: Sealer): Promise<DemoCa> {
    const key = path.resolve(dir);
    let pending = inFlight.get(key);
    if (!pending) {
      pending = DemoCa.loadOrCreateNow(key, sealer).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  }

  private static async loadOrCreateNow(dir: string, sealer: Sealer | undefined): Promise<DemoCa> {
    const state = await inspectCaDir(dir);
    if (state !== "complete") await writeCaFilesAtomically(dir, await DemoCa.generate(sealer));
    // Created or found: load from disk either way, so both paths are the same code.
    const files = await readCaFiles(dir);
    if (sealer) {
      for (const name of ["rootKey", "intermediateKey"] as const) {
        if (!isSealed(files[name].trim())) {
          files[name] = sealer.seal(files[name], keyContext(name));
          await sealInPlace(path.join(dir, CA_FILES[name]), files[name]);
        }
      }
    }
    return DemoCa.fromFiles(files, sealer, `in ${dir}`);
  }

  /** A new CA's four PEM texts, the keys sealed when a sealer is given (as they are then stored). */
  static async generate(sealer: Sealer | undefined): Promise<CaFiles> {
    const files = await generateCaFiles();
    return sealer ? DemoCa.sealed(files, sealer) : files;
  }

  /** The same texts with any plain key sealed: how a CA kept before sealing is stored from now on. */
  static sealed(files: CaFiles, sealer: Sealer): CaFiles {
    const result = { ...files };
    for (const name of ["rootKey", "intermediateKey"] as const) {
      if (!isSealed(files[name].trim())) result[name] = sealer.seal(files[name], keyContext(name));
    }
    return result;
  }

  /**
   * The CA in `files`, its sealed keys opened with `sealer`, checked whole: each certificate signed
   * by its issuer, each key the one of its certificate. `where` names the store in messages.
   * Throws CaStoreError rather than run on a CA that is not one.
   */
  static async fromFiles(stored: CaFiles, sealer: Sealer | undefined, where: string): Promise<DemoCa> {
    const files = { ...stored };
    for (const name of ["rootKey", "intermediateKey"] as const) {
      if (!isSealed(files[name].trim())) continue;
      if (!sealer) throw new CaStoreError(`The demonstration CA's ${CA_FILES[name]} ${where} is sealed and no master key was given.`);
      try {
        files[name] = sealer.open(files[name].trim(), keyContext(name));
      } catch {
        throw new CaStoreError(`The demonstration CA's ${CA_FILES[name]} ${where} does not open with this master key.`);
      }
    }
    let root: x509.X509Certificate;
    let intermediate: x509.X509Certificate;
    let rootKey: CryptoKey;
    let intermediateKey: CryptoKey;
    try {
      root = new x509.X509Certificate(files.rootCert);
      intermediate = new x509.X509Certificate(files.intermediateCert);
      rootKey = await importKey(files.rootKey);
      intermediateKey = await importKey(files.intermediateKey);
    } catch (error) {
      throw new CaStoreError(`The demonstration CA ${where} cannot be read: ${(error as Error).message}`);
    }
    const problems: string[] = [];
    if (!(await root.verify({ signatureOnly: true }))) problems.push("the root is not self-signed");
    if (!(await intermediate.verify({ publicKey: root.publicKey, signatureOnly: true }))) {
      problems.push("the intermediate is not signed by the root");
    }
    if (!(await keyMatches(rootKey, root))) problems.push("root.key.pem does not belong to root.pem");
    if (!(await keyMatches(intermediateKey, intermediate))) {
      problems.push("intermediate.key.pem does not belong to intermediate.pem");
    }
    if (problems.length > 0) {
      throw new CaStoreError(`The demonstration CA ${where} is inconsistent: ${problems.join("; ")}.`);
    }
    return new DemoCa(root, intermediate, intermediateKey);
  }

  /** The intermediate and its key: it signs the CRL and the OCSP responses of what it issued. */
  get issuing(): IssuingCa {
    return { certificate: this.intermediate, signingKey: this.signingKey, signingAlgorithm: SIGNING_ALGORITHM };
  }

  get rootCertificate(): x509.X509Certificate {
    return this.root;
  }

  get rootPem(): string {
    return pemOf(this.root);
  }

  get intermediatePem(): string {
    return pemOf(this.intermediate);
  }

  /** Intermediate then root: what a server sends after its own certificate. */
  get chainPem(): string {
    return this.intermediatePem + this.rootPem;
  }

  /**
   * Signs the CSR's public key with the intermediate. The CSR is checked again (see
   * parseCsr) and its names must be exactly `domains`; the certificate names `domains`
   * (lower-cased, in the given order) as DNS subjectAltNames, the first that fits as CN.
   */
  async issue(input: IssueInput): Promise<IssuedCertificate> {
    const domains = checkDomains(input.domains);
    const validityDays = input.validityDays ?? 0;
    if (input.notAfter === undefined && (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_VALIDITY_DAYS)) {
      throw new AppError("invalid_request", `validityDays must be a whole number from 1 to ${MAX_VALIDITY_DAYS}.`);
    }
    const start = input.notBefore ?? new Date();
    if (!(start instanceof Date) || Number.isNaN(start.getTime())) {
      throw new AppError("invalid_request", "notBefore must be a valid date.");
    }
    const { csr, names, publicKeyAlgorithm } = await parseCsr(input.csrPem);
    assertCsrNamesMatch(names, domains);

    const notBefore = new Date(Math.floor(start.getTime() / 1000) * 1000); // X.509 time has seconds
    const notAfter = input.notAfter ?? new Date(notBefore.getTime() + validityDays * DAY_MS);
    if (Number.isNaN(notAfter.getTime()) || notAfter <= notBefore || notAfter.getTime() - notBefore.getTime() > MAX_VALIDITY_DAYS * DAY_MS) {
      throw new AppError("invalid_request", "notAfter must follow notBefore, within the longest accepted lifetime.");
    }
    const serialNumber = randomSerial();
    const commonName = domains.find((domain) => domain.length <= CN_MAX_LENGTH);
    const usages = publicKeyAlgorithm.startsWith("RSA")
      ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
      : x509.KeyUsageFlags.digitalSignature;
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber,
      subject: subjectOf(commonName, input.organization),
      issuer: this.intermediate.subjectName,
      notBefore,
      notAfter,
      publicKey: csr.publicKey,
      signingKey: this.signingKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(usages, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        // RFC 5280: the SAN must be critical when the subject is empty.
        new x509.SubjectAlternativeNameExtension(
          domains.map((value) => ({ type: "dns" as const, value })),
          commonName === undefined,
        ),
        await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
        await authorityKeyIdentifier(this.intermediate),
        ...(input.policyOid ? [new x509.CertificatePolicyExtension([input.policyOid], false)] : []),
        ...(input.pkiUrls
          ? [
              new x509.CRLDistributionPointsExtension([input.pkiUrls.crl], false),
              new x509.AuthorityInfoAccessExtension({ ocsp: input.pkiUrls.ocsp, caIssuers: input.pkiUrls.caIssuers }, false),
            ]
          : []),
      ],
    });
    return {
      certificatePem: pemOf(certificate),
      chainPem: this.chainPem,
      serialNumber,
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
    };
  }
}

/** The sealed key files are bound to their role: the root's cannot be swapped for the intermediate's. */
function keyContext(name: "rootKey" | "intermediateKey"): string {
  return `demonstration CA ${name}`;
}

/** Replaces a plain key file by its sealed form: written beside it, then renamed over it. */
async function sealInPlace(file: string, sealed: string): Promise<void> {
  const staging = `${file}.sealing`;
  await fs.writeFile(staging, `${sealed}\n`, { mode: 0o600 });
  await fs.rename(staging, file);
}

async function generateCaFiles(): Promise<CaFiles> {
  const now = Date.now();
  const notBefore = new Date(Math.floor((now - CA_BACKDATE_MS) / 1000) * 1000);
  const rootKeys = await generateKeys();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: ROOT_NAME,
    notBefore,
    notAfter: addYears(notBefore, 10),
    keys: rootKeys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const intermediateKeys = await generateKeys();
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: INTERMEDIATE_NAME,
    issuer: root.subjectName,
    notBefore,
    notAfter: addYears(notBefore, 5),
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], false),
      await x509.SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey),
      await authorityKeyIdentifier(root),
    ],
  });
  return {
    rootKey: await exportKey(rootKeys.privateKey),
    rootCert: pemOf(root),
    intermediateKey: await exportKey(intermediateKeys.privateKey),
    intermediateCert: pemOf(intermediate),
  };
}

/** CN for every type; C, L, O (in X.520 order, country first) for OV and EV. */
function subjectOf(commonName: string | undefined, organization: IssueInput["organization"]): x509.JsonName {
  const name: x509.JsonName = [];
  if (organization) name.push({ C: [organization.country] }, { L: [organization.locality] }, { O: [organization.legalName] });
  if (commonName) name.push({ CN: [commonName] });
  return name;
}

function checkDomains(domains: unknown): string[] {
  if (!Array.isArray(domains) || domains.length === 0) {
    throw new AppError("invalid_request", "A certificate needs at least one domain.");
  }
  const lower = domains.map((domain: unknown) => {
    if (typeof domain !== "string" || !isDnsName(domain)) {
      throw new AppError("invalid_request", `${JSON.stringify(domain)} is not a valid DNS name.`);
    }
    return domain.toLowerCase();
  });
  if (new Set(lower).size !== lower.length) throw new AppError("invalid_request", "The domains contain a duplicate.");
  return lower;
}

/** 16 random bytes as a positive DER INTEGER: top bit clear, first byte non-zero (32 hex digits). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return bytes.toString("hex");
}

async function authorityKeyIdentifier(issuer: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey);
}

function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]) as Promise<CryptoKeyPair>;
}

async function exportKey(key: CryptoKey): Promise<string> {
  return pemText(x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY"));
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return webcrypto.subtle.importKey("pkcs8", der, KEY_ALGORITHM, false, ["sign"]);
}

/** Signs a probe with `key` and checks it against the certificate's public key. */
async function keyMatches(key: CryptoKey, certificate: x509.X509Certificate): Promise<boolean> {
  const probe = randomBytes(32);
  const signature = await webcrypto.subtle.sign(SIGNING_ALGORITHM, key, probe);
  const publicKey = await certificate.publicKey.export(KEY_ALGORITHM, ["verify"]);
  return webcrypto.subtle.verify(SIGNING_ALGORITHM, publicKey, signature, probe);
}

function pemOf(certificate: x509.X509Certificate): string {
  return pemText(certificate.toString("pem"));
}

function pemText(pem: string): string {
  return pem.endsWith("\n") ? pem : `${pem}\n`;
}

function addYears(date: Date, years: number): Date {
  const result = new Date(date.getTime());
  result.setUTCFullYear(result.getUTCFullYear() + years);
  return result;
}
