// The API keys page in a real browser against the real server (SPEC rule 13): the Owner creates a
// key, reads its secret once from the dialog, the key works from outside the browser with only its
// permissions, and after the Owner revokes it in the dashboard it answers 401. An Installer does
// not get the page. axe checks the page and each dialog.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLL, assertPrerequisites, invitationLinkFor, launchChromium, newUserContext, signUp, startCertdesk } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const OWNER = { name: "Margaret Hamilton", email: "margaret@example.com", password: "apollo-guidance-1969" };
const INSTALLER = { name: "Radia Perlman", email: "radia@example.com", password: "spanning-tree-1985" };
const CSRF = { "X-Requested-With": "certdesk" };
const KEY_NAME = "Deploy pipeline";

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let ownerContext: BrowserContext;
let installerContext: BrowserContext;
let owner: Page;
let installer: Page;
let teamId = "";
let secret = "";

/** A call from outside the browser (a script), with the key and nothing else. */
function withKey(path: string, key: string) {
  return fetch(`${certdesk!.baseUrl}${path}`, { headers: { Authorization: `Bearer ${key}` } });
}

function keyRow(page: Page) {
  return page.locator('[data-testid="api-key-row"]', { hasText: KEY_NAME });
}

describe("API keys in Chromium", () => {
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

  it("sets up the team: the Owner signs up and an Installer joins", async () => {
    await owner.goto("/signup");
    await signUp(owner, OWNER);
    await expect.poll(() => new URL(owner.url()).pathname, POLL).toMatch(/^\/teams\/[^/]+$/);
    teamId = new URL(owner.url()).pathname.split("/")[2]!;

    const invite = await ownerContext.request.post(`/api/teams/${teamId}/invitations`, { headers: CSRF, data: { email: INSTALLER.email, roles: ["installer"] } });
    expect(invite.status()).toBe(201);
    const token = new URL(await invitationLinkFor(certdesk!.dataDir, INSTALLER.email)).pathname.split("/").pop()!;
    expect((await installerContext.request.post("/api/auth/signup", { headers: CSRF, data: INSTALLER })).status()).toBe(201);
    expect((await installerContext.request.post(`/api/invitations/${token}/accept`, { headers: CSRF })).status()).toBe(200);
  }, 30_000);

  it("lets the Owner create a key with some of their permissions, and shows its secret once", async () => {
    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
    await owner.getByRole("heading", { level: 1, name: "API keys" }).waitFor();
    await owner.getByText("No API keys yet").waitFor();
    await expectAccessible(owner, "API keys, none yet");

    await owner.getByRole("button", { name: "Create API key" }).first().click();
    const dialog = owner.getByRole("dialog", { name: "Create an API key" });
    await dialog.waitFor();
    // Every permission the Owner holds, each explained, except the two a key never gets.
    await dialog.getByRole("checkbox", { name: /orders\.view.*See certificate orders and their status/ }).waitFor();
    await dialog.getByRole("checkbox", { name: /automation\.manage/ }).waitFor();
    expect(await dialog.getByRole("checkbox", { name: /team\.delete/ }).count()).toBe(0);
    expect(await dialog.getByRole("checkbox", { name: /team\.transfer/ }).count()).toBe(0);

    // Checked in the browser first: in words, and the keyboard goes to the first problem.
    await dialog.getByRole("button", { name: "Create key" }).click();
    await dialog.getByText("Give the key a name, such as the script or system that will use it.").waitFor();
    await dialog.getByText("Tick at least one permission.").waitFor();
    await expect.poll(() => owner.evaluate(() => (document.activeElement as HTMLInputElement | null)?.getAttribute("aria-invalid")), POLL).toBe("true");
    expect(await dialog.getByLabel("Key name").evaluate((el) => el === document.activeElement)).toBe(true);
    await expectAccessible(owner, "create key dialog with errors");

    await dialog.getByLabel("Key name").fill(KEY_NAME);
    await dialog.getByRole("checkbox", { name: /orders\.view/ }).check();
    await dialog.getByLabel("Expires").selectOption("30");
    await dialog.getByRole("button", { name: "Create key" }).click();

    const shown = owner.getByRole("dialog", { name: `API key ${KEY_NAME} created` });
    await shown.getByText("Copy the secret now: it will not be shown again").waitFor();
    secret = (await shown.locator(".copy-field-value").innerText()).trim();
    expect(secret).toMatch(/^cdk_[0-9a-f]{64}$/);
    expect(await shown.locator(".code-block").innerText()).toBe(`Authorization: Bearer ${secret}`);
    await shown.getByRole("button", { name: "Copy secret" }).waitFor();
    await expectAccessible(owner, "new key's secret");
    await shown.getByRole("button", { name: "I have copied it" }).click();
    await shown.waitFor({ state: "hidden" });

    const row = keyRow(owner);
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain("orders.view");
    expect(text).toContain(OWNER.email);
    expect(text).toMatch(/Never/); // not used yet
    expect(text).toMatch(/Active/);
    // The secret is nowhere on the page any more.
    expect(await owner.content()).not.toContain(secret);
    await expectAccessible(owner, "API keys, one active");
  }, 30_000);

  it("acts with the key from outside the browser: its permission works, another is refused", async () => {
    const orders = await withKey(`/api/teams/${teamId}/orders`, secret);
    expect(orders.status).toBe(200);
    const billing = await withKey(`/api/teams/${teamId}/billing-profiles`, secret);
    expect(billing.status).toBe(403);
    expect(((await billing.json()) as { code: string }).code).toBe("forbidden");

    // Its use is recorded: the list no longer says "never".
    await owner.reload();
    await expect.poll(async () => keyRow(owner).locator('td[data-label="Last used"]').innerText(), POLL).not.toMatch(/Never/);
  }, 30_000);

  it("revokes the key after a confirmation, and the key then answers 401", async () => {
    await keyRow(owner).getByRole("button", { name: `Revoke ${KEY_NAME}` }).click();
    const confirm = owner.getByRole("dialog", { name: `Revoke ${KEY_NAME}?` });
    await confirm.waitFor();
    await expectAccessible(owner, "revoke key dialog");
    await confirm.getByRole("button", { name: "Revoke key" }).click();
    await owner.locator(".toast", { hasText: `Revoked ${KEY_NAME}` }).waitFor();
    await expect.poll(() => keyRow(owner).getAttribute("data-status"), POLL).toBe("revoked");
    expect(await keyRow(owner).getByRole("button", { name: /^Revoke/ }).count()).toBe(0);
    await expectAccessible(owner, "API keys, one revoked");

    const after = await withKey(`/api/teams/${teamId}/orders`, secret);
    expect(after.status).toBe(401);
  }, 30_000);

  it("does not show the page to an Installer", async () => {
    await installer.goto(`/teams/${teamId}`);
    const nav = installer.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Orders" }).waitFor();
    expect(await nav.getByRole("link", { name: "API keys" }).count()).toBe(0);
    await installer.goto(`/teams/${teamId}/api-keys`);
    await installer.getByText("You don't have access to this page").waitFor();
    expect(await installer.getByRole("button", { name: "Create API key" }).count()).toBe(0);
    await expectAccessible(installer, "API keys refused to an Installer");
  }, 30_000);
});
