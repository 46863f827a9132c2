// inTransaction (SECURITY 30): a deadlock or serialization failure runs the transaction once more,
// a second one is a 409, and a row that vanished under a concurrent delete (a foreign-key violation,
// Kysely's NoResultError) is a 404 — never a 500. The real deadlock needs PostgreSQL; the rest is
// proven on both engines with an injected failure.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inTransaction, lockRow } from "../src/server/db/transaction.js";
import type { Tx } from "../src/server/db/transaction.js";
import { AppError } from "../src/server/errors.js";
import { newId } from "../src/server/secrets.js";
import { ENGINES, createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";

/** What PostgreSQL throws when it breaks a deadlock (pg's DatabaseError carries the SQLSTATE as `code`). */
function deadlock(): Error {
  return Object.assign(new Error("deadlock detected"), { code: "40P01" });
}

/** Resolves for everyone once `parties` callers are waiting. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return () => {
    arrived += 1;
    if (arrived === parties) release();
    return all;
  };
}

describe.each(ENGINES)("inTransaction on %s", (engine) => {
  let t: TestDatabase;
  const teams: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    const now = new Date().toISOString();
    const ownerId = newId();
    await t.db.kysely
      .insertInto("users")
      .values({ id: ownerId, email: `${ownerId}@example.com`, name: "Row Owner", passwordHash: "x", teamLimit: null, activeTeamId: null, createdAt: now })
      .execute();
    for (const name of ["First", "Second"]) {
      const id = newId();
      await t.db.kysely.insertInto("teams").values({ id, name, ownerId, isDefault: 0, createdAt: now }).execute();
      teams.push(id);
    }
  });
  afterAll(() => t.drop());

  async function auditRows(marker: string): Promise<number> {
    const rows = await t.db.kysely.selectFrom("auditLog").select("id").where("target", "=", marker).execute();
    return rows.length;
  }

  function writeMarker(tx: Tx, marker: string) {
    return tx
      .insertInto("auditLog")
      .values({ id: newId(), teamId: teams[0]!, at: new Date().toISOString(), actorId: null, actorEmail: null, action: "test.marker", target: marker, details: "{}" })
      .execute();
  }

  it("runs the whole body again after a deadlock; the first attempt's writes are rolled back", async () => {
    const marker = newId();
    let attempts = 0;
    const result = await inTransaction(t.db, async (tx) => {
      attempts += 1;
      await writeMarker(tx, marker);
      if (attempts === 1) throw deadlock();
      return "done";
    });
    expect(result).toBe("done");
    expect(attempts).toBe(2);
    expect(await auditRows(marker)).toBe(1);
  });

  it("retries a serialization failure (40001) too, but only once: a second failure is 409 conflict", async () => {
    let attempts = 0;
    const failing = inTransaction(t.db, async () => {
      attempts += 1;
      throw Object.assign(new Error("could not serialize access"), { code: attempts === 1 ? "40001" : "40P01" });
    });
    await expect(failing).rejects.toMatchObject({ code: "conflict", status: 409 });
    expect(attempts).toBe(2);
  });

  it("does not retry anything else", async () => {
    let attempts = 0;
    const refused = inTransaction(t.db, async () => {
      attempts += 1;
      throw new AppError("default_team", "no");
    });
    await expect(refused).rejects.toMatchObject({ code: "default_team" });
    const broken = inTransaction(t.db, async () => {
      attempts += 1;
      throw new TypeError("a bug stays a bug");
    });
    await expect(broken).rejects.toBeInstanceOf(TypeError);
    expect(attempts).toBe(2);
  });

  it("turns a foreign-key violation (a row deleted at the same moment) into 404 not_found", async () => {
    const marker = newId();
    const orphan = inTransaction(t.db, async (tx) => {
      await writeMarker(tx, marker);
      await tx.insertInto("memberships").values({ teamId: newId(), userId: newId(), roles: "billing", joinedAt: new Date().toISOString() }).execute();
    });
    await expect(orphan).rejects.toMatchObject({ code: "not_found", status: 404 });
    expect(await auditRows(marker)).toBe(0);
  });

  it("turns Kysely's NoResultError (executeTakeFirstOrThrow on a vanished row) into 404 not_found", async () => {
    const gone = inTransaction(t.db, (tx) => tx.selectFrom("teams").select("id").where("id", "=", newId()).executeTakeFirstOrThrow());
    await expect(gone).rejects.toMatchObject({ code: "not_found", status: 404 });
  });

  it.runIf(engine === "postgres")("survives a real deadlock: two transactions lock two rows in opposite order, both commit", async () => {
    const [first, second] = teams as [string, string];
    const bothHoldOne = barrier(2);
    const attempts = { forward: 0, backward: 0 };
    /** Locks `a`, waits (first attempt only) until the other holds its first row, then locks `b`. */
    const lockBoth = (side: keyof typeof attempts, a: string, b: string) =>
      inTransaction(t.db, async (tx) => {
        attempts[side] += 1;
        await lockRow(tx, "postgres", "teams", a);
        if (attempts[side] === 1) await bothHoldOne();
        await lockRow(tx, "postgres", "teams", b);
        await tx.updateTable("teams").set({ name: `${side} ${attempts[side]}` }).where("id", "=", a).execute();
        return side;
      });
    // PostgreSQL breaks the cycle after deadlock_timeout (1 s by default) by failing one of them with 40P01.
    const results = await Promise.all([lockBoth("forward", first, second), lockBoth("backward", second, first)]);
    expect(results).toEqual(["forward", "backward"]);
    expect([attempts.forward, attempts.backward].sort()).toEqual([1, 2]);
    const names = await t.db.kysely.selectFrom("teams").select("name").where("id", "in", [first, second]).orderBy("name").execute();
    expect(names.map((row) => row.name).sort()).toEqual(
      attempts.forward === 2 ? ["backward 1", "forward 2"] : ["backward 2", "forward 1"],
    );
  }, 20_000);
});
