// The database being out of reach, recognised in one place (SECURITY 32). At start: the first
// connection is made before anything else, and its failure becomes one line naming DATABASE_URL
// with the password masked (API.md, "Operator command line"). At run time: a lost connection,
// a server shutting down, a locked or unreadable SQLite file answer 503 with Retry-After (the
// errors plugin), not a 500 — nothing is wrong with the request, and it may be sent again.
import { sql } from "kysely";
import { ConfigError, maskUrl } from "../config.js";
import { createDb } from "./create-db.js";
import type { Db } from "./create-db.js";

/** What a client is told to wait before trying again. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** How long the first connection at start may take before the start gives up. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * PostgreSQL (node-postgres) and the network under it: the socket refused, reset or timed out, the
 * name did not resolve; the server terminated the connection (57P01 admin_shutdown, 57P02
 * crash_shutdown), is starting up or shutting down (57P03 cannot_connect_now), has no connection
 * left (53300), or any class 08 connection exception.
 */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

/** node-postgres, pg-pool, better-sqlite3 and Kysely say these in words only. */
const CONNECTION_MESSAGES = [
  /^Connection terminated/, // "… unexpectedly", "… due to connection timeout"
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Cannot use a pool after calling end on the pool$/,
  /^The database connection is not open$/, // better-sqlite3, once its handle is closed
  /^driver has already been destroyed$/, // Kysely, once db.close() ran
];

/**
 * True when `error` says the database cannot be reached right now, rather than that the query or
 * the data was wrong. SQLite: the file cannot be opened or read (SQLITE_CANTOPEN, SQLITE_IOERR_*),
 * or another connection held the write lock past the busy timeout (SQLITE_BUSY_*).
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 3) return false;
  const { code, message, errors, cause } = error as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === "string") {
    if (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    if (/^SQLITE_(CANTOPEN|IOERR|BUSY)/.test(code)) return true;
  }
  if (typeof message === "string" && CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // Node reports a connection to every address of a name that failed as an AggregateError.
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return cause !== undefined && isDatabaseUnavailable(cause, depth + 1);
}

/** The failure's own words, short: its message, else its code, else the first inner error's. */
function reason(error: unknown): string {
  const { code, message, errors } = (error ?? {}) as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof message === "string" && message !== "") return message;
  if (typeof code === "string") return code;
  if (Array.isArray(errors) && errors.length > 0) return reason(errors[0]);
  return String(error);
}

/** Thrown at start when DATABASE_URL cannot be opened: its message is the one line the operator sees. */
export class DatabaseUnreachableError extends ConfigError {}

/**
 * Opens DATABASE_URL and makes one round trip, so that an unreachable server, a wrong password or
 * an SQLite path that cannot be opened stops the start here, in one line, rather than at the first
 * request. The password never appears: neither from the URL nor from the driver's message.
 */
export async function connectAtStart(url: string, options: { poolSize?: number } = {}): Promise<Db> {
  let db: Db | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    db = createDb(url, options);
    const opened = db;
    await Promise.race([
      sql`select 1`.execute(opened.kysely),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} seconds`)), CONNECT_TIMEOUT_MS);
        timer.unref();
      }),
    ]);
    return opened;
  } catch (error) {
    void db?.close().catch(() => undefined);
    const password = passwordOf(url);
    let why = reason(error).replace(/\s+/g, " ").trim();
    if (password) why = why.split(password).join("***");
    throw new DatabaseUnreachableError(`cannot reach DATABASE_URL ${maskUrl(url)}: ${why}`);
  } finally {
    clearTimeout(timer);
  }
}

function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return "";
  }
}
