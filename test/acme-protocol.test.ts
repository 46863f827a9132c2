// ACME (RFC 8555, SPEC 20) driven by the acme-client npm package and by hand-made JWS requests,
// against a listening certdesk on both engines: the whole issuance by dns-01 and http-01, the
// certificate checked with openssl against the chain, revocation seen in OCSP, and the protocol's
// edge cases — bad nonce, malformed JWS, EAB with a wrong MAC or a revoked credential, names a CA
// may not certify, key change, deactivation, onlyReturnExisting.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import acme from "acme-client";
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { FlattenedSign, calculateJwkThumbprint, exportJWK, generateKeyPair, importPKCS8 } from "jose";
import type { CryptoKey, JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backgroundIdle } from "../src/server/background.js";
import { ENGINES } from "./helpers/engines.js";
import { startAcmeTestServer } from "./helpers/acme-server.js";
import type { AcmeTestServer } from "./helpers/acme-server.js";
import { uniqueDomain } from "./helpers/fixtures.js";

function dnsDigestFor(token: string, thumbprint: string): string {
  return createHash("sha256").update(`${token}.${thumbprint}`).digest("base64url");
}

const quick = { backoffMin: 10, backoffMax: 200, backoffAttempts: 30 } as const;

interface Key {
  privateKey: CryptoKey;
  jwk: JWK;
  alg: "ES256" | "RS256";
}

async function newKey(alg: "ES256" | "RS256" = "ES256"): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: await exportJWK(publicKey), alg };
}

/** A raw ACME client: JWS made with jose, so each test can break exactly one thing. */
class Raw {
  constructor(
    readonly s: AcmeTestServer,
    readonly key: Key,
    public kid?: string,
  ) {}

  async nonce(): Promise<string> {
    const response = await fetch(`${this.s.baseUrl}/acme/new-nonce`, { method: "HEAD" });
    return response.headers.get("replay-nonce")!;
  }

  async jws(url: string, payload: unknown, header: Record<string, unknown> = {}, key = this.key): Promise<Record<string, string>> {
    const bytes = payload === "" ? new Uint8Array() : new TextEncoder().encode(JSON.stringify(payload));
    const id = this.kid && !("jwk" in header) ? { kid: this.kid } : { jwk: key.jwk };
    return new FlattenedSign(bytes).setProtectedHeader({ alg: key.alg, nonce: await this.nonce(), url, ...id, ...header } as never).sign(key.privateKey) as never;
  }

  async post(url: string, body: unknown, contentType = "application/jose+json") {
    const response = await fetch(url, { method: "POST", headers: { "content-type": contentType }, body: typeof body === "string" ? body : JSON.stringify(body) });
    const text = await response.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* a certificate chain */
    }
    return { status: response.status, headers: response.headers, json, text };
  }

  async eab(keyId = this.s.credential.keyId, hmacKey = this.s.credential.hmacKey, url = `${this.s.baseUrl}/acme/new-account`) {
    return new FlattenedSign(new TextEncoder().encode(JSON.stringify(this.key.jwk)))
      .setProtectedHeader({ alg: "HS256", kid: keyId, url })
      .sign(Buffer.from(hmacKey, "base64url"));
  }

  async newAccount(extra: Record<string, unknown> = {}) {
    const url = `${this.s.baseUrl}/acme/new-account`;
    const response = await this.post(url, await this.jws(url, { termsOfServiceAgreed: true, externalAccountBinding: await this.eab(), ...extra }, { jwk: this.key.jwk }));
    if (response.status === 201 || response.status === 200) this.kid = response.headers.get("location")!;
    return response;
  }
}

function clientFor(s: AcmeTestServer, accountKey: Buffer, eab = true) {
  return new acme.Client({
    directoryUrl: s.directoryUrl,
    accountKey,
    ...quick,
    ...(eab ? { externalAccountBinding: { kid: s.credential.keyId, hmacKey: s.credential.hmacKey } } : {}),
  });
}

/** openssl as a relying party; asynchronous, since the server it asks (OCSP) runs in this process. */
async function openssl(args: string[]): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)("openssl", args, { encoding: "utf8" });
  return stdout + stderr;
}

