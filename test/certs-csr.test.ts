// CSR checks: what parseCsr accepts, what it refuses (always invalid_csr), and name matching.
import { beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../src/server/errors.js";
import { assertCsrNamesMatch, isDnsName, MAX_CSR_BYTES, parseCsr } from "../src/server/certs/index.js";
import { derToPem, makeCsr, pemToDer, tamperCsrSignature } from "./helpers/csr.js";
import type { GeneratedCsr } from "./helpers/csr.js";

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("invalid_csr");
  expect((error as AppError).status).toBe(400);
  return error as AppError;
}

let ecCsr: GeneratedCsr;

beforeAll(() => {
  ecCsr = makeCsr({ cn: "Example.com", san: ["example.com", "WWW.example.com", "*.example.com"] });
});

describe("parseCsr accepts", () => {
  it("an ECDSA P-256 CSR: names are CN ∪ SAN, lower-cased, deduplicated, sorted", async () => {
    const parsed = await parseCsr(ecCsr.csrPem);
    expect(parsed.names).toEqual(["*.example.com", "example.com", "www.example.com"]);
    expect(parsed.publicKeyAlgorithm).toBe("ECDSA P-256");
    expect(parsed.csr.subject).toBe("CN=Example.com");
  });

  it("ECDSA P-384 and RSA 2048 keys", async () => {
    const p384 = await parseCsr(makeCsr({ cn: "p384.example", key: "ec-p384" }).csrPem);
    expect(p384).toMatchObject({ names: ["p384.example"], publicKeyAlgorithm: "ECDSA P-384" });
    const rsa = await parseCsr(makeCsr({ cn: "rsa.example", san: ["rsa.example"], key: "rsa-2048" }).csrPem);
    expect(rsa).toMatchObject({ names: ["rsa.example"], publicKeyAlgorithm: "RSA 2048" });
  });

  it("a CN that is not a DNS name is ignored when the SAN names the domains", async () => {
    const parsed = await parseCsr(makeCsr({ cn: "My Web Server", san: ["shop.example"] }).csrPem);
    expect(parsed.names).toEqual(["shop.example"]);
  });

  it("a CSR without CN, names only in the SAN", async () => {
    const parsed = await parseCsr(makeCsr({ san: ["b.example", "a.example"] }).csrPem);
    expect(parsed.names).toEqual(["a.example", "b.example"]);
  });

  it("surrounding whitespace and CRLF line ends", async () => {
    const parsed = await parseCsr(`\r\n  ${ecCsr.csrPem.replace(/\n/g, "\r\n")}\r\n\r\n`);
    expect(parsed.names).toHaveLength(3);
  });

  it("the NEW CERTIFICATE REQUEST label some tools write", async () => {
    const pem = derToPem(pemToDer(ecCsr.csrPem), "NEW CERTIFICATE REQUEST");
    expect((await parseCsr(pem)).names).toHaveLength(3);
  });
});

