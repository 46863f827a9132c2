// Account settings in a real browser against the real server (issue 14): a person renames
// themself, sees their sessions (this device marked, the other browser named in words), signs one
// out, changes the password (a wrong current password is told in words and nothing changes; the
// right one ends the other sessions and keeps this one) and signs out everywhere else. axe checks
// the page and its dialogs.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLL, assertPrerequisites, launchChromium, newUserContext, signUp, startCertdesk } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const PERSON = { name: "Grace Hopper", email: "grace@example.com", password: "cobol-compiler-1959" };
const NEW_PASSWORD = "nanosecond-wire-1985";
const CSRF = { "X-Requested-With": "certdesk" };

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let laptopContext: BrowserContext;
let page: Page;
const others: BrowserContext[] = [];

/** Another browser of the same person, signed in through the API (its own cookie jar). */
async function signInElsewhere(password = PERSON.password): Promise<BrowserContext> {
  const context = await newUserContext(browser!, certdesk!.baseUrl);
  const response = await context.request.post("/api/auth/login", { headers: CSRF, data: { email: PERSON.email, password } });
  expect(response.status()).toBe(200);
  others.push(context);
  return context;
}

async function signedIn(context: BrowserContext): Promise<boolean> {
  return (await context.request.get("/api/me")).status() === 200;
}

function sessionRows() {
  return page.locator('[data-testid="session-row"]');
}

describe("account settings in Chromium", () => {
  beforeAll(async () => {
    assertPrerequisites();
    certdesk = await startCertdesk();
    browser = await launchChromium();
    laptopContext = await newUserContext(browser, certdesk.baseUrl);
    page = await laptopContext.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await certdesk?.stop();
  });

  it("opens from the account menu and changes the name", async () => {
    await page.goto("/signup");
    await signUp(page, PERSON);
    await expect.poll(() => new URL(page.url()).pathname, POLL).toMatch(/^\/teams\/[^/]+$/);
    await page.getByRole("button", { name: `Account menu for ${PERSON.name}` }).click();
    await page.getByRole("link", { name: "Account settings" }).click();
    await page.getByRole("heading", { level: 1, name: "Account settings" }).waitFor();
    await expectAccessible(page, "account settings");

    const name = page.getByLabel("Your name");
    await name.fill("   ");
    await page.getByRole("button", { name: "Save name" }).click();
    await page.getByText("Enter your name.").waitFor();
    await expect.poll(() => name.evaluate((el) => el === document.activeElement), POLL).toBe(true);
    await name.fill("Grace B. Hopper");
    await page.getByRole("button", { name: "Save name" }).click();
    await page.getByText("Your name is now Grace B. Hopper.").waitFor();
    await page.getByRole("button", { name: "Account menu for Grace B. Hopper" }).waitFor();
  }, 30_000);

  it("lists the sessions with this device marked, and signs one out", async () => {
    const phone = await signInElsewhere();
    await page.reload();
    await expect.poll(() => sessionRows().count(), POLL).toBe(2);
    const current = page.locator('[data-testid="session-row"][data-current]');
    await current.getByText("This device").waitFor();
    // The browser of these tests names itself HeadlessChrome on Linux; the API client is unnamed.
    expect(await current.textContent()).toMatch(/Chrome on Linux/);
    const other = sessionRows().filter({ hasNotText: "This device" });
    await other.getByText(/Last active/).waitFor();

    await other.getByRole("button", { name: /^Sign out/ }).click();
    const dialog = page.getByRole("dialog", { name: "Sign out this session?" });
    await dialog.waitFor();
    await expectAccessible(page, "sign out one session dialog");
    await dialog.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => sessionRows().count(), POLL).toBe(1);
    expect(await signedIn(phone)).toBe(false);
    expect(await signedIn(laptopContext)).toBe(true);
  }, 30_000);

  it("changes the password: the current one is checked, other sessions end, this one stays", async () => {
    const tablet = await signInElsewhere();
    const form = page.getByRole("form", { name: "Change password" });
    await form.getByLabel("Current password").fill("not my password at all");
    await form.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await form.getByLabel("Repeat the new password").fill(NEW_PASSWORD);
    await form.getByRole("button", { name: "Change password" }).click();
    await form.getByText("This is not your current password.").waitFor();
    await expectAccessible(page, "password change refused");
    expect(await signedIn(tablet)).toBe(true);

    await form.getByLabel("Current password").fill(PERSON.password);
    await form.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Password changed. 1 other session signed out.").waitFor();
    expect(await signedIn(tablet)).toBe(false);
    expect(await signedIn(laptopContext)).toBe(true);
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Account settings" }).waitFor();
    await expect.poll(() => sessionRows().count(), POLL).toBe(1);
  }, 30_000);

  it("signs out everywhere else", async () => {
    const a = await signInElsewhere(NEW_PASSWORD);
    const b = await signInElsewhere(NEW_PASSWORD);
    await page.reload();
    await expect.poll(() => sessionRows().count(), POLL).toBe(3);
    await page.getByRole("button", { name: "Sign out everywhere else" }).click();
    const dialog = page.getByRole("dialog", { name: "Sign out everywhere else?" });
    await dialog.waitFor();
    await expectAccessible(page, "sign out everywhere else dialog");
    await dialog.getByRole("button", { name: "Sign out other sessions" }).click();
    await page.getByText("Signed out 2 other sessions.").waitFor();
    await expect.poll(() => sessionRows().count(), POLL).toBe(1);
    expect(await signedIn(a)).toBe(false);
    expect(await signedIn(b)).toBe(false);
    expect(await signedIn(laptopContext)).toBe(true);
    await page.getByText("You are signed in on this device only.").waitFor();
  }, 30_000);

  it("is usable on a phone", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Account settings" }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible(page, "account settings on a phone");
  }, 30_000);
});
