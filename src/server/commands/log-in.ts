// Log-in: a fresh session token every time (no fixation); the same answer for a wrong
// password and an unknown e-mail, after the same amount of hashing.
import { canonicalEmailOrNull } from "../auth/email.js";
import type { LoginThrottle } from "../auth/login-throttle.js";
import { burnPasswordCheck, verifyPassword } from "../auth/passwords.js";
import { endSession, startSession } from "../auth/sessions.js";
import type { Deps } from "../context.js";
import type { User } from "../db/schema.js";
import { AppError } from "../errors.js";

export interface LogInInput {
  email: string;
  password: string;
  address: string;
  /** The session the request came with, ended so it cannot be reused. */
  previousSessionHash?: string;
  /** The browser signing in, named in the account's list of sessions. */
  userAgent?: string;
}

export async function logIn(deps: Deps, throttle: LoginThrottle, input: LogInInput): Promise<{ user: User; sessionToken: string }> {
  // An address outside the grammar cannot have an account: the same 401, after the same hashing
  // and counted by the throttle like any failure, as for an unknown address.
  const canonical = canonicalEmailOrNull(input.email);
  const email = canonical ?? input.email;
  throttle.check(email, input.address);
  const user = canonical === null ? undefined : await deps.db.kysely.selectFrom("users").selectAll().where("email", "=", canonical).executeTakeFirst();
  const ok = user ? await verifyPassword(user.passwordHash, input.password) : (await burnPasswordCheck(input.password), false);
  if (!user || !ok) {
    throttle.fail(email, input.address);
    throw new AppError("invalid_credentials", "The e-mail or password is not right.");
  }
  throttle.succeed(email);
  if (input.previousSessionHash) await endSession(deps.db.kysely, input.previousSessionHash);
  const sessionToken = await startSession(deps.db.kysely, deps.clock, deps.config, user.id, input.userAgent);
  return { user, sessionToken };
}
