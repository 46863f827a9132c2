// Account settings: a person signs out one of their sessions (a lost phone) or every session but
// the one asking ("sign out everywhere else"). Only their own sessions are in reach: another
// person's session id answers 404 like an unknown one.
import { endOtherSessions, endSessionById } from "../auth/sessions.js";
import type { Ctx } from "../context.js";
import { AppError } from "../errors.js";

/** Returns whether the session ended was the one asking (its cookie is then cleared). */
export async function endOneSession(ctx: Ctx, sessionId: string): Promise<boolean> {
  const ended = await endSessionById(ctx.db.kysely, ctx.actor.id, sessionId);
  if (ended === null) throw new AppError("not_found", "No such session.");
  return ended === ctx.actor.sessionHash;
}

/** Returns how many sessions ended. */
export function endSessionsElsewhere(ctx: Ctx): Promise<number> {
  return endOtherSessions(ctx.db.kysely, ctx.actor.id, ctx.actor.sessionHash);
}
