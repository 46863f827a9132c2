// The certificate account in a real browser against the real server: the Owner adds a billing
// profile and buys a certificate; a member with Validation validates each domain by DNS and
// uploads a document; the Owner pastes a CSR made by the page's own openssl command, and the
// downloaded certificate names both domains. Then a refund, and the ledger shows both entries.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HIDE_TOASTS, POLL, assertPrerequisites, invitationLinkFor, launchChromium, newUserContext, screenshotsDir, signUp, startCertdesk } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const OWNER = { name: "Ada Lovelace", email: "ada@example.com", password: "analytical-engine-1843" };
const VALIDATOR = { name: "Vera Rubin", email: "vera@example.com", password: "dark-matter-rotation" };
const DOMAINS = ["shop.example.com", "*.shop.example.com"];
const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", "latin1");
const CSRF = { "X-Requested-With": "certdesk" };
/** A team's overview: /teams/<id>. */
const TEAM_HOME = /^\/teams\/[^/]+$/;

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let ownerContext: BrowserContext;
let validatorContext: BrowserContext;
let owner: Page;
let validator: Page;
let shotsDir = "";
let workDir = "";
let orderUrl = "";
let teamId = "";

async function shot(page: Page, name: string) {
  // From the top: the sticky top bar would otherwise sit in the middle of a full-page shot.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true, style: HIDE_TOASTS });
}

function toast(page: Page, text: string | RegExp) {
  return page.locator(".toast", { hasText: text });
}

function step(page: Page, domain: string) {
  return page.locator(`[data-testid="validation-step"][data-domain="${domain}"]`);
}

