// The ACME page in a real browser against the real server (SPEC rules 13 and 20): the Owner sees the
// directory URL, creates a credential for a product and billing profile, reads its key id and HMAC
// key once with certbot and lego commands that carry them and the directory URL, finds it listed
// without the HMAC key. An ACME client (acme-client, npm) registers with what the dialog showed and
// opens an order: the page lists its account, the orders pages show the order as that account's.
// The Owner revokes the credential after a confirmation: the account is deactivated and no new one
// registers. An Installer does not get the page. axe checks the pages and each dialog.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import acme from "acme-client";
import { calculateJwkThumbprint } from "jose";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLL, assertPrerequisites, invitationLinkFor, launchChromium, newUserContext, signUp, startCertdesk } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const OWNER = { name: "Katherine Johnson", email: "katherine@example.com", password: "orbital-mechanics-1962" };
const INSTALLER = { name: "Dennis Ritchie", email: "dennis@example.com", password: "unix-and-c-1972" };
const CSRF = { "X-Requested-With": "certdesk" };
const CREDENTIAL = "Web servers";

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let ownerContext: BrowserContext;
let installerContext: BrowserContext;
let owner: Page;
let installer: Page;
let teamId = "";
let keyId = "";
let hmacKey = "";
let directoryUrl = "";

function credentialCard(page: Page) {
  return page.locator(".card", { has: page.locator(`[data-testid="acme-credential"][data-name="${CREDENTIAL}"]`) });
}

