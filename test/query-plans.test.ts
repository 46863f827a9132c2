// The hot queries use an index on both engines. The SQL is not re-typed here: the real query
// functions run against a Kysely instance whose log captures every compiled statement, and each
// statement is then explained — EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL after a few
// thousand rows and ANALYZE (on a near-empty table PostgreSQL rightly prefers a scan).
// The plans are printed, so the notes can quote them.
import os from "node:os";
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import type { CompiledQuery } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/server/clock.js";
import { resolveSession } from "../src/server/auth/sessions.js";
import { sweepExpired } from "../src/server/commands/sweep-expired.js";
import { assertCanOwnAnotherTeam } from "../src/server/commands/team-limit.js";
import { loadConfig } from "../src/server/config.js";
import { openSqlite } from "../src/server/db/create-db.js";
import type { Db, Engine } from "../src/server/db/create-db.js";
import type { Database } from "../src/server/db/schema.js";
import { listAudit } from "../src/server/queries/audit.js";
import { encodeCursor } from "../src/server/queries/cursor.js";
import { listInvitations, previewInvitation } from "../src/server/queries/invitations.js";
import { listMembers } from "../src/server/queries/members.js";
import { listTeamsOf, loadTeamMember } from "../src/server/queries/team-member.js";
import { getTeamDetail } from "../src/server/queries/teams.js";
import { hashToken, newId } from "../src/server/secrets.js";
import { ENGINES, createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";

const USERS = 3000;
const AUDIT_ENTRIES = 3000;
const INVITATIONS = 2000;
const BIG_TABLES = ["users", "teams", "memberships", "sessions", "invitations", "audit_log"];
const T0 = Date.parse("2026-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

interface Seeded {
  bigTeam: { id: string; ownerId: string };
  /** A default team: one member, a line of history, one pending invitation. */
  smallTeam: { id: string; ownerId: string };
  members: { userId: string; joinedAt: string }[];
  userId: string;
  sessionToken: string;
  invitationToken: string;
  auditIds: string[];
}

/** One team of USERS members, every user with a default team and a session; an audit log and invitations for the big team. */
async function seed(db: Db): Promise<Seeded> {
  const k = db.kysely;
  const users = Array.from({ length: USERS }, (_, i) => ({
    id: newId(T0 + i),
    email: `seed.${i}@plans.example.com`,
    name: `Seed ${i}`,
    passwordHash: "not-a-real-hash",
    teamLimit: null,
    activeTeamId: null,
    createdAt: iso(T0 + i),
  }));
  const defaultTeams = users.map((u, i) => ({ id: newId(T0 + i), name: `${u.name}'s team`, ownerId: u.id, isDefault: 1, createdAt: u.createdAt }));
  const owner = users[0]!;
  const bigTeam = { id: newId(T0 + USERS), name: "Big", ownerId: owner.id, isDefault: 0, createdAt: iso(T0 + USERS) };
  const members = users.map((u, i) => ({ teamId: bigTeam.id, userId: u.id, roles: i === 0 ? "" : i % 3 ? "billing" : "installer", joinedAt: iso(T0 + 10_000 + i * 1000) }));
  const sessionToken = "plans-session-token-of-user-one";
  const sessions = users.map((u, i) => ({
    tokenHash: i === 1 ? hashToken(sessionToken) : hashToken(`session-${i}`),
    userId: u.id,
    createdAt: iso(T0),
    lastSeenAt: iso(T0),
    expiresAt: iso(T0 + 7 * 86_400_000),
  }));
  const invitationToken = "plans-invitation-token-number-seven";
  const invitations = Array.from({ length: INVITATIONS }, (_, i) => ({
    id: newId(T0 + i),
    teamId: bigTeam.id,
    email: `invitee.${i}@plans.example.com`,
    roles: "validation",
    status: i % 4 === 0 ? "pending" : "accepted",
    tokenHash: i === 7 ? hashToken(invitationToken) : hashToken(`invitation-${i}`),
    invitedBy: owner.id,
    createdAt: iso(T0 + i),
    sentAt: iso(T0 + i),
    expiresAt: iso(T0 + i + 72 * 3_600_000),
    respondedAt: null,
  }));
  // Every team has some history and some invitations, so that filtering by team is selective.
  const smallTeamAudit = defaultTeams.map((team, i) => ({
    id: newId(T0 + i),
    teamId: team.id,
    at: team.createdAt,
    actorId: team.ownerId,
    actorEmail: users[i]!.email,
    action: "team.created",
    target: team.id,
    details: "{}",
  }));
  const smallTeamInvitations = defaultTeams.map((team, i) => ({
    id: newId(T0 + i),
    teamId: team.id,
    email: `guest.${i}@plans.example.com`,
    roles: "billing",
    status: "pending",
    tokenHash: hashToken(`small-invitation-${i}`),
    invitedBy: team.ownerId,
    createdAt: iso(T0 + i),
    sentAt: iso(T0 + i),
    expiresAt: iso(T0 + i + 72 * 3_600_000),
    respondedAt: null,
  }));
  const audit = Array.from({ length: AUDIT_ENTRIES }, (_, i) => ({
    id: newId(T0 + i),
    teamId: bigTeam.id,
    at: iso(T0 + i),
    actorId: owner.id,
    actorEmail: owner.email,
    action: "member.roles_changed",
    target: `seed.${i % USERS}@plans.example.com`,
    details: "{}",
  }));
  await k.transaction().execute(async (tx) => {
    const chunks = async <T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>) => {
      for (let i = 0; i < rows.length; i += 400) await insert(rows.slice(i, i + 400));
    };
    await chunks(users, (c) => tx.insertInto("users").values(c).execute());
    await chunks(defaultTeams, (c) => tx.insertInto("teams").values(c).execute());
    await tx.insertInto("teams").values(bigTeam).execute();
    await chunks(
      defaultTeams.map((t) => ({ teamId: t.id, userId: t.ownerId, roles: "", joinedAt: t.createdAt })),
      (c) => tx.insertInto("memberships").values(c).execute(),
    );
    await chunks(members, (c) => tx.insertInto("memberships").values(c).execute());
    await chunks(sessions, (c) => tx.insertInto("sessions").values(c).execute());
    await chunks(invitations, (c) => tx.insertInto("invitations").values(c).execute());
    await chunks(audit, (c) => tx.insertInto("auditLog").values(c).execute());
    await chunks(smallTeamAudit, (c) => tx.insertInto("auditLog").values(c).execute());
    await chunks(smallTeamInvitations, (c) => tx.insertInto("invitations").values(c).execute());
  });
  await sql`analyze`.execute(k);
  return {
    bigTeam: { id: bigTeam.id, ownerId: owner.id },
    smallTeam: { id: defaultTeams[42]!.id, ownerId: defaultTeams[42]!.ownerId },
    members: members.map((m) => ({ userId: m.userId, joinedAt: m.joinedAt })),
    userId: users[1]!.id,
    sessionToken,
    invitationToken,
    auditIds: audit.map((a) => a.id),
  };
}

/** A second Kysely on the same database that records every statement it runs. */
function capturingKysely(engine: Engine, url: string) {
  const captured: CompiledQuery[] = [];
  const log = (event: { query: CompiledQuery }) => void captured.push(event.query);
  const plugins = [new CamelCasePlugin()];
  const kysely =
    engine === "sqlite"
      ? new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(url.slice("sqlite:".length)) }), plugins, log })
      : new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }), plugins, log });
  return {
    kysely,
    /** Runs the work and returns the statements it issued. */
    async capture(work: (k: Kysely<Database>) => Promise<unknown>): Promise<CompiledQuery[]> {
      captured.length = 0;
      await work(kysely);
      return [...captured];
    },
  };
}

