// The orders list's filters in the browser (issue 11): the Expires column with the days left, the
// sort toggle (newest / expires soonest), the "Expiring within 30 days" view, the status filter and
// the domain search, all kept in the address so a reload shows the same list. axe checks each state.
//
// Certificates are issued for real (DNS validation, a CSR); two of them are then made to end soon by
// moving their notAfter in the database, since a certificate issued today lives 200 days.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import { join } from "node:path";
import Database from "better-sqlite3";
import type { APIRequestContext, Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCsr } from "../test/helpers/csr.js";
import { closeChromiumSession, openChromiumSession, POLL, signUp } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const OWNER = { name: "Radia Perlman", email: "radia@example.com", password: "spanning-tree-1985" };
const CSRF = { "X-Requested-With": "certdesk" };
const DAY = 86_400_000;

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let teamId = "";

/** The first domain of every row, top to bottom. */
async function listed(): Promise<string[]> {
  return page.locator('[data-testid="order-row"] td[data-label="Domains"] a').allInnerTexts();
}

async function issue(api: APIRequestContext, billingProfileId: string, domain: string): Promise<string> {
  const placed = await api.post(`/api/teams/${teamId}/orders`, { headers: CSRF, data: { productId: "dv-1y", domains: [domain], billingProfileId } });
  const orderId = (await placed.json()).order.id as string;
  const chosen = await api.post(`/api/teams/${teamId}/orders/${orderId}/validation/${domain}`, { headers: CSRF, data: { method: "dns" } });
  const { instructions } = (await chosen.json()).order.validation[0];
  certdesk!.dns.set(instructions.recordName, "TXT", [instructions.recordValue]);
  expect((await api.post(`/api/teams/${teamId}/orders/${orderId}/validation/${domain}/check`, { headers: CSRF })).status()).toBe(200);
  const issued = await api.post(`/api/teams/${teamId}/orders/${orderId}/csr`, { headers: CSRF, data: { csr: makeCsr({ cn: domain, san: [domain] }).csrPem } });
  expect(issued.status(), await issued.text()).toBe(200);
  return orderId;
}

describe("the orders list's filters in Chromium", () => {
  beforeAll(async () => {
    ({ certdesk, browser, context, page } = await openChromiumSession());
  }, 60_000);

  afterAll(async () => {
    await closeChromiumSession(browser, certdesk);
  });

  it("issues three certificates, two ending soon, one revoked, and leaves one order pending", async () => {
    await page.goto("/signup");
    await signUp(page, OWNER);
    await expect.poll(() => new URL(page.url()).pathname, POLL).toMatch(/^\/teams\/[^/]+$/);
    teamId = new URL(page.url()).pathname.split("/")[2]!;
    const api = context.request;
    const profile = await api.post(`/api/teams/${teamId}/billing-profiles`, { headers: CSRF, data: { name: "Card", country: "US", cardBrand: "visa", cardLast4: "4242" } });
    const billingProfileId = (await profile.json()).billingProfile.id;
    const alpha = await issue(api, billingProfileId, "alpha.list.example.com");
    const beta = await issue(api, billingProfileId, "beta.list.example.com");
    const gamma = await issue(api, billingProfileId, "gamma.list.example.com");
    await api.post(`/api/teams/${teamId}/orders`, { headers: CSRF, data: { productId: "dv-1y", domains: ["delta.list.example.com"], billingProfileId } });
    expect((await api.post(`/api/teams/${teamId}/orders/${alpha}/revoke`, { headers: CSRF, data: { reason: "keyCompromise" } })).status()).toBe(200);
    // The server sees another connection's commit (SQLite's data_version) and reads afresh.
    const db = new Database(join(certdesk!.dataDir, "certdesk.db"));
    const move = db.prepare("update certificates set not_after = ? where order_id = ?");
    move.run(new Date(Date.now() + 20 * DAY - 60_000).toISOString(), beta);
    move.run(new Date(Date.now() + 10 * DAY - 60_000).toISOString(), gamma);
    db.close();
  }, 60_000);

  it("shows the Expires column with the days left, and sorts by it", async () => {
    await page.goto(`/teams/${teamId}/orders`);
    await page.getByRole("columnheader", { name: "Expires" }).waitFor();
    await expect.poll(listed, POLL).toEqual(["delta.list.example.com", "gamma.list.example.com", "beta.list.example.com", "alpha.list.example.com"]);
    const gammaRow = page.locator('[data-testid="order-row"]', { hasText: "gamma.list.example.com" });
    expect(await gammaRow.getByTestId("days-left").innerText()).toBe("10 days left");
    expect(await page.locator('[data-testid="order-row"]', { hasText: "alpha.list.example.com" }).getByTestId("days-left").innerText()).toBe("Revoked");
    expect(await page.locator('[data-testid="order-row"]', { hasText: "delta.list.example.com" }).locator('td[data-label="Expires"]').innerText()).toBe("Set at issuance");
    await expectAccessible(page, "orders list");

    await page.getByRole("radio", { name: "Expires soonest" }).check();
    await expect.poll(listed, POLL).toEqual(["gamma.list.example.com", "beta.list.example.com", "alpha.list.example.com", "delta.list.example.com"]);
    expect(new URL(page.url()).searchParams.get("sort")).toBe("expires");
    await expectAccessible(page, "orders list, expires soonest");
  }, 30_000);

  it("has an Expiring within 30 days view, kept in the address across a reload", async () => {
    await page.getByRole("radio", { name: "Expiring within 30 days" }).check();
    await expect.poll(listed, POLL).toEqual(["gamma.list.example.com", "beta.list.example.com"]);
    expect(new URL(page.url()).searchParams.get("view")).toBe("expiring");
    await page.reload();
    await expect.poll(listed, POLL).toEqual(["gamma.list.example.com", "beta.list.example.com"]);
    expect(await page.getByRole("radio", { name: "Expiring within 30 days" }).isChecked()).toBe(true);
    expect(await page.getByRole("radio", { name: "Expires soonest" }).isChecked()).toBe(true);
    await expectAccessible(page, "orders expiring within 30 days");
  }, 30_000);

  it("filters by status and searches by domain; a search the server would refuse is explained, not sent", async () => {
    await page.getByRole("button", { name: "Clear filters" }).first().click();
    await expect.poll(listed, POLL).toHaveLength(4);
    await page.getByLabel("Status").selectOption("revoked");
    await expect.poll(listed, POLL).toEqual(["alpha.list.example.com"]);
    await page.getByLabel("Status").selectOption("pending_validation");
    await expect.poll(listed, POLL).toEqual(["delta.list.example.com"]);
    await page.getByLabel("Status").selectOption("");

    await page.getByLabel("Search domains").fill("BETA");
    await expect.poll(listed, POLL).toEqual(["beta.list.example.com"]);
    expect(new URL(page.url()).searchParams.get("q")).toBe("BETA");
    await page.getByLabel("Search domains").fill("nothing-here");
    await page.getByText("No orders match these filters").waitFor();
    await page.getByLabel("Search domains").fill("beta list");
    await page.getByText("Type the start of a domain").waitFor();
    await expectAccessible(page, "orders list, refused search");

    await page.getByLabel("Search domains").fill("gam");
    await page.getByRole("radio", { name: "Expiring within 30 days" }).check();
    await expect.poll(listed, POLL).toEqual(["gamma.list.example.com"]);
    await page.reload();
    expect(await page.getByLabel("Search domains").inputValue()).toBe("gam");
    await expect.poll(listed, POLL).toEqual(["gamma.list.example.com"]);
  }, 30_000);
});
