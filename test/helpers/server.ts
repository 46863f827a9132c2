// A REAL listening server for race and crash tests: startServer() in this process on
// 127.0.0.1, port 0, over a fresh test database, with e-mail caught by an in-process SMTP
// server; and a small fetch-based client that keeps its session cookie like a browser.
// Unlike app.inject(), requests fired together here really are concurrent: on PostgreSQL
// the server's pool (10 connections) runs their transactions side by side.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Config } from "../../src/server/config.js";
import { loadConfig } from "../../src/server/config.js";
import type { Engine } from "../../src/server/db/create-db.js";
import { startServer } from "../../src/server/main.js";
import type { RunningServer } from "../../src/server/main.js";
import { PASSWORD, uniqueEmail } from "./app.js";
import { createTestDatabase } from "./engines.js";
import type { TestDatabase } from "./engines.js";
import { startSmtpServer } from "./smtp.js";
export { freePort } from "../../bench/processes.js";
import type { ReceivedMail, TestSmtpServer } from "./smtp.js";

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body (throws on a non-JSON body). */
  json<T = any>(): T;
  /** The problem `code` of an error answer, if any. */
  code: string | undefined;
}

/** A browser-like client: keeps the session cookie, sends X-Requested-With on writes. */
export class HttpClient {
  cookie: string | undefined;

  /** Mutable: a restarted server listens on another port, and the session stays valid. */
  constructor(public baseUrl: string) {}

  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResponse> {
    const all: Record<string, string> = { ...headers };
    if (this.cookie) all.cookie = this.cookie;
    if (method !== "GET" && method !== "HEAD") all["x-requested-with"] ??= "certdesk";
    if (body !== undefined) all["content-type"] ??= "application/json";
    const response = await fetch(this.baseUrl + url, {
      method,
      headers: all,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      redirect: "manual",
    });
    for (const line of response.headers.getSetCookie()) {
      const match = /^((?:__Host-)?certdesk_session)=([^;]*)/.exec(line);
      if (!match) continue;
      const cleared = match[2] === "" || /;\s*max-age=0\b/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line);
      this.cookie = cleared ? undefined : `${match[1]}=${match[2]}`;
    }
    const text = await response.text();
    let parsed: unknown;
    let parseError: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch (error) {
      parseError = error;
    }
    return {
      status: response.status,
      headers: response.headers,
      text,
      json<T>() {
        if (parseError) throw new Error(`not JSON (${response.status}): ${text.slice(0, 200)}`);
        return parsed as T;
      },
      code: (parsed as { code?: string } | undefined)?.code,
    };
  }

  get(url: string) {
    return this.request("GET", url);
  }
  post(url: string, body?: unknown) {
    return this.request("POST", url, body);
  }
  put(url: string, body?: unknown) {
    return this.request("PUT", url, body);
  }
  patch(url: string, body?: unknown) {
    return this.request("PATCH", url, body);
  }
  delete(url: string) {
    return this.request("DELETE", url);
  }
}

export interface LiveSignedIn {
  client: HttpClient;
  user: { id: string; email: string; name: string; teamLimit: number };
  defaultTeamId: string;
}

/** Signs up over HTTP and reads the default team from /api/me. */
export async function signUpVia(baseUrl: string, name: string, email = uniqueEmail(name)): Promise<LiveSignedIn> {
  const client = new HttpClient(baseUrl);
  const response = await client.post("/api/auth/signup", { email, password: PASSWORD, name });
  if (response.status !== 201) throw new Error(`sign-up of ${email} failed: ${response.status} ${response.text}`);
  const me = await client.get("/api/me");
  if (me.status !== 200) throw new Error(`GET /api/me after sign-up failed: ${me.status} ${me.text}`);
  return { client, user: response.json().user, defaultTeamId: me.json().activeTeam.id };
}

/**
 * The token of the newest `/{kind}/{token}` link e-mailed to an address, among the messages so
 * far; with `mentioning`, only from a message whose text contains it (e.g. the team's name).
 */
export function linkTokenIn(
  messages: readonly ReceivedMail[],
  address: string,
  kind: "invitations" | "reset-password" = "invitations",
  mentioning?: string,
): string | undefined {
  const wanted = address.trim().toLowerCase();
  const pattern = new RegExp(`/${kind}/([A-Za-z0-9_-]{20,})`);
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const mail = messages[i]!;
    if (!mail.rcptTo.some((to) => to.toLowerCase() === wanted)) continue;
    const text = mail.parsed.text ?? "";
    if (mentioning !== undefined && !text.includes(mentioning)) continue;
    const match = pattern.exec(text);
    if (match) return match[1]!;
  }
  return undefined;
}

/** Waits (polling) until a link for the address has arrived at the test SMTP server. */
export async function waitForLinkToken(
  smtp: TestSmtpServer,
  address: string,
  options: { kind?: "invitations" | "reset-password"; timeoutMs?: number; isStale?: (token: string) => boolean } = {},
): Promise<string> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const token = linkTokenIn(smtp.messages, address, options.kind);
    if (token && !options.isStale?.(token)) return token;
    if (Date.now() > deadline) throw new Error(`no ${options.kind ?? "invitations"} link e-mailed to ${address} in time`);
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}


/** Resolves once the server answers HTTP at all (any status); rejects after timeoutMs. */
export async function waitForHttp(baseUrl: string, timeoutMs = 30_000, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`the server at ${baseUrl} exited before answering`);
    try {
      const response = await fetch(`${baseUrl}/api/me`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      return;
    } catch (error) {
      last = error;
      await sleep(100);
    }
  }
  throw new Error(`the server at ${baseUrl} did not answer within ${timeoutMs} ms: ${String(last)}`);
}

export interface LiveServer {
  engine: Engine;
  /** http://127.0.0.1:PORT */
  url: string;
  /** A separate handle on the server's database, for setting up and checking rows. */
  t: TestDatabase;
  config: Config;
  server: RunningServer;
  /** Catches every e-mail the server sends. */
  smtp: TestSmtpServer;
  client(): HttpClient;
  signUp(name: string, email?: string): Promise<LiveSignedIn>;
  /**
   * The token of the newest invitation link e-mailed to the address that this method has not
   * handed out before (waits for its e-mail, so a second invitation's link is not mistaken
   * for the first's).
   */
  invitationToken(address: string): Promise<string>;
  close(): Promise<void>;
}

export async function startLiveServer(engine: Engine, env: Record<string, string> = {}): Promise<LiveServer> {
  const t = await createTestDatabase(engine, { poolSize: 3 });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-live-"));
  const smtp = await startSmtpServer();
  let server: RunningServer;
  let config: Config;
  try {
    config = loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      DATABASE_URL: t.url,
      SMTP_URL: smtp.url,
      RATE_LIMIT_SCALE: "1000",
      LOG_LEVEL: process.env.CERTDESK_TEST_LOG_LEVEL ?? "error",
      ...env,
    });
    server = await startServer(config);
  } catch (error) {
    await smtp.stop();
    await t.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const port = (server.app.server.address() as net.AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const handedOut = new Set<string>();
  return {
    engine,
    url,
    t,
    config,
    server,
    smtp,
    client: () => new HttpClient(url),
    signUp: (name, email) => signUpVia(url, name, email),
    async invitationToken(address) {
      const token = await waitForLinkToken(smtp, address, { isStale: (candidate) => handedOut.has(candidate) });
      handedOut.add(token);
      return token;
    },
    async close() {
      await server.close();
      await smtp.stop();
      await t.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
