// Text holding U+0000 is refused up front: PostgreSQL cannot store or even compare it and fails
// the whole query (a 500), while SQLite would quietly store it. Likewise an unpaired UTF-16
// surrogate, which PostgreSQL would store as U+FFFD: what is stored must be what was sent. Checked before the guard, which
// already queries with the path's team id, so both engines answer the same 400.
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors.js";

/** A lone high or low surrogate, not part of a pair. */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isBadText(text: string): boolean {
  return text.includes("\u0000") || UNPAIRED_SURROGATE.test(text);
}

/** Objects made by literals, JSON.parse or the query and path parsers (null-prototype variants included). */
function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
}

/** findNul for an object whose values are all primitives; undefined when a value is an object. */
function findNulInFlat(value: Record<string, unknown>, path: string): string | null | undefined {
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (isBadText(key) || (typeof item === "string" && isBadText(item))) return path ? `${path}.${key}` : key;
    if (item !== null && typeof item === "object") return undefined;
  }
  return null;
}

/** The dotted path of the first string (or key) holding a NUL, or null. Walks only JSON-like data, each object once. */
export function findNul(value: unknown, path: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return isBadText(value) ? path : null;
  if (typeof value !== "object") return null;
  // Params and query strings are flat objects of text: checked without the general walk below.
  const flat = isPlain(value) ? findNulInFlat(value as Record<string, unknown>, path) : undefined;
  if (flat !== undefined) return flat;
  const seen = new WeakSet<object>();
  const stack: [unknown, string][] = [[value, path]];
  while (stack.length > 0) {
    const [current, at] = stack.pop()!;
    if (typeof current === "string") {
      if (isBadText(current)) return at;
      continue;
    }
    if (current === null || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    if (Array.isArray(current)) {
      current.forEach((item, index) => stack.push([item, at ? `${at}.${index}` : String(index)]));
    } else if (isPlain(current)) {
      // Files, buffers and streams (multipart) are not text and are skipped.
      for (const [key, item] of Object.entries(current)) {
        const next = at ? `${at}.${key}` : key;
        if (isBadText(key)) return next;
        stack.push([item, next]);
      }
    }
  }
  return null;
}

export function registerInputChecks(app: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every request and never waits.
  app.addHook("preValidation", (request, _reply, done) => {
    const field = findNul(request.params, "params") ?? findNul(request.query, "querystring") ?? findNul(request.body, "");
    if (field === null) return done();
    done(
      new AppError("invalid_request", "Text must not contain NUL characters or broken Unicode.", {
        errors: [{ field: field || "body", message: "must not contain NUL (U+0000) or unpaired surrogates" }],
      }),
    );
  });
}