describe("ACME credentials in Chromium", () => {
  beforeAll(async () => {
    assertPrerequisites();
    certdesk = await startCertdesk();
    browser = await launchChromium();
    ownerContext = await newUserContext(browser, certdesk.baseUrl);
    installerContext = await newUserContext(browser, certdesk.baseUrl);
    owner = await ownerContext.newPage();
    installer = await installerContext.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await certdesk?.stop();
  });

  it("sets up the team: the Owner signs up with a billing profile, and an Installer joins", async () => {
    await owner.goto("/signup");
    await signUp(owner, OWNER);
    await expect.poll(() => new URL(owner.url()).pathname, POLL).toMatch(/^\/teams\/[^/]+$/);
    teamId = new URL(owner.url()).pathname.split("/")[2]!;
    const profile = await ownerContext.request.post(`/api/teams/${teamId}/billing-profiles`, {
      headers: CSRF,
      data: { name: "Operations", country: "US", cardBrand: "visa", cardLast4: "4242" },
    });
    expect(profile.status()).toBe(201);

    const invite = await ownerContext.request.post(`/api/teams/${teamId}/invitations`, { headers: CSRF, data: { email: INSTALLER.email, roles: ["installer"] } });
    expect(invite.status()).toBe(201);
    const token = new URL(await invitationLinkFor(certdesk!.dataDir, INSTALLER.email)).pathname.split("/").pop()!;
    expect((await installerContext.request.post("/api/auth/signup", { headers: CSRF, data: INSTALLER })).status()).toBe(201);
    expect((await installerContext.request.post(`/api/invitations/${token}/accept`, { headers: CSRF })).status()).toBe(200);
  }, 30_000);

  it("shows the directory URL and an empty list, then creates a credential whose HMAC key is shown once, with commands to paste", async () => {
    directoryUrl = `${certdesk!.baseUrl}/acme/directory`;
    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "ACME" }).click();
    await owner.getByRole("heading", { level: 1, name: "ACME" }).waitFor();
    await owner.getByText("No ACME credentials yet").waitFor();
    expect(new URL(owner.url()).pathname).toBe(`/teams/${teamId}/acme`);
    expect((await owner.locator(".copy-field-value").first().innerText()).trim()).toBe(directoryUrl);
    await expectAccessible(owner, "ACME, no credentials yet");

    await owner.getByRole("button", { name: "New credential" }).first().click();
    const dialog = owner.getByRole("dialog", { name: "New ACME credential" });
    await dialog.waitFor();
    await dialog.getByLabel("Billing profile").waitFor();
    expect(await dialog.getByLabel("Billing profile").locator("option").allInnerTexts()).toEqual(["Operations · Visa •••• 4242"]);
    await dialog.getByRole("button", { name: "Create credential" }).click();
    await dialog.getByText("Give the credential a name, such as the servers or cluster that will use it.").waitFor();
    expect(await dialog.getByLabel("Credential name").evaluate((el) => el === document.activeElement)).toBe(true);
    await expectAccessible(owner, "new credential dialog with an error");

    await dialog.getByLabel("Credential name").fill(CREDENTIAL);
    await dialog.getByLabel("Product").selectOption("dv-2y");
    await dialog.getByRole("button", { name: "Create credential" }).click();

    const shown = owner.getByRole("dialog", { name: `ACME credential ${CREDENTIAL} created` });
    await shown.getByText("Copy the HMAC key now: it will not be shown again").waitFor();
    const values = (await shown.locator(".copy-field-value").allInnerTexts()).map((v) => v.trim());
    keyId = values[0] ?? "";
    hmacKey = values[1] ?? "";
    expect(keyId).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(hmacKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(values[2]).toBe(directoryUrl);
    const commands = shown.locator('[data-testid="acme-commands"] .copy-field-value');
    const [certbot, lego, certbotDns] = (await commands.allInnerTexts()).map((v) => v.trim());
    expect(certbot).toBe(`certbot certonly --server ${directoryUrl} --eab-kid ${keyId} --eab-hmac-key ${hmacKey} --standalone -d example.com`);
    expect(lego).toBe(`lego --server ${directoryUrl} --eab --kid ${keyId} --hmac ${hmacKey} --email you@example.com --domains example.com --http run`);
    expect(certbotDns).toContain(`--server ${directoryUrl} --eab-kid ${keyId} --eab-hmac-key ${hmacKey} --manual --preferred-challenges dns`);
    for (const name of ["Copy key id", "Copy hmac key", "Copy certbot command", "Copy lego command"]) await shown.getByRole("button", { name }).waitFor();
    await expectAccessible(owner, "new credential's HMAC key and commands");
    await shown.getByRole("button", { name: "I have copied it" }).click();
    await shown.waitFor({ state: "hidden" });

    const card = credentialCard(owner);
    await card.waitFor();
    const text = await card.innerText();
    expect(text).toContain(keyId);
    expect(text).toContain("DV SSL, 2 years");
    expect(text).toContain("Operations · Visa •••• 4242");
    expect(text).toContain(OWNER.email);
    expect(text).toContain("No ACME client has used this credential yet.");
    expect(await card.locator('[data-testid="acme-credential"]').getAttribute("data-status")).toBe("active");
    // The HMAC key is nowhere on the page any more, nor in what the server lists.
    expect(await owner.content()).not.toContain(hmacKey);
    const listed = await ownerContext.request.get(`/api/teams/${teamId}/acme-credentials`);
    expect(await listed.text()).not.toContain(hmacKey);
    await expectAccessible(owner, "ACME, one credential");
  }, 30_000);

  it("lists the ACME account a client registers with the key id and HMAC key shown, and shows its order as the account's", async () => {
    const accountKey = await acme.crypto.createPrivateEcdsaKey();
    const client = new acme.Client({ directoryUrl, accountKey, externalAccountBinding: { kid: keyId, hmacKey } });
    await client.createAccount({ termsOfServiceAgreed: true, contact: ["mailto:ops@example.com"] });
    const accountId = client.getAccountUrl().split("/").pop()!;
    // The page shows the RFC 7638 thumbprint of the account's key (whole in the title).
    const thumbprint = await calculateJwkThumbprint(acme.crypto.getJwk(accountKey));
    await client.createOrder({ identifiers: [{ type: "dns", value: "www.shop.example.com" }] });

    await owner.reload();
    const row = credentialCard(owner).locator('[data-testid="acme-account-row"]');
    await row.waitFor();
    expect(await row.getAttribute("data-status")).toBe("valid");
    expect(await row.locator("code").getAttribute("title")).toBe(thumbprint);
    const text = await row.innerText();
    expect(text).toContain("Active");
    expect(text).not.toMatch(/Never/);
    await expectAccessible(owner, "ACME, a credential with an account");

    // The order the client opened, in the team's orders, as the account's (with its credential and creator).
    const shortAccount = accountId.replace(/-/g, "").slice(-8).toUpperCase();
    const placedBy = `ACME account ${shortAccount} (credential “${CREDENTIAL}”, created by ${OWNER.email})`;
    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Orders" }).click();
    const order = owner.locator('[data-testid="order-row"]', { hasText: "www.shop.example.com" });
    await order.waitFor();
    expect((await order.locator('[data-testid="order-placed-by"]').innerText()).trim()).toBe(`ACME · ${placedBy}`);
    await order.getByRole("link", { name: "www.shop.example.com" }).click();
    const facts = owner.locator('[data-testid="order-placed-by"]');
    await facts.waitFor();
    expect((await facts.innerText()).replace(/\s+/g, " ").trim()).toBe(`${placedBy} · ACME`);
    await expectAccessible(owner, "an ACME order");
    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "ACME" }).click();
    await credentialCard(owner).waitFor();
  }, 30_000);

  it("revokes the credential after a confirmation: it stays listed as revoked, its account deactivated, and no new account registers", async () => {
    await credentialCard(owner).getByRole("button", { name: `Revoke ${CREDENTIAL}` }).click();
    const confirm = owner.getByRole("dialog", { name: `Revoke ${CREDENTIAL}?` });
    await confirm.waitFor();
    await expectAccessible(owner, "revoke credential dialog");
    await confirm.getByRole("button", { name: "Revoke credential" }).click();
    await owner.locator(".toast", { hasText: `Revoked ${CREDENTIAL} and deactivated 1 ACME account.` }).waitFor();
    await expect.poll(() => credentialCard(owner).locator('[data-testid="acme-credential"]').getAttribute("data-status"), POLL).toBe("revoked");
    expect(await credentialCard(owner).getByRole("button", { name: /^Revoke/ }).count()).toBe(0);
    const listed = (await (await ownerContext.request.get(`/api/teams/${teamId}/acme-credentials`)).json()) as { items: { keyId: string; revokedAt: string | null }[] };
    expect(listed.items.find((c) => c.keyId === keyId)?.revokedAt).not.toBeNull();
    await expect.poll(() => credentialCard(owner).locator('[data-testid="acme-account-row"]').getAttribute("data-status"), POLL).toBe("deactivated");
    await expectAccessible(owner, "ACME, one credential revoked");

    const latecomer = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey(), externalAccountBinding: { kid: keyId, hmacKey } });
    await expect(latecomer.createAccount({ termsOfServiceAgreed: true })).rejects.toThrow();
    await owner.reload();
    await credentialCard(owner).waitFor();
    expect(await credentialCard(owner).locator('[data-testid="acme-account-row"]').count()).toBe(1);
  }, 30_000);

  it("does not show the page to an Installer", async () => {
    await installer.goto(`/teams/${teamId}`);
    const nav = installer.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Orders" }).waitFor();
    expect(await nav.getByRole("link", { name: "ACME" }).count()).toBe(0);
    await installer.goto(`/teams/${teamId}/acme`);
    await installer.getByText("You don't have access to this page").waitFor();
    expect(await installer.getByRole("button", { name: "New credential" }).count()).toBe(0);
  }, 30_000);
});
