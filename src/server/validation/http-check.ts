// The `http` method (BR 3.2.2.4.18): GET http://{name}:{DCV_HTTP_PORT}/.well-known/pki-validation/{file}
// must answer 2xx with a body holding the challenge. What it may touch is narrow (SECURITY 34):
// - it connects only to addresses certdesk's resolver gave for the URL's host — `lookup` is ours,
//   the system's resolver (and /etc/hosts) are never asked, and an IP literal host is refused;
// - it follows only 301/302/307/308, only to http/https, at most MAX_REDIRECTS hops, each hop's
//   host resolved the same way;
// - it reads at most MAX_BODY_BYTES and gives up after the time budget, across every hop.
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import type { LookupFunction } from "node:net";
import type { CheckResult } from "./dns-check.js";
import type { DcvResolver } from "./resolver.js";
import { LookupError } from "./resolver.js";

export const MAX_REDIRECTS = 5;
export const MAX_BODY_BYTES = 64 * 1024;
const FOLLOWED = new Set([301, 302, 307, 308]);

export interface HttpCheckOptions {
  resolver: DcvResolver;
  /** DCV_HTTP_PORT: the port of the first request, and of redirects to http:// URLs that name none. */
  port: number;
  /** The whole check's budget, every hop included. */
  timeoutMs?: number;
  /** ACME's http-01 (RFC 8555 §8.3): the body, less trailing whitespace, must BE the value, not hold it. */
  exact?: boolean;
}

/** ACME's http-01 path for a token: /.well-known/acme-challenge/{token}. */
export function acmeChallengePath(token: string): string {
  return `/.well-known/acme-challenge/${token}`;
}

/** The file's path under the name: /.well-known/pki-validation/{file}. */
export function pkiValidationPath(file: string): string {
  return `/.well-known/pki-validation/${file}`;
}

class Refused extends Error {}

interface Answer {
  status: number;
  location: string | undefined;
  body: string;
}

/** A lookup for one host that answers only with the addresses certdesk's resolver gave for it. */
function pinnedLookup(host: string, addresses: { address: string; family: 4 | 6 }[]): LookupFunction {
  return (hostname, options, callback) => {
    if (hostname.toLowerCase() !== host) {
      callback(Object.assign(new Error(`refusing to resolve ${hostname}`), { code: "ENOTFOUND" }), "", 4);
      return;
    }
    const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
    if (wanted.length === 0) {
      callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), "", 4);
      return;
    }
    if (options.all) (callback as unknown as (e: null, all: typeof wanted) => void)(null, wanted);
    else callback(null, wanted[0]!.address, wanted[0]!.family);
  };
}

function get(url: URL, port: number, lookup: LookupFunction, deadline: number): Promise<Answer> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const remaining = Math.max(1, deadline - Date.now());
    const request = client.request(
      {
        method: "GET",
        host: url.hostname,
        port,
        path: `${url.pathname}${url.search}`,
        lookup,
        // The connection is this check's alone: a pooled socket could point at an earlier hop's address.
        agent: false,
        headers: { "user-agent": "certdesk-dcv", accept: "*/*", host: url.host },
        timeout: remaining,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          const room = MAX_BODY_BYTES - size;
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size += chunk.length;
          if (size >= MAX_BODY_BYTES) {
            finish();
            response.destroy();
          }
        });
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, location: response.headers.location, body: Buffer.concat(chunks).toString("utf8") });
        };
        response.on("end", finish);
        response.on("error", (error) => (done ? undefined : reject(error)));
      },
    );
    const timer = setTimeout(() => request.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })), remaining);
    request.on("timeout", () => request.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    request.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end();
  });
}

function connectionProblem(url: URL, error: NodeJS.ErrnoException, timeoutMs: number): string {
  if (error.code === "ETIMEDOUT") return `no answer from ${url.href} within ${timeoutMs / 1000} seconds (timeout)`;
  if (error.code === "ECONNREFUSED") return `the connection to ${url.host} was refused (${url.href})`;
  return `fetching ${url.href} failed (${error.code ?? error.message})`;
}

/** Fetches `path` on `name` and reports whether the body holds `challenge`, or what was found instead. */
export async function checkHttpFile(name: string, path: string, challenge: string, options: HttpCheckOptions): Promise<CheckResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let url = new URL(`http://${name}${path}`);
  let port = options.port;
  const seen = new Set<string>();
  try {
    for (let hop = 0; ; hop++) {
      const host = url.hostname.toLowerCase();
      if (isIP(host.replace(/^\[|\]$/g, "")) !== 0) throw new Refused(`${url.href} names an IP address; only names are fetched`);
      const addresses = await options.resolver.addresses(host);
      if (addresses.length === 0) throw new Refused(`${host} has no A or AAAA record (NXDOMAIN or no address)`);
      seen.add(url.href);
      let answer: Answer;
      try {
        answer = await get(url, port, pinnedLookup(host, addresses), deadline);
      } catch (error) {
        throw new Refused(connectionProblem(url, error as NodeJS.ErrnoException, timeoutMs));
      }
      if (answer.status >= 200 && answer.status < 300) {
        if (options.exact ? answer.body.trimEnd() === challenge : answer.body.includes(challenge)) return { ok: true };
        const start = answer.body.slice(0, 100);
        return { ok: false, found: `${url.href} answered HTTP ${answer.status}, but its body, beginning ${JSON.stringify(start)}, does not ${options.exact ? "equal" : "hold"} the challenge` };
      }
      if (!FOLLOWED.has(answer.status)) {
        const redirect = answer.status >= 300 && answer.status < 400 ? " (a redirect with a status that is not followed: only 301, 302, 307 and 308 are)" : "";
        return { ok: false, found: `${url.href} answered HTTP ${answer.status}${redirect}` };
      }
      if (!answer.location) return { ok: false, found: `${url.href} answered HTTP ${answer.status} without a Location` };
      let next: URL;
      try {
        next = new URL(answer.location, url);
      } catch {
        return { ok: false, found: `${url.href} redirected to an invalid URL ${JSON.stringify(answer.location.slice(0, 100))}` };
      }
      if (next.protocol !== "http:" && next.protocol !== "https:") {
        return { ok: false, found: `${url.href} redirected to ${next.protocol} URL; only http and https are followed` };
      }
      if (seen.has(next.href)) return { ok: false, found: `${url.href} redirected back to ${next.href} (a redirect loop)` };
      if (hop + 1 > MAX_REDIRECTS) return { ok: false, found: `more than ${MAX_REDIRECTS} redirects, the last to ${next.href}` };
      // An explicit port is the redirect's; otherwise http goes to DCV_HTTP_PORT and https to 443.
      port = next.port ? Number(next.port) : next.protocol === "http:" ? options.port : 443;
      url = next;
    }
  } catch (error) {
    if (error instanceof Refused || error instanceof LookupError) return { ok: false, found: error.message };
    throw error;
  }
}
