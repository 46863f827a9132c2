// The DCV engine against a real DNS server and real HTTP servers on loopback: the resolver, the
// `dns` and `http` checks and every way they fail, CAA (RFC 8659), names a CA may not certify, and
// the reuse period table (BR 4.2.1). The HTTP API over it is in domain-validation.test.ts.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCaa } from "../src/server/validation/caa.js";
import { checkDnsTxt } from "../src/server/validation/dns-check.js";
import { checkHttpFile, MAX_BODY_BYTES } from "../src/server/validation/http-check.js";
import { whyNotCertifiable } from "../src/server/validation/names.js";
import { createResolver } from "../src/server/validation/resolver.js";
import type { DcvResolver } from "../src/server/validation/resolver.js";
import { isReusable, reusableUntil } from "../src/server/validation/reuse.js";
import { startTestDns } from "./helpers/dns-server.js";
import type { TestDns } from "./helpers/dns-server.js";

let dns: TestDns;
let resolver: DcvResolver;
let server: http.Server;
let port: number;
/** What the test HTTP server answers, by Host (without port) and path. */
const routes = new Map<string, (res: http.ServerResponse) => void>();
const hits: string[] = [];

beforeAll(async () => {
  dns = await startTestDns();
  resolver = createResolver([dns.server], 300);
  server = http.createServer((req, res) => {
    const host = (req.headers.host ?? "").replace(/:\d+$/, "");
    hits.push(`${host}${req.url}`);
    const route = routes.get(`${host}${req.url}`);
    if (route) route(res);
    else res.writeHead(404).end("not here");
  });
  // Bound to 127.0.0.1 only: a name resolving to 127.0.0.2 finds nobody listening.
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await dns?.close();
  await new Promise((resolve) => server?.close(resolve));
});

let counter = 0;
const fresh = (label: string) => `${label}-${++counter}.example.com`;
const file = "/.well-known/pki-validation/abc.txt";
const check = (name: string, value = "the-challenge", timeoutMs?: number) =>
  checkHttpFile(name, file, value, { resolver, port, ...(timeoutMs ? { timeoutMs } : {}) });
const serve = (host: string, path: string, status: number, body = "", headers: Record<string, string> = {}) =>
  routes.set(`${host}${path}`, (res) => res.writeHead(status, headers).end(body));

describe("the resolver", () => {
  it("answers A, AAAA, TXT (chunks joined) and CAA from the configured server, NXDOMAIN as empty", async () => {
    const name = fresh("res");
    dns.set(name, "A", ["127.0.0.1"]);
    dns.set(name, "AAAA", ["::1"]);
    dns.set(name, "TXT", ["hello"]);
    expect(await resolver.addresses(name)).toEqual([{ address: "127.0.0.1", family: 4 }, { address: "::1", family: 6 }]);
    expect(await resolver.txt(name)).toEqual({ values: ["hello"], nxdomain: false });
    expect(await resolver.txt(fresh("missing"))).toEqual({ values: [], nxdomain: true });
    expect(await resolver.caa(name)).toEqual([]);
    expect(dns.asked).toContain(name);
  });

  it("a timeout and a SERVFAIL are errors naming the name, not empty answers", async () => {
    const slow = fresh("slow");
    const broken = fresh("broken");
    dns.silent(slow);
    dns.servfail(broken);
    await expect(resolver.txt(slow)).rejects.toThrow(`the TXT lookup of ${slow} timed out`);
    await expect(resolver.caa(broken)).rejects.toThrow(/SERVFAIL/);
  });
});

