// The organization profile page (issue 11): checked in the browser before sending, saved through
// PUT …/organization, shown again after a reload; axe checks the page.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeChromiumSession, openChromiumSession, POLL, signUp } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const OWNER = { name: "Hedy Lamarr", email: "hedy@example.com", password: "frequency-hopping-1942" };

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;

describe("the organization profile in Chromium", () => {
  beforeAll(async () => {
    ({ certdesk, browser, context, page } = await openChromiumSession());
  }, 60_000);

  afterAll(async () => {
    await closeChromiumSession(browser, certdesk);
  });

  it("is set from the Organization page and kept", async () => {
    await page.goto("/signup");
    await signUp(page, OWNER);
    await expect.poll(() => new URL(page.url()).pathname, POLL).toMatch(/^\/teams\/[^/]+$/);
    const teamId = new URL(page.url()).pathname.split("/")[2]!;
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Organization" }).click();
    await page.getByRole("heading", { level: 1, name: "Organization" }).waitFor();
    await page.getByText(/Not set yet/).waitFor();
    await expectAccessible(page, "organization profile, not set");

    const form = page.getByRole("form", { name: "Organization profile" });
    await form.getByRole("button", { name: "Save organization profile" }).click();
    await form.getByText("Enter the organization's registered legal name.").waitFor();
    await form.getByText("Choose the country.").waitFor();
    await expect.poll(() => form.getByLabel("Legal name").evaluate((el) => el === document.activeElement), POLL).toBe(true);

    await form.getByLabel("Legal name").fill("Lamarr Communications Inc.");
    await form.getByLabel("Locality").fill("Vienna");
    await form.getByLabel("Country").selectOption("AT");
    await form.getByRole("button", { name: "Save organization profile" }).click();
    await page.locator(".toast", { hasText: "Saved the organization profile." }).waitFor();
    await page.getByText(/Last changed/).waitFor();

    const stored = await (await context.request.get(`/api/teams/${teamId}/organization`)).json();
    expect(stored.organization).toMatchObject({ legalName: "Lamarr Communications Inc.", locality: "Vienna", country: "AT" });
    await page.reload();
    expect(await page.getByLabel("Legal name").inputValue()).toBe("Lamarr Communications Inc.");
    expect(await page.getByLabel("Country").inputValue()).toBe("AT");
    await expectAccessible(page, "organization profile, set");
  }, 30_000);
});
