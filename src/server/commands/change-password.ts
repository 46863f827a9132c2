// Account settings: a person changes their password. The current password is asked for (a session
// left open on a shared computer must not be enough to take the account), every other session of
// theirs ends (SECURITY 4: whoever else was signed in is signed out) and this one is kept, and any
// reset link still outstanding dies, since it was asked for under the old password.
import { hashPassword, passwordProblem, verifyPassword } from "../auth/passwords.js";
import { endOtherSessions } from "../auth/sessions.js";
import type { Ctx } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import type { Limiter } from "../limits/limiter.js";

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

/** Returns how many other sessions were ended. */
export async function changePassword(ctx: Ctx, limits: Limiter, input: ChangePasswordInput): Promise<number> {
  // Every attempt counts, a wrong current password too (limits/definitions.ts).
  limits.take(["passwordChangesPerUser", ctx.actor.id]);
  const user = await ctx.db.kysely.selectFrom("users").select(["passwordHash", "email"]).where("id", "=", ctx.actor.id).executeTakeFirst();
  if (!user) throw new AppError("unauthenticated", "Sign in first.");
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    const message = "This is not your current password.";
    throw new AppError("invalid_request", message, { errors: [{ field: "currentPassword", message }] });
  }
  const problem = passwordProblem(input.newPassword, user.email);
  if (problem) throw new AppError("invalid_request", problem, { errors: [{ field: "newPassword", message: problem }] });
  // Hashing takes tens of milliseconds on the thread pool: before the transaction, never inside it.
  const passwordHash = await hashPassword(input.newPassword);
  return inTransaction(ctx.db, async (tx) => {
    const now = ctx.clock.now().toISOString();
    await tx.updateTable("users").set({ passwordHash }).where("id", "=", ctx.actor.id).execute();
    await tx.updateTable("passwordResets").set({ usedAt: now }).where("userId", "=", ctx.actor.id).where("usedAt", "is", null).execute();
    return endOtherSessions(tx, ctx.actor.id, ctx.actor.sessionHash);
  });
}
