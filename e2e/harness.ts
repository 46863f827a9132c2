// What every browser test needs: a built certdesk on a free port with a temporary SQLite
// DATA_DIR, a DNS server on loopback as its validation resolver (DCV_DNS_SERVERS: a test publishes
// a TXT or CAA record with `dns.set`, then the dashboard's check finds it), Debian's Chromium,
// e-mails read from the .eml files, and a place for screenshots.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { freePort } from "../bench/processes.js";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { simpleParser } from "mailparser";
import { chromium } from "playwright-core";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startTestDns } from "../test/helpers/dns-server.js";
import type { TestDns } from "../test/helpers/dns-server.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SERVER_ENTRY = join(ROOT, "dist/src/server/cli.js");
const WEB_INDEX = join(ROOT, "dist/web/index.html");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** For expect.poll: its default second is too short for a sign-up's password hashing on a busy machine. */
export const POLL = { timeout: 10_000, interval: 100 };

/** Hides the toasts in screenshots. */
export const HIDE_TOASTS = ".toasts { display: none !important; }";

export interface Certdesk {
  baseUrl: string;
  dataDir: string;
  /** The last few KB the server printed, for failure messages. */
  log: () => string;
  /** The DNS server every validation and CAA lookup of this certdesk goes to. */
  dns: TestDns;
  stop: () => Promise<void>;
}


