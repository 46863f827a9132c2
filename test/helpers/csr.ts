// Real CSRs and checks made by the openssl command line, so the CA is judged by a tool
// that is not the library it is built on.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export type CsrKeyType = "ec-p256" | "ec-p384" | "ec-secp256k1" | "rsa-2048" | "rsa-1024" | "ed25519";

export interface GeneratedCsr {
  csrPem: string;
  keyPem: string;
}

export interface CsrOptions {
  /** Subject CN; omitted → the subject is just O=certdesk test. */
  cn?: string;
  /** subjectAltName entries as openssl writes them, e.g. "DNS:a.example", "IP:10.0.0.1". Bare names become DNS:. */
  san?: string[];
  key?: CsrKeyType;
}

const NEWKEY: Record<CsrKeyType, string[]> = {
  "ec-p256": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
  "ec-p384": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
  "ec-secp256k1": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp256k1"],
  "rsa-2048": ["-newkey", "rsa:2048"],
  "rsa-1024": ["-newkey", "rsa:1024"],
  ed25519: ["-newkey", "ed25519"],
};

/** A temporary directory removed by the returned cleanup. */
export function makeTmpDir(prefix = "certdesk-certs-"): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Runs openssl with the given arguments; stdout as text (throws with stderr on failure). */
export function openssl(args: string[], options: { cwd?: string; input?: string } = {}): string {
  return execFileSync("openssl", args, {
    cwd: options.cwd,
    input: options.input,
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Generates a fresh key and CSR with `openssl req -new`. */
export function makeCsr(options: CsrOptions = {}): GeneratedCsr {
  const { dir, cleanup } = makeTmpDir("certdesk-csr-");
  try {
    const subject = options.cn === undefined ? "/O=certdesk test" : `/CN=${options.cn}`;
    const args = ["req", "-new", ...NEWKEY[options.key ?? "ec-p256"], "-nodes", "-subj", subject];
    if (options.san && options.san.length > 0) {
      const entries = options.san.map((entry) => (/^[A-Za-z]+:/.test(entry) ? entry : `DNS:${entry}`));
      args.push("-addext", `subjectAltName=${entries.join(",")}`);
    }
    args.push("-keyout", "key.pem", "-out", "csr.pem");
    openssl(args, { cwd: dir });
    return {
      csrPem: fs.readFileSync(path.join(dir, "csr.pem"), "utf8"),
      keyPem: fs.readFileSync(path.join(dir, "key.pem"), "utf8"),
    };
  } finally {
    cleanup();
  }
}

/** PEM body → DER. */
export function pemToDer(pem: string): Buffer {
  const body = pem.replace(/-----(BEGIN|END) [^-]+-----/g, "").replace(/\s+/g, "");
  return Buffer.from(body, "base64");
}

/** DER → PEM with the given label, 64 characters a line. */
export function derToPem(der: Buffer, label: string): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** The same CSR with one bit of its signature (the last byte of the DER) flipped. */
export function tamperCsrSignature(csrPem: string): string {
  const der = pemToDer(csrPem);
  der[der.length - 1] = der[der.length - 1]! ^ 0x01;
  return derToPem(der, "CERTIFICATE REQUEST");
}
