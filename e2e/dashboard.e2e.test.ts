// The dashboard in a real browser against the real server: sign-up, invitation by e-mail,
// acceptance by a second user, role editing and team switching.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { simpleParser } from "mailparser";
import { chromium } from "playwright-core";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SERVER_ENTRY = join(ROOT, "dist/src/server/cli.js");
const WEB_INDEX = join(ROOT, "dist/web/index.html");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const OWNER = { name: "Ada Lovelace", email: "ada@example.com", password: "analytical-engine-1843" };
const INVITEE = { name: "Grace Hopper", email: "grace@example.com", password: "cobol-and-nanoseconds" };
const OWNER_TEAM = /Ada Lovelace.s team/;
const SECOND_TEAM = "Acme Operations";

let dataDir = "";
let shotsDir = "";
let baseUrl = "";
let server: ChildProcess | undefined;
let serverLog = "";
let browser: Browser | undefined;
let ownerContext: BrowserContext;
let inviteeContext: BrowserContext;
let owner: Page;
let invitee: Page;
let invitationLink = "";

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (server?.exitCode !== null && server?.exitCode !== undefined) {
      throw new Error(`certdesk exited with code ${server.exitCode} before answering.\n${serverLog}`);
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
  throw new Error(`certdesk did not answer GET /api/me with 401 within ${timeoutMs} ms (${last}).\n${serverLog}`);
}

