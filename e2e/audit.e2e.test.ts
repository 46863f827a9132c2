// The readable audit log in a real browser against the real server (issue 14): entries as
// sentences without raw ids, filtered by who, by action and by a date range (kept in the address),
// and the CSV download of exactly the filtered log, streamed by the server. axe checks the page.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import { readFile } from "node:fs/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLL, assertPrerequisites, invitationLinkFor, launchChromium, newUserContext, signUp, startCertdesk } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const OWNER = { name: "Barbara Liskov", email: "barbara@example.com", password: "substitution-1987" };
const ADMIN = { name: "Frances Allen", email: "frances@example.com", password: "optimizing-1966" };
const CSRF = { "X-Requested-With": "certdesk" };

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let ownerContext: BrowserContext;
let owner: Page;
let teamId = "";

function rows() {
  return owner.locator('[data-testid="audit-row"]');
}

/** The day in the browser's local time, as a date input takes it. */
function localDay(offsetDays = 0): string {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

describe("the audit log in Chromium", () => {
  beforeAll(async () => {
    assertPrerequisites();
    certdesk = await startCertdesk();
    browser = await launchChromium();
    ownerContext = await newUserContext(browser, certdesk.baseUrl);
    owner = await ownerContext.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await certdesk?.stop();
  });

  it("sets up a team with a few changes by two people", async () => {
    await owner.goto("/signup");
    await signUp(owner, OWNER);
    await expect.poll(() => new URL(owner.url()).pathname, POLL).toMatch(/^\/teams\/[^/]+$/);
    teamId = new URL(owner.url()).pathname.split("/")[2]!;
    expect((await ownerContext.request.patch(`/api/teams/${teamId}`, { headers: CSRF, data: { name: "Liskov Labs" } })).status()).toBe(200);
    const invite = await ownerContext.request.post(`/api/teams/${teamId}/invitations`, { headers: CSRF, data: { email: ADMIN.email, roles: ["account_admin"] } });
    expect(invite.status()).toBe(201);
    const adminContext = await newUserContext(browser!, certdesk!.baseUrl);
    const token = new URL(await invitationLinkFor(certdesk!.dataDir, ADMIN.email)).pathname.split("/").pop()!;
    expect((await adminContext.request.post("/api/auth/signup", { headers: CSRF, data: ADMIN })).status()).toBe(201);
    expect((await adminContext.request.post(`/api/invitations/${token}/accept`, { headers: CSRF })).status()).toBe(200);
    expect((await adminContext.request.patch(`/api/teams/${teamId}`, { headers: CSRF, data: { name: "=Liskov Labs" } })).status()).toBe(200);
    await adminContext.close();
  }, 30_000);

  it("shows each entry in words, without raw ids", async () => {
    await owner.goto(`/teams/${teamId}/audit`);
    await owner.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
    await expect.poll(() => rows().count(), POLL).toBe(5);
    await rows().first().getByText("renamed the team from “Liskov Labs” to “=Liskov Labs”").waitFor();
    await owner.getByText(`invited ${ADMIN.email} as Account Admin`).waitFor();
    const table = (await owner.getByRole("table", { name: "Audit log" }).textContent()) ?? "";
    // UUIDv7 ids: none on screen.
    expect(table).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    await expectAccessible(owner, "audit log");
  }, 30_000);

  it("filters by who, by action and by dates, kept in the address", async () => {
    await owner.getByLabel("Who").selectOption({ label: `${ADMIN.name} (${ADMIN.email})` });
    await expect.poll(() => rows().count(), POLL).toBe(2);
    expect(new URL(owner.url()).searchParams.get("actor")).toBeTruthy();

    await owner.getByLabel("Action").selectOption("team.renamed");
    await expect.poll(() => rows().count(), POLL).toBe(1);
    await owner.reload();
    await expect.poll(() => rows().count(), POLL).toBe(1);
    await expect.poll(() => owner.getByLabel("Action").inputValue(), POLL).toBe("team.renamed");

    await owner.getByRole("button", { name: "Clear filters" }).first().click();
    await expect.poll(() => rows().count(), POLL).toBe(5);
    await owner.getByLabel("Action").selectOption("invitation");
    await expect.poll(() => rows().count(), POLL).toBe(2);
    await owner.getByLabel("Action").selectOption("");

    await owner.getByLabel("To").fill(localDay(-1));
    await owner.getByText("Nothing matches these filters").waitFor();
    await expectAccessible(owner, "audit log, nothing matches");
    await owner.getByLabel("To").fill(localDay(1));
    await owner.getByLabel("From").fill(localDay(0));
    await expect.poll(() => rows().count(), POLL).toBe(5);

    // A person's name in the log filters by them.
    await owner.getByRole("button", { name: OWNER.email }).first().click();
    await expect.poll(() => rows().count(), POLL).toBe(3);
  }, 30_000);

  it("downloads the filtered log as CSV, formula cells defused", async () => {
    await owner.getByRole("button", { name: "Clear filters" }).first().click();
    await owner.getByLabel("Action").selectOption("team.renamed");
    await expect.poll(() => rows().count(), POLL).toBe(2);
    const [download] = await Promise.all([owner.waitForEvent("download"), owner.getByRole("link", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, "utf8");
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe('"time","actor_type","actor_id","actor_email","action","target","details"');
    expect(lines.slice(1)).toHaveLength(2);
    expect(lines.slice(1).every((line) => line.includes('"team.renamed"'))).toBe(true);
    expect(csv).toContain(ADMIN.email);
    // The name "=Liskov Labs" sits inside the details JSON cell, which starts with "{": no formula.
    expect(csv).not.toMatch(/(^|,)"[=+\-@]/m);
  }, 30_000);
});
