import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";

describe.each(ENGINES)("schema on %s", (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
  });
  afterAll(() => t.drop());

  it("refuses a team without an Owner", async () => {
    await expect(
      t.db.kysely
        .insertInto("teams")
        .values({ id: "t1", name: "x", ownerId: null as unknown as string, isDefault: 0, createdAt: "now" })
        .execute(),
    ).rejects.toThrow();
  });

  it("keeps the audit log append-only", async () => {
    await t.db.kysely
      .insertInto("auditLog")
      .values({ id: "a1", teamId: "t", at: "now", actorId: null, actorEmail: null, action: "x", target: null, details: "{}" })
      .execute();
    await expect(t.db.kysely.updateTable("auditLog").set({ action: "y" }).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.kysely.deleteFrom("auditLog").execute()).rejects.toThrow(/append-only/);
    if (engine === "postgres") await expect(sql`truncate audit_log`.execute(t.db.kysely)).rejects.toThrow(/append-only/);
    const rows = await sql<{ action: string }>`select action from audit_log`.execute(t.db.kysely);
    expect(rows.rows).toEqual([{ action: "x" }]);
  });
});
