// Security headers (SECURITY.md 6): a strict CSP, nosniff, no framing, HSTS on https, and no
// caching of API answers. The set is fixed, so it is built once and added to each reply in one
// call: @fastify/helmet recomputed it per request and cost ~40% of a small route's throughput.
// JSON answers get the set OWASP's REST guidance names, with a CSP that allows nothing at all;
// the policies that only matter to documents (referrer, opener) go with the pages.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../context.js";

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

export function securityHeaders(secure: boolean): Record<string, string> {
  return {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    ...(secure ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}),
  };
}

/** For JSON answers: nothing in them may load, run or be framed, sniffed or stored. */
export function apiSecurityHeaders(secure: boolean): Record<string, string> {
  return {
    "content-security-policy": "default-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-store",
    ...(secure ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}),
  };
}

/** The set for every answer of the scope it is registered in: `api` for the JSON API, else the pages'. */
export function registerSecurityHeaders(scope: FastifyInstance, deps: Deps, kind: "api" | "page"): void {
  const headers = kind === "api" ? apiSecurityHeaders(deps.config.secureCookies) : securityHeaders(deps.config.secureCookies);
  scope.addHook("onRequest", (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
