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

export function registerSecurityHeaders(app: FastifyInstance, deps: Deps): void {
  const page = securityHeaders(deps.config.secureCookies);
  const api = apiSecurityHeaders(deps.config.secureCookies);
  app.addHook("onRequest", (request, reply, done) => {
    // The API reference serves its own assets (and their CSP) and may be cached like any page.
    const isApi = request.url.startsWith("/api/") && !request.url.startsWith("/api/docs");
    reply.headers(isApi ? api : page);
    done();
  });
}
