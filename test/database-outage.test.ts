// The database out of reach (SECURITY 32). At start, the real command (`certdesk serve`, `migrate`,
// `users show`) prints one line naming DATABASE_URL with its password masked, no stack, and exits 1.
// At run time, a lost database answers 503 problem+json with Retry-After, never 500, and the server
// recovers by itself once the database is back: on PostgreSQL through a TCP proxy the test cuts and
// restores (an outage of the network or the server) and by pg_terminate_backend (an administrator or
// a failover ending the sessions); on SQLite by a write lock held past the busy timeout and a closed
// database. A permission check that meets the outage denies (SECURITY 24).
import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/server/config.js";
import { isDatabaseUnavailable } from "../src/server/db/availability.js";
import { startServer } from "../src/server/main.js";
import type { RunningServer } from "../src/server/main.js";
import { PASSWORD, createTestApp, uniqueEmail } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";
import { createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";
import { HttpClient, signUpVia } from "./helpers/server.js";
import type { HttpResponse } from "./helpers/server.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = path.join(ROOT, "bin/certdesk.js");
const BUILT = path.join(ROOT, "dist/src/server/cli.js");
const CLI_TIMEOUT = 60_000;

/** Runs `certdesk …` with only the given configuration (no DATABASE_URL etc. from the caller). */
function certdesk(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL|DATA_DIR|SMTP_URL|MAIL_DIR|BASE_URL|PORT|MASTER_KEY)$/.test(name)));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-outage-cli-"));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...base, DATA_DIR: dataDir, PORT: "0", ...env }, timeout: CLI_TIMEOUT }, (error, stdout, stderr) => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Every answer of an outage: 503 problem+json `unavailable`, with a Retry-After in seconds. */
function expectUnavailable(answer: HttpResponse | { statusCode: number; headers: Record<string, unknown>; body: string }) {
  const status = "status" in answer ? answer.status : answer.statusCode;
  const type = "status" in answer ? answer.headers.get("content-type") : String(answer.headers["content-type"]);
  const retryAfter = "status" in answer ? answer.headers.get("retry-after") : String(answer.headers["retry-after"]);
  const body = "status" in answer ? answer.text : answer.body;
  expect(status, body).toBe(503);
  expect(type).toMatch(/^application\/problem\+json/);
  expect(Number(retryAfter)).toBeGreaterThan(0);
  expect(JSON.parse(body)).toMatchObject({ status: 503, code: "unavailable", type: "https://certdesk.dev/errors/unavailable" });
}

