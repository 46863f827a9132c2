// The demonstration CA: created once on disk and reused, issuing certificates that the
// openssl command line reads, verifies against the chain and matches to the CSR's key.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../src/server/errors.js";
import { CA_FILES, CaStoreError, DemoCa } from "../src/server/certs/index.js";
import { writeCaFilesAtomically } from "../src/server/certs/store.js";
import { makeCsr, makeTmpDir, openssl } from "./helpers/csr.js";
import type { GeneratedCsr } from "./helpers/csr.js";

const tmp = makeTmpDir();
afterAll(() => tmp.cleanup());

let counter = 0;
/** A path for a CA directory that does not exist yet. */
function freshCaDir(): string {
  counter += 1;
  return path.join(tmp.dir, `data-${counter}`, "ca");
}

/** Writes `content` to a file in the temporary directory and returns its path. */
function tmpFile(name: string, content: string): string {
  counter += 1;
  const file = path.join(tmp.dir, `${counter}-${name}`);
  fs.writeFileSync(file, content);
  return file;
}

function fingerprint(pem: string): string {
  return openssl(["x509", "-noout", "-fingerprint", "-sha256", "-in", tmpFile("cert.pem", pem)]).trim();
}

function mode(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

let caDir: string;
let ca: DemoCa;
let ecCsr: GeneratedCsr;

beforeAll(async () => {
  caDir = freshCaDir();
  ca = await DemoCa.loadOrCreate(caDir);
  ecCsr = makeCsr({ cn: "example.com", san: ["example.com", "www.example.com"] });
});

describe("DemoCa.loadOrCreate", () => {
  it("creates the root and intermediate on first start: PEM files, keys 0600, directory 0700", () => {
    expect(fs.readdirSync(caDir).sort()).toEqual(Object.values(CA_FILES).sort());
    expect(mode(path.join(caDir, CA_FILES.rootKey))).toBe(0o600);
    expect(mode(path.join(caDir, CA_FILES.intermediateKey))).toBe(0o600);
    expect(mode(caDir)).toBe(0o700);
    for (const key of [CA_FILES.rootKey, CA_FILES.intermediateKey]) {
      const pem = fs.readFileSync(path.join(caDir, key), "utf8");
      expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(openssl(["pkey", "-noout", "-text", "-in", path.join(caDir, key)])).toMatch(/NIST CURVE: P-256/);
    }
    expect(fs.readFileSync(path.join(caDir, CA_FILES.rootCert), "utf8")).toBe(ca.rootPem);
    expect(fs.readdirSync(path.dirname(caDir))).toEqual(["ca"]); // no staging directory left behind
  });

  it("makes a self-signed root (10 years, CA, keyCertSign + cRLSign, SKI)", () => {
    const rootFile = path.join(caDir, CA_FILES.rootCert);
    const text = openssl(["x509", "-noout", "-text", "-in", rootFile]);
    expect(text).toMatch(/Subject: CN ?= ?certdesk Demonstration Root CA, O ?= ?certdesk/);
    expect(text).toMatch(/Issuer: CN ?= ?certdesk Demonstration Root CA/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toMatch(/X509v3 Subject Key Identifier/);
    expect(text).toMatch(/ecdsa-with-SHA256/);
    expect(openssl(["verify", "-x509_strict", "-CAfile", rootFile, rootFile])).toMatch(/: OK/);
    const dates = openssl(["x509", "-noout", "-startdate", "-enddate", "-in", rootFile]);
    const [start, end] = [...dates.matchAll(/=(.+)$/gm)].map((m) => new Date(m[1]!).getUTCFullYear());
    expect(end! - start!).toBe(10);
  });

  it("makes an intermediate signed by the root (5 years, pathlen 0, AKI = root SKI)", () => {
    const rootFile = path.join(caDir, CA_FILES.rootCert);
    const intermediateFile = path.join(caDir, CA_FILES.intermediateCert);
    const text = openssl(["x509", "-noout", "-text", "-in", intermediateFile]);
    expect(text).toMatch(/Subject: CN ?= ?certdesk Demonstration Issuing CA/);
    expect(text).toMatch(/Issuer: CN ?= ?certdesk Demonstration Root CA/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    const rootSki = openssl(["x509", "-noout", "-ext", "subjectKeyIdentifier", "-in", rootFile]).split("\n")[1]!.trim();
    expect(text).toMatch(new RegExp(`Authority Key Identifier:\\s+(keyid:)?${rootSki}`));
    expect(openssl(["verify", "-x509_strict", "-CAfile", rootFile, intermediateFile])).toMatch(/: OK/);
    const dates = openssl(["x509", "-noout", "-startdate", "-enddate", "-in", intermediateFile]);
    const [start, end] = [...dates.matchAll(/=(.+)$/gm)].map((m) => new Date(m[1]!).getUTCFullYear());
    expect(end! - start!).toBe(5);
  });

  it("reuses the CA on disk at the next start: same root and intermediate, files untouched", async () => {
    const before = Object.values(CA_FILES).map((file) => fs.readFileSync(path.join(caDir, file), "utf8"));
    const again = await DemoCa.loadOrCreate(caDir);
    expect(again).not.toBe(ca); // really loaded again, not a cached object
    expect(fingerprint(again.rootPem)).toBe(fingerprint(ca.rootPem));
    expect(again.chainPem).toBe(ca.chainPem);
    const after = Object.values(CA_FILES).map((file) => fs.readFileSync(path.join(caDir, file), "utf8"));
    expect(after).toEqual(before);
  });

  it("creates one CA when called concurrently for a new directory", async () => {
    const dir = freshCaDir();
    const all = await Promise.all(Array.from({ length: 6 }, () => DemoCa.loadOrCreate(dir)));
    expect(new Set(all.map((each) => each.rootPem)).size).toBe(1);
    expect(fs.readFileSync(path.join(dir, CA_FILES.rootCert), "utf8")).toBe(all[0]!.rootPem);
    expect(fs.readdirSync(path.dirname(dir))).toEqual(["ca"]);
  });

  it("loses a creation race gracefully: the CA renamed into place first is the one everybody loads", async () => {
    // Two spellings of one directory (through a symlink) escape the in-process guard, the
    // way two processes would: both generate a CA, one rename wins, the other loads it.
    const dir = freshCaDir();
    const parent = path.dirname(dir);
    fs.mkdirSync(parent, { recursive: true });
    const alias = `${parent}-alias`;
    fs.symlinkSync(parent, alias);
    const [first, second] = await Promise.all([DemoCa.loadOrCreate(dir), DemoCa.loadOrCreate(path.join(alias, "ca"))]);
    expect(first.rootPem).toBe(second.rootPem);
    expect(fs.readFileSync(path.join(dir, CA_FILES.rootCert), "utf8")).toBe(first.rootPem);
    expect(fs.readdirSync(parent)).toEqual(["ca"]);
  });

  it("writes the CA directory in one rename: of two racing writers one creates, the other finds it", async () => {
    const dir = freshCaDir();
    const files = (tag: string) => ({ rootKey: `${tag}-rk`, rootCert: `${tag}-rc`, intermediateKey: `${tag}-ik`, intermediateCert: `${tag}-ic` });
    const results = await Promise.all([writeCaFilesAtomically(dir, files("a")), writeCaFilesAtomically(dir, files("b"))]);
    expect(results.sort()).toEqual(["created", "exists"]);
    const winner = fs.readFileSync(path.join(dir, CA_FILES.rootKey), "utf8").slice(0, 1);
    for (const [name, file] of Object.entries(CA_FILES)) {
      expect(fs.readFileSync(path.join(dir, file), "utf8")).toBe(files(winner)[name as keyof typeof CA_FILES]);
    }
    expect(fs.readdirSync(path.dirname(dir))).toEqual(["ca"]);
  });

  it("creates the CA in an existing empty directory", async () => {
    const dir = freshCaDir();
    fs.mkdirSync(dir, { recursive: true });
    const created = await DemoCa.loadOrCreate(dir);
    expect(fs.readFileSync(path.join(dir, CA_FILES.rootCert), "utf8")).toBe(created.rootPem);
  });

  it("refuses a partial CA directory and changes nothing", async () => {
    const dir = freshCaDir();
    await DemoCa.loadOrCreate(dir);
    fs.rmSync(path.join(dir, CA_FILES.intermediateKey));
    const rootBefore = fs.readFileSync(path.join(dir, CA_FILES.rootCert), "utf8");
    const error = await rejection(DemoCa.loadOrCreate(dir));
    expect(error).toBeInstanceOf(CaStoreError);
    expect((error as Error).message).toMatch(/incomplete.*missing intermediate\.key\.pem/);
    expect(fs.readFileSync(path.join(dir, CA_FILES.rootCert), "utf8")).toBe(rootBefore);
    expect(fs.readdirSync(dir)).toHaveLength(3);
    // A later attempt still refuses (the guard does not cache a failure).
    await expect(DemoCa.loadOrCreate(dir)).rejects.toBeInstanceOf(CaStoreError);
  });

  it("refuses a directory holding other files", async () => {
    const dir = freshCaDir();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "notes.txt"), "mine");
    await expect(DemoCa.loadOrCreate(dir)).rejects.toBeInstanceOf(CaStoreError);
    expect(fs.readdirSync(dir)).toEqual(["notes.txt"]);
  });

  it("refuses a CA whose key does not belong to its certificate", async () => {
    const dir = freshCaDir();
    await DemoCa.loadOrCreate(dir);
    fs.copyFileSync(path.join(dir, CA_FILES.rootKey), path.join(dir, CA_FILES.intermediateKey));
    const error = await rejection(DemoCa.loadOrCreate(dir));
    expect(error).toBeInstanceOf(CaStoreError);
    expect((error as Error).message).toMatch(/intermediate\.key\.pem does not belong to intermediate\.pem/);
  });

  it("recovers from a crash mid-creation: a leftover staging directory is no CA, and old ones are removed", async () => {
    const dir = freshCaDir();
    const parent = path.dirname(dir);
    fs.mkdirSync(parent, { recursive: true });
    // What a crash leaves: a staging directory with part of the files; the CA directory absent.
    const old = path.join(parent, ".ca.staging-crashed");
    fs.mkdirSync(old);
    fs.writeFileSync(path.join(old, CA_FILES.rootKey), "half");
    const longAgo = new Date(Date.now() - 60 * 60 * 1000);
    fs.utimesSync(old, longAgo, longAgo);
    const recent = path.join(parent, ".ca.staging-recent"); // maybe another process at work: kept
    fs.mkdirSync(recent);
    const created = await DemoCa.loadOrCreate(dir);
    expect(fs.readFileSync(path.join(dir, CA_FILES.rootCert), "utf8")).toBe(created.rootPem);
    expect(fs.readdirSync(parent).sort()).toEqual([".ca.staging-recent", "ca"]);
  });
});

describe("DemoCa.issue", () => {
  let rootFile: string;
  let intermediateFile: string;

  beforeAll(() => {
    rootFile = path.join(caDir, CA_FILES.rootCert);
    intermediateFile = path.join(caDir, CA_FILES.intermediateCert);
  });

  function verify(certificatePem: string): string {
    const leaf = tmpFile("leaf.pem", certificatePem);
    return openssl(["verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", rootFile, "-untrusted", intermediateFile, leaf]);
  }

  it("issues a certificate openssl reads: SANs, serverAuth, CA:FALSE, subject CN, serial", async () => {
    const issued = await ca.issue({ csrPem: ecCsr.csrPem, domains: ["example.com", "www.example.com"], validityDays: 365 });
    const text = openssl(["x509", "-noout", "-text", "-in", tmpFile("leaf.pem", issued.certificatePem)]);
    expect(text).toMatch(/Subject: CN ?= ?example\.com\n/);
    expect(text).toMatch(/Issuer: CN ?= ?certdesk Demonstration Issuing CA/);
    expect(text).toMatch(/X509v3 Subject Alternative Name:\s*\n\s*DNS:example\.com, DNS:www\.example\.com\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s*\n\s*TLS Web Server Authentication\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Subject Key Identifier/);
    expect(text).toMatch(/X509v3 Authority Key Identifier/);
    const serial = openssl(["x509", "-noout", "-serial", "-in", tmpFile("leaf.pem", issued.certificatePem)]);
    expect(serial.trim().toLowerCase()).toBe(`serial=${issued.serialNumber}`);
    expect(issued.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
  });

  it("chains to the root: openssl verify -CAfile root -untrusted intermediate says OK", async () => {
    const issued = await ca.issue({ csrPem: ecCsr.csrPem, domains: ["example.com", "www.example.com"], validityDays: 90 });
    expect(verify(issued.certificatePem)).toMatch(/: OK\n$/);
    expect(issued.chainPem).toBe(ca.intermediatePem + ca.rootPem);
    expect(issued.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    // The chain as a server would send it, leaf then chain, also verifies against the root alone.
    const bundle = tmpFile("bundle.pem", issued.chainPem);
    const leaf = tmpFile("leaf.pem", issued.certificatePem);
    expect(openssl(["verify", "-CAfile", rootFile, "-untrusted", bundle, leaf])).toMatch(/: OK/);
  });

  it("certifies the CSR's own public key", async () => {
    const issued = await ca.issue({ csrPem: ecCsr.csrPem, domains: ["www.example.com", "example.com"], validityDays: 30 });
    const certKey = openssl(["x509", "-noout", "-pubkey", "-in", tmpFile("leaf.pem", issued.certificatePem)]);
    const csrKey = openssl(["req", "-noout", "-pubkey", "-in", tmpFile("req.pem", ecCsr.csrPem)]);
    const privateKeyPub = openssl(["pkey", "-pubout", "-in", tmpFile("key.pem", ecCsr.keyPem)]);
    expect(certKey).toMatch(/BEGIN PUBLIC KEY/);
    expect(certKey).toBe(csrKey);
    expect(certKey).toBe(privateKeyPub);
  });

  it("gives every certificate a unique random 16-byte positive serial", async () => {
    const serials = await Promise.all(
      Array.from({ length: 25 }, () => ca.issue({ csrPem: ecCsr.csrPem, domains: ["example.com", "www.example.com"], validityDays: 1 })),
    ).then((all) => all.map((issued) => issued.serialNumber));
    expect(new Set(serials).size).toBe(25);
    for (const serial of serials) {
      expect(serial).toMatch(/^[0-7][0-9a-f]{31}$/);
      expect(serial.startsWith("00")).toBe(false);
    }
  });

  it("is valid from notBefore for exactly validityDays", async () => {
    const notBefore = new Date("2030-03-04T05:06:07.890Z");
    const issued = await ca.issue({ csrPem: ecCsr.csrPem, domains: ["example.com", "www.example.com"], validityDays: 398, notBefore });
    expect(issued.notBefore.toISOString()).toBe("2030-03-04T05:06:07.000Z");
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(398 * 24 * 60 * 60 * 1000);
    const dates = openssl(["x509", "-noout", "-startdate", "-enddate", "-in", tmpFile("leaf.pem", issued.certificatePem)]);
    expect(dates).toBe("notBefore=Mar  4 05:06:07 2030 GMT\nnotAfter=Apr  6 05:06:07 2031 GMT\n");
  });

  it("starts now by default", async () => {
    const before = Date.now();
    const issued = await ca.issue({ csrPem: ecCsr.csrPem, domains: ["example.com", "www.example.com"], validityDays: 730 });
    expect(issued.notBefore.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(issued.notBefore.getTime()).toBeLessThanOrEqual(Date.now());
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(730 * 24 * 60 * 60 * 1000);
  });

  it("issues wildcards", async () => {
    const csr = makeCsr({ cn: "*.shop.example", san: ["*.shop.example", "shop.example"] });
    const issued = await ca.issue({ csrPem: csr.csrPem, domains: ["*.shop.example", "shop.example"], validityDays: 90 });
    const text = openssl(["x509", "-noout", "-text", "-in", tmpFile("leaf.pem", issued.certificatePem)]);
    expect(text).toMatch(/Subject: CN ?= ?\*\.shop\.example\n/);
    expect(text).toMatch(/DNS:\*\.shop\.example, DNS:shop\.example\n/);
    expect(verify(issued.certificatePem)).toMatch(/: OK\n$/);
    const leaf = tmpFile("leaf.pem", issued.certificatePem);
    expect(openssl(["x509", "-noout", "-checkhost", "www.shop.example", "-in", leaf])).toMatch(/does match/);
  });

  it("issues for an RSA 2048 CSR, adding keyEncipherment", async () => {
    const csr = makeCsr({ cn: "rsa.example", san: ["rsa.example"], key: "rsa-2048" });
    const issued = await ca.issue({ csrPem: csr.csrPem, domains: ["RSA.example"], validityDays: 365 });
    const text = openssl(["x509", "-noout", "-text", "-in", tmpFile("leaf.pem", issued.certificatePem)]);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment\n/);
    expect(text).toMatch(/Public-Key: \(2048 bit\)/);
    expect(text).toMatch(/DNS:rsa\.example\n/);
    expect(verify(issued.certificatePem)).toMatch(/: OK\n$/);
    const modulus = (args: string[], pem: string) => openssl([...args, "-in", tmpFile("x.pem", pem)]).trim();
    expect(modulus(["x509", "-noout", "-modulus"], issued.certificatePem)).toBe(modulus(["rsa", "-noout", "-modulus"], csr.keyPem));
  });

  it("puts the first domain that fits in a CN (64 characters) into the subject", async () => {
    const long = `${"a".repeat(60)}.example`;
    const csr = makeCsr({ san: [long, "short.example"] });
    const issued = await ca.issue({ csrPem: csr.csrPem, domains: [long, "short.example"], validityDays: 90 });
    const text = openssl(["x509", "-noout", "-text", "-in", tmpFile("leaf.pem", issued.certificatePem)]);
    expect(text).toMatch(/Subject: CN ?= ?short\.example\n/);
    expect(text).toMatch(new RegExp(`DNS:${long.replace(/\./g, "\\.")}, DNS:short\\.example\\n`));
    expect(verify(issued.certificatePem)).toMatch(/: OK\n$/);
  });

  it("leaves the subject empty and marks the SAN critical when no domain fits in a CN", async () => {
    const long = `${"b".repeat(63)}.example`;
    const csr = makeCsr({ san: [long] });
    const issued = await ca.issue({ csrPem: csr.csrPem, domains: [long], validityDays: 90 });
    const text = openssl(["x509", "-noout", "-text", "-in", tmpFile("leaf.pem", issued.certificatePem)]);
    expect(text).toMatch(/Subject: ?\n/);
    expect(text).toMatch(new RegExp(`X509v3 Subject Alternative Name: critical\\s+DNS:${"b".repeat(63)}\\.example\\n`));
    expect(verify(issued.certificatePem)).toMatch(/: OK\n$/);
  });

  it("refuses a CSR whose names are not the domains, and bad CSRs, with invalid_csr", async () => {
    const mismatch = await rejection(ca.issue({ csrPem: ecCsr.csrPem, domains: ["example.com"], validityDays: 90 }));
    expect(mismatch).toBeInstanceOf(AppError);
    expect(mismatch).toMatchObject({ code: "invalid_csr" });
    expect((mismatch as AppError).detail).toMatch(/not in the order: www\.example\.com/);
    const weak = makeCsr({ cn: "weak.example", key: "rsa-1024" });
    await expect(ca.issue({ csrPem: weak.csrPem, domains: ["weak.example"], validityDays: 90 })).rejects.toMatchObject({
      code: "invalid_csr",
    });
    await expect(ca.issue({ csrPem: "garbage", domains: ["a.example"], validityDays: 90 })).rejects.toMatchObject({
      code: "invalid_csr",
    });
  });

  it("refuses bad domains and validity with invalid_request", async () => {
    const base = { csrPem: ecCsr.csrPem, domains: ["example.com", "www.example.com"], validityDays: 90 };
    for (const input of [
      { ...base, domains: [] },
      { ...base, domains: ["example.com", "www.example.com", "EXAMPLE.com"] },
      { ...base, domains: ["example.com", "bad name"] },
      { ...base, validityDays: 0 },
      { ...base, validityDays: 1.5 },
      { ...base, validityDays: 3651 },
      { ...base, notBefore: new Date("nonsense") },
    ]) {
      await expect(ca.issue(input)).rejects.toMatchObject({ code: "invalid_request" });
    }
  });
});
