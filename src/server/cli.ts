// The `certdesk` command: serve, migrate, sweep, users set-team-limit, users show, ca crl.
import "reflect-metadata";
import { canonicalEmail } from "./auth/email.js";
import { escapeForTerminal } from "./auth/names.js";
import { systemClock } from "./clock.js";
import { ConfigError, loadConfig } from "./config.js";
import type { Config } from "./config.js";
import { setTeamLimit } from "./commands/set-team-limit.js";
import { OUTBOX_RETENTION_DAYS, sweepExpired } from "./commands/sweep-expired.js";
import { connectAtStart } from "./db/availability.js";
import type { Db } from "./db/create-db.js";
import { AppError } from "./errors.js";
import { verifyMasterKey } from "./master-key.js";
import { migrateToLatest } from "./migrations/index.js";
import { crlReport } from "./queries/revocations.js";

const USAGE = `Usage: certdesk <command>

  serve                               start the dashboard and API (migrates first)
  migrate                             apply pending database migrations
  sweep                               delete ended sessions, expired reset links and e-mail
                                      rows older than ${OUTBOX_RETENTION_DAYS} days (the server does it hourly)
  users set-team-limit <email> <n>    let one user own up to n teams ("default" to reset)
  users show <email>                  show a user, their limit and their teams
  ca crl                              the issuing CA's last CRL number and the entries of its CRL

Configuration is read from the environment: PORT, HOST, DATA_DIR, DATABASE_URL, BASE_URL,
SMTP_URL, MAIL_DIR, INVITATION_TTL_HOURS, DEFAULT_TEAM_LIMIT, RATE_LIMIT_SCALE, MASTER_KEY.`;

/**
 * Opens the database for one command, migrated first unless the command is the migration itself.
 * The master key is checked as the server checks it (these commands read nothing sealed), so that a
 * wrong MASTER_KEY shows now rather than at the next start.
 */
async function withDb<T>(config: Config, work: (db: Db) => Promise<T>, migrateFirst = true): Promise<T> {
  const db = await connectAtStart(config.databaseUrl);
  try {
    if (migrateFirst) {
      await migrateToLatest(db);
      await verifyMasterKey(db, config);
    }
    return await work(db);
  } finally {
    await db.close();
  }
}

async function showUser(db: Db, config: Config, rawEmail: string): Promise<void> {
  const email = canonicalEmail(rawEmail);
  const user = await db.kysely.selectFrom("users").select(["id", "email", "name", "teamLimit", "createdAt"]).where("email", "=", email).executeTakeFirst();
  if (!user) throw new AppError("not_found", `No account for ${email}.`);
  const teams = await db.kysely
    .selectFrom("memberships")
    .innerJoin("teams", "teams.id", "memberships.teamId")
    .select(["teams.id", "teams.name", "teams.ownerId", "teams.isDefault", "memberships.roles"])
    .where("memberships.userId", "=", user.id)
    .orderBy("teams.name")
    .execute();
  const owned = teams.filter((team) => team.ownerId === user.id).length;
  const limit = user.teamLimit ?? config.defaultTeamLimit;
  // What the database holds is printed escaped: a name or e-mail stored before the name and
  // e-mail rules could hold ESC sequences or bidi overrides that rewrite the operator's terminal.
  const show = escapeForTerminal;
  console.log(`${show(user.name)} <${show(user.email)}>  id ${user.id}  since ${user.createdAt}`);
  console.log(`team limit: ${limit}${user.teamLimit === null ? " (default)" : " (set for this user)"}; owns ${owned}`);
  for (const team of teams) {
    const role = team.ownerId === user.id ? "Owner" : team.roles.replaceAll(",", ", ");
    console.log(`  ${show(team.name)}${team.isDefault ? " (default)" : ""}  ${team.id}  ${show(role)}`);
  }
}

export async function runCli(args: string[]): Promise<number> {
  const [command, sub, ...rest] = args;
  const config = loadConfig();
  if (command === "serve") {
    // Loaded only here: the HTTP server, its plugins and the CA cost seconds to import, which the
    // operator's one-shot commands (migrate, users …) need not pay.
    const { closeOnSignals, startServer } = await import("./main.js");
    const server = await startServer(config);
    closeOnSignals(server);
    // The address to open: BASE_URL (e-mailed links use it too), which the server accepts from a browser.
    console.log(`certdesk is running: open ${config.baseUrl} (listening on ${server.url})`);
    return -1; // keep running
  }
  if (command === "migrate") {
    // Not migrated by withDb first: that would apply everything and then report "up to date".
    const result = await withDb(
      config,
      async (db) => {
        const migrated = await migrateToLatest(db);
        await verifyMasterKey(db, config); // its table is one of the migrations
        return migrated;
      },
      false,
    );
    const applied = result.results?.filter((r) => r.status === "Success").map((r) => r.migrationName) ?? [];
    console.log(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
    return 0;
  }
  if (command === "sweep" && sub === undefined) {
    const removed = await withDb(config, (db) => sweepExpired({ db, config, clock: systemClock }));
    console.log(
      `Removed ${removed.sessions} ended session(s), ${removed.passwordResets} expired password-reset link(s), ` +
        `${removed.outbox} e-mail row(s) older than ${OUTBOX_RETENTION_DAYS} days.`,
    );
    return 0;
  }
  if (command === "users" && sub === "set-team-limit" && rest.length === 2) {
    const [rawEmail, raw] = rest as [string, string];
    const email = canonicalEmail(rawEmail);
    const limit = raw === "default" ? null : Number(raw);
    if (limit !== null && !/^\d+$/.test(raw)) throw new AppError("invalid_request", `"${raw}" is not a whole number.`);
    const { from, to } = await withDb(config, (db) => setTeamLimit({ db, config, clock: systemClock }, email, limit));
    console.log(`${email}: team limit ${from} → ${to}`);
    return 0;
  }
  if (command === "ca" && sub === "crl" && rest.length === 0) {
    for (const line of await withDb(config, (db) => crlReport(db, systemClock.now()))) console.log(line);
    return 0;
  }
  if (command === "users" && sub === "show" && rest.length === 1) {
    await withDb(config, (db) => showUser(db, config, rest[0]!));
    return 0;
  }
  console.error(USAGE);
  return command === undefined || command === "help" || command === "--help" ? 0 : 2;
}

/**
 * A failure the operator can act on without reading code: a refused setting, an unreachable
 * database (ConfigError), a refusal (AppError), or the system saying no to a path or a port
 * (EACCES, ENOTDIR, EADDRINUSE …: Node's system errors carry a syscall, and their message names
 * the path or address). Those are one line; anything else is a bug and keeps its stack.
 */
function operatorMessage(error: unknown): string | undefined {
  if (error instanceof ConfigError || error instanceof AppError) return error.message;
  const system = error as NodeJS.ErrnoException | null;
  if (system instanceof Error && typeof system.syscall === "string" && typeof system.code === "string") return `cannot start: ${system.message}`;
  return undefined;
}

runCli(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    const message = operatorMessage(error);
    console.error(message === undefined ? error : `certdesk: ${message}`);
    process.exitCode = 1;
    // A connection still being attempted (a server that drops packets) must not hold the exit.
    setTimeout(() => process.exit(1), 1000).unref();
  },
);