/** The /invitations/<token> link in the newest .eml addressed to `to`. */
async function invitationLinkFor(to: string, timeoutMs = 15_000): Promise<string> {
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
      const match = body.match(/https?:\/\/[^\s"'<>]+\/invitations\/[A-Za-z0-9_-]+/);
      if (match) return match[0];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`No invitation e-mail to ${to} with an /invitations/<token> link appeared in ${mailDir}.`);
}

function teamButton(page: Page) {
  return page.locator("button.team-button");
}

async function signUp(page: Page, user: { name: string; email?: string; password: string }) {
  await page.getByLabel("Name").fill(user.name);
  if (user.email) await page.getByLabel("E-mail").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
}

describe("dashboard in Chromium", () => {
  beforeAll(async () => {
    const missing = [SERVER_ENTRY, WEB_INDEX].filter((file) => !existsSync(file));
    if (missing.length) {
      throw new Error(`The e2e test needs a build: missing ${missing.map((f) => f.slice(ROOT.length + 1)).join(" and ")}. Run \`npm run build\` first.`);
    }
    if (!existsSync(CHROMIUM)) {
      throw new Error(`No Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH.`);
    }

    dataDir = await mkdtemp(join(tmpdir(), "certdesk-e2e-"));
    // Outside the repository and outside DATA_DIR, so they survive the run for a look.
    shotsDir = process.env.E2E_SCREENSHOT_DIR ?? join(tmpdir(), "certdesk-e2e-screenshots");
    await mkdir(shotsDir, { recursive: true });
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;

    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir, BASE_URL: baseUrl, RATE_LIMIT_SCALE: "100" };
    for (const name of ["SMTP_URL", "MAIL_DIR", "DATABASE_URL", "HOST", "NODE_OPTIONS"]) delete env[name];
    server = spawn(process.execPath, [join(ROOT, "bin/certdesk.js"), "serve"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk: Buffer) => {
      serverLog = (serverLog + chunk.toString()).slice(-8000);
    };
    server.stdout?.on("data", keep);
    server.stderr?.on("data", keep);
    await waitForServer(baseUrl, 30_000);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    ownerContext = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 860 } });
    inviteeContext = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 860 } });
    ownerContext.setDefaultTimeout(10_000);
    inviteeContext.setDefaultTimeout(10_000);
    owner = await ownerContext.newPage();
    invitee = await inviteeContext.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once("exit", r));
      server.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (server.exitCode === null) server.kill("SIGKILL");
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("signs the Owner up and shows their default team on the green Team button", async () => {
    await owner.goto("/");
    await expect.poll(() => new URL(owner.url()).pathname).toBe("/login");
    await owner.getByRole("link", { name: "Create an account" }).click();
    await signUp(owner, OWNER);

    await expect.poll(() => new URL(owner.url()).pathname).toBe("/team");
    await teamButton(owner).waitFor();
    expect(await teamButton(owner).innerText()).toMatch(OWNER_TEAM);
    const color = await teamButton(owner).evaluate((el) => getComputedStyle(el).backgroundColor);
    const [r, g, b] = (color.match(/\d+/g) ?? []).map(Number);
    expect(g! > r! && g! > b!, `Team button colour ${color} is green`).toBe(true);
    await owner.getByRole("heading", { level: 1, name: OWNER_TEAM }).waitFor();
    await owner.getByText("You are the Owner: you hold every permission in this team.").waitFor();
  }, 30_000);

  it("invites a colleague as Validation", async () => {
    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Invitations" }).click();
    await owner.getByLabel("E-mail address").fill(INVITEE.email);
    // At least one role: submitting without one is refused in the form.
    await owner.getByRole("button", { name: "Send invitation" }).click();
    await owner.getByText("Choose at least one role.").waitFor();
    await owner.getByRole("checkbox", { name: /^Validation/ }).check();
    await owner.getByRole("button", { name: "Send invitation" }).click();

    await owner.locator(".toast", { hasText: `Invitation sent to ${INVITEE.email}` }).waitFor();
    const row = owner.locator('[data-testid="invitation-row"]', { hasText: INVITEE.email });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/Pending/);
    expect(await row.innerText()).toMatch(/Validation/);

    invitationLink = await invitationLinkFor(INVITEE.email);
    expect(invitationLink.startsWith(`${baseUrl}/invitations/`)).toBe(true);
  }, 30_000);

  it("lets the invitee sign up from the link and accept", async () => {
    await invitee.goto(invitationLink);
    await invitee.getByRole("heading", { level: 1, name: /Join Ada Lovelace.s team/ }).waitFor();
    await invitee.locator(".role-explained").getByText("Validation", { exact: true }).waitFor();

    await invitee.getByRole("link", { name: `Sign up as ${INVITEE.email}` }).click();
    const email = invitee.getByLabel("E-mail");
    expect(await email.inputValue()).toBe(INVITEE.email);
    expect(await email.getAttribute("readonly")).not.toBeNull();
    await signUp(invitee, { name: INVITEE.name, password: INVITEE.password });

    // Back on the invitation, now signed in.
    await expect.poll(() => new URL(invitee.url()).pathname).toMatch(/^\/invitations\//);
    await invitee.getByRole("button", { name: "Accept invitation" }).click();

    await expect.poll(() => new URL(invitee.url()).pathname).toBe("/team");
    await expect.poll(() => teamButton(invitee).innerText()).toMatch(OWNER_TEAM);
    await invitee.getByRole("heading", { level: 1, name: OWNER_TEAM }).waitFor();
  }, 30_000);

  it("gives the invitee only the permissions of Validation", async () => {
    const overview = invitee.locator(".permission-groups");
    await overview.waitFor();
    expect(await invitee.locator('[data-permission="validation.manage"]').getAttribute("class")).toBe("granted");
    expect(await invitee.locator('[data-permission="members.invite"]').getAttribute("class")).toBe("denied");
    expect(await invitee.locator('[data-permission="billing.view"]').getAttribute("class")).toBe("denied");

    const nav = invitee.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Members" }).waitFor();
    expect(await nav.getByRole("link", { name: "Invitations" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Settings" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Audit log" }).count()).toBe(0);

    // Typing the address does not help: no invite form, no settings.
    await invitee.goto("/team/invitations");
    await invitee.getByText("You don't have access to this page").waitFor();
    expect(await invitee.getByRole("button", { name: "Send invitation" }).count()).toBe(0);
    await invitee.goto("/team/settings");
    await invitee.getByText("You don't have access to this page").waitFor();
    expect(await invitee.getByLabel("Team name").count()).toBe(0);

    // Members: visible, but no controls to change anyone else.
    await invitee.goto("/team/members");
    await invitee.locator('[data-testid="member-row"]', { hasText: OWNER.email }).waitFor();
    expect(await invitee.getByRole("button", { name: /^Edit roles of/ }).count()).toBe(0);
    expect(await invitee.getByRole("button", { name: /^Remove / }).count()).toBe(0);

    // Two teams in the switcher: their own (Owner) and Ada's (Validation).
    await teamButton(invitee).click();
    const list = invitee.locator(".team-list");
    await list.waitFor();
    expect(await list.getByRole("button").count()).toBe(2);
    expect(await list.getByRole("button", { name: /Grace Hopper.s team/ }).innerText()).toMatch(/Owner/);
    expect(await list.getByRole("button", { name: OWNER_TEAM }).innerText()).toMatch(/Validation/);
    await invitee.keyboard.press("Escape");
    await list.waitFor({ state: "detached" });
  }, 30_000);

  it("shows the invitee in the Owner's member list and lets the Owner change their roles", async () => {
    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Members" }).click();
    const ownerRow = owner.locator('[data-testid="member-row"]', { hasText: OWNER.email });
    const row = owner.locator('[data-testid="member-row"]', { hasText: INVITEE.email });
    await row.waitFor();
    expect(await ownerRow.innerText()).toMatch(/Owner/);
    expect(await row.innerText()).toMatch(/Validation/);

    await owner.getByRole("button", { name: `Edit roles of ${INVITEE.name}` }).click();
    const dialog = owner.getByRole("dialog", { name: `Roles of ${INVITEE.name}` });
    await dialog.waitFor();
    // Never zero roles.
    await dialog.getByRole("checkbox", { name: /^Validation/ }).uncheck();
    await dialog.getByText("Choose at least one role.").waitFor();
    expect(await dialog.getByRole("button", { name: "Save roles" }).isDisabled()).toBe(true);
    await dialog.getByRole("checkbox", { name: /^Validation/ }).check();
    await dialog.getByRole("checkbox", { name: /^Installer/ }).check();
    await dialog.getByRole("button", { name: "Save roles" }).click();

    await owner.locator(".toast", { hasText: `Updated the roles of ${INVITEE.name}` }).waitFor();
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => row.innerText()).toMatch(/Installer/);
    expect(await row.innerText()).toMatch(/Validation/);

    // The invitee sees the new permission after a reload.
    await invitee.goto("/team");
    await invitee.locator('[data-permission="certificates.manage"].granted').waitFor();
  }, 30_000);

  it("creates a second team and switches between teams", async () => {
    await teamButton(owner).click();
    await owner.getByText("You own 1 of 3 teams.").waitFor();
    await owner.getByRole("button", { name: "+ Create team" }).click();
    const dialog = owner.getByRole("dialog", { name: "Create a team" });
    await dialog.getByLabel("Team name").fill(SECOND_TEAM);
    await dialog.getByRole("button", { name: "Create team" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => teamButton(owner).innerText()).toContain(SECOND_TEAM);
    await owner.getByRole("heading", { level: 1, name: SECOND_TEAM }).waitFor();
    await owner.locator(".toast", { hasText: `Created ${SECOND_TEAM}` }).waitFor();

    // The new team's members: its Owner alone.
    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Members" }).click();
    await owner.locator('[data-testid="member-row"]', { hasText: OWNER.email }).waitFor();
    expect(await owner.locator('[data-testid="member-row"]').count()).toBe(1);

    await teamButton(owner).click();
    await owner.getByText("You own 2 of 3 teams.").waitFor();
    await owner.locator(".team-list").getByRole("button", { name: OWNER_TEAM }).click();
    await expect.poll(() => teamButton(owner).innerText()).toMatch(OWNER_TEAM);
    await owner.locator(".toast", { hasText: /Switched to Ada Lovelace.s team/ }).waitFor();

    // Still on the Members page, now of the default team.
    await owner.locator('[data-testid="member-row"]', { hasText: INVITEE.email }).waitFor();

    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
    await owner.getByRole("heading", { level: 1, name: OWNER_TEAM }).waitFor();
    await owner.getByRole("link", { name: "2 members" }).waitFor();
    await owner.waitForLoadState("networkidle");
    const file = join(shotsDir, "team-overview.png");
    const hideToasts = ".toasts { display: none !important; }";
    await owner.screenshot({ path: file, fullPage: true, style: hideToasts });
    await owner.goto("/team/members");
    await owner.locator('[data-testid="member-row"]', { hasText: INVITEE.email }).waitFor();
    await owner.screenshot({ path: join(shotsDir, "team-members.png"), fullPage: true, style: hideToasts });
    console.info(`e2e screenshots in ${shotsDir}`);
  }, 30_000);
});
