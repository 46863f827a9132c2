// Recognising what a lost race looks like on either engine, so that it becomes a 4xx, not a 500:
// a unique-constraint violation (the caller knows which 409 it means), and, in one place for every
// transaction (inTransaction), a row that vanished under a concurrent delete or a deadlock.
import { NoResultError } from "kysely";
import { AppError } from "../errors.js";

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/** A write that referred to a row a concurrent transaction deleted (most often its team). */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23503" || code === "SQLITE_CONSTRAINT_FOREIGNKEY";
}

/**
 * PostgreSQL gave up on the transaction because of another one, not because of anything in it:
 * a deadlock (40P01) or a serialization failure (40001). Running it again is the remedy.
 */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "40P01" || code === "40001";
}

/**
 * The answer for a transaction that lost a race, or undefined for any other failure (which stays
 * a 500 with its stack in the log). Commands take the team's row lock first (commands/team-lock.ts),
 * so these are what remains: a row read with executeTakeFirstOrThrow or referred to by a new row
 * was deleted at the same moment (404), or the transaction was retried once and lost again (409).
 */
export function raceRefusal(error: unknown): AppError | undefined {
  if (error instanceof AppError) return undefined;
  if (error instanceof NoResultError || isForeignKeyViolation(error)) {
    return new AppError("not_found", "What this change refers to was removed at the same moment.");
  }
  if (isRetryableConflict(error)) {
    return new AppError("conflict", "This change collided with another one made at the same moment; try again.");
  }
  return undefined;
}
