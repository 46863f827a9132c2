// The team limit (SPEC rule 3), checked inside the transaction that would exceed it, with the
// would-be owner's row locked so that concurrent creations and transfers queue up behind each other.
import type { Config } from "../config.js";
import type { Engine } from "../db/create-db.js";
import { lockRow } from "../db/transaction.js";
import type { Tx } from "../db/transaction.js";
import { AppError } from "../errors.js";

export async function assertCanOwnAnotherTeam(
  tx: Tx,
  engine: Engine,
  config: Pick<Config, "defaultTeamLimit">,
  userId: string,
  who: "you" | "receiver",
): Promise<void> {
  await lockRow(tx, engine, "users", userId);
  const user = await tx.selectFrom("users").select("teamLimit").where("id", "=", userId).executeTakeFirstOrThrow();
  const { owned } = await tx
    .selectFrom("teams")
    .select((eb) => eb.fn.countAll<string | number>().as("owned"))
    .where("ownerId", "=", userId)
    .executeTakeFirstOrThrow();
  const limit = user.teamLimit ?? config.defaultTeamLimit;
  if (Number(owned) >= limit) {
    throw new AppError(
      "team_limit_reached",
      who === "you" ? `You own ${owned} of ${limit} teams.` : `The new owner already owns ${owned} of ${limit} teams.`,
    );
  }
}
