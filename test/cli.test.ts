// The operator's command line (API.md "Operator command line"), run as a real process:
// `certdesk migrate`, `users set-team-limit <email> <n>`, `users show <email>`, and bad arguments.
// It runs the compiled server (dist/), which `npm run build:server` makes.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../src/server/db/create-db.js";
import type { Db } from "../src/server/db/create-db.js";
import { newId } from "../src/server/secrets.js";
import { ENGINES, createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = path.join(ROOT, "bin/certdesk.js");
const BUILT = path.join(ROOT, "dist/src/server/cli.js");
const CLI_TIMEOUT = 60_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `certdesk …` with only the given configuration, never the caller's. */
function certdesk(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL|DATA_DIR|DEFAULT_TEAM_LIMIT|SMTP_URL|MAIL_DIR|BASE_URL|PORT)$/.test(name)),
  );
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-cli-data-"));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...base, DATA_DIR: dataDir, ...env }, timeout: CLI_TIMEOUT }, (error, stdout, stderr) => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

beforeAll(() => {
  if (!fs.existsSync(BUILT)) {
    throw new Error(`The certdesk command is not built (${path.relative(ROOT, BUILT)} is missing): run \`npm run build:server\` first.`);
  }
});

describe("certdesk arguments", () => {
  it("prints the usage and exits non-zero for unknown or incomplete commands", { timeout: CLI_TIMEOUT * 2 }, async () => {
    const db = `sqlite:${path.join(os.tmpdir(), `certdesk-cli-unused-${randomBytes(4).toString("hex")}.db`)}`;
    const runs = await Promise.all(
      [["frobnicate"], ["users", "set-team-limit", "ada@example.com"], ["users", "show", "a@example.com", "b@example.com"]].map(
        async (args) => ({ args, run: await certdesk(args, { DATABASE_URL: db }) }),
      ),
    );
    for (const { args, run } of runs) {
      expect(run.code, args.join(" ")).not.toBe(0);
      expect(run.stderr, args.join(" ")).toContain("Usage: certdesk <command>");
      expect(run.stderr).toContain("users set-team-limit <email> <n>");
      expect(run.stdout).toBe("");
    }
    const help = await certdesk(["--help"], { DATABASE_URL: db });
    expect(help.code).toBe(0);
    expect(help.stderr + help.stdout).toContain("Usage: certdesk <command>");
    expect(fs.existsSync(db.slice("sqlite:".length))).toBe(false);
  });

  it("refuses a limit that is not a whole number, and a bad DATABASE_URL", { timeout: CLI_TIMEOUT * 2 }, async () => {
    const [word, fraction, config] = await Promise.all([
      certdesk(["users", "set-team-limit", "ada@example.com", "lots"], { DATABASE_URL: "sqlite::memory:" }),
      certdesk(["users", "set-team-limit", "ada@example.com", "2.5"], { DATABASE_URL: "sqlite::memory:" }),
      certdesk(["migrate"], { DATABASE_URL: "mysql://localhost/certdesk" }),
    ]);
    expect(word.code).toBe(1);
    expect(word.stderr).toContain('"lots" is not a whole number');
    expect(fraction.code).toBe(1);
    expect(fraction.stderr).toContain('"2.5" is not a whole number');
    expect(config.code).toBe(1);
    expect(config.stderr).toContain("DATABASE_URL must start with sqlite: or postgres://");
    for (const run of [word, fraction, config]) expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.each(ENGINES)("certdesk against %s", (engine) => {
  let t: TestDatabase;
  const email = `cli.ada.${engine}.${process.pid}@example.com`;
  let userId: string;

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    // A user with their default team, as sign-up leaves them (written directly: no HTTP server here).
    const now = new Date().toISOString();
    userId = newId();
    const teamId = newId();
    await t.db.kysely
      .insertInto("users")
      .values({ id: userId, email, name: "Ada Cli", passwordHash: "not-a-real-hash", teamLimit: null, activeTeamId: null, createdAt: now })
      .execute();
    await t.db.kysely.insertInto("teams").values({ id: teamId, name: "Ada Cli's team", ownerId: userId, isDefault: 1, createdAt: now }).execute();
    await t.db.kysely.insertInto("memberships").values({ teamId, userId, roles: "", joinedAt: now }).execute();
  });
  afterAll(() => t.drop());

  /** A new, empty database of the engine, and how to get rid of it. */
  async function emptyDatabase(): Promise<{ url: string; open(): Db; drop(): Promise<void> }> {
    if (engine === "sqlite") {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-cli-"));
      return { url: `sqlite:${path.join(dir, "nested", "certdesk.db")}`, open: () => createDb(`sqlite:${path.join(dir, "nested", "certdesk.db")}`), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
    }
    const admin = process.env.TEST_POSTGRES_URL!;
    const name = `certdesk_cli_${randomBytes(6).toString("hex")}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      open: () => createDb(url.toString()),
      async drop() {
        const again = new pg.Client({ connectionString: admin });
        await again.connect();
        await again.query(`drop database if exists ${name} with (force)`);
        await again.end();
      },
    };
  }

  it("migrates an empty database, then reports it up to date", { timeout: CLI_TIMEOUT * 2 }, async () => {
    const fresh = await emptyDatabase();
    try {
      const first = await certdesk(["migrate"], { DATABASE_URL: fresh.url });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^Applied: 0001_teams_core, 0002_audit_append_only/);
      const second = await certdesk(["migrate"], { DATABASE_URL: fresh.url });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout.trim()).toBe("The database is up to date.");

      const db = fresh.open();
      try {
        const users = await db.kysely.selectFrom("users").select("id").execute();
        expect(users).toEqual([]);
        // The append-only trigger came with the migrations.
        await db.kysely
          .insertInto("auditLog")
          .values({ id: "00000000-0000-7000-8000-000000000000", teamId: "t", at: new Date().toISOString(), actorId: null, actorEmail: null, action: "x", target: null, details: "{}" })
          .execute();
        await expect(sql`delete from audit_log`.execute(db.kysely)).rejects.toThrow(/append-only/);
      } finally {
        await db.close();
      }
    } finally {
      await fresh.drop();
    }
  });

  it("sets one user's team limit, records it, and shows it", { timeout: CLI_TIMEOUT * 2 }, async () => {
    const set = await certdesk(["users", "set-team-limit", ` ${email.toUpperCase()} `, "5"], { DATABASE_URL: t.url });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout.trim()).toBe(`${email}: team limit 3 → 5`);
    const row = await t.db.kysely.selectFrom("users").select("teamLimit").where("id", "=", userId).executeTakeFirstOrThrow();
    expect(row.teamLimit).toBe(5);
    const audit = await t.db.kysely.selectFrom("auditLog").selectAll().where("action", "=", "team.limit_changed").where("target", "=", email).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: null });
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ from: 3, to: 5 });

    const show = await certdesk(["users", "show", email], { DATABASE_URL: t.url });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`Ada Cli <${email}>`);
    expect(show.stdout).toContain(userId);
    expect(show.stdout).toContain("team limit: 5 (set for this user); owns 1");
    expect(show.stdout).toMatch(/Ada Cli's team \(default\) +\S+ +Owner/);

    const reset = await certdesk(["users", "set-team-limit", email, "default"], { DATABASE_URL: t.url });
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout.trim()).toBe(`${email}: team limit 5 → 3`);
    const after = await t.db.kysely.selectFrom("users").select("teamLimit").where("id", "=", userId).executeTakeFirstOrThrow();
    expect(after.teamLimit).toBeNull();
  });

  it("refuses unknown users and impossible limits without changing anything", { timeout: CLI_TIMEOUT * 2 }, async () => {
    const before = await t.db.kysely.selectFrom("users").selectAll().orderBy("id").execute();
    const [unknownSet, unknownShow, zero, huge] = await Promise.all([
      certdesk(["users", "set-team-limit", "nobody@example.com", "5"], { DATABASE_URL: t.url }),
      certdesk(["users", "show", "nobody@example.com"], { DATABASE_URL: t.url }),
      certdesk(["users", "set-team-limit", email, "0"], { DATABASE_URL: t.url }),
      certdesk(["users", "set-team-limit", email, "10001"], { DATABASE_URL: t.url }),
    ]);
    for (const run of [unknownSet, unknownShow]) {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("No account for nobody@example.com");
    }
    for (const run of [zero, huge]) {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("whole number from 1 to 10000");
    }
    expect(await t.db.kysely.selectFrom("users").selectAll().orderBy("id").execute()).toEqual(before);
  });

  it("prints names and e-mails from the database escaped, so they cannot rewrite the terminal", { timeout: CLI_TIMEOUT * 2 }, async () => {
    // Rows as a database from before the name rule could hold them: written directly, past the API.
    const now = new Date().toISOString();
    const eveId = newId();
    const eveEmail = `cli.eve.${engine}.${process.pid}@example.com`;
    await t.db.kysely
      .insertInto("users")
      .values({ id: eveId, email: eveEmail, name: "Eve\u001b[2J\u202eevil", passwordHash: "not-a-real-hash", teamLimit: null, activeTeamId: null, createdAt: now })
      .execute();
    const teamId = newId();
    await t.db.kysely.insertInto("teams").values({ id: teamId, name: "Eve\u001b]0;owned\u0007\u2066 team", ownerId: eveId, isDefault: 1, createdAt: now }).execute();
    await t.db.kysely.insertInto("memberships").values({ teamId, userId: eveId, roles: "", joinedAt: now }).execute();

    const show = await certdesk(["users", "show", eveEmail], { DATABASE_URL: t.url });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/);
    expect(show.stdout).toContain(`Eve\\u001b[2J\\u202eevil <${eveEmail}>`);
    expect(show.stdout).toContain("Eve\\u001b]0;owned\\u0007\\u2066 team (default)");
  });

  it("looks users up by the one e-mail grammar: an IDN in either form, and refuses a malformed address", { timeout: CLI_TIMEOUT * 2 }, async () => {
    const now = new Date().toISOString();
    const local = `cli.idn.${engine}.${process.pid}`;
    const stored = `${local}@xn--bcher-kva.example`;
    const idnId = newId();
    const teamId = newId();
    await t.db.kysely
      .insertInto("users")
      .values({ id: idnId, email: stored, name: "Ada Bücher", passwordHash: "not-a-real-hash", teamLimit: null, activeTeamId: null, createdAt: now })
      .execute();
    await t.db.kysely.insertInto("teams").values({ id: teamId, name: "Ada Bücher's team", ownerId: idnId, isDefault: 1, createdAt: now }).execute();
    await t.db.kysely.insertInto("memberships").values({ teamId, userId: idnId, roles: "", joinedAt: now }).execute();

    const [show, set, malformed, lookalike] = await Promise.all([
      certdesk(["users", "show", `${local.toUpperCase()}@Bu\u0308cher.example`], { DATABASE_URL: t.url }),
      certdesk(["users", "set-team-limit", `${local}@BÜCHER.example`, "4"], { DATABASE_URL: t.url }),
      certdesk(["users", "show", `Ada <${stored}>`], { DATABASE_URL: t.url }),
      certdesk(["users", "set-team-limit", `${local}@xn--bcher-kva.exampl\u0435`, "4"], { DATABASE_URL: t.url }), // Cyrillic е
    ]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`Ada Bücher <${stored}>`);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout.trim()).toBe(`${stored}: team limit 3 → 4`);
    for (const run of [malformed, lookalike]) {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^certdesk: This e-mail address is not valid: /);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    const row = await t.db.kysely.selectFrom("users").select("teamLimit").where("id", "=", idnId).executeTakeFirstOrThrow();
    expect(row.teamLimit).toBe(4);
  });

  it("sweeps ended sessions and reports what it removed", { timeout: CLI_TIMEOUT * 2 }, async () => {
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    const hour = 3_600_000;
    const ended = `cli-sweep-ended-${engine}`;
    const live = `cli-sweep-live-${engine}`;
    await t.db.kysely
      .insertInto("sessions")
      .values([
        { tokenHash: ended, userId, createdAt: ago(200 * hour), lastSeenAt: ago(hour), expiresAt: ago(1000) },
        { tokenHash: live, userId, createdAt: ago(hour), lastSeenAt: ago(1000), expiresAt: ago(-hour) },
      ])
      .execute();
    const run = await certdesk(["sweep"], { DATABASE_URL: t.url });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Removed 1 ended session(s), 0 expired password-reset link(s), 0 e-mail row(s) older than 30 days.");
    const left = await t.db.kysely.selectFrom("sessions").select("tokenHash").where("tokenHash", "in", [ended, live]).execute();
    expect(left.map((row) => row.tokenHash)).toEqual([live]);
  });
});
