// Server-side sessions: a random token in the cookie, only its SHA-256 in the database,
// with an idle and an absolute timeout measured by the injected clock.
import type { Kysely } from "kysely";
import type { Clock } from "../clock.js";
import { HOUR, MINUTE } from "../clock.js";
import type { Config } from "../config.js";
import type { Actor } from "../context.js";
import { lookupRead, readKey } from "../db/read-cache.js";
import { reusableQuery } from "../db/reusable-query.js";
import type { Executor } from "../db/transaction.js";
import type { Database } from "../db/schema.js";
import { hashToken, newId, newToken } from "../secrets.js";

/** Refreshing last_seen_at on every request would make every read a write; once a minute is enough. */
const TOUCH_EVERY_MS = MINUTE;

export function sessionCookieName(config: Pick<Config, "secureCookies">): string {
  return config.secureCookies ? "__Host-certdesk_session" : "certdesk_session";
}

/** A User-Agent longer than this is cut: it is shown to its owner, never parsed for anything else. */
const USER_AGENT_MAX = 512;

export async function startSession(
  executor: Executor,
  clock: Clock,
  config: Config,
  userId: string,
  userAgent?: string | null,
): Promise<string> {
  const token = newToken();
  const now = clock.now();
  await executor
    .insertInto("sessions")
    .values({
      tokenHash: hashToken(token),
      id: newId(now.getTime()),
      userId,
      userAgent: userAgent ? userAgent.slice(0, USER_AGENT_MAX) : null,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + config.sessionAbsoluteHours * HOUR).toISOString(),
    })
    .execute();
  return token;
}

const sessionByHash = reusableQuery((db, tokenHash: string) =>
  db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.userId")
    .select([
      "users.id",
      "users.email",
      "users.name",
      "users.teamLimit",
      "users.activeTeamId",
      "users.createdAt",
      "sessions.lastSeenAt",
      "sessions.expiresAt",
    ])
    .where("sessions.tokenHash", "=", tokenHash),
);

async function loadSession(executor: Kysely<Database>, tokenHash: string) {
  const [row] = await sessionByHash(executor, tokenHash);
  return row ? { row, lastSeenMs: Date.parse(row.lastSeenAt), expiresMs: Date.parse(row.expiresAt) } : null;
}

const sessionKey = readKey<Awaited<ReturnType<typeof loadSession>>, [tokenHash: string]>("session");

/**
 * When this server (its database handle) last wrote each session's last_seen_at. On PostgreSQL a
 * touch does not move cache_version (migration 0016), so the cached row keeps an older time: this
 * keeps a server from touching again on every request.
 */
const touches = new WeakMap<Kysely<Database>, Map<string, number>>();

function touchesOf(executor: Kysely<Database>): Map<string, number> {
  let touched = touches.get(executor);
  if (!touched) touches.set(executor, (touched = new Map()));
  return touched;
}

/** The actor for a session token, or null when the session is unknown, idle too long or past its end. */
export async function resolveSession(executor: Kysely<Database>, clock: Clock, config: Config, token: string): Promise<Actor | null> {
  const tokenHash = hashToken(token);
  // The session and its user, maybe from the read cache (db/read-cache.ts); the clock is checked
  // against them on every request.
  let session = await lookupRead(executor, sessionKey(tokenHash), () => loadSession(executor, tokenHash));
  if (!session) return null;
  const now = clock.now().getTime();
  const idle = (lastSeenMs: number) => now - lastSeenMs >= config.sessionIdleMinutes * MINUTE;
  const touchedHere = touchesOf(executor);
  let lastSeenMs = Math.max(session.lastSeenMs, touchedHere.get(tokenHash) ?? 0);
  if (now >= session.expiresMs || idle(lastSeenMs)) {
    // A cached last_seen_at is never later than the stored one, but may be earlier (another server
    // touched it since): the stored row decides a refusal.
    session = await loadSession(executor, tokenHash);
    if (!session || now >= session.expiresMs || idle(session.lastSeenMs)) {
      await executor.deleteFrom("sessions").where("tokenHash", "=", tokenHash).execute();
      touchedHere.delete(tokenHash);
      return null;
    }
    lastSeenMs = session.lastSeenMs;
  }
  if (now - lastSeenMs >= TOUCH_EVERY_MS) {
    await executor.updateTable("sessions").set({ lastSeenAt: new Date(now).toISOString() }).where("tokenHash", "=", tokenHash).execute();
    if (touchedHere.size >= 10_000) touchedHere.clear();
    touchedHere.set(tokenHash, now);
  }
  const { row } = session;
  return {
    kind: "user",
    id: row.id,
    email: row.email,
    name: row.name,
    teamLimit: row.teamLimit,
    activeTeamId: row.activeTeamId,
    createdAt: row.createdAt,
    sessionHash: tokenHash,
  };
}

export async function endSession(executor: Executor, sessionHash: string): Promise<void> {
  await executor.deleteFrom("sessions").where("tokenHash", "=", sessionHash).execute();
}

export async function endAllSessions(executor: Executor, userId: string): Promise<void> {
  await executor.deleteFrom("sessions").where("userId", "=", userId).execute();
}

/** One of a person's sessions as they may see it: never its token or the token's hash. */
export interface SessionView {
  id: string;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  current: boolean;
}

/** The user's live sessions (not past their end), most recently used first. */
export async function listSessions(executor: Executor, clock: Clock, config: Config, userId: string, currentHash: string): Promise<SessionView[]> {
  const now = clock.now().getTime();
  const rows = await executor
    .selectFrom("sessions")
    .select(["id", "tokenHash", "userAgent", "createdAt", "lastSeenAt", "expiresAt"])
    .where("userId", "=", userId)
    .orderBy("lastSeenAt", "desc")
    .orderBy("id", "desc")
    .execute();
  // Idle or past its end, a session no longer lets anyone in: it is not listed (the sweep removes it).
  const live = rows.filter((row) => now < Date.parse(row.expiresAt) && now - Date.parse(row.lastSeenAt) < config.sessionIdleMinutes * MINUTE);
  return live.map((row) => ({
    id: row.id,
    userAgent: row.userAgent,
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    expiresAt: row.expiresAt,
    current: row.tokenHash === currentHash,
  }));
}

/** Ends one of the user's sessions by its id: the ended session's token hash, or null when the user has none with that id. */
export async function endSessionById(executor: Executor, userId: string, id: string): Promise<string | null> {
  const row = await executor.selectFrom("sessions").select("tokenHash").where("userId", "=", userId).where("id", "=", id).executeTakeFirst();
  if (!row) return null;
  await executor.deleteFrom("sessions").where("tokenHash", "=", row.tokenHash).execute();
  return row.tokenHash;
}

/** Ends every session of the user but the one named by its hash (the device asking); returns how many ended. */
export async function endOtherSessions(executor: Executor, userId: string, keepHash: string): Promise<number> {
  const result = await executor.deleteFrom("sessions").where("userId", "=", userId).where("tokenHash", "!=", keepHash).executeTakeFirst();
  return Number(result.numDeletedRows);
}
