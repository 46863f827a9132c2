// The dashboard on a phone (390 × 844): every page reached through the small-screen navigation
// (the Menu button and its drawer), none wider than the screen, the team switcher inside it, and
// axe on each page and on the open drawer and switcher.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLL, assertPrerequisites, launchChromium, signUp, startCertdesk, teamButton } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const OWNER = { name: "Katherine Johnson", email: "katherine@example.com", password: "orbital-mechanics-1962" };
const CSRF = { "X-Requested-With": "certdesk" };
const PHONE = { width: 390, height: 844 };

/** Every page of the navigation, as the Owner sees it, with the heading it opens on. */
const PAGES: { link: string; heading: string | RegExp }[] = [
  { link: "Overview", heading: /Katherine Johnson.s team/ },
  { link: "Members", heading: "Members" },
  { link: "Invitations", heading: "Invitations" },
  { link: "Audit log", heading: "Audit log" },
  { link: "API keys", heading: "API keys" },
  { link: "ACME", heading: "ACME" },
  { link: "Settings", heading: "Settings" },
  { link: "Orders", heading: "Orders" },
  { link: "Billing", heading: "Billing" },
];

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let teamId = "";

/** How far the page is wider than the screen (0: no horizontal scrolling). */
function overflow(p: Page): Promise<number> {
  return p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

async function openMenu(p: Page) {
  await p.getByRole("button", { name: "Menu", exact: true }).click();
  const drawer = p.getByRole("dialog", { name: "Menu" });
  await drawer.waitFor();
  return drawer;
}

describe("dashboard on a phone in Chromium", () => {
  beforeAll(async () => {
    assertPrerequisites();
    certdesk = await startCertdesk();
    browser = await launchChromium();
    context = await browser.newContext({ baseURL: certdesk.baseUrl, viewport: PHONE, isMobile: true, hasTouch: true });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await certdesk?.stop();
  });

  it("signs up on a phone, and the team has something on every page", async () => {
    await page.goto("/signup");
    await expect.poll(() => overflow(page), POLL).toBe(0);
    await expectAccessible(page, "sign-up on a phone");
    await signUp(page, OWNER);
    await expect.poll(() => new URL(page.url()).pathname, POLL).toMatch(/^\/teams\/[^/]+$/);
    teamId = new URL(page.url()).pathname.split("/")[2]!;

    // Content for the pages (made through the API: the dialogs are covered elsewhere).
    const request = context.request;
    const invite = await request.post(`/api/teams/${teamId}/invitations`, { headers: CSRF, data: { email: "dorothy.vaughan@example.com", roles: ["billing", "validation"] } });
    expect(invite.status()).toBe(201);
    const profile = await request.post(`/api/teams/${teamId}/billing-profiles`, {
      headers: CSRF,
      data: { name: "Langley Research Center", country: "US", cardBrand: "visa", cardLast4: "4242" },
    });
    expect(profile.status()).toBe(201);
    const { billingProfile } = (await profile.json()) as { billingProfile: { id: string } };
    const { items: products } = (await (await request.get("/api/products")).json()) as { items: { id: string; name: string }[] };
    const order = await request.post(`/api/teams/${teamId}/orders`, {
      headers: CSRF,
      data: { productId: products[0]!.id, domains: ["a-rather-long-subdomain-name.orbital-mechanics.example.com", "www.example.org"], billingProfileId: billingProfile.id },
    });
    expect(order.status()).toBe(201);
  }, 30_000);

  it("keeps the navigation behind a Menu button, and the team switcher on the screen", async () => {
    await page.reload();
    await teamButton(page).waitFor();
    // No strip of links: the sidebar is hidden, the Menu button is shown.
    expect(await page.locator(".sidebar").isVisible()).toBe(false);
    const header = await page.locator(".topbar").boundingBox();
    const switcher = await teamButton(page).boundingBox();
    expect(switcher!.x + switcher!.width).toBeLessThanOrEqual(PHONE.width);
    expect(header!.width).toBeLessThanOrEqual(PHONE.width);

    await teamButton(page).click();
    const panel = page.locator(".team-panel");
    await panel.waitFor();
    const box = (await panel.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, "team switcher on a phone");
    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });

    const drawer = await openMenu(page);
    const drawerBox = (await drawer.boundingBox())!;
    expect(drawerBox.x + drawerBox.width).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, "menu drawer open");
    // Escape closes it and gives focus back to the Menu button.
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Menu");
  }, 30_000);

  it("reaches every page through the menu, none wider than the screen", async () => {
    for (const { link, heading } of PAGES) {
      const drawer = await openMenu(page);
      await drawer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: link, exact: true }).click();
      await drawer.waitFor({ state: "hidden" });
      await page.getByRole("heading", { level: 1, name: heading }).waitFor();
      await page.waitForLoadState("networkidle");
      expect(await overflow(page), `${link} is no wider than the phone`).toBe(0);
      await expectAccessible(page, `${link} on a phone`);
    }

    // An order's own page, from the list.
    const drawer = await openMenu(page);
    await drawer.getByRole("link", { name: "Orders", exact: true }).click();
    await page.locator('[data-testid="order-row"]').first().getByRole("link").first().click();
    await page.getByRole("heading", { level: 1, name: /a-rather-long-subdomain-name/ }).waitFor();
    await page.waitForLoadState("networkidle");
    expect(await overflow(page), "an order is no wider than the phone").toBe(0);
    await expectAccessible(page, "order on a phone");
  }, 60_000);
});
