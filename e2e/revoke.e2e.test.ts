// Revoking a certificate from the dashboard (issue 11): the certificate's facts show its status,
// a Revoke dialog explains each of the five reasons and sends the chosen one, and afterwards the
// order and its certificate say revoked, when and why. axe checks the dialog.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCsr } from "../test/helpers/csr.js";
import { closeChromiumSession, openChromiumSession, POLL, signUp } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const OWNER = { name: "Whitfield Diffie", email: "whit@example.com", password: "key-exchange-1976" };
const DOMAIN = "revoke.example.com";
const CSRF = { "X-Requested-With": "certdesk" };

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let orderPath = "";

describe("revoking a certificate in Chromium", () => {
  beforeAll(async () => {
    ({ certdesk, browser, context, page } = await openChromiumSession());
  }, 60_000);

  afterAll(async () => {
    await closeChromiumSession(browser, certdesk);
  });

  it("issues a certificate (validated by DNS, CSR through the API)", async () => {
    await page.goto("/signup");
    await signUp(page, OWNER);
    await expect.poll(() => new URL(page.url()).pathname, POLL).toMatch(/^\/teams\/[^/]+$/);
    const teamId = new URL(page.url()).pathname.split("/")[2]!;
    const api = context.request;
    const profile = await api.post(`/api/teams/${teamId}/billing-profiles`, { headers: CSRF, data: { name: "Card", country: "US", cardBrand: "visa", cardLast4: "4242" } });
    const billingProfileId = (await profile.json()).billingProfile.id;
    const placed = await api.post(`/api/teams/${teamId}/orders`, { headers: CSRF, data: { productId: "dv-1y", domains: [DOMAIN], billingProfileId } });
    const orderId = (await placed.json()).order.id;
    const chosen = await api.post(`/api/teams/${teamId}/orders/${orderId}/validation/${DOMAIN}`, { headers: CSRF, data: { method: "dns" } });
    const { instructions } = (await chosen.json()).order.validation[0];
    certdesk!.dns.set(instructions.recordName, "TXT", [instructions.recordValue]);
    expect((await api.post(`/api/teams/${teamId}/orders/${orderId}/validation/${DOMAIN}/check`, { headers: CSRF })).status()).toBe(200);
    const { csrPem } = makeCsr({ cn: DOMAIN, san: [DOMAIN] });
    const issued = await api.post(`/api/teams/${teamId}/orders/${orderId}/csr`, { headers: CSRF, data: { csr: csrPem } });
    expect(issued.status(), await issued.text()).toBe(200);
    orderPath = `/teams/${teamId}/orders/${orderId}`;
  }, 30_000);

  it("revokes it with an explained reason; the page then says revoked, when and why", async () => {
    await page.goto(orderPath);
    const facts = page.locator('[data-testid="certificate-facts"]');
    await facts.getByText("Valid", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Revoke" }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke this certificate?" });
    await dialog.waitFor();
    // Five reasons, each with its explanation; nothing is sent until one is chosen.
    expect(await dialog.getByRole("radio").count()).toBe(5);
    await dialog.getByText("Someone else may have the key").waitFor();
    expect(await dialog.getByRole("button", { name: "Revoke certificate" }).isDisabled()).toBe(true);
    await dialog.getByRole("radio", { name: /The private key was exposed/ }).check();
    await expectAccessible(page, "revoke dialog");
    await dialog.getByRole("button", { name: "Revoke certificate" }).click();
    await page.locator(".toast", { hasText: "Revoked the certificate: the private key was exposed." }).waitFor();
    await facts.getByText("Revoked", { exact: true }).waitFor();
    expect(await facts.innerText()).toMatch(/the private key was exposed/);
    await page.locator(".page-header .badge", { hasText: "Revoked" }).waitFor();
    expect(await page.getByRole("button", { name: "Revoke" }).count()).toBe(0);
    await expectAccessible(page, "order, revoked");
  }, 30_000);
});