async function waitForServer(server: ChildProcess, url: string, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (server.exitCode !== null) {
      throw new Error(`certdesk exited with code ${server.exitCode} before answering.\n${log()}`);
    }
    try {
      const response = await fetch(`${url}/api/me`);
      if (response.status === 401) return;
      last = `GET /api/me answered ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`certdesk did not answer GET /api/me with 401 within ${timeoutMs} ms (${last}).\n${log()}`);
}

/** Checks the build and the browser are there, with a message that says what to do if not. */
export function assertPrerequisites(): void {
  const missing = [SERVER_ENTRY, WEB_INDEX].filter((file) => !existsSync(file));
  if (missing.length) {
    throw new Error(`The e2e test needs a build: missing ${missing.map((f) => f.slice(ROOT.length + 1)).join(" and ")}. Run \`npm run build\` first.`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH.`);
  }
}

export interface StartOptions {
  /**
   * Leaves BASE_URL unset, as `npm start` on a laptop does: the server then names
   * http://localhost:PORT and accepts the loopback spellings too. `baseUrl` stays the
   * 127.0.0.1 address the harness waits on; a test reads what the server printed from `log()`.
   */
  defaultBaseUrl?: boolean;
  /** DATABASE_URL, e.g. a PostgreSQL database the caller created (and drops); default: SQLite in DATA_DIR. */
  databaseUrl?: string;
  /** DCV_HTTP_PORT: where certdesk fetches http and http-01 challenges (an ACME client's standalone server). */
  dcvHttpPort?: number;
  /**
   * For several servers of one deployment (test/two-servers.test.ts): the settings they must share,
   * MASTER_KEY, BASE_URL (the load balancer's address; `baseUrl` stays this server's own) and
   * SMTP_URL, and one DNS server, which the caller then owns and closes.
   */
  masterKey?: string;
  sharedBaseUrl?: string;
  smtpUrl?: string;
  dns?: TestDns;
}

/** `certdesk serve` on a free port with a fresh DATA_DIR (e-mails as .eml files in DATA_DIR/mail). */
export async function startCertdesk(options: StartOptions = {}): Promise<Certdesk> {
  const dataDir = await mkdtemp(join(tmpdir(), "certdesk-e2e-"));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dns = options.dns ?? (await startTestDns());
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: String(port), DATA_DIR: dataDir, BASE_URL: baseUrl, RATE_LIMIT_SCALE: "100", DCV_DNS_SERVERS: dns.server,
  };
  const unset = ["SMTP_URL", "MAIL_DIR", "DATABASE_URL", "HOST", "NODE_OPTIONS"];
  if (options.defaultBaseUrl) unset.push("BASE_URL");
  for (const name of unset) delete env[name];
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  if (options.dcvHttpPort) env.DCV_HTTP_PORT = String(options.dcvHttpPort);
  if (options.masterKey) env.MASTER_KEY = options.masterKey;
  if (options.sharedBaseUrl) env.BASE_URL = options.sharedBaseUrl;
  if (options.smtpUrl) env.SMTP_URL = options.smtpUrl;
  const server = spawn(process.execPath, [join(ROOT, "bin/certdesk.js"), "serve"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let serverLog = "";
  const keep = (chunk: Buffer) => {
    serverLog = (serverLog + chunk.toString()).slice(-8000);
  };
  server.stdout?.on("data", keep);
  server.stderr?.on("data", keep);
  const log = () => serverLog;
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (server.exitCode === null) server.kill("SIGKILL");
    }
    if (!options.dns) await dns.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForServer(server, baseUrl, log, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, dataDir, log, dns, stop };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export interface ChromiumSession {
  certdesk: Certdesk;
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/** What most browser tests start with: a fresh certdesk, Chromium, one user's profile and a page. */
export async function openChromiumSession(options: StartOptions = {}): Promise<ChromiumSession> {
  assertPrerequisites();
  const certdesk = await startCertdesk(options);
  const browser = await launchChromium();
  const context = await newUserContext(browser, certdesk.baseUrl);
  return { certdesk, browser, context, page: await context.newPage() };
}

/** Ends what openChromiumSession started, whatever of it was started. */
export async function closeChromiumSession(browser: Browser | undefined, certdesk: Certdesk | undefined): Promise<void> {
  await browser?.close().catch(() => undefined);
  await certdesk?.stop();
}

/** A fresh browser profile (its own cookies) on the server, with a desktop viewport. */
export async function newUserContext(browser: Browser, baseUrl: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(10_000);
  return context;
}

/** Outside the repository and outside DATA_DIR, so they survive the run for a look. */
export async function screenshotsDir(): Promise<string> {
  const dir = process.env.E2E_SCREENSHOT_DIR ?? join(tmpdir(), "certdesk-e2e-screenshots");
  await mkdir(dir, { recursive: true });
  return dir;
}

/** The /invitations/<token> link in the newest .eml addressed to `to`. */
export function invitationLinkFor(dataDir: string, to: string, timeoutMs = 15_000): Promise<string> {
  return mailedLinkFor(dataDir, to, "invitations", timeoutMs);
}

/** The /<route>/<token> link (invitations, reset-password) in the newest .eml addressed to `to`. */
export async function mailedLinkFor(dataDir: string, to: string, route: string, timeoutMs = 15_000): Promise<string> {
  const mailDir = join(dataDir, "mail");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const names = existsSync(mailDir) ? (await readdir(mailDir)).filter((n) => n.endsWith(".eml")) : [];
    const files = await Promise.all(names.map(async (name) => ({ name, mtime: (await stat(join(mailDir, name))).mtimeMs })));
    files.sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
    for (const file of files) {
      const mail = await simpleParser(await readFile(join(mailDir, file.name)));
      const recipients = [mail.to].flat().flatMap((a) => a?.value ?? []).map((a) => a.address?.toLowerCase());
      if (!recipients.includes(to.toLowerCase())) continue;
      const body = `${mail.text ?? ""}\n${typeof mail.html === "string" ? mail.html : ""}`;
      const match = body.match(new RegExp(`https?://[^\\s"'<>]+/${route}/[A-Za-z0-9_-]+`));
      if (match) return match[0];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`No e-mail to ${to} with a /${route}/<token> link appeared in ${mailDir}.`);
}

export function teamButton(page: Page) {
  return page.locator("button.team-button");
}

/** Fills and sends the sign-up form the page shows. */
export async function signUp(page: Page, user: { name: string; email?: string; password: string }) {
  await page.getByLabel("Name").fill(user.name);
  if (user.email) await page.getByLabel("E-mail").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
}
