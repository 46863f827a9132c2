// SECURITY 22: the BUILT server (`node bin/certdesk.js serve`) is killed with SIGKILL in the
// middle of a write load — sign-ups, team creations at the limit, invitations, accepts,
// transfers from several concurrent loops — restarted on the same data, and the data checked
// with SQL: one Owner per team holding a membership, limits held, every accepted invitation
// matched by a membership, no half-created team, every user with a default team, and every
// write the server acknowledged before the kill still there. On SQLite, and on PostgreSQL
// when TEST_POSTGRES_URL is set. No leaves or removals in the load, so an accepted invitation
// without a membership can only mean a torn write.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, uniqueEmail } from "./helpers/app.js";
import { ENGINES, createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";
import { HttpClient, freePort, linkTokenIn, signUpVia, sleep, waitForHttp } from "./helpers/server.js";
import type { HttpResponse, LiveSignedIn } from "./helpers/server.js";
import { startSmtpServer } from "./helpers/smtp.js";
import type { TestSmtpServer } from "./helpers/smtp.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const BIN = path.join(ROOT, "bin", "certdesk.js");
const BUILT_CLI = path.join(ROOT, "dist", "src", "server", "cli.js");
const DEFAULT_TEAM_LIMIT = 3;
const CYCLES = 3;
/** Acknowledged writes to wait for (per cycle) before the kill; the deadline caps the wait. */
const WRITES_BEFORE_KILL = 30;
const MIN_LOAD_MS = 2_000;
const LOAD_DEADLINE_MS = 12_000;

function assertBuilt(): void {
  if (!fs.existsSync(BUILT_CLI)) {
    throw new Error(
      `The crash test runs the built server, but ${path.relative(ROOT, BUILT_CLI)} is missing: run \`npm run build:server\` first.`,
    );
  }
  const newestSource = newestMtime(path.join(ROOT, "src", "server"));
  if (newestSource > fs.statSync(BUILT_CLI).mtimeMs) {
    console.warn("crash test: dist/ is older than src/server/; it tests the last build (run `npm run build:server`).");
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** The server as a child process: started, killed with SIGKILL, started again on the same data. */
class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private output: string[] = [];
  url = "";

  constructor(private readonly env: Record<string, string>) {}

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [BIN, "serve"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? os.tmpdir(),
        ...this.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        BASE_URL: this.url,
        RATE_LIMIT_SCALE: "100000",
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    try {
      await waitForHttp(this.url, 30_000, () => this.alive);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- server output ---\n${this.tail()}`);
    }
  }

  async kill(): Promise<void> {
    if (!this.child) return;
    if (this.alive) this.child.kill("SIGKILL");
    await this.exited;
    this.child = undefined;
  }

  /** The server's last log lines (warnings and errors), for failure messages. */
  tail(): string {
    return this.output.join("\n");
  }

  /** Log lines at error level or worse (pino: level ≥ 50). */
  errors(): string[] {
    return this.output.filter((line) => /"level":(5\d|60)/.test(line));
  }
}

/** What the server acknowledged (2xx) before the kill: each must survive it. */
interface Acknowledged {
  users: string[];
  teams: { id: string; ownerId: string }[];
  memberships: { teamId: string; userId: string }[];
  transfers: { teamId: string; ownerId: string }[];
}

/** A bounded load of writes from several concurrent loops against one server. */
class WriteLoad {
  stopped = false;
  writes = 0;
  /** Team writes (creations, invitations, accepts, transfers) sent and not yet answered. */
  teamWritesInFlight = 0;
  readonly unexpected: string[] = [];
  readonly ack: Acknowledged = { users: [], teams: [], memberships: [], transfers: [] };
  private loops: Promise<void>[] = [];

  constructor(
    private readonly server: ServerProcess,
    private readonly smtp: TestSmtpServer,
  ) {}

  /** Calls the server; a dropped connection (the kill) ends the load, any unexpected status is recorded. */
  private async call(
    what: string,
    expected: Record<number, readonly string[] | null>,
    send: () => Promise<HttpResponse>,
  ): Promise<HttpResponse | undefined> {
    if (this.stopped) return undefined;
    let response: HttpResponse;
    const teamWrite = what !== "sign-up";
    if (teamWrite) this.teamWritesInFlight += 1;
    try {
      response = await send();
    } catch {
      this.stopped = true; // the server is gone
      return undefined;
    } finally {
      if (teamWrite) this.teamWritesInFlight -= 1;
    }
    const codes = expected[response.status];
    if (codes === undefined || (codes !== null && !codes.includes(response.code ?? ""))) {
      this.unexpected.push(`${what}: ${response.status} ${response.text.slice(0, 300)}`);
      return undefined;
    }
    if (response.status < 300) this.writes += 1;
    return response;
  }

  private async signUp(name: string): Promise<LiveSignedIn | undefined> {
    const email = uniqueEmail(name.replace(/\d+/g, ""));
    const client = new HttpClient(this.server.url);
    const response = await this.call("sign-up", { 201: null }, () => client.post("/api/auth/signup", { email, password: PASSWORD, name }));
    if (!response) return undefined;
    const user = response.json().user;
    this.ack.users.push(user.id);
    return { client, user, defaultTeamId: "" };
  }

  /** The link of the invitation to this team: e-mails of earlier (or killed) invitations arrive too. */
  private async invitationToken(address: string, teamName: string, used: Set<string>): Promise<string | undefined> {
    const deadline = Date.now() + 15_000;
    while (!this.stopped && Date.now() < deadline) {
      const token = linkTokenIn(this.smtp.messages, address, "invitations", teamName);
      if (token && !used.has(token)) {
        used.add(token);
        return token;
      }
      await sleep(20);
    }
    if (!this.stopped) this.unexpected.push(`no invitation e-mail to ${address}`);
    return undefined;
  }

  /** New accounts, each racing 4 team creations at 1 of 3 owned: exactly 2 may succeed. */
  private async signUpLoop(name: string): Promise<void> {
    for (let i = 0; i < 200 && !this.stopped; i += 1) {
      const user = await this.signUp(`${name} ${i}`);
      if (!user) return;
      const created = await Promise.all(
        Array.from({ length: 4 }, (_, k) =>
          this.call("create at limit", { 201: null, 409: ["team_limit_reached"] }, () => user.client.post("/api/teams", { name: `Burst ${k}` })),
        ),
      );
      for (const response of created) {
        if (response?.status === 201) this.ack.teams.push({ id: response.json().team.id, ownerId: user.user.id });
      }
    }
  }

  /** One owner (with a raised limit) creating teams, inviting, having invitees accept, transferring. */
  private async teamLoop(owner: LiveSignedIn, invitees: LiveSignedIn[]): Promise<void> {
    const used = new Set<string>();
    for (let i = 0; i < 200 && !this.stopped; i += 1) {
      const name = `Work ${randomBytes(6).toString("hex")}`;
      const created = await this.call("create team", { 201: null }, () => owner.client.post("/api/teams", { name }));
      if (!created) return;
      const teamId: string = created.json().team.id;
      this.ack.teams.push({ id: teamId, ownerId: owner.user.id });
      const invitee = invitees[i % invitees.length]!;
      const invited = await this.call("invite", { 201: null }, () =>
        owner.client.post(`/api/teams/${teamId}/invitations`, { email: invitee.user.email, roles: ["billing", "installer"] }),
      );
      if (!invited) return;
      const token = await this.invitationToken(invitee.user.email, name, used);
      if (!token) return;
      const accepted = await this.call("accept", { 200: null }, () => invitee.client.post(`/api/invitations/${token}/accept`));
      if (!accepted) return;
      this.ack.memberships.push({ teamId, userId: invitee.user.id });
      if (i % 2 === 0) {
        const moved = await this.call("transfer", { 200: null }, () => owner.client.post(`/api/teams/${teamId}/transfer`, { userId: invitee.user.id }));
        if (!moved) return;
        this.ack.transfers.push({ teamId, ownerId: invitee.user.id });
      }
    }
  }

  start(teams: { owner: LiveSignedIn; invitees: LiveSignedIn[] }[]): void {
    this.loops = [
      this.signUpLoop("Sid Signup"),
      this.signUpLoop("Sue Signup"),
      ...teams.map(({ owner, invitees }) => this.teamLoop(owner, invitees)),
    ].map((loop) => loop.catch((error: unknown) => void this.unexpected.push(`loop failed: ${String(error)}`)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}

/** Rows that break an invariant; each query must return none. */
function invariantQueries(defaultTeamLimit: number) {
  return {
    "team whose Owner holds no membership": sql`
      select t.id from teams t
      left join memberships m on m.team_id = t.id and m.user_id = t.owner_id
      where m.user_id is null`,
    "Owner membership with roles, or member without any": sql`
      select m.team_id, m.user_id from memberships m join teams t on t.id = m.team_id
      where (m.user_id = t.owner_id and m.roles <> '') or (m.user_id <> t.owner_id and m.roles = '')`,
    "user owning more teams than their limit": sql`
      select u.id, count(t.id) as owned from users u join teams t on t.owner_id = u.id
      group by u.id, u.team_limit
      having count(t.id) > coalesce(u.team_limit, ${sql.lit(defaultTeamLimit)})`,
    "accepted invitation without a membership": sql`
      select i.id from invitations i
      join users u on u.email = i.email
      left join memberships m on m.team_id = i.team_id and m.user_id = u.id
      where i.status = 'accepted' and m.user_id is null`,
    "member without an accepted invitation (or being the creator)": sql`
      select m.team_id, m.user_id from memberships m join users u on u.id = m.user_id
      where not exists (select 1 from invitations i where i.team_id = m.team_id and i.email = u.email and i.status = 'accepted')
        and not exists (select 1 from teams t where t.id = m.team_id and t.owner_id = m.user_id)
        and not exists (select 1 from audit_log a where a.team_id = m.team_id and a.action = 'team.ownership_transferred')`,
    "user without a default team": sql`
      select u.id from users u
      where not exists (select 1 from teams t where t.owner_id = u.id and t.is_default = 1)`,
    "team without its creation in the audit log": sql`
      select t.id from teams t
      where not exists (select 1 from audit_log a where a.team_id = t.id and a.action = 'team.created')`,
    "transfer audited but Owner unchanged or membership missing": sql`
      select a.team_id from audit_log a join teams t on t.id = a.team_id
      where a.action = 'team.ownership_transferred'
        and not exists (select 1 from memberships m where m.team_id = t.id and m.user_id = t.owner_id)`,
    "invitation without its queued e-mail": sql`
      select i.email from invitations i
      group by i.email
      having count(*) > (select count(*) from outbox o where o.to_address = i.email)`,
  };
}

describe.each(ENGINES)("SIGKILL during a write load, on %s (SECURITY 22)", (engine) => {
  let t: TestDatabase;
  let dataDir: string;
  let smtp: TestSmtpServer;
  let server: ServerProcess;
  const acknowledged: Acknowledged = { users: [], teams: [], memberships: [], transfers: [] };
  const unexpected: string[] = [];
  const writesPerCycle: number[] = [];
  /** A session opened before the first kill, to use after the last restart. */
  let veteranCookie: string | undefined;

  beforeAll(async () => {
    assertBuilt();
    t = await createTestDatabase(engine, { poolSize: 2 });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-crash-"));
    smtp = await startSmtpServer();
    server = new ServerProcess({ DATA_DIR: dataDir, DATABASE_URL: t.url, SMTP_URL: smtp.url });
    await server.start();
  });

  afterAll(async () => {
    await server?.kill();
    await smtp?.stop();
    await t?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps every invariant and every acknowledged write across kills", { timeout: 180_000 }, async () => {
    // Three owners, each with two invitees; their limits raised so the loops never stop at one.
    // Their sessions outlive every kill: each cycle only points their clients at the new port.
    const groups: { owner: LiveSignedIn; invitees: LiveSignedIn[] }[] = [];
    for (let k = 0; k < 3; k += 1) {
      // (uniqueEmail turns digits in a name into "..", which SMTP refuses: keep them out of it.)
      const owner = await signUpVia(server.url, `Owen Owner ${k}`, uniqueEmail("Owen Owner"));
      const invitees = [
        await signUpVia(server.url, `Ian Invitee ${k}`, uniqueEmail("Ian Invitee")),
        await signUpVia(server.url, `Ina Invitee ${k}`, uniqueEmail("Ina Invitee")),
      ];
      await t.db.kysely
        .updateTable("users")
        .set({ teamLimit: 1000 })
        .where("id", "in", [owner.user.id, ...invitees.map((i) => i.user.id)])
        .execute();
      acknowledged.users.push(owner.user.id, ...invitees.map((i) => i.user.id));
      groups.push({ owner, invitees });
    }
    veteranCookie = groups[0]!.owner.client.cookie;

    for (let cycle = 0; cycle < CYCLES; cycle += 1) {
      for (const { owner, invitees } of groups) for (const who of [owner, ...invitees]) who.client.baseUrl = server.url;
      const load = new WriteLoad(server, smtp);
      load.start(groups);
      // Let the load run, then kill at a moment when team writes are in flight (their
      // transactions open or committing), a few milliseconds either way.
      const started = Date.now();
      const deadline = started + LOAD_DEADLINE_MS;
      while ((load.writes < WRITES_BEFORE_KILL || Date.now() - started < MIN_LOAD_MS) && Date.now() < deadline && !load.stopped) await sleep(20);
      while (load.teamWritesInFlight < 2 && Date.now() < deadline && !load.stopped) await sleep(1);
      await sleep(Math.floor(Math.random() * 8));
      await server.kill();
      await load.stop();
      writesPerCycle.push(load.writes);
      unexpected.push(...load.unexpected);
      acknowledged.users.push(...load.ack.users);
      acknowledged.teams.push(...load.ack.teams);
      acknowledged.memberships.push(...load.ack.memberships);
      acknowledged.transfers.push(...load.ack.transfers);

      await server.start(); // same DATA_DIR and DATABASE_URL; migrations run again
    }
    console.log(
      `crash test on ${engine}: acknowledged writes per cycle before SIGKILL ${writesPerCycle.join(", ")}; ` +
        `${acknowledged.users.length} users, ${acknowledged.teams.length} teams, ${acknowledged.memberships.length} accepts, ` +
        `${acknowledged.transfers.length} transfers acknowledged in all`,
    );

    expect(unexpected, server.tail()).toEqual([]);
    // The load did real work before each kill.
    for (const writes of writesPerCycle) expect(writes).toBeGreaterThan(5);

    for (const [name, query] of Object.entries(invariantQueries(DEFAULT_TEAM_LIMIT))) {
      const { rows } = await query.execute(t.db.kysely);
      expect(rows, name).toEqual([]);
    }

    // Everything acknowledged before a kill survived it.
    const db = t.db.kysely;
    const users = new Set((await db.selectFrom("users").select("id").execute()).map((r) => r.id));
    expect(acknowledged.users.filter((id) => !users.has(id)), "acknowledged users lost").toEqual([]);
    const teams = new Map((await db.selectFrom("teams").select(["id", "ownerId"]).execute()).map((r) => [r.id, r.ownerId]));
    expect(acknowledged.teams.filter((team) => !teams.has(team.id)), "acknowledged teams lost").toEqual([]);
    expect(acknowledged.transfers.filter((move) => teams.get(move.teamId) !== move.ownerId), "acknowledged transfers lost").toEqual([]);
    const members = new Set((await db.selectFrom("memberships").select(["teamId", "userId"]).execute()).map((r) => `${r.teamId}/${r.userId}`));
    expect(acknowledged.memberships.filter((m) => !members.has(`${m.teamId}/${m.userId}`)), "acknowledged accepts lost").toEqual([]);
  });

  it("answers after the restart: old sessions work and new writes succeed", async () => {
    const veteran = new HttpClient(server.url);
    veteran.cookie = veteranCookie;
    const stillIn = await veteran.get("/api/me");
    expect(stillIn.status, stillIn.text).toBe(200);
    const again = await signUpVia(server.url, "Rae Restart");
    const created = await again.client.post("/api/teams", { name: "After the crash" });
    expect(created.status, created.text).toBe(201);
    const me = await again.client.get("/api/me");
    expect(me.status).toBe(200);
    expect(me.json().teams).toHaveLength(2);
    const login = await new HttpClient(server.url).post("/api/auth/login", { email: again.user.email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(server.errors(), "the server logged errors").toEqual([]);
  });
});
