// Sign-up: the user, their default team and its Owner membership, in one transaction.
import { hashPassword, passwordProblem } from "../auth/passwords.js";
import { canonicalEmail } from "../auth/email.js";
import { canonicalName } from "../auth/names.js";
import { startSession } from "../auth/sessions.js";
import type { Deps } from "../context.js";
import { isUniqueViolation } from "../db/errors.js";
import { inTransaction } from "../db/transaction.js";
import type { User } from "../db/schema.js";
import { AppError } from "../errors.js";
import { newId } from "../secrets.js";
import { recordAudit } from "./audit.js";

export interface SignUpInput {
  email: string;
  password: string;
  name: string;
}

export function defaultTeamName(name: string): string {
  return `${name}'s team`;
}

/** `userAgent`: the browser signing up, named in the account's list of sessions. */
export async function signUp(deps: Deps, input: SignUpInput, userAgent?: string): Promise<{ user: User; sessionToken: string }> {
  const email = canonicalEmail(input.email);
  const name = canonicalName(input.name);
  const problem = passwordProblem(input.password, email);
  if (problem) throw new AppError("invalid_request", problem, { errors: [{ field: "password", message: problem }] });
  // Hash before the transaction: the slow part must not hold the database's write lock.
  const passwordHash = await hashPassword(input.password);
  try {
    return await inTransaction(deps.db, async (tx) => {
      const taken = await tx.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst();
      if (taken) throw new AppError("email_taken", "An account with this e-mail already exists.");
      const now = deps.clock.now();
      const user: User = {
        id: newId(now.getTime()),
        email,
        name,
        passwordHash,
        teamLimit: null,
        activeTeamId: null,
        createdAt: now.toISOString(),
      };
      await tx.insertInto("users").values(user).execute();
      const teamId = newId(now.getTime());
      await tx
        .insertInto("teams")
        .values({ id: teamId, name: defaultTeamName(name), ownerId: user.id, isDefault: 1, createdAt: now.toISOString() })
        .execute();
      await tx.insertInto("memberships").values({ teamId, userId: user.id, roles: "", joinedAt: now.toISOString() }).execute();
      await recordAudit(tx, deps.clock, {
        teamId,
        actor: { id: user.id, email },
        action: "team.created",
        target: teamId,
        details: { name: defaultTeamName(name), isDefault: true },
      });
      const sessionToken = await startSession(tx, deps.clock, deps.config, user.id, userAgent);
      return { user, sessionToken };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("email_taken", "An account with this e-mail already exists.");
    throw error;
  }
}