describe("parseCsr refuses with invalid_csr", () => {
  it("garbage, empty text and non-strings", async () => {
    await refusal(parseCsr("hello, I am not a CSR"));
    await refusal(parseCsr(""));
    await refusal(parseCsr(undefined as unknown as string));
    await refusal(parseCsr(42 as unknown as string));
  });

  it("a certificate, a private key or a public key instead of a CSR", async () => {
    const certificate = derToPem(pemToDer(ecCsr.csrPem), "CERTIFICATE");
    expect((await refusal(parseCsr(certificate))).detail).toMatch(/CERTIFICATE REQUEST.*"CERTIFICATE"/);
    await refusal(parseCsr(ecCsr.keyPem));
  });

  it("two PEM blocks, text around the block, mismatched END label", async () => {
    expect((await refusal(parseCsr(ecCsr.csrPem + ecCsr.csrPem))).detail).toMatch(/found 2 PEM blocks/);
    await refusal(parseCsr(`Here is my CSR:\n${ecCsr.csrPem}`));
    await refusal(parseCsr(ecCsr.csrPem.replace("-----END CERTIFICATE REQUEST-----", "-----END CERTIFICATE-----")));
  });

  it("a body that is not base64, or not one DER structure", async () => {
    await refusal(parseCsr(ecCsr.csrPem.replace(/\n([A-Za-z0-9+/]{10})/, "\n!!!!!!!!!!")));
    await refusal(parseCsr(derToPem(Buffer.concat([pemToDer(ecCsr.csrPem), Buffer.from([0, 0])]), "CERTIFICATE REQUEST")));
    await refusal(parseCsr(derToPem(pemToDer(ecCsr.csrPem).subarray(0, 100), "CERTIFICATE REQUEST")));
    await refusal(parseCsr(derToPem(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), "CERTIFICATE REQUEST")));
  });

  it("more than 16 KiB", async () => {
    const padded = ecCsr.csrPem + " ".repeat(MAX_CSR_BYTES);
    expect((await refusal(parseCsr(padded))).detail).toMatch(/16 KiB/);
  });

  it("a signature that does not verify (one bit flipped)", async () => {
    const rsa = makeCsr({ cn: "rsa.example", key: "rsa-2048" });
    for (const pem of [tamperCsrSignature(ecCsr.csrPem), tamperCsrSignature(rsa.csrPem)]) {
      expect((await refusal(parseCsr(pem))).detail).toMatch(/signature does not verify/);
    }
  });

  it("RSA 1024, secp256k1 and Ed25519 keys", async () => {
    const rsa1024 = await refusal(parseCsr(makeCsr({ cn: "weak.example", key: "rsa-1024" }).csrPem));
    expect(rsa1024.detail).toMatch(/2048 to 8192 bits; this one has 1024/);
    const k1 = await refusal(parseCsr(makeCsr({ cn: "k1.example", key: "ec-secp256k1" }).csrPem));
    expect(k1.detail).toMatch(/P-256 or P-384/);
    const ed = await refusal(parseCsr(makeCsr({ cn: "ed.example", key: "ed25519" }).csrPem));
    expect(ed.detail).toMatch(/Unsupported key type "ed25519"/);
  });

  it("non-DNS subjectAltNames (IP, e-mail) and invalid DNS names", async () => {
    const ip = await refusal(parseCsr(makeCsr({ cn: "a.example", san: ["a.example", "IP:10.0.0.1"] }).csrPem));
    expect(ip.detail).toMatch(/Only DNS names.*"ip 10\.0\.0\.1"/);
    await refusal(parseCsr(makeCsr({ cn: "a.example", san: ["email:admin@a.example"] }).csrPem));
    const bad = await refusal(parseCsr(makeCsr({ cn: "a.example", san: ["bad_name.example"] }).csrPem));
    expect(bad.detail).toMatch(/"bad_name\.example" is not a valid DNS name/);
  });

  it("no DNS name at all", async () => {
    await refusal(parseCsr(makeCsr({ cn: "Not A Host Name" }).csrPem));
    await refusal(parseCsr(makeCsr({}).csrPem));
  });
});

describe("assertCsrNamesMatch", () => {
  it("passes when the sets are equal, whatever the case and order", () => {
    expect(() => assertCsrNamesMatch(["b.example", "A.example"], ["a.example", "B.EXAMPLE"])).not.toThrow();
  });

  it("refuses with invalid_csr naming the missing and the extra names", () => {
    let error: unknown;
    try {
      assertCsrNamesMatch(["a.example", "c.example"], ["a.example", "b.example"]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("invalid_csr");
    expect((error as AppError).detail).toBe(
      "The CSR's names must be exactly the order's domains. Missing from the CSR: b.example. In the CSR but not in the order: c.example.",
    );
    expect(() => assertCsrNamesMatch(["a.example"], ["a.example", "b.example"])).toThrow(/Missing from the CSR: b\.example\.$/);
    expect(() => assertCsrNamesMatch(["a.example", "x.example"], ["a.example"])).toThrow(/not in the order: x\.example\.$/);
  });
});

describe("isDnsName", () => {
  it.each([
    ["example.com", true],
    ["WWW.Example.COM", true],
    ["*.example.com", true],
    ["xn--bcher-kva.example", true],
    ["localhost", true],
    ["a-b.c0.example", true],
    ["*.com", false],
    ["*", false],
    ["www.*.example.com", false],
    ["*example.com", false],
    ["-a.example", false],
    ["a-.example", false],
    ["a..example", false],
    ["example.com.", false],
    ["under_score.example", false],
    ["10.0.0.1", false],
    ["a b.example", false],
    ["", false],
    [`${"a".repeat(64)}.example`, false],
    [`${"a".repeat(63)}.example`, true],
    [Array.from({ length: 60 }, () => "abcd").join("."), false],
  ])("%s → %s", (name, expected) => {
    expect(isDnsName(name)).toBe(expected);
  });
});
