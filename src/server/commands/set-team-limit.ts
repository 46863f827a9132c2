// Operator: raise or lower one user's team limit (SPEC rule 3). Recorded in their default team's log.
import { canonicalEmail } from "../auth/email.js";
import type { Deps } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { recordAudit } from "./audit.js";

export async function setTeamLimit(deps: Pick<Deps, "db" | "config" | "clock">, rawEmail: string, limit: number | null): Promise<{ from: number; to: number }> {
  if (limit !== null && (!Number.isInteger(limit) || limit < 1 || limit > 10_000)) {
    throw new AppError("invalid_request", "The limit must be a whole number from 1 to 10000.");
  }
  const email = canonicalEmail(rawEmail);
  return inTransaction(deps.db, async (tx) => {
    const user = await tx.selectFrom("users").select(["id", "teamLimit"]).where("email", "=", email).executeTakeFirst();
    if (!user) throw new AppError("not_found", `No account for ${email}.`);
    const from = user.teamLimit ?? deps.config.defaultTeamLimit;
    const to = limit ?? deps.config.defaultTeamLimit;
    await tx.updateTable("users").set({ teamLimit: limit }).where("id", "=", user.id).execute();
    const home = await tx.selectFrom("teams").select("id").where("ownerId", "=", user.id).where("isDefault", "=", 1).executeTakeFirstOrThrow();
    await recordAudit(tx, deps.clock, {
      teamId: home.id,
      actor: null,
      action: "team.limit_changed",
      target: email,
      details: { from, to, by: "operator" },
    });
    return { from, to };
  });
}
