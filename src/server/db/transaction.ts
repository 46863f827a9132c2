// One transaction per state change (run once more after a deadlock), and the one dialect helper that locks a row for the rest of it.
import { sql } from "kysely";
import type { Kysely, Transaction } from "kysely";
import type { Db, Engine } from "./create-db.js";
import { isRetryableConflict, raceRefusal } from "./errors.js";
import type { Database } from "./schema.js";

export type Tx = Transaction<Database>;
export type Executor = Kysely<Database> | Tx;

/**
 * Runs `work` in one transaction. A deadlock or serialization failure (PostgreSQL) runs the whole
 * of `work` once more: it must therefore keep side effects outside the database (waking the mail
 * dispatcher, files) until after commit, or make them safe to repeat. A race lost for good becomes
 * a 404 or 409 here (db/errors.ts), so no command answers 500 for it.
 */
export async function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await db.kysely.transaction().execute(work);
  } catch (error) {
    if (!isRetryableConflict(error)) throw raceRefusal(error) ?? error;
  }
  // A short random pause first: row locks are not granted in queue order, so a retry that starts
  // at once can take the row back from the transaction that won and deadlock with it again.
  await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
  try {
    return await db.kysely.transaction().execute(work);
  } catch (error) {
    throw raceRefusal(error) ?? error;
  }
}

/**
 * Locks one row until the transaction ends, so that a check and the write that
 * depends on it cannot interleave with another request's. PostgreSQL:
 * SELECT … FOR UPDATE. SQLite: the transaction already holds the database's
 * write lock (BEGIN IMMEDIATE), so a plain read is enough.
 */
export async function lockRow(
  tx: Tx,
  engine: Engine,
  table: "users" | "teams" | "invitations" | "orders",
  id: string,
): Promise<boolean> {
  const forUpdate = engine === "postgres" ? sql` for update` : sql``;
  const result = await sql<{ id: string }>`select id from ${sql.table(table)} where id = ${id}${forUpdate}`.execute(tx);
  return result.rows.length === 1;
}
