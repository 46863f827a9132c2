// The main pages of the dashboard at desktop (1280 × 860) and phone (390 × 844) size, written to
// docs/screenshots/ for the README (issue 14). The same set-up as the browser tests: a built
// certdesk on a free port with a fresh DATA_DIR and Debian's Chromium; the data is made through
// the API as a person would through the pages. Run with `npm run screenshots`.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HIDE_TOASTS, POLL, ROOT, assertPrerequisites, invitationLinkFor, launchChromium, newUserContext, signUp, startCertdesk } from "./harness.js";
import type { Certdesk } from "./harness.js";

const OUT = join(ROOT, "docs/screenshots");
const OWNER = { name: "Ada Lovelace", email: "ada@example.com", password: "analytical-engine-1843" };
const MEMBER = { name: "Charles Babbage", email: "charles@example.com", password: "difference-engine-1822" };
const CSRF = { "X-Requested-With": "certdesk" };
const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 860 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;

describe("screenshots", () => {
  beforeAll(async () => {
    assertPrerequisites();
    await mkdir(OUT, { recursive: true });
    certdesk = await startCertdesk();
    browser = await launchChromium();
    context = await newUserContext(browser, certdesk.baseUrl);
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await certdesk?.stop();
  });

  it("writes the main pages at desktop and phone size", async () => {
    for (const size of SIZES) {
      await page.setViewportSize(size.viewport);
      await page.goto("/login");
      await page.getByRole("heading", { level: 1 }).waitFor();
      await page.screenshot({ path: join(OUT, `login-${size.name}.png`), style: HIDE_TOASTS });
    }

    await page.setViewportSize(SIZES[0].viewport);
    await page.goto("/signup");
    await signUp(page, OWNER);
    await expect.poll(() => new URL(page.url()).pathname, POLL).toMatch(/^\/teams\/[^/]+$/);
    const teamId = new URL(page.url()).pathname.split("/")[2]!;
    const api = context.request;
    expect((await api.patch(`/api/teams/${teamId}`, { headers: CSRF, data: { name: "Analytical Engines Ltd" } })).status()).toBe(200);
    const profile = await api.post(`/api/teams/${teamId}/billing-profiles`, {
      headers: CSRF,
      data: { name: "Head office", country: "GB", cardBrand: "visa", cardLast4: "4242", street: "12 St James's Square", city: "London", postalCode: "SW1Y 4LB" },
    });
    expect(profile.status()).toBe(201);
    const billingProfileId = (await profile.json()).billingProfile.id;
    const order = await api.post(`/api/teams/${teamId}/orders`, {
      headers: CSRF,
      data: { productId: "dv-1y", domains: ["engines.example.com", "www.engines.example.com"], billingProfileId },
    });
    expect(order.status()).toBe(201);
    const orderId = (await order.json()).order.id;
    expect((await api.post(`/api/teams/${teamId}/invitations`, { headers: CSRF, data: { email: MEMBER.email, roles: ["billing", "validation"] } })).status()).toBe(201);
    const memberContext = await newUserContext(browser!, certdesk!.baseUrl);
    const token = new URL(await invitationLinkFor(certdesk!.dataDir, MEMBER.email)).pathname.split("/").pop()!;
    expect((await memberContext.request.post("/api/auth/signup", { headers: CSRF, data: MEMBER })).status()).toBe(201);
    expect((await memberContext.request.post(`/api/invitations/${token}/accept`, { headers: CSRF })).status()).toBe(200);
    await memberContext.close();

    const pages = [
      { name: "overview", path: `/teams/${teamId}` },
      { name: "members", path: `/teams/${teamId}/members` },
      { name: "orders", path: `/teams/${teamId}/orders` },
      { name: "order", path: `/teams/${teamId}/orders/${orderId}` },
      { name: "billing", path: `/teams/${teamId}/billing` },
      { name: "audit-log", path: `/teams/${teamId}/audit` },
      { name: "account-settings", path: "/account" },
    ];
    for (const size of SIZES) {
      await page.setViewportSize(size.viewport);
      for (const { name, path } of pages) {
        await page.goto(path);
        await page.getByRole("heading", { level: 1 }).first().waitFor();
        await page.waitForLoadState("networkidle");
        await page.screenshot({ path: join(OUT, `${name}-${size.name}.png`), fullPage: size.name === "desktop", style: HIDE_TOASTS });
      }
    }
    console.info(`screenshots in ${OUT}`);
  });
});
