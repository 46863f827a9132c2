// Migration 0010 on both engines: sessions that existed before it get an id of their own (so
// they can be listed and signed out) and no user-agent; billing profiles get empty address lines.
// Run as down, rows written the old way, up again, on an otherwise migrated database.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as m0010 from "../src/server/migrations/0010_account_settings.js";
import { ENGINES, createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";

describe.each(ENGINES)("migration 0010 on %s", (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
  });
  afterAll(() => t.drop());

  it("gives sessions from before it distinct ids and the old profiles empty address lines; down and up again", async () => {
    const db = t.db.kysely;
    await m0010.down(db);
    await sql`insert into users (id, email, name, password_hash, created_at) values ('u1', 'old@example.com', 'Old', 'x', '2026-01-01T00:00:00.000Z')`.execute(db);
    for (const hash of ["h1", "h2", "h3"]) {
      await sql`insert into sessions (token_hash, user_id, created_at, last_seen_at, expires_at) values (${hash}, 'u1', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-08T00:00:00.000Z')`.execute(db);
    }
    await sql`insert into teams (id, name, owner_id, is_default, created_at) values ('t1', 'Old team', 'u1', 1, '2026-01-01T00:00:00.000Z')`.execute(db);
    await sql`insert into billing_profiles (id, team_id, name, country, card_brand, card_last4, created_at, updated_at) values ('b1', 't1', 'Old card', 'DE', 'visa', '4242', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`.execute(db);

    await m0010.up(db);
    const sessions = await sql<{ h: string; i: string | null; ua: string | null }>`select token_hash as h, id as i, user_agent as ua from sessions order by token_hash`.execute(db);
    expect(sessions.rows.map((r) => r.h)).toEqual(["h1", "h2", "h3"]);
    expect(sessions.rows.every((r) => typeof r.i === "string" && r.i.length > 0 && r.ua === null)).toBe(true);
    expect(new Set(sessions.rows.map((r) => r.i)).size).toBe(3);
    // No session's id is its token's hash.
    expect(sessions.rows.some((r) => r.i === r.h)).toBe(false);
    const profile = await sql<{ s: string; c: string; p: string }>`select street as s, city as c, postal_code as p from billing_profiles where id = 'b1'`.execute(db);
    expect(profile.rows).toEqual([{ s: "", c: "", p: "" }]);
    // Ids stay unique: a second session with an id already taken is refused.
    const taken = sessions.rows[0]!.i!;
    await expect(
      sql`insert into sessions (token_hash, id, user_id, created_at, last_seen_at, expires_at) values ('h4', ${taken}, 'u1', 'x', 'x', 'x')`.execute(db),
    ).rejects.toThrow();
  });
});