async function explain(engine: Engine, db: Db, query: CompiledQuery): Promise<string> {
  const parameters = [...query.parameters];
  if (engine === "sqlite") {
    const { rows } = await db.kysely.executeQuery<{ detail: string }>({ ...query, sql: `explain query plan ${query.sql}`, parameters });
    return rows.map((r) => r.detail).join("\n");
  }
  const { rows } = await db.kysely.executeQuery<{ "QUERY PLAN": string }>({ ...query, sql: `explain ${query.sql}`, parameters });
  return rows.map((r) => r["QUERY PLAN"]).join("\n");
}

/** Every table the plan reads is reached through an index, and (for pages) in index order. */
function expectIndexed(engine: Engine, plan: string, options: { ordered?: boolean } = {}): void {
  if (engine === "sqlite") {
    expect(plan).toMatch(/USING (INDEX|PRIMARY KEY|COVERING INDEX|INTEGER PRIMARY KEY)/);
    for (const table of BIG_TABLES) expect(plan).not.toMatch(new RegExp(`\\bSCAN ${table}\\b(?! USING)`));
    if (options.ordered) expect(plan).not.toContain("USE TEMP B-TREE");
  } else {
    expect(plan).toMatch(/Index/);
    for (const table of BIG_TABLES) expect(plan).not.toMatch(new RegExp(`Seq Scan on ${table}\\b`));
    if (options.ordered) expect(plan).not.toMatch(/^\s*(->\s*)?Sort\b/m);
  }
}

