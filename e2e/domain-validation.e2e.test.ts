// Domain validation through the dashboard (issues 10 and 14): the e-mail method with a chosen
// approver address, "Check now" telling in words what certdesk found, the approval link's landing
// page (which approves only when its button is pressed), and the Domains page with each name's
// days of reuse left. axe checks each page.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLL, assertPrerequisites, launchChromium, newUserContext, signUp, startCertdesk } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const OWNER = { name: "Radia Perlman", email: "radia@example.com", password: "spanning-tree-1985" };
const DOMAIN = "approve.example.com";
const APPROVER = `hostmaster@${DOMAIN}`;
const CSRF = { "X-Requested-With": "certdesk" };

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let ownerContext: BrowserContext;
let owner: Page;
let teamId = "";

/** The /domain-approvals/<token> link in an e-mail to `to`, from DATA_DIR/mail. */
async function approvalLinkFor(to: string, timeoutMs = 15_000): Promise<string> {
  const mailDir = join(certdesk!.dataDir, "mail");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const name of existsSync(mailDir) ? await readdir(mailDir) : []) {
      if (!name.endsWith(".eml")) continue;
      const mail = await simpleParser(await readFile(join(mailDir, name)));
      const recipients = [mail.to].flat().flatMap((a) => a?.value ?? []).map((a) => a.address?.toLowerCase());
      if (!recipients.includes(to)) continue;
      const match = `${mail.text ?? ""}`.match(/https?:\/\/[^\s"'<>]+\/domain-approvals\/[A-Za-z0-9_-]+/);
      if (match) return match[0];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`No approval e-mail to ${to} in ${mailDir}.`);
}

function step(page: Page) {
  return page.locator(`[data-testid="validation-step"][data-domain="${DOMAIN}"]`);
}

describe("domain validation in Chromium", () => {
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

  it("sends the approval e-mail to the chosen address; Check now says it is not confirmed yet", async () => {
    await owner.goto("/signup");
    await signUp(owner, OWNER);
    await expect.poll(() => new URL(owner.url()).pathname, POLL).toMatch(/^\/teams\/[^/]+$/);
    teamId = new URL(owner.url()).pathname.split("/")[2]!;
    const profile = await ownerContext.request.post(`/api/teams/${teamId}/billing-profiles`, { headers: CSRF, data: { name: "Card", country: "US", cardBrand: "visa", cardLast4: "4242" } });
    const billingProfileId = (await profile.json()).billingProfile.id;
    const order = await ownerContext.request.post(`/api/teams/${teamId}/orders`, { headers: CSRF, data: { productId: "dv-1y", domains: [DOMAIN], billingProfileId } });
    expect(order.status(), await order.text()).toBe(201);
    const orderId = (await order.json()).order.id;

    await owner.goto(`/teams/${teamId}/orders/${orderId}`);
    await step(owner).getByRole("radio", { name: "E-mail" }).check();
    const choice = step(owner).getByLabel(`Send the approval e-mail for ${DOMAIN} to`);
    // The five constructed addresses, and nothing else.
    expect(await choice.locator("option").allTextContents()).toEqual(["admin", "administrator", "webmaster", "hostmaster", "postmaster"].map((box) => `${box}@${DOMAIN}`));
    await choice.selectOption(APPROVER);
    await expectAccessible(owner, "choosing the approver address");
    await step(owner).getByRole("button", { name: `Send approval e-mail for ${DOMAIN}` }).click();
    await owner.locator(".toast", { hasText: `Sent the approval e-mail for ${DOMAIN} to ${APPROVER}.` }).waitFor();

    await step(owner).getByRole("button", { name: `Check now for ${DOMAIN}` }).click();
    await step(owner).getByText(`Not found yet for ${DOMAIN}`).waitFor();
    expect(await step(owner).locator(".alert").innerText()).toMatch(/approval/i);
  }, 30_000);

  it("the approval link's page approves only when its button is pressed", async () => {
    const link = await approvalLinkFor(APPROVER);
    const mailboxContext = await newUserContext(browser!, certdesk!.baseUrl);
    const reader = await mailboxContext.newPage();
    await reader.goto(new URL(link).pathname);
    await reader.getByRole("heading", { level: 1, name: "Approve a certificate request" }).waitFor();
    await expectAccessible(reader, "domain approval landing page");
    // Opening the page changed nothing.
    await step(owner).getByRole("button", { name: `Check now for ${DOMAIN}` }).click();
    await step(owner).getByText(`Not found yet for ${DOMAIN}`).waitFor();

    await reader.getByRole("button", { name: "Approve the request" }).click();
    await reader.getByText(`${DOMAIN} is approved`).waitFor();
    await reader.reload();
    await reader.getByRole("button", { name: "Approve the request" }).click();
    await reader.getByText("This approval link was used already").waitFor();
    await mailboxContext.close();

    await owner.reload();
    await step(owner).locator(".badge", { hasText: "Validated" }).waitFor();
  }, 30_000);

  it("the Domains page lists the ledger with each name's days left", async () => {
    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Domains" }).click();
    await owner.getByRole("heading", { level: 1, name: "Domains" }).waitFor();
    const row = owner.locator('[data-testid="domain-row"]', { hasText: DOMAIN });
    await row.getByText("e-mail").waitFor();
    expect(await row.locator(".badge").innerText()).toMatch(/^\d+ days$/);
    await expectAccessible(owner, "domains page");
  }, 30_000);
});