describe("the dns check (TXT _certdesk-challenge.{name})", () => {
  it("succeeds when one TXT value is the challenge", async () => {
    const name = fresh("dns-ok");
    dns.set(`_certdesk-challenge.${name}`, "TXT", ["something else", "the-challenge"]);
    expect(await checkDnsTxt(resolver, name, "the-challenge")).toEqual({ ok: true });
  });

  it("fails naming the values seen, no record, NXDOMAIN, or the timeout", async () => {
    const other = fresh("dns-other");
    dns.set(`_certdesk-challenge.${other}`, "TXT", ["stale-value"]);
    expect(await checkDnsTxt(resolver, other, "the-challenge")).toEqual({ ok: false, found: expect.stringContaining('"stale-value"') });
    const empty = fresh("dns-empty");
    dns.set(`_certdesk-challenge.${empty}`, "A", ["127.0.0.1"]);
    expect(await checkDnsTxt(resolver, empty, "x")).toEqual({ ok: false, found: expect.stringContaining("has no TXT record") });
    expect(await checkDnsTxt(resolver, fresh("dns-none"), "x")).toEqual({ ok: false, found: expect.stringContaining("NXDOMAIN") });
    const slow = fresh("dns-slow");
    dns.silent(`_certdesk-challenge.${slow}`);
    expect(await checkDnsTxt(resolver, slow, "x")).toEqual({ ok: false, found: expect.stringContaining("timed out") });
  });
});

