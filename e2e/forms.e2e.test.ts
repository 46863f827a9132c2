// Errors in words, in a real browser: the sign-up and log-in forms check what they can before
// sending (required fields, an e-mail's shape, a password's length), say it plainly and put the
// keyboard on the first problem; a log-in paused after failed attempts says how long to wait.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeChromiumSession, openChromiumSession, POLL } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const CSRF = { "X-Requested-With": "certdesk" };
const USER = { name: "Hedy Lamarr", email: "hedy@example.com", password: "frequency-hopping-1942" };

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;

/** The label of the element that has the keyboard. */
function focusedLabel(p: Page): Promise<string | undefined> {
  return p.evaluate(() => {
    const el = document.activeElement as HTMLInputElement | null;
    return el?.labels?.[0]?.textContent?.trim();
  });
}

describe("form errors in Chromium", () => {
  beforeAll(async () => {
    ({ certdesk, browser, context, page } = await openChromiumSession());
  }, 60_000);

  afterAll(async () => {
    await closeChromiumSession(browser, certdesk);
  });

  it("checks the sign-up form before sending it, in plain words, focusing the first problem", async () => {
    await page.goto("/signup");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Enter your name.").waitFor();
    await page.getByText("Enter your e-mail address.").waitFor();
    await page.getByText("Use at least 10 characters.").waitFor();
    await expect.poll(() => focusedLabel(page), POLL).toBe("Name");
    await expectAccessible(page, "sign-up with every field missing");

    await page.getByLabel("Name").fill("   ");
    await page.getByLabel("E-mail").fill("hedy at example");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Enter your name.").waitFor();
    await page.getByText("Enter an e-mail address like name@example.com.").waitFor();
    await page.getByText("Use at least 10 characters.").waitFor();
    // Nothing technical reaches the person.
    expect(await page.locator(".field-error").allInnerTexts()).not.toContainEqual(expect.stringMatching(/must|pattern|characters\)$/));

    await page.getByLabel("Name").fill(USER.name);
    await page.getByLabel("E-mail").fill(USER.email);
    await page.getByRole("button", { name: "Create account" }).click();
    // Only the password is left, and the keyboard is on it.
    await expect.poll(() => page.locator(".field-error").count(), POLL).toBe(1);
    await expect.poll(() => focusedLabel(page), POLL).toMatch(/^Password/);
  }, 30_000);

  it("says how long to wait when log-in is paused after failed attempts", async () => {
    expect((await context.request.post("/api/auth/signup", { headers: CSRF, data: USER })).status()).toBe(201);
    await context.clearCookies();
    await page.goto("/login");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("Enter your e-mail address.").waitFor();
    await page.getByText("Enter your password.").waitFor();
    await expect.poll(() => focusedLabel(page), POLL).toBe("E-mail");

    await page.getByLabel("E-mail").fill(USER.email);
    await page.getByLabel("Password", { exact: true }).fill("not-the-password");
    const alert = page.locator(".alert-error");
    let text = "";
    for (let attempt = 0; attempt < 8 && !/Try again in/.test(text); attempt++) {
      const answered = page.waitForResponse((r) => r.url().endsWith("/api/auth/login"));
      await page.getByRole("button", { name: "Log in" }).click();
      await answered;
      await alert.waitFor();
      text = await alert.innerText();
    }
    expect(text).toMatch(/Too many attempts\. Try again in \d+ (second|seconds|minute|minutes)\./);
    await expectAccessible(page, "log-in paused");
  }, 60_000);
});
