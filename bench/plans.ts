// The plans PostgreSQL runs the hot queries with, as EXPLAIN (ANALYZE, BUFFERS) prints them: printed
// at the end of `npm run bench` on PostgreSQL, and by `npm run bench:plans` on its own (a fresh
// database on BENCH_DATABASE, seeded like the bench: BENCH_MEMBERS, default 100,000).
//
// The statements are not written out here: the real lookups and queries run once through a Kysely
// instance that records what it sends (no read cache on it), and each recorded statement is then
// explained with its own parameters, after one unmeasured run that warms the buffers.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from "kysely";
import type { CompiledQuery } from "kysely";
import pg from "pg";
import { resolveSession, startSession } from "../src/server/auth/sessions.js";
import { systemClock } from "../src/server/clock.js";
import { loadConfig } from "../src/server/config.js";
import type { Database } from "../src/server/db/schema.js";
import { listMembers } from "../src/server/queries/members.js";
import { listOrders } from "../src/server/queries/orders.js";
import { listTeamsOf, loadTeamMember } from "../src/server/queries/team-member.js";
import { getTeamDetail } from "../src/server/queries/teams.js";
import { benchDatabase } from "./database.js";
import { seed } from "./seed.js";
import type { BenchData } from "./seed.js";

export async function hotQueryPlans(databaseUrl: string, data: BenchData): Promise<string> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const sent: CompiledQuery[] = [];
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new CamelCasePlugin()],
    log: (event) => void (event.level === "query" && sent.push(event.query)),
  });
  try {
    const config = loadConfig({ DATABASE_URL: databaseUrl });
    const token = await startSession(db, systemClock, config, data.owner.id);
    const steps: [string, () => Promise<unknown>][] = [
      // What every request waits for (one read shared by the requests arriving while the last is in flight): db/read-cache.ts.
      ["cache_version", () => sql`select version from cache_version`.execute(db)],
      ["session + user (on a cache miss)", () => resolveSession(db, systemClock, config, token)],
      ["membership + team (the guard, on a cache miss)", () => loadTeamMember(db, data.owner.id, data.teamId)],
      ["the user's teams (GET /api/me, on a cache miss)", () => listTeamsOf(db, data.owner.id)],
    ];
    const member = (await loadTeamMember(db, data.owner.id, data.teamId))!;
    const now = new Date();
    steps.push(
      ["GET /api/teams/:teamId", () => getTeamDetail(db, member.team, member.member)],
      ["members, first page", () => listMembers(db, member.team, { limit: 50 })],
      [`members after ${data.deepCursorAfter.toLocaleString("en-US")}`, () => listMembers(db, member.team, { limit: 50, cursor: data.deepCursor })],
      ["orders, first page", () => listOrders(db, data.teamId, { limit: 50, now }, member.member)],
      ["orders, deep cursor", () => listOrders(db, data.teamId, { limit: 50, cursor: data.deepOrdersCursor, now }, member.member)],
    );
    const out = [`Hot queries on PostgreSQL, a team of ${data.memberCount.toLocaleString("en-US")} members and ${data.orderCount.toLocaleString("en-US")} orders:`];
    for (const [label, run] of steps) {
      sent.length = 0;
      await run();
      const statements = [...sent];
      for (const [i, query] of statements.entries()) {
        const text = `explain (analyze, buffers) ${query.sql}`;
        await pool.query(text, [...query.parameters]); // warm
        const plan = await pool.query<{ "QUERY PLAN": string }>(text, [...query.parameters]);
        out.push("", `### ${label}${statements.length > 1 ? ` (statement ${i + 1} of ${statements.length})` : ""}`, "", "```sql", query.sql, "```", "```");
        out.push(...plan.rows.map((row) => row["QUERY PLAN"]), "```");
      }
    }
    return out.join("\n");
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  if (!process.env.BENCH_DATABASE) throw new Error("BENCH_DATABASE=postgres://… is required: the plans are PostgreSQL's.");
  const members = process.env.BENCH_MEMBERS ? Number(process.env.BENCH_MEMBERS) : 100_000;
  const orders = process.env.BENCH_ORDERS ? Number(process.env.BENCH_ORDERS) : 10_000;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-plans-"));
  const database = await benchDatabase(dataDir);
  try {
    const data = await seed(database.url, { members, deepCursorAfter: Math.floor(members * 0.9), orders });
    console.log(await hotQueryPlans(database.url, data));
  } finally {
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
