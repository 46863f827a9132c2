// The few lookups every request makes (session, membership, the user's teams) have one shape each.
// Kysely builds, transforms and compiles a query on every call, which costs more than SQLite takes
// to answer it; these are compiled once per database handle and bound to each call's values, and on
// PostgreSQL run as prepared statements (create-db.ts).
import type { Compilable, CompiledQuery, Kysely } from "kysely";
import { prepareOnPostgres } from "./create-db.js";
import type { Database } from "./schema.js";

const MARK = "\u0000certdesk-arg-"; // never a real value: text with NUL is refused at the edge

export function reusableQuery<Args extends string[], Row>(
  build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>,
): (db: Kysely<Database>, ...args: Args) => Promise<Row[]> {
  const compiled = new WeakMap<Kysely<Database>, CompiledQuery<Row>>();
  return async (db, ...args) => {
    let query = compiled.get(db);
    if (!query) {
      const marks = args.map((_, i) => `${MARK}${i}`) as Args;
      query = build(db, ...marks).compile();
      compiled.set(db, query);
      prepareOnPostgres(query.sql);
    }
    const parameters = query.parameters.map((value) =>
      typeof value === "string" && value.startsWith(MARK) ? args[Number(value.slice(MARK.length))] : value,
    );
    const result = await db.executeQuery<Row>({ ...query, parameters });
    return result.rows;
  };
}