describe.each(ENGINES)("ACME protocol (%s)", (engine) => {
  let s: AcmeTestServer;
  let web: http.Server;
  const httpFiles = new Map<string, string>();
  let dir: string;

  beforeAll(async () => {
    web = http.createServer((request, response) => {
      const body = httpFiles.get(request.url ?? "");
      response.writeHead(body ? 200 : 404).end(body ?? "not here");
    });
    await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
    const port = (web.address() as { port: number }).port;
    s = await startAcmeTestServer(engine, { DCV_HTTP_PORT: String(port) });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-acme-"));
  });
  afterAll(async () => {
    await s?.close();
    await new Promise((resolve) => web?.close(resolve));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function issue(client: acme.Client, domains: string[], by: "dns-01" | "http-01") {
    const order = await client.createOrder({ identifiers: domains.map((value) => ({ type: "dns", value })) });
    for (const authz of await client.getAuthorizations(order)) {
      if (authz.status === "valid") continue;
      const challenge = authz.challenges.find((c) => c.type === by)!;
      const keyAuth = await client.getChallengeKeyAuthorization(challenge);
      if (by === "dns-01") s.h.dns.set(`_acme-challenge.${authz.identifier.value}`, "TXT", [keyAuth]);
      else {
        s.h.dns.set(authz.identifier.value, "A", ["127.0.0.1"]);
        httpFiles.set(`/.well-known/acme-challenge/${challenge.token}`, keyAuth);
      }
      await client.completeChallenge(challenge);
      await backgroundIdle(s.h.app);
      await client.waitForValidStatus(challenge);
    }
    const [key, csr] = await acme.crypto.createCsr({ altNames: domains }, await acme.crypto.createPrivateEcdsaKey());
    const finalized = await client.finalizeOrder(order, csr);
    expect(finalized.status).toBe("valid");
    return { order: finalized, key, pem: await client.getCertificate(finalized) };
  }

  function verifyChain(pem: string) {
    const file = path.join(dir, `chain-${Date.now()}-${Math.random()}.pem`);
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    expect(blocks).toHaveLength(2); // leaf + intermediate; the root is the relying party's
    fs.writeFileSync(`${file}.leaf`, `${blocks[0]}\n`);
    fs.writeFileSync(`${file}.int`, `${blocks[1]}\n`);
    return { leaf: `${file}.leaf`, intermediate: `${file}.int` };
  }

  it("issues by dns-01 with an ES256 account, verifies with openssl, lists it as an ACME order, and revokes it into OCSP", async () => {
    const client = clientFor(s, await acme.crypto.createPrivateEcdsaKey());
    await client.createAccount({ termsOfServiceAgreed: true, contact: ["mailto:ops@example.com"] });
    const domain = uniqueDomain("acme");
    const { pem, order } = await issue(client, [domain, `www.${domain}`], "dns-01");
    const files = verifyChain(pem);
    const root = path.join(dir, "root.pem");
    fs.writeFileSync(root, await (await fetch(`${s.baseUrl}/pki/root.pem`)).text());
    expect(await openssl(["verify", "-CAfile", root, "-untrusted", files.intermediate, files.leaf])).toContain(": OK");

    const orders = (await s.owner.client.get(`/api/teams/${s.teamId}/orders`)).json();
    const listed = orders.items.find((o: { domains: string[] }) => o.domains.includes(domain));
    expect(listed).toMatchObject({ source: "acme", status: "issued" });
    // Charged once, at finalize, to the credential's billing profile.
    const charges = await s.h.t.db.kysely.selectFrom("transactions").selectAll().where("orderId", "=", listed.id).execute();
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ kind: "charge", billingProfileId: s.billingProfileId });
    expect(charges[0]!.acmeAccountId).toBeTruthy();

    await client.revokeCertificate(pem, { reason: 1 });
    const ocsp = await openssl(["ocsp", "-issuer", files.intermediate, "-cert", files.leaf, "-url", `${s.baseUrl}/pki/ocsp`, "-CAfile", root, "-no_nonce"]);
    expect(ocsp).toMatch(/: revoked/);
    expect(ocsp).toMatch(/Reason: keyCompromise/);
    expect(order.status).toBe("valid");
  });

  it("issues by http-01 with an RS256 account; the next order of the name is valid from the team's ledger", async () => {
    const client = clientFor(s, await acme.crypto.createPrivateRsaKey(2048));
    await client.createAccount({ termsOfServiceAgreed: true });
    const domain = uniqueDomain("web");
    await issue(client, [domain], "http-01");
    const again = await client.createOrder({ identifiers: [{ type: "dns", value: domain }] });
    expect(again.status).toBe("ready");
    const [authz] = await client.getAuthorizations(again);
    expect(authz!.status).toBe("valid");
  });

  it("refuses a nonce twice, and a made-up one, with badNonce and a fresh Replay-Nonce", async () => {
    const raw = new Raw(s, await newKey());
    const url = `${s.baseUrl}/acme/new-account`;
    const body = await raw.jws(url, { onlyReturnExisting: true });
    const first = await raw.post(url, body);
    expect(first.json.type).toBe("urn:ietf:params:acme:error:accountDoesNotExist");
    const replayed = await raw.post(url, body);
    expect(replayed.status).toBe(400);
    expect(replayed.json.type).toBe("urn:ietf:params:acme:error:badNonce");
    expect(replayed.headers.get("replay-nonce")).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const madeUp = await raw.post(url, await raw.jws(url, {}, { nonce: "bm90LWEtbm9uY2U" }));
    expect(madeUp.json.type).toBe("urn:ietf:params:acme:error:badNonce");
  });

  it("refuses malformed JWS: not JSON, wrong content type, general serialization, bad signature, alg none, wrong url", async () => {
    const raw = new Raw(s, await newKey());
    const url = `${s.baseUrl}/acme/new-account`;
    expect((await raw.post(url, "{not json")).json.type).toBe("urn:ietf:params:acme:error:malformed");
    const wrongType = await raw.post(url, await raw.jws(url, {}), "application/json");
    expect(wrongType.status).toBe(415);
    expect(wrongType.json.type).toBe("urn:ietf:params:acme:error:malformed");
    const general = await raw.jws(url, {});
    expect((await raw.post(url, { payload: general.payload, signatures: [{ protected: general.protected, signature: general.signature }] })).json.type).toBe(
      "urn:ietf:params:acme:error:malformed",
    );
    const tampered = await raw.jws(url, { onlyReturnExisting: true });
    tampered.signature = `${tampered.signature!.slice(0, -4)}AAAA`;
    expect((await raw.post(url, tampered)).json.type).toBe("urn:ietf:params:acme:error:malformed");
    const none = { ...(await raw.jws(url, {})) };
    none.protected = Buffer.from(JSON.stringify({ alg: "none", nonce: await raw.nonce(), url, jwk: raw.key.jwk })).toString("base64url");
    const refusedAlg = await raw.post(url, none);
    expect(refusedAlg.json.type).toBe("urn:ietf:params:acme:error:badSignatureAlgorithm");
    expect(refusedAlg.json.algorithms).toContain("ES256");
    const elsewhere = await raw.post(url, await raw.jws(`${s.baseUrl}/acme/new-order`, {}));
    expect(elsewhere.json.type).toBe("urn:ietf:params:acme:error:unauthorized");
    // A plain GET of a POST resource, and an unknown path, stay in ACME's problem format.
    const get = await fetch(`${s.baseUrl}/acme/new-order`);
    expect(get.status).toBe(405);
    expect(((await get.json()) as { type: string }).type).toBe("urn:ietf:params:acme:error:malformed");
    const unknown = await fetch(`${s.baseUrl}/acme/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/problem+json");
  });

  it("requires External Account Binding, refuses a wrong MAC, an unknown key id and a revoked credential", async () => {
    const noEab = await clientFor(s, await acme.crypto.createPrivateEcdsaKey(), false)
      .createAccount({ termsOfServiceAgreed: true })
      .catch((e: Error) => e);
    expect(String(noEab)).toMatch(/External Account Binding/);

    const raw = new Raw(s, await newKey());
    const url = `${s.baseUrl}/acme/new-account`;
    const wrongMac = await raw.eab(s.credential.keyId, Buffer.alloc(32, 7).toString("base64url"));
    const badMac = await raw.post(url, await raw.jws(url, { externalAccountBinding: wrongMac }));
    expect(badMac.status).toBe(403);
    expect(badMac.json.type).toBe("urn:ietf:params:acme:error:unauthorized");
    const unknownKid = await raw.post(url, await raw.jws(url, { externalAccountBinding: await raw.eab("no-such-key") }));
    expect(unknownKid.json.type).toBe("urn:ietf:params:acme:error:unauthorized");
    // The binding must bind THIS key.
    const other = new Raw(s, await newKey());
    const foreign = await raw.post(url, await raw.jws(url, { externalAccountBinding: await other.eab() }));
    expect(foreign.json.detail).toMatch(/different key/);

    // A credential revoked in the dashboard: no new account binds with it, and its accounts stop.
    const { createAcmeCredential } = await import("./helpers/acme-credentials.js");
    const doomed = await createAcmeCredential(s.owner.client, s.teamId, s.billingProfileId, "doomed");
    const bound = new Raw({ ...s, credential: doomed }, await newKey());
    expect((await bound.newAccount()).status).toBe(201);
    expect((await s.owner.client.delete(`/api/teams/${s.teamId}/acme-credentials/${doomed.id}`)).statusCode).toBe(204);
    const later = new Raw({ ...s, credential: doomed }, await newKey());
    const refused = await later.newAccount();
    expect(refused.status).toBe(403);
    expect(refused.json.detail).toMatch(/revoked/);
    const newOrder = `${s.baseUrl}/acme/new-order`;
    const stopped = await bound.post(newOrder, await bound.jws(newOrder, { identifiers: [{ type: "dns", value: uniqueDomain() }] }));
    expect(stopped.status).toBe(401);
    expect(stopped.json.type).toBe("urn:ietf:params:acme:error:unauthorized");
  });

  it("finds an account again with onlyReturnExisting, and answers the same account for a second newAccount", async () => {
    const raw = new Raw(s, await newKey());
    const url = `${s.baseUrl}/acme/new-account`;
    const missing = await raw.post(url, await raw.jws(url, { onlyReturnExisting: true }));
    expect(missing.status).toBe(400);
    expect(missing.json.type).toBe("urn:ietf:params:acme:error:accountDoesNotExist");
    const created = await raw.newAccount({ contact: ["mailto:admin@example.com"] });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: "valid", contact: ["mailto:admin@example.com"] });
    const again = await raw.post(url, await raw.jws(url, { onlyReturnExisting: true }, { jwk: raw.key.jwk }));
    expect(again.status).toBe(200);
    expect(again.headers.get("location")).toBe(created.headers.get("location"));
    // The credential lists the account with its key's thumbprint.
    const list = (await s.owner.client.get(`/api/teams/${s.teamId}/acme-credentials`)).json();
    const accounts = list.items.flatMap((c: { accounts: { thumbprint: string }[] }) => c.accounts);
    expect(accounts.map((a: { thumbprint: string }) => a.thumbprint)).toContain(await calculateJwkThumbprint(raw.key.jwk));
  });

  it("refuses identifiers a CA may not certify, with a subproblem for each", async () => {
    const raw = new Raw(s, await newKey());
    await raw.newAccount();
    const url = `${s.baseUrl}/acme/new-order`;
    const refused = await raw.post(
      url,
      await raw.jws(url, { identifiers: [{ type: "dns", value: "printer.corp" }, { type: "dns", value: "co.uk" }, { type: "dns", value: uniqueDomain() }] }),
    );
    expect(refused.status).toBe(400);
    expect(refused.json.type).toBe("urn:ietf:params:acme:error:rejectedIdentifier");
    expect(refused.json.subproblems.map((p: { identifier: { value: string } }) => p.identifier.value)).toEqual(["printer.corp", "co.uk"]);
    const ip = await raw.post(url, await raw.jws(url, { identifiers: [{ type: "ip", value: "192.0.2.1" }] }));
    expect(ip.json.type).toBe("urn:ietf:params:acme:error:unsupportedIdentifier");
    // The subproblem names the identifier as sent, its type included (§6.7.1).
    expect(ip.json.subproblems).toEqual([expect.objectContaining({ identifier: { type: "ip", value: "192.0.2.1" } })]);
  });

  it("answers a failed challenge as invalid with what certdesk found; the order is invalid and cannot be finalized", async () => {
    const client = clientFor(s, await acme.crypto.createPrivateEcdsaKey());
    await client.createAccount({ termsOfServiceAgreed: true });
    const domain = uniqueDomain("wrong");
    const order = await client.createOrder({ identifiers: [{ type: "dns", value: domain }] });
    const [authz] = await client.getAuthorizations(order);
    const challenge = authz!.challenges.find((c) => c.type === "dns-01")!;
    s.h.dns.set(`_acme-challenge.${domain}`, "TXT", ["not the digest"]);
    await client.completeChallenge(challenge);
    await backgroundIdle(s.h.app);
    const failed = await client.waitForValidStatus(challenge).catch((e: Error) => e);
    expect(String(failed)).toMatch(/not the digest|invalid/);
    const now = await client.getOrder(order);
    expect(now.status).toBe("invalid");
    const [, csr] = await acme.crypto.createCsr({ altNames: [domain] });
    const notReady = await client.finalizeOrder(now, csr).catch((e: Error) => e);
    expect(String(notReady)).toMatch(/invalid|ready/);
    // Nothing was charged for it.
    const row = await s.h.t.db.kysely.selectFrom("transactions").select("id").where("orderId", "=", now.url.split("/").pop()!).execute();
    expect(row).toHaveLength(0);
  });

  it("answers a challenge processing with Retry-After, then the authorization as certdesk found it", async () => {
    const raw = new Raw(s, await newKey());
    await raw.newAccount();
    const domain = uniqueDomain("slow");
    const newOrderUrl = `${s.baseUrl}/acme/new-order`;
    const order = await raw.post(newOrderUrl, await raw.jws(newOrderUrl, { identifiers: [{ type: "dns", value: domain }] }));
    expect(order.status).toBe(201);
    expect(order.json).toMatchObject({ status: "pending", identifiers: [{ type: "dns", value: domain }] });
    const authzUrl = order.json.authorizations[0];
    const authz = await raw.post(authzUrl, await raw.jws(authzUrl, ""));
    expect(authz.json.challenges.map((c: { type: string }) => c.type).sort()).toEqual(["dns-01", "http-01"]);
    const challengeUrl = authz.json.challenges.find((c: { type: string }) => c.type === "dns-01").url;
    s.h.dns.set(`_acme-challenge.${domain}`, "TXT", [dnsDigestFor(authz.json.challenges[0].token, await calculateJwkThumbprint(raw.key.jwk))]);
    const started = await raw.post(challengeUrl, await raw.jws(challengeUrl, {}));
    expect(started.json.status).toBe("processing");
    expect(started.headers.get("retry-after")).toBe("1");
    expect(started.headers.get("link")).toContain(`<${authzUrl}>;rel="up"`);
    await backgroundIdle(s.h.app);
    const done = await raw.post(authzUrl, await raw.jws(authzUrl, ""));
    expect(done.json.status).toBe("valid");
    expect(done.headers.get("retry-after")).toBeNull();
    const ready = await raw.post(order.headers.get("location")!, await raw.jws(order.headers.get("location")!, ""));
    expect(ready.json.status).toBe("ready");
  });

  it("changes an account's key: the old key no longer finds the account, the new one does", async () => {
    const oldKey = await acme.crypto.createPrivateEcdsaKey();
    const client = clientFor(s, oldKey);
    await client.createAccount({ termsOfServiceAgreed: true });
    const url = client.getAccountUrl();
    const newKey = await acme.crypto.createPrivateEcdsaKey();
    await client.updateAccountKey(newKey);
    const withNew = new acme.Client({ directoryUrl: s.directoryUrl, accountKey: newKey, ...quick });
    await withNew.createAccount({ onlyReturnExisting: true });
    expect(withNew.getAccountUrl()).toBe(url);
    const withOld = new acme.Client({ directoryUrl: s.directoryUrl, accountKey: oldKey, ...quick });
    const gone = await withOld.createAccount({ onlyReturnExisting: true }).catch((e: Error) => e);
    expect(String(gone)).toMatch(/No account has this key/);
  });

  it("deactivates an account: it then signs nothing, not even a new order", async () => {
    const client = clientFor(s, await acme.crypto.createPrivateEcdsaKey());
    await client.createAccount({ termsOfServiceAgreed: true });
    const updated = await client.updateAccount({ contact: ["mailto:new@example.com"] });
    expect(updated.contact).toEqual(["mailto:new@example.com"]);
    const deactivated = await client.updateAccount({ status: "deactivated" } as never);
    expect(deactivated.status).toBe("deactivated");
    const refused = await client.createOrder({ identifiers: [{ type: "dns", value: uniqueDomain() }] }).catch((e: Error) => e);
    expect(String(refused)).toMatch(/deactivated/);
  });

  it("refuses revocation reasons certdesk does not record, and by a key that is neither the team's account nor the certificate's", async () => {
    const client = clientFor(s, await acme.crypto.createPrivateEcdsaKey());
    await client.createAccount({ termsOfServiceAgreed: true });
    const { pem, key } = await issue(client, [uniqueDomain("rev")], "dns-01");
    const badReason = await client.revokeCertificate(pem, { reason: 6 }).catch((e: Error) => e);
    expect(String(badReason)).toMatch(/Reason code 6/);
    // A stranger's key (its own jwk) is refused.
    const stranger = new Raw(s, await newKey());
    const der = Buffer.from(pem.split("-----END CERTIFICATE-----")[0]!.replace(/-----BEGIN CERTIFICATE-----|\s/g, ""), "base64").toString("base64url");
    const url = `${s.baseUrl}/acme/revoke-cert`;
    const refused = await stranger.post(url, await stranger.jws(url, { certificate: der }, { jwk: stranger.key.jwk }));
    expect(refused.status).toBe(403);
    // The certificate's own key may revoke, signing with it as a jwk.
    const certKey: Key = {
      privateKey: await importPKCS8(createPrivateKey(key).export({ format: "pem", type: "pkcs8" }) as string, "ES256"),
      jwk: createPublicKey(key).export({ format: "jwk" }) as JWK,
      alg: "ES256",
    };
    const holder = new Raw(s, certKey);
    const byHolder = await holder.post(url, await holder.jws(url, { certificate: der, reason: 4 }, { jwk: certKey.jwk }));
    expect(byHolder.status).toBe(200);
    const twice = await client.revokeCertificate(pem).catch((e: Error) => e);
    expect(String(twice)).toMatch(/already revoked/);
  });

  it("publishes renewal information whose window follows the certificate's lifetime", async () => {
    const client = clientFor(s, await acme.crypto.createPrivateEcdsaKey());
    await client.createAccount({ termsOfServiceAgreed: true });
    const { pem } = await issue(client, [uniqueDomain("ari")], "dns-01");
    const directory = (await (await fetch(s.directoryUrl)).json()) as { renewalInfo: string; meta: { externalAccountRequired: boolean } };
    expect(directory.meta.externalAccountRequired).toBe(true);
    const info = acme.crypto.readCertificateInfo(pem);
    const leaf = new (await import("@peculiar/x509")).X509Certificate(pem.split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----");
    const aki = leaf.getExtension((await import("@peculiar/x509")).AuthorityKeyIdentifierExtension)!.keyId!;
    const serial = leaf.serialNumber;
    const certId = `${Buffer.from(aki, "hex").toString("base64url")}.${Buffer.from(serial.length % 2 ? `0${serial}` : serial, "hex").toString("base64url")}`;
    const response = await fetch(`${directory.renewalInfo}/${certId}`);
    expect(response.status).toBe(200);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    const { suggestedWindow } = (await response.json()) as { suggestedWindow: { start: string; end: string } };
    const lifetime = info.notAfter.getTime() - info.notBefore.getTime();
    expect(Date.parse(suggestedWindow.start) - info.notBefore.getTime()).toBeCloseTo((lifetime * 2) / 3, -4);
    expect(Date.parse(suggestedWindow.end)).toBeLessThan(info.notAfter.getTime());
  });
});
