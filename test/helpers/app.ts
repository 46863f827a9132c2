// The app under test: buildApp() on a fresh database of the given engine, with a manual clock,
// and a Client that keeps its session cookie like a browser does.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { caProvider } from "../../src/server/account/ca-provider.js";
import type { CaProvider } from "../../src/server/account/ca-provider.js";
import { recordOnlyGateway } from "../../src/server/account/payment-gateway.js";
import { buildApp } from "../../src/server/app.js";
import { backgroundIdle } from "../../src/server/background.js";
import { ManualClock } from "../../src/server/clock.js";
import { loadConfig } from "../../src/server/config.js";
import type { Config } from "../../src/server/config.js";
import { createDb } from "../../src/server/db/create-db.js";
import type { Engine } from "../../src/server/db/create-db.js";
import { openEmail } from "../../src/server/mail/outbox.js";
import { openSealer } from "../../src/server/master-key.js";
import type { Sealer } from "../../src/server/sealer.js";
import { startTestDns } from "./dns-server.js";
import type { TestDns } from "./dns-server.js";
import { createTestDatabase } from "./engines.js";
import type { TestDatabase } from "./engines.js";

export interface TestApp {
  app: FastifyInstance;
  t: TestDatabase;
  clock: ManualClock;
  config: Config;
  /** The master key's sealer, loaded as the server loads it (a key generated into the test's DATA_DIR). */
  sealer: Sealer;
  /** How many times a command woke the mail dispatcher. */
  wakes: number;
  /** The DNS server on loopback every validation and CAA lookup goes to (DCV_DNS_SERVERS). */
  dns: TestDns;
  client(): Client;
  /** A new account, signed in. */
  signUp(name: string, email?: string): Promise<SignedIn>;
  /** The newest e-mail queued for an address, from the outbox, opened with the master key (empty once sent). */
  lastEmailTo(address: string): Promise<{ subject: string; text: string; html: string } | undefined>;
  /** The token of the newest invitation (or reset) link e-mailed to an address. */
  linkTokenFor(address: string, kind?: "invitations" | "reset-password" | "domain-approvals"): Promise<string>;
  close(): Promise<void>;
}

export interface SignedIn {
  client: Client;
  user: { id: string; email: string; name: string; teamLimit: number };
  defaultTeamId: string;
}

export type Body = Record<string, unknown> | unknown[] | string | undefined;

export class Client {
  cookie: string | undefined;
  csrf = true;

  constructor(private readonly app: FastifyInstance) {}

  async request(method: string, url: string, body?: Body, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const all: Record<string, string> = { ...headers };
    if (this.cookie) all.cookie = this.cookie;
    if (this.csrf && method !== "GET") all["x-requested-with"] = "certdesk";
    if (body !== undefined && typeof body !== "string") all["content-type"] ??= "application/json";
    const response = await this.app.inject({
      method: method as "GET",
      url,
      headers: all,
      payload: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    // Like a user who reads their mail after the answer: what the route does after answering
    // (the password-reset e-mail) is done before the test looks.
    await backgroundIdle(this.app);
    const set = response.cookies.find((c) => c.name.endsWith("certdesk_session"));
    if (set) this.cookie = set.value && set.maxAge !== 0 && set.value !== "" ? `${set.name}=${set.value}` : undefined;
    return response;
  }

  get(url: string) {
    return this.request("GET", url);
  }
  post(url: string, body?: Body) {
    return this.request("POST", url, body);
  }
  put(url: string, body?: Body) {
    return this.request("PUT", url, body);
  }
  patch(url: string, body?: Body) {
    return this.request("PATCH", url, body);
  }
  delete(url: string) {
    return this.request("DELETE", url);
  }
}

// One demonstration CA per test process: creating keys per app would only slow the suite.
let testCa: CaProvider | undefined;
function sharedTestCa(): CaProvider {
  testCa ??= caProvider(fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-ca-")));
  return testCa;
}

let counter = 0;
export function uniqueEmail(name: string): string {
  counter += 1;
  const local = name.toLowerCase().replace(/[^a-z]+/g, ".").replace(/^\.+|\.+$/g, "") || "user";
  return `${local}.${process.pid}.${counter}@example.com`;
}

export const PASSWORD = "a long enough passphrase";

/**
 * `sameDatabaseAs`: a second server on another test app's database, with a connection pool (and
 * read cache) of its own; closing it leaves the database to the first.
 */
export async function createTestApp(engine: Engine, env: Record<string, string> = {}, options: { sameDatabaseAs?: TestApp } = {}): Promise<TestApp> {
  const first = options.sameDatabaseAs?.t;
  const t: TestDatabase = first ? { url: first.url, db: createDb(first.url), drop: async () => {} } : await createTestDatabase(engine);
  if (first) t.drop = () => t.db.close();
  const clock = new ManualClock(new Date());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-data-"));
  // Validation and CAA never leave the machine: a DNS server on loopback answers every lookup.
  const dns = await startTestDns();
  // A second server shares the first one's master key, as MASTER_KEY makes servers share it.
  const sharedKey = options.sameDatabaseAs && { MASTER_KEY: fs.readFileSync(path.join(options.sameDatabaseAs.config.dataDir, "master.key"), "utf8").trim() };
  const config = loadConfig({ BASE_URL: "http://certdesk.test", RATE_LIMIT_SCALE: "1000", DATA_DIR: dataDir, DCV_DNS_SERVERS: dns.server, ...sharedKey, ...env });
  const state = { wakes: 0 };
  const sealer = await openSealer(t.db, config);
  const app = await buildApp({
    db: t.db,
    config,
    clock,
    mail: { wake: () => void state.wakes++ },
    ca: sharedTestCa(),
    payments: recordOnlyGateway,
    sealer,
  });
  await app.ready();

  const testApp: TestApp = {
    app,
    t,
    clock,
    config,
    sealer,
    dns,
    get wakes() {
      return state.wakes;
    },
    client: () => new Client(app),
    async signUp(name, email = uniqueEmail(name)) {
      const client = new Client(app);
      const response = await client.post("/api/auth/signup", { email, password: PASSWORD, name });
      if (response.statusCode !== 201) throw new Error(`sign-up failed: ${response.statusCode} ${response.body}`);
      const me = (await client.get("/api/me")).json();
      return { client, user: response.json().user, defaultTeamId: me.activeTeam.id };
    },
    async lastEmailTo(address) {
      const row = await t.db.kysely
        .selectFrom("outbox")
        .select(["id", "toAddress", "subject", "textBody", "htmlBody"])
        .where("toAddress", "=", address.toLowerCase())
        .orderBy("id", "desc")
        .executeTakeFirst();
      if (!row) return undefined;
      // A sent row keeps no bodies; a queued one keeps them sealed.
      if (row.textBody === "" && row.htmlBody === "") return { subject: row.subject, text: "", html: "" };
      const { subject, text, html } = openEmail(sealer, row);
      return { subject, text, html };
    },
    async linkTokenFor(address, kind = "invitations") {
      const email = await testApp.lastEmailTo(address);
      const match = email?.text.match(new RegExp(`/${kind}/([A-Za-z0-9_-]+)`));
      if (!match) throw new Error(`no ${kind} link e-mailed to ${address}`);
      return match[1]!;
    },
    async close() {
      await app.close();
      await dns.close();
      await t.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return testApp;
}
