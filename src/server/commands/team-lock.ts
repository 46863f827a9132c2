// The first step of every write to a team: its row locked until the transaction ends (SECURITY 30).
// A team deletion takes the same lock, so a write either runs wholly before the team is deleted or
// finds it gone and answers 404; it never inserts a row for a deleted team (a foreign-key 500) nor
// reads a vanished one. Lock order, everywhere: the team first, then its invitations or orders,
// then users' rows (active team, team limit), so that two transactions never wait on each other.
import type { Db } from "../db/create-db.js";
import { lockRow } from "../db/transaction.js";
import type { Tx } from "../db/transaction.js";
import type { Team } from "../db/schema.js";
import { AppError } from "../errors.js";

export type LockedTeam = Pick<Team, "id" | "name" | "ownerId" | "isDefault">;

/** Locks the team's row (SELECT … FOR UPDATE on PostgreSQL) and reads it as it is now; 404 when it is gone. */
export async function lockTeam(tx: Tx, db: Pick<Db, "engine">, teamId: string): Promise<LockedTeam> {
  await lockRow(tx, db.engine, "teams", teamId);
  const team = await tx.selectFrom("teams").select(["id", "name", "ownerId", "isDefault"]).where("id", "=", teamId).executeTakeFirst();
  if (!team) throw new AppError("not_found", "No such team.");
  return team;
}