describe("the http check (BR 3.2.2.4.18)", () => {
  it("succeeds on 2xx with the challenge in the body, connecting to the address the resolver gave", async () => {
    const name = fresh("http-ok");
    dns.set(name, "A", ["127.0.0.1"]);
    serve(name, file, 200, "the-challenge\n");
    expect(await check(name)).toEqual({ ok: true });
    expect(hits).toContain(`${name}${file}`);
  });

  it("fails with the status, or with the body's first 100 characters", async () => {
    const missing = fresh("http-404");
    dns.set(missing, "A", ["127.0.0.1"]);
    expect(await check(missing)).toEqual({ ok: false, found: expect.stringContaining("answered HTTP 404") });
    const wrong = fresh("http-body");
    dns.set(wrong, "A", ["127.0.0.1"]);
    serve(wrong, file, 200, `${"x".repeat(100)}TAIL`);
    const result = await check(wrong);
    expect(result).toEqual({ ok: false, found: expect.stringContaining(`"${"x".repeat(100)}"`) });
    expect(JSON.stringify(result)).not.toContain("TAIL");
  });

  it("reads at most 64 KiB: a challenge after the cap is not found", async () => {
    const name = fresh("http-big");
    dns.set(name, "A", ["127.0.0.1"]);
    serve(name, file, 200, `${"y".repeat(MAX_BODY_BYTES)}the-challenge`);
    expect((await check(name)).ok).toBe(false);
  });

  it("a name without an address, or resolving to an address the server is not on, fails", async () => {
    expect(await check(fresh("http-nx"))).toEqual({ ok: false, found: expect.stringContaining("no A or AAAA record") });
    const elsewhere = fresh("http-elsewhere");
    dns.set(elsewhere, "A", ["127.0.0.2"]);
    serve(elsewhere, file, 200, "the-challenge");
    const before = hits.length;
    expect(await check(elsewhere)).toEqual({ ok: false, found: expect.stringContaining("refused") });
    expect(hits.length).toBe(before); // the system resolver was never asked: it would have said 127.0.0.1 for nothing
  });

  it("gives up after the time budget", async () => {
    const name = fresh("http-slow");
    dns.set(name, "A", ["127.0.0.1"]);
    routes.set(`${name}${file}`, () => undefined); // never answers
    const started = Date.now();
    expect(await check(name, "x", 300)).toEqual({ ok: false, found: expect.stringContaining("timeout") });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it.each([301, 302, 307, 308])("follows a %i redirect, re-resolving the new name through the resolver", async (status) => {
    const from = fresh(`redir-${status}`);
    const to = fresh(`target-${status}`);
    dns.set(from, "A", ["127.0.0.1"]);
    dns.set(to, "A", ["127.0.0.1"]);
    serve(from, file, status, "", { location: `http://${to}/moved.txt` });
    serve(to, "/moved.txt", 200, "the-challenge");
    expect(await check(from)).toEqual({ ok: true });
  });

  it.each([300, 303, 304])("does not follow a %i", async (status) => {
    const from = fresh(`redir-no-${status}`);
    dns.set(from, "A", ["127.0.0.1"]);
    serve(from, file, status, "", { location: `http://${from}/elsewhere` });
    expect(await check(from)).toEqual({ ok: false, found: expect.stringContaining(`answered HTTP ${status}`) });
  });

  it("refuses redirects to other schemes, to a name resolving elsewhere, loops and long chains", async () => {
    const ftp = fresh("redir-ftp");
    dns.set(ftp, "A", ["127.0.0.1"]);
    serve(ftp, file, 302, "", { location: "ftp://example.com/x" });
    expect(await check(ftp)).toEqual({ ok: false, found: expect.stringContaining("only http and https") });

    const away = fresh("redir-away");
    const far = fresh("far");
    dns.set(away, "A", ["127.0.0.1"]);
    dns.set(far, "A", ["127.0.0.3"]);
    serve(away, file, 302, "", { location: `http://${far}/x` });
    serve(far, "/x", 200, "the-challenge");
    expect(await check(away)).toEqual({ ok: false, found: expect.stringContaining(`connection to ${far}`) });

    const ip = fresh("redir-ip");
    dns.set(ip, "A", ["127.0.0.1"]);
    serve(ip, file, 302, "", { location: `http://127.0.0.1:${port}/x` });
    expect(await check(ip)).toEqual({ ok: false, found: expect.stringContaining("names an IP address") });

    const loop = fresh("loop");
    dns.set(loop, "A", ["127.0.0.1"]);
    serve(loop, file, 302, "", { location: "/a" });
    serve(loop, "/a", 302, "", { location: file });
    expect(await check(loop)).toEqual({ ok: false, found: expect.stringContaining("redirect loop") });

    const chain = fresh("chain");
    dns.set(chain, "A", ["127.0.0.1"]);
    serve(chain, file, 302, "", { location: "/1" });
    for (let i = 1; i <= 6; i++) serve(chain, `/${i}`, 302, "", { location: `/${i + 1}` });
    expect(await check(chain)).toEqual({ ok: false, found: expect.stringContaining("more than 5 redirects") });
  });
});

describe("CAA (RFC 8659)", () => {
  const ID = "certdesk.dev";

  it("no records anywhere, or issue naming certdesk, allows", async () => {
    expect(await checkCaa(resolver, fresh("caa-none"), ID)).toEqual({ ok: true });
    const named = fresh("caa-named");
    dns.set(named, "CAA", [{ tag: "issue", value: "other-ca.example" }, { tag: "issue", value: "certdesk.dev; account=1" }]);
    expect(await checkCaa(resolver, named, ID)).toEqual({ ok: true });
  });

  it("an issue set not naming certdesk refuses; an empty issuer refuses everyone", async () => {
    const other = fresh("caa-other");
    dns.set(other, "CAA", [{ tag: "issue", value: "letsencrypt.org" }]);
    expect(await checkCaa(resolver, other, ID)).toEqual({ ok: false, reason: expect.stringContaining('issue "letsencrypt.org"') });
    const none = fresh("caa-nobody");
    dns.set(none, "CAA", [{ tag: "issue", value: ";" }]);
    expect((await checkCaa(resolver, none, ID)).ok).toBe(false);
  });

  it("climbs to the parent when the name has no records, and stops at the first set found", async () => {
    const parent = fresh("caa-parent");
    dns.set(`a.b.${parent}`, "A", ["127.0.0.1"]);
    dns.set(parent, "CAA", [{ tag: "issue", value: "letsencrypt.org" }]);
    expect(await checkCaa(resolver, `a.b.${parent}`, ID)).toEqual({ ok: false, reason: expect.stringContaining(`at ${parent}`) });
    dns.set(`b.${parent}`, "CAA", [{ tag: "issue", value: "certdesk.dev" }]);
    expect(await checkCaa(resolver, `a.b.${parent}`, ID)).toEqual({ ok: true });
  });

  it("issuewild governs wildcards when present; issue otherwise; iodef alone allows", async () => {
    const name = fresh("caa-wild");
    dns.set(name, "CAA", [{ tag: "issue", value: "certdesk.dev" }, { tag: "issuewild", value: "other.example" }]);
    expect((await checkCaa(resolver, name, ID)).ok).toBe(true);
    expect((await checkCaa(resolver, `*.${name}`, ID)).ok).toBe(false);
    const onlyIssue = fresh("caa-wild-issue");
    dns.set(onlyIssue, "CAA", [{ tag: "issue", value: "other.example" }]);
    expect((await checkCaa(resolver, `*.${onlyIssue}`, ID)).ok).toBe(false);
    const iodef = fresh("caa-iodef");
    dns.set(iodef, "CAA", [{ tag: "iodef", value: "mailto:sec@example.com" }]);
    expect((await checkCaa(resolver, iodef, ID)).ok).toBe(true);
  });

  it("an unknown tag refuses only when critical; a failed lookup refuses", async () => {
    const harmless = fresh("caa-unknown");
    dns.set(harmless, "CAA", [{ tag: "future", value: "x" }, { tag: "issue", value: "certdesk.dev" }]);
    expect((await checkCaa(resolver, harmless, ID)).ok).toBe(true);
    const critical = fresh("caa-critical");
    dns.set(critical, "CAA", [{ flags: 128, tag: "future", value: "x" }, { tag: "issue", value: "certdesk.dev" }]);
    expect(await checkCaa(resolver, critical, ID)).toEqual({ ok: false, reason: expect.stringContaining('critical tag "future"') });
    const broken = fresh("caa-servfail");
    dns.servfail(broken);
    expect(await checkCaa(resolver, broken, ID)).toEqual({ ok: false, reason: expect.stringContaining("could not be checked") });
  });
});

describe("names a CA may not certify (SPEC 15)", () => {
  it.each(["co.uk", "*.co.uk", "github.io", "*.github.io", "com", "*.com"])("%s is a public suffix", (name) => {
    expect(whyNotCertifiable(name)).toMatch(/public suffix/);
  });
  it.each(["localhost", "intranet", "printer.corp", "x.test", "*.corp"])("%s is an internal name", (name) => {
    expect(whyNotCertifiable(name)).toMatch(/internal name/);
  });
  it.each(["192.0.2.1", "::1", "2001:db8::1"])("%s is an IP address", (name) => {
    expect(whyNotCertifiable(name)).toMatch(/IP address/);
  });
  it.each(["example.com", "*.example.com", "shop.example.co.uk", "me.github.io", "*.me.github.io"])("%s may be certified", (name) => {
    expect(whyNotCertifiable(name)).toBeNull();
  });
});

describe("the reuse period (BR 4.2.1, SPEC 16)", () => {
  const at = (iso: string) => new Date(iso);
  it("200 days while that period lasts", () => {
    expect(reusableUntil(at("2026-04-01T00:00:00Z")).toISOString()).toBe("2026-10-18T00:00:00.000Z");
  });
  it("a validation of 2026-12-01 lapses on 2027-03-15, when 100 days apply", () => {
    const v = at("2026-12-01T00:00:00Z");
    expect(reusableUntil(v).toISOString()).toBe("2027-03-15T00:00:00.000Z");
    expect(isReusable(v, at("2027-03-14T23:59:59Z"))).toBe(true);
    expect(isReusable(v, at("2027-03-15T00:00:00Z"))).toBe(false);
  });
  it("one of 2027-01-01 lapses 100 days on (2027-04-11); one of 2027-04-01 too (2027-07-10)", () => {
    expect(reusableUntil(at("2027-01-01T00:00:00Z")).toISOString()).toBe("2027-04-11T00:00:00.000Z");
    expect(reusableUntil(at("2027-04-01T00:00:00Z")).toISOString()).toBe("2027-07-10T00:00:00.000Z");
  });
  it("around 2029-03-15: 100 days before it, cut to 10 days from it", () => {
    expect(reusableUntil(at("2029-03-01T00:00:00Z")).toISOString()).toBe("2029-03-15T00:00:00.000Z");
    expect(reusableUntil(at("2029-03-10T00:00:00Z")).toISOString()).toBe("2029-03-20T00:00:00.000Z");
    expect(reusableUntil(at("2029-04-01T00:00:00Z")).toISOString()).toBe("2029-04-11T00:00:00.000Z");
  });
});
