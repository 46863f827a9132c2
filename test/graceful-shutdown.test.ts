// Graceful shutdown of a built server (issue 13, README "Running several servers"): `certdesk serve`
// is sent SIGTERM while a sign-up is in flight (its body half sent on a raw socket) and while
// another request's headers are half sent. After the signal: new connections are refused, the
// half-sent request is answered 503 (readiness included: that one is GET /health/ready), the
// sign-up completes 201 with its account committed, an idle keep-alive connection does not hold the
// exit, and the process exits 0 soon after the last answer. Runs the compiled server (`npm run build:server`).
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, uniqueEmail } from "./helpers/app.js";
import { ENGINES, createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";
import { freePort, sleep } from "./helpers/server.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = path.join(ROOT, "bin/certdesk.js");
const BUILT = path.join(ROOT, "dist/src/server/cli.js");

/** A raw HTTP/1.1 connection: what is written goes out as is; everything read is kept. */
class RawConnection {
  received = "";
  closed = false;
  private readonly socket: net.Socket;
  private readonly ended: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (this.received += chunk));
    socket.on("error", () => undefined);
    this.ended = new Promise((resolve) => socket.on("close", () => ((this.closed = true), resolve())));
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1", () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  write(text: string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(text, (error) => (error ? reject(error) : resolve())));
  }

  /** Waits until a whole response (headers and a Content-Length body) has arrived; returns its status and headers. */
  async response(timeoutMs = 30_000): Promise<{ status: number; headers: string; body: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.received.indexOf("\r\n\r\n");
      if (end >= 0) {
        const headers = this.received.slice(0, end);
        const length = Number(/^content-length:\s*(\d+)/im.exec(headers)?.[1] ?? 0);
        const body = this.received.slice(end + 4);
        if (Buffer.byteLength(body) >= length) return { status: Number(headers.split(" ")[1]), headers, body };
      }
      if (this.closed || Date.now() > deadline) throw new Error(`no whole response (closed: ${this.closed}): ${JSON.stringify(this.received)}`);
      await sleep(10);
    }
  }

  whenClosed(): Promise<void> {
    return this.ended;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Whether a new TCP connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

beforeAll(() => {
  if (!fs.existsSync(BUILT)) throw new Error(`certdesk is not built (${path.relative(ROOT, BUILT)} is missing): run \`npm run build:server\` first.`);
});

describe.each(ENGINES)("graceful shutdown on %s", (engine) => {
  let t: TestDatabase;
  let dataDir: string;
  let server: ChildProcess | undefined;
  let output = "";

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-shutdown-"));
  });
  afterAll(async () => {
    if (server && server.exitCode === null) server.kill("SIGKILL");
    await t?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("SIGTERM: in-flight requests finish 2xx, new ones are refused or 503, the process exits 0", { timeout: 90_000 }, async () => {
    const port = await freePort();
    const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL|DATA_DIR|SMTP_URL|MAIL_DIR|BASE_URL|PORT|HOST|MASTER_KEY)$/.test(name)));
    server = spawn(process.execPath, [BIN, "serve"], {
      cwd: ROOT,
      env: { ...base, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, DATABASE_URL: t.url, BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout!.on("data", (chunk) => (output += chunk));
    server.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => server!.once("exit", (code, signal) => resolve({ code, signal })));

    const deadline = Date.now() + 60_000;
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.status, () => 0);
      if (ready === 200) break;
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`certdesk did not become ready:\n${output}`);
      await sleep(100);
    }

    // An idle keep-alive connection: one finished request, nothing after.
    const idle = await RawConnection.open(port);
    await idle.write(`GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect((await idle.response()).status).toBe(200);

    // A sign-up whose body is half sent: Fastify is still reading it when the signal comes.
    const email = uniqueEmail("Draining Dana");
    const body = JSON.stringify({ email, password: PASSWORD, name: "Draining Dana" });
    const signUp = await RawConnection.open(port);
    await signUp.write(
      `POST /api/auth/signup HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
        body.slice(0, 20),
    );
    // A readiness probe whose headers are half sent.
    const probe = await RawConnection.open(port);
    await probe.write(`GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    await sleep(200);

    server.kill("SIGTERM");
    const stopWaiting = Date.now() + 20_000;
    while (!(await refused(port))) {
      if (Date.now() > stopWaiting) throw new Error(`the listener stayed open after SIGTERM:\n${output}`);
      await sleep(20);
    }
    await idle.whenClosed(); // closed by the drain, not left to its keep-alive timeout

    await probe.write(`\r\n`);
    const notReady = await probe.response();
    expect(notReady.status, notReady.body).toBe(503);
    expect(notReady.headers).toMatch(/^connection: close$/im);

    await sleep(300); // the sign-up stays in flight a while into the drain
    expect(server.exitCode).toBeNull();
    await signUp.write(body.slice(20));
    const answered = await signUp.response();
    expect(answered.status, answered.body).toBe(201);
    expect(JSON.parse(answered.body).user.email).toBe(email);

    const answeredAt = Date.now();
    const { code, signal } = await exited;
    expect({ code, signal }, output).toEqual({ code: 0, signal: null });
    // Its connection, idle once answered, was closed by the drain: nothing waited for a keep-alive
    // timeout or the 25 s cut (measured: 46 ms here; 24.7 s without the sweep of idle connections).
    expect(Date.now() - answeredAt).toBeLessThan(5_000);
    expect(await refused(port)).toBe(true);
    // The account was committed before the database was closed.
    const user = await t.db.kysely.selectFrom("users").select("email").where("email", "=", email).executeTakeFirst();
    expect(user?.email).toBe(email);
    for (const connection of [idle, signUp, probe]) connection.destroy();
  });
});