describe.each(ENGINES)("query plans of the hot queries on %s", (engine) => {
  let t: TestDatabase;
  let seeded: Seeded;
  let capturing: ReturnType<typeof capturingKysely>;
  const clock = new ManualClock(new Date(T0 + 1000));
  const config = loadConfig({ DATA_DIR: os.tmpdir() });
  const plans: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    seeded = await seed(t.db);
    capturing = capturingKysely(engine, t.url);
  });

  afterAll(async () => {
    console.log(`\n===== query plans on ${engine} =====\n${plans.join("\n\n")}\n`);
    await capturing?.kysely.destroy();
    await t?.drop();
  });

  /** Captures the statements of one query function, explains each, checks and records the plans. */
  async function check(
    name: string,
    work: (k: Kysely<Database>) => Promise<unknown>,
    options: { ordered?: boolean; pick?: (sql: string) => boolean; informational?: boolean; kind?: "select" | "delete" } = {},
  ) {
    const kind = options.kind ?? "select";
    const statements = (await capturing.capture(work)).filter((q) => q.sql.trimStart().toLowerCase().startsWith(kind) && (options.pick?.(q.sql) ?? true));
    expect(statements.length, `${name} issued no ${kind}`).toBeGreaterThan(0);
    for (const statement of statements) {
      const plan = await explain(engine, t.db, statement);
      plans.push(`--- ${name}\n${statement.sql}\n${plan}`);
      if (!options.informational) expectIndexed(engine, plan, options);
    }
    return statements;
  }

  it("session lookup by token hash", async () => {
    const statements = await check("session lookup", async (k) => {
      const actor = await resolveSession(k, clock, config, seeded.sessionToken);
      expect(actor?.id).toBe(seeded.userId);
    });
    expect(statements[0]!.sql).toMatch(/token_hash/);
  });

  it("membership lookup by (team_id, user_id)", async () => {
    await check("membership lookup", async (k) => {
      const found = await loadTeamMember(k, seeded.userId, seeded.bigTeam.id);
      expect(found?.member.roles).toEqual(["billing"]);
    });
  });

  it("the user's teams (GET /api/me)", async () => {
    await check("teams of a user", async (k) => {
      expect(await listTeamsOf(k, seeded.userId)).toHaveLength(2);
    });
  });

  it("members page: the first, and one deep behind a cursor", async () => {
    const team = seeded.bigTeam;
    await check(
      "members page 1",
      async (k) => {
        const page = await listMembers(k, team, { limit: 50 });
        expect(page.items).toHaveLength(50);
        expect(page.items[0]!.isOwner).toBe(true);
      },
      { ordered: true },
    );
    const after = seeded.members[Math.floor(USERS * 0.9)]!;
    await check(
      "members page deep",
      async (k) => {
        const page = await listMembers(k, team, { limit: 50, cursor: encodeCursor([after.joinedAt, after.userId]) });
        expect(page.items).toHaveLength(50);
        expect(page.items[0]!.joinedAt > after.joinedAt).toBe(true);
      },
      { ordered: true },
    );
  });

  it("member count of a team (GET /api/teams/:id)", async () => {
    await check(
      "member count, small team",
      async (k) => {
        const found = await loadTeamMember(k, seeded.smallTeam.ownerId, seeded.smallTeam.id);
        const detail = await getTeamDetail(k, found!.team, found!.member);
        expect(detail.memberCount).toBe(1);
      },
      { pick: (s) => /count/i.test(s) },
    );
    // Counting a team that holds half the table: PostgreSQL may rightly read the table itself.
    await check(
      "member count, big team (not asserted on PostgreSQL)",
      async (k) => {
        const found = await loadTeamMember(k, seeded.bigTeam.ownerId, seeded.bigTeam.id);
        const detail = await getTeamDetail(k, found!.team, found!.member);
        expect(detail.memberCount).toBe(USERS);
      },
      { pick: (s) => /count/i.test(s), informational: engine === "postgres" },
    );
  });

  it("owned-team count for the team limit", async () => {
    await check("owned teams", (k) =>
      k.transaction().execute((tx) => assertCanOwnAnotherTeam(tx, engine, config, seeded.userId, "you")),
    );
  });

  it("audit page: the first, and one deep behind a cursor", async () => {
    await check(
      "audit page 1",
      async (k) => {
        const page = await listAudit(k, seeded.bigTeam.id, { limit: 50 });
        expect(page.items).toHaveLength(50);
      },
      { ordered: true },
    );
    await check(
      "audit page 1, small team",
      async (k) => {
        const page = await listAudit(k, seeded.smallTeam.id, { limit: 50 });
        expect(page.items).toHaveLength(1);
      },
      { ordered: true },
    );
    await check(
      "audit page deep",
      async (k) => {
        const page = await listAudit(k, seeded.bigTeam.id, { limit: 50, cursor: encodeCursor([seeded.auditIds[300]!]) });
        expect(page.items).toHaveLength(50);
      },
      { ordered: true },
    );
  });

  it("the sweep of expired rows: each delete through an index", async () => {
    // A clock years before the seeded rows: the same statements, and nothing deleted.
    const longAgo = new ManualClock(new Date(T0 - 3650 * 24 * 3_600_000));
    const removed: number[] = [];
    const sweep = async (k: Kysely<Database>) => {
      const result = await sweepExpired({ db: { ...t.db, kysely: k }, clock: longAgo, config });
      removed.push(result.sessions + result.passwordResets + result.outbox);
    };
    const sessions = await check("sweep: ended and idle sessions", sweep, { kind: "delete", pick: (s) => /"sessions"/.test(s) });
    expect(sessions).toHaveLength(2);
    // password_resets and outbox are empty here, where PostgreSQL rightly prefers to scan.
    const others = await check("sweep: reset links and old e-mail", sweep, {
      kind: "delete",
      pick: (s) => !/"sessions"/.test(s),
      informational: engine === "postgres",
    });
    expect(others).toHaveLength(3);
    expect(removed).toEqual([0, 0]); // the seeded sessions the other plans use are all still there
  });

  it("invitation by token hash, and a team's pending invitations", async () => {
    await check("invitation by token", async (k) => {
      const preview = await previewInvitation(k, seeded.invitationToken, clock.now());
      expect(preview).toEqual({ status: "accepted" }); // seeded as used: its preview is the status alone
    });
    // Pending invitations are few per team (rate-limited, 72 h): SQLite may sort them after the index.
    await check("pending invitations page", async (k) => {
      const page = await listInvitations(k, seeded.bigTeam.id, { status: "pending", limit: 50 }, clock.now());
      expect(page.items).toHaveLength(50);
    });
  });
});