describe("a database unreachable at start", () => {
  beforeAll(() => {
    if (!fs.existsSync(BUILT)) throw new Error("The certdesk command is not built (dist/ is missing): run `npm run build:server` first.");
  });

  it("PostgreSQL: one line naming DATABASE_URL, password masked, no stack, exit 1 — for serve and the operator commands", { timeout: CLI_TIMEOUT * 2 }, async () => {
    const url = "postgres://u:secret@127.0.0.1:1/x";
    const runs = await Promise.all([["serve"], ["migrate"], ["users", "show", "ada@example.com"]].map((args) => certdesk(args, { DATABASE_URL: url })));
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(1);
      const output = (run.stderr + run.stdout).trim();
      expect(output.split("\n"), output).toHaveLength(1);
      expect(output).toContain("DATABASE_URL");
      expect(output).toContain("postgres://u:***@127.0.0.1:1/x");
      expect(output).toContain("ECONNREFUSED");
      expect(output).not.toContain("secret");
      expect(output).not.toMatch(/^\s*at /m);
    }
  });

  it("SQLite: a path that cannot be opened is the same one line", { timeout: CLI_TIMEOUT }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-outage-sqlite-"));
    try {
      // Under a regular file, no directory can be made (a permission check would not stop root).
      const file = path.join(dir, "a-file");
      fs.writeFileSync(file, "");
      const run = await certdesk(["serve"], { DATABASE_URL: `sqlite:${path.join(file, "certdesk.db")}` });
      expect(run.code, run.stderr).toBe(1);
      const output = (run.stderr + run.stdout).trim();
      expect(output.split("\n"), output).toHaveLength(1);
      expect(output).toMatch(/^certdesk: cannot reach DATABASE_URL sqlite:\S+a-file\/certdesk\.db: /);
      expect(output).not.toMatch(/^\s*at /m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("recognising an unavailable database", () => {
  it("knows the drivers' connection failures, and nothing that is the query's fault", () => {
    const coded = (code: string, message = "x") => Object.assign(new Error(message), { code });
    for (const error of [
      coded("ECONNREFUSED"),
      coded("ECONNRESET"),
      coded("57P01", "terminating connection due to administrator command"),
      coded("57P03", "the database system is starting up"),
      coded("08006"),
      coded("08001"),
      coded("SQLITE_BUSY"),
      coded("SQLITE_IOERR_SHORT_READ"),
      coded("SQLITE_CANTOPEN"),
      new Error("Connection terminated unexpectedly"),
      new TypeError("The database connection is not open"),
      Object.assign(new AggregateError([coded("ECONNREFUSED")], ""), { code: undefined }),
    ]) {
      expect(isDatabaseUnavailable(error), String((error as { code?: string }).code ?? error.message)).toBe(true);
    }
    for (const error of [coded("23505"), coded("42P01"), coded("SQLITE_CONSTRAINT_UNIQUE"), coded("40P01"), new Error("boom"), null, "text"]) {
      expect(isDatabaseUnavailable(error)).toBe(false);
    }
  });
});

/** A TCP proxy in front of PostgreSQL that the test can cut (refuse and reset everything) and restore. */
class CuttableProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Nothing listens any more, and every connection through it is reset. */
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const socket of this.sockets) socket.resetAndDestroy();
    await closed;
  }
}

describe.runIf(process.env.TEST_POSTGRES_URL)("PostgreSQL lost at run time", () => {
  let t: TestDatabase;
  let proxy: CuttableProxy;
  let server: RunningServer;
  let baseUrl: string;
  let admin: pg.Client;
  let dataDir: string;

  beforeAll(async () => {
    t = await createTestDatabase("postgres");
    const direct = new URL(t.url);
    proxy = new CuttableProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    await proxy.start();
    const proxied = new URL(t.url);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(proxy.port);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-outage-"));
    server = await startServer(loadConfig({ PORT: "0", DATA_DIR: dataDir, DATABASE_URL: proxied.toString(), RATE_LIMIT_SCALE: "1000", LOG_LEVEL: "fatal" }));
    baseUrl = server.url.replace("localhost", "127.0.0.1");
    admin = new pg.Client({ connectionString: t.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await server?.close();
    await t?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("the network to the database cut: 503 with Retry-After on reads, writes and permission checks; back by itself when it returns", async () => {
    const owner = await signUpVia(baseUrl, "Outage Owner");
    const teamUrl = `/api/teams/${owner.defaultTeamId}`;
    expect((await owner.client.get(teamUrl)).status).toBe(200);

    await proxy.cut();
    try {
      expectUnavailable(await owner.client.get("/api/me")); // the session lookup
      expectUnavailable(await owner.client.get(teamUrl)); // the guard's membership check: denied, not waved through
      expectUnavailable(await owner.client.post("/api/teams", { name: "During the outage" }));
      expectUnavailable(await new HttpClient(baseUrl).post("/api/auth/login", { email: owner.user.email, password: PASSWORD }));
      expectUnavailable(await new HttpClient(baseUrl).get("/api/products")); // public, no session
    } finally {
      await proxy.start(); // the same port again
    }
    expect((await owner.client.get("/api/me")).status).toBe(200);
    const created = await owner.client.post("/api/teams", { name: "After the outage" });
    expect(created.status, created.text).toBe(201);
    const teams = (await owner.client.get("/api/teams")).json<{ items: { name: string }[] }>().items.map((team) => team.name);
    expect(teams).toContain("After the outage");
    expect(teams).not.toContain("During the outage");
  });

  it("its sessions terminated (pg_terminate_backend) mid-query: 503, then the pool reconnects", async () => {
    const owner = await signUpVia(baseUrl, "Terminated Owner");
    // Hold the tables a request reads first (the read cache's version, the sessions) so that the
    // next request waits inside PostgreSQL, then end the server's connections while it waits.
    await admin.query("begin");
    await admin.query("lock table cache_version, sessions in access exclusive mode");
    const waiting = owner.client.get("/api/me");
    try {
      await until(async () => {
        const { rows } = await admin.query("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
        return rows[0].n > 0;
      });
      const { rows } = await admin.query(
        "select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
      );
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      await admin.query("rollback");
    }
    expectUnavailable(await waiting);
    // Connections the pool had not yet noticed were ended may fail one more request each, as 503.
    let answer = await owner.client.get("/api/me");
    for (let attempt = 0; attempt < 20 && answer.status === 503; attempt++) answer = await owner.client.get("/api/me");
    expect(answer.status, answer.text).toBe(200);
  });
});

describe("SQLite unavailable at run time", () => {
  let h: TestApp;
  let email: string;
  let cookie: string;

  beforeAll(async () => {
    h = await createTestApp("sqlite");
    email = uniqueEmail("Locked Out");
    const signup = await h.client().post("/api/auth/signup", { email, password: PASSWORD, name: "Locked Out" });
    expect(signup.statusCode).toBe(201);
    const session = signup.cookies.find((c) => c.name.endsWith("certdesk_session"))!;
    cookie = `${session.name}=${session.value}`;
  });
  afterAll(() => h?.close());

  it("the write lock held by another process past the busy timeout: 503 for the write, reads go on", { timeout: 30_000 }, async () => {
    const other = new SqliteDatabase(h.t.url.slice("sqlite:".length));
    other.exec("begin immediate");
    try {
      const login = await h.app.inject({ method: "POST", url: "/api/auth/login", payload: { email, password: PASSWORD } });
      expectUnavailable(login);
      expect((await h.app.inject({ method: "GET", url: "/api/me", headers: { cookie } })).statusCode).toBe(200);
    } finally {
      other.exec("rollback");
      other.close();
    }
    const again = await h.app.inject({ method: "POST", url: "/api/auth/login", payload: { email, password: PASSWORD } });
    expect(again.statusCode, again.body).toBe(200);
  });

  it("the database closed under the server: 503, not 500", async () => {
    await h.t.db.close();
    expectUnavailable(await h.app.inject({ method: "GET", url: "/api/me", headers: { cookie } }));
    expectUnavailable(await h.app.inject({ method: "GET", url: "/api/products" }));
  });
});

/** Polls an async condition until it holds; gives up after a generous while (never a timing assertion). */
async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
