// Password reset by e-mail: a single-use token valid for one hour, stored only as its hash.
// Confirming it sets the new password and ends every session of the user.
import { canonicalEmailOrNull } from "../auth/email.js";
import { hashPassword, passwordProblem } from "../auth/passwords.js";
import { endAllSessions } from "../auth/sessions.js";
import { HOUR } from "../clock.js";
import type { Deps } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { queueEmail } from "../mail/outbox.js";
import { passwordResetEmail } from "../mail/templates.js";
import { hashToken, newToken } from "../secrets.js";

const RESET_TTL_MS = HOUR;

/**
 * Always resolves the same way, whether or not the e-mail has an account. The route runs it after
 * its 202 has been sent (SECURITY 29), so how long it takes never reaches the caller.
 */
export async function requestPasswordReset(deps: Deps, rawEmail: string): Promise<void> {
  // The one grammar (auth/email.ts): a Unicode or NFD spelling finds the account stored as A-labels.
  const email = canonicalEmailOrNull(rawEmail);
  if (email === null) return;
  const queued = await inTransaction(deps.db, async (tx) => {
    const user = await tx.selectFrom("users").select(["id", "name", "email"]).where("email", "=", email).executeTakeFirst();
    if (!user) return false;
    const token = newToken();
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + RESET_TTL_MS);
    await tx
      .insertInto("passwordResets")
      .values({ tokenHash: hashToken(token), userId: user.id, createdAt: now.toISOString(), expiresAt: expiresAt.toISOString(), usedAt: null })
      .execute();
    await queueEmail(
      tx,
      deps,
      passwordResetEmail({ to: user.email, name: user.name, link: `${deps.config.baseUrl}/reset-password/${token}`, expiresAt }),
    );
    return true;
  });
  if (queued) deps.mail.wake();
}

/** Returns the id of the user whose password was set. */
export async function confirmPasswordReset(deps: Deps, input: { token: string; password: string }): Promise<string> {
  const tokenHash = hashToken(input.token);
  const invalid = () => new AppError("reset_token_invalid", "This reset link is invalid, used or expired. Ask for a new one.");
  // The token first: the password rules need the account's e-mail (not the address as a password).
  const pending = await deps.db.kysely
    .selectFrom("passwordResets")
    .innerJoin("users", "users.id", "passwordResets.userId")
    .select(["passwordResets.userId", "users.email"])
    .where("passwordResets.tokenHash", "=", tokenHash)
    .executeTakeFirst();
  if (!pending) throw invalid();
  const problem = passwordProblem(input.password, pending.email);
  if (problem) throw new AppError("invalid_request", problem, { errors: [{ field: "password", message: problem }] });
  const passwordHash = await hashPassword(input.password);
  await inTransaction(deps.db, async (tx) => {
    const now = deps.clock.now().toISOString();
    // Single use: only the request that flips used_at from NULL goes on.
    const used = await tx
      .updateTable("passwordResets")
      .set({ usedAt: now })
      .where("tokenHash", "=", tokenHash)
      .where("usedAt", "is", null)
      .where("expiresAt", ">", now)
      .executeTakeFirst();
    if (used.numUpdatedRows !== 1n) throw invalid();
    await tx.updateTable("users").set({ passwordHash }).where("id", "=", pending.userId).execute();
    // Every other outstanding link of this user dies with this one.
    await tx.updateTable("passwordResets").set({ usedAt: now }).where("userId", "=", pending.userId).where("usedAt", "is", null).execute();
    await endAllSessions(tx, pending.userId);
  });
  return pending.userId;
}