describe("certificate account in Chromium", () => {
  beforeAll(async () => {
    assertPrerequisites();
    shotsDir = await screenshotsDir();
    workDir = await mkdtemp(join(tmpdir(), "certdesk-e2e-work-"));
    certdesk = await startCertdesk();
    browser = await launchChromium();
    ownerContext = await newUserContext(browser, certdesk.baseUrl);
    validatorContext = await newUserContext(browser, certdesk.baseUrl);
    owner = await ownerContext.newPage();
    validator = await validatorContext.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await certdesk?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it("sets up the team: the Owner signs up and a colleague joins with Validation", async () => {
    await owner.goto("/signup");
    await signUp(owner, OWNER);
    await expect.poll(() => new URL(owner.url()).pathname, POLL).toMatch(TEAM_HOME);

    // The invitation itself is covered by dashboard.e2e.test.ts: here it is made through the API.
    const me = (await (await ownerContext.request.get("/api/me")).json()) as { activeTeam: { id: string } };
    teamId = me.activeTeam.id;
    const invite = await ownerContext.request.post(`/api/teams/${me.activeTeam.id}/invitations`, { headers: CSRF, data: { email: VALIDATOR.email, roles: ["validation"] } });
    expect(invite.status()).toBe(201);
    const token = new URL(await invitationLinkFor(certdesk!.dataDir, VALIDATOR.email)).pathname.split("/").pop()!;
    const signup = await validatorContext.request.post("/api/auth/signup", { headers: CSRF, data: VALIDATOR });
    expect(signup.status()).toBe(201);
    const accept = await validatorContext.request.post(`/api/invitations/${token}/accept`, { headers: CSRF });
    expect(accept.status()).toBe(200);
  }, 30_000);

  it("lets the Owner add a billing profile with only the card's brand and last four digits", async () => {
    const nav = owner.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Billing" }).click();
    await owner.getByRole("heading", { level: 1, name: "Billing" }).waitFor();
    await owner.getByText("No billing profiles yet").waitFor();
    await owner.getByText("No transactions yet").waitFor();
    await expectAccessible(owner, "billing, empty");

    await owner.getByRole("button", { name: "Add billing profile" }).first().click();
    const dialog = owner.getByRole("dialog", { name: "Add a billing profile" });
    await dialog.getByText("certdesk never asks for or stores a card number").waitFor();
    await dialog.getByLabel("Profile name").fill("Acme GmbH");
    await dialog.getByLabel("Country").selectOption("DE");
    await dialog.getByLabel("Card brand").selectOption("mastercard");
    // Only digits, at most four, fit in the field.
    await dialog.getByLabel("Last four digits").fill("5454 5454");
    expect(await dialog.getByLabel("Last four digits").inputValue()).toBe("5454");
    await expectAccessible(owner, "billing profile dialog");
    await owner.screenshot({ path: join(shotsDir, "account-billing-profile-dialog.png"), style: HIDE_TOASTS });
    await dialog.getByRole("button", { name: "Add billing profile" }).click();
    await toast(owner, "Added Acme GmbH").waitFor();
    await dialog.waitFor({ state: "hidden" });
    const row = owner.locator('[data-testid="billing-profile-row"]', { hasText: "Acme GmbH" });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/Germany/);
    expect(await row.innerText()).toMatch(/Mastercard\s*•••• 5454/);
  }, 30_000);

  it("lets the Owner buy a DV certificate for two domains, with the server's domain errors by line", async () => {
    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Orders" }).click();
    await owner.getByText("No orders yet").waitFor();
    await expectAccessible(owner, "orders, empty");
    await owner.getByRole("button", { name: "Buy a certificate" }).first().click();
    const dialog = owner.getByRole("dialog", { name: "Buy a certificate" });
    await dialog.getByRole("radio", { name: /DV SSL, 1 year/ }).check();
    await dialog.getByLabel("Billing profile").waitFor();

    // A name the server refuses: its message comes back against the right line.
    await dialog.getByLabel("Domains").fill(`${DOMAINS[0]}\nnot a domain`);
    await dialog.getByRole("button", { name: "Place order" }).click();
    await dialog.getByText(/Line 2: .*not a valid DNS name/).waitFor();
    await expectAccessible(owner, "buy dialog with a refused domain");
    await shot(owner, "account-buy-dialog");

    await dialog.getByLabel("Domains").fill(DOMAINS.join("\n"));
    await dialog.getByText("2 domains").waitFor();
    await dialog.getByRole("button", { name: "Place order" }).click();
    await toast(owner, /Ordered DV SSL, 1 year for 2 domains; charged \$49\.00/).waitFor();
    await expect.poll(() => new URL(owner.url()).pathname, POLL).toMatch(/^\/teams\/[^/]+\/orders\/[^/]+$/);
    orderUrl = new URL(owner.url()).pathname;
    await owner.getByRole("heading", { level: 1, name: `${DOMAINS[0]} and 1 more` }).waitFor();
    await owner.locator(".page-header .badge", { hasText: "Pending validation" }).waitFor();
    await expectAccessible(owner, "order, pending validation");

    await owner.getByRole("link", { name: "← Orders" }).click();
    const row = owner.locator('[data-testid="order-row"]');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    const text = await row.innerText();
    expect(text).toMatch(/shop\.example\.com/);
    expect(text).toMatch(/Pending validation/);
    expect(text).toMatch(/\$49\.00/);
    expect(text).toMatch(/DV SSL, 1 year/);
    await owner.waitForLoadState("networkidle");
    await shot(owner, "account-orders");
    await expectAccessible(owner, "orders list");
  }, 30_000);

  it("lets the Validation member validate each domain by DNS and upload a PDF, and nothing more", async () => {
    // The link names the team: the validator's own default team is active, the link opens Ada's.
    await validator.goto(`/teams/${teamId}/orders`);
    const nav = validator.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Orders" }).waitFor();
    expect(await nav.getByRole("link", { name: "Billing" }).count()).toBe(0);
    expect(await validator.getByRole("button", { name: "Buy a certificate" }).count()).toBe(0);
    await validator.locator('[data-testid="order-row"]').first().getByRole("link").click();
    await validator.getByRole("heading", { level: 1, name: `${DOMAINS[0]} and 1 more` }).waitFor();
    expect(await validator.getByRole("button", { name: "Refund" }).count()).toBe(0);
    expect(await validator.getByLabel("CSR (PEM)").count()).toBe(0);

    // A wildcard cannot be validated by an HTTP file: the server's 400 is shown.
    // (click, not check: the refused choice leaves the radio unchecked)
    await step(validator, DOMAINS[1]!).getByRole("radio", { name: "HTTP file" }).click();
    await step(validator, DOMAINS[1]!).getByText("is a wildcard: validate it by email or dns, not http.").waitFor();

    for (const domain of DOMAINS) {
      const item = step(validator, domain);
      await item.getByRole("radio", { name: "DNS record" }).check();
      await item.getByText("Record name").waitFor();
      const name = domain.replace(/^\*\./, "");
      await item.getByText(`_certdesk-challenge.${name}`).waitFor();
      await item.getByRole("button", { name: "Copy TXT value" }).waitFor();
      if (domain === DOMAINS[1]) {
        await shot(validator, "account-validation");
        await expectAccessible(validator, "validation by DNS");
      }
      // certdesk checks the record itself: not there yet, it says what it found, in words.
      await item.getByRole("button", { name: `Check now for ${domain}` }).click();
      await item.getByText(`Not found yet for ${domain}`).waitFor();
      if (domain === DOMAINS[0]) await expectAccessible(validator, "validation check failed");
      const orderId = new URL(validator.url()).pathname.split("/").pop()!;
      const order = await (await validatorContext.request.get(`/api/teams/${teamId}/orders/${orderId}`)).json();
      const { instructions } = order.order.validation.find((s: { domain: string }) => s.domain === domain);
      certdesk!.dns.set(instructions.recordName, "TXT", [instructions.recordValue]);
      await item.getByRole("button", { name: `Check now for ${domain}` }).click();
      await item.locator(".badge", { hasText: "Validated" }).waitFor();
    }
    await validator.getByText("All 2 domains are validated.").waitFor();

    const upload = validator.getByLabel("Upload a document");
    // Too large: refused before sending, naming both sizes.
    await upload.setInputFiles({ name: "scan.pdf", mimeType: "application/pdf", buffer: Buffer.alloc(11 * 1024 * 1024, 0x20) });
    await validator.getByText("The file is 11.0 MB; the limit is 10 MB.").waitFor();
    expect(await validator.getByRole("button", { name: "Upload", exact: true }).isDisabled()).toBe(true);
    // Anything but PDF, PNG or JPEG is refused by content, with the server's 415 message.
    await upload.setInputFiles({ name: "notes.pdf", mimeType: "application/pdf", buffer: Buffer.from("just text, not a PDF") });
    await validator.getByRole("button", { name: "Upload", exact: true }).click();
    await validator.locator(".upload-form .alert-error").waitFor();
    expect(await validator.locator(".upload-form .alert-error").innerText()).toMatch(/PDF|PNG|JPEG/);
    await expectAccessible(validator, "upload refused");

    await upload.setInputFiles({ name: "registration-extract.pdf", mimeType: "application/pdf", buffer: PDF });
    await validator.getByRole("button", { name: "Upload", exact: true }).click();
    await toast(validator, "Uploaded registration-extract.pdf").waitFor();
    const doc = validator.locator('[data-testid="document-row"]', { hasText: "registration-extract.pdf" });
    await doc.waitFor();
    expect(await doc.innerText()).toMatch(/PDF/);
    expect(await doc.innerText()).toContain(VALIDATOR.email);

    const [download] = await Promise.all([validator.waitForEvent("download"), doc.getByRole("link", { name: "registration-extract.pdf" }).click()]);
    const saved = join(workDir, "downloaded.pdf");
    await download.saveAs(saved);
    expect((await readFile(saved)).equals(PDF)).toBe(true);
    expect(download.suggestedFilename()).toBe("registration-extract.pdf");
  }, 40_000);

  it("issues the certificate when the Owner pastes a CSR made by the page's openssl command", async () => {
    await owner.goto(orderUrl);
    await owner.getByText("All 2 domains are validated.").waitFor();
    const command = await owner.locator(".copy-field", { hasText: "OpenSSL command" }).locator("code").innerText();
    expect(command).toContain(`-subj "/CN=${DOMAINS[0]}"`);
    expect(command).toContain(`subjectAltName=${DOMAINS.map((d) => `DNS:${d}`).join(",")}`);
    const csr = execFileSync("sh", ["-c", command], { cwd: workDir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(csr).toContain("BEGIN CERTIFICATE REQUEST");

    await owner.getByLabel("CSR (PEM)").fill(csr);
    await owner.getByRole("button", { name: "Submit CSR" }).click();
    await toast(owner, "CSR accepted: the certificate is issued.").waitFor();
    await owner.locator(".page-header .badge", { hasText: "Issued" }).waitFor();
    const facts = owner.locator('[data-testid="certificate-facts"]');
    await facts.waitFor();
    expect(await facts.innerText()).toMatch(/Serial[\s\S]*Valid from[\s\S]*Valid until/);
    await owner.waitForLoadState("networkidle");
    await shot(owner, "account-order-issued");
    await expectAccessible(owner, "order, issued");

    const [download] = await Promise.all([owner.waitForEvent("download"), owner.getByRole("link", { name: "Download certificate (PEM)" }).click()]);
    const pemPath = join(workDir, "certificate.pem");
    await download.saveAs(pemPath);
    const pem = await readFile(pemPath, "utf8");
    expect(pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    const text = execFileSync("openssl", ["x509", "-noout", "-text", "-in", pemPath], { encoding: "utf8" });
    expect(text).toContain(`DNS:${DOMAINS[0]}`);
    expect(text).toContain(`DNS:${DOMAINS[1]}`);
    // The leaf's public key is the one openssl wrote next to the CSR.
    const keyOfCert = execFileSync("openssl", ["x509", "-noout", "-pubkey", "-in", pemPath], { encoding: "utf8" });
    const keyOfCsr = execFileSync("openssl", ["pkey", "-pubout", "-in", join(workDir, "key.pem")], { encoding: "utf8" });
    expect(keyOfCert.trim()).toBe(keyOfCsr.trim());

    // Reissue: a new key's CSR on the issued order signs a new certificate at once.
    const serialBefore = await facts.locator(".serial .mono").innerText();
    await owner.getByRole("button", { name: "Reissue" }).click();
    const reissueDir = join(workDir, "reissue");
    await mkdir(reissueDir);
    const newCsr = execFileSync("sh", ["-c", command], { cwd: reissueDir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    await owner.getByLabel("New CSR (PEM)").fill(newCsr);
    await expectAccessible(owner, "reissue form");
    await owner.getByRole("button", { name: "Reissue certificate" }).click();
    await toast(owner, /Reissued the certificate; new serial/).waitFor();
    await expect.poll(() => facts.locator(".serial .mono").innerText(), POLL).not.toBe(serialBefore);
  }, 30_000);

  it("refunds the order after a confirmation, and the ledger shows the charge and the refund", async () => {
    await owner.getByRole("button", { name: "Refund" }).click();
    const dialog = owner.getByRole("dialog", { name: "Refund this order?" });
    await dialog.getByText("Refunds are possible for 30 days after the charge").waitFor();
    await owner.screenshot({ path: join(shotsDir, "account-refund-dialog.png"), style: HIDE_TOASTS });
    await expectAccessible(owner, "refund dialog");
    await dialog.getByRole("button", { name: "Refund $49.00" }).click();
    await toast(owner, "Refunded $49.00.").waitFor();
    await owner.locator(".page-header .badge", { hasText: "Refunded" }).waitFor();
    expect(await owner.getByRole("button", { name: "Refund" }).count()).toBe(0);

    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Billing" }).click();
    const rows = owner.locator('[data-testid="transaction-row"]');
    await expect.poll(() => rows.count(), POLL).toBe(2);
    expect(await rows.nth(0).innerText()).toMatch(/Refund[\s\S]*−\$49\.00/);
    expect(await rows.nth(1).innerText()).toMatch(/Charge[\s\S]*\$49\.00/);
    expect(await rows.nth(1).innerText()).toContain(OWNER.email);
    await owner.waitForLoadState("networkidle");
    await shot(owner, "account-billing");
    await expectAccessible(owner, "billing with a charge and a refund");

    // The closed order on a phone.
    await owner.setViewportSize({ width: 390, height: 844 });
    await owner.goto(orderUrl);
    await owner.locator(".page-header .badge", { hasText: "Refunded" }).waitFor();
    await owner.waitForLoadState("networkidle");
    await shot(owner, "account-order-refunded-phone");
    await expectAccessible(owner, "refunded order on a phone");
  }, 30_000);
});
