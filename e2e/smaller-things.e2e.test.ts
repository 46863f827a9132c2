// Issue 14's smaller things in a real browser against the real server: the invite form says the
// server's own invitation lifetime (started here with INVITATION_TTL_HOURS=36, not the default),
// billing profiles take and show a street, city and postal code, the orders list has each
// order's end, toasts stay clear of the buttons, the delete-team dialog lists what goes with the
// team, and a used invitation link tells a signed-in invitee the right thing.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLL, assertPrerequisites, invitationLinkFor, launchChromium, newUserContext, signUp, startCertdesk } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const OWNER = { name: "Katherine Johnson", email: "katherine@example.com", password: "orbital-mechanics-1962" };
const INVITEE = { name: "Dorothy Vaughan", email: "dorothy@example.com", password: "fortran-teacher-1961" };
const CSRF = { "X-Requested-With": "certdesk" };

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let ownerContext: BrowserContext;
let owner: Page;
let teamId = "";

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe("issue 14's smaller things in Chromium", () => {
  beforeAll(async () => {
    assertPrerequisites();
    // The server is a child process that inherits this environment.
    process.env.INVITATION_TTL_HOURS = "36";
    try {
      certdesk = await startCertdesk();
    } finally {
      delete process.env.INVITATION_TTL_HOURS;
    }
    browser = await launchChromium();
    ownerContext = await newUserContext(browser, certdesk.baseUrl);
    owner = await ownerContext.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await certdesk?.stop();
  });

  it("the invite form says the server's invitation lifetime", async () => {
    await owner.goto("/signup");
    await signUp(owner, OWNER);
    await expect.poll(() => new URL(owner.url()).pathname, POLL).toMatch(/^\/teams\/[^/]+$/);
    teamId = new URL(owner.url()).pathname.split("/")[2]!;
    await owner.goto(`/teams/${teamId}/invitations`);
    await owner.getByText(/valid for 36 hours\./).waitFor();
    expect(await owner.getByText(/72 hours/).count()).toBe(0);
  }, 30_000);

  it("billing profiles take a street, city and postal code; the toast stays clear of the buttons", async () => {
    await owner.goto(`/teams/${teamId}/billing`);
    await owner.getByRole("heading", { level: 1, name: "Billing" }).waitFor();
    const add = owner.getByRole("button", { name: "Add billing profile" }).first();
    await add.click();
    const dialog = owner.getByRole("dialog", { name: "Add a billing profile" });
    await dialog.getByLabel("Profile name").fill("Langley office");
    await dialog.getByLabel("Street and number").fill("1 NASA Drive");
    await dialog.getByLabel("Postal code").fill("23681");
    await dialog.getByLabel("City").fill("Hampton");
    await dialog.getByLabel("Country").selectOption("US");
    await dialog.getByLabel("Last four digits").fill("4242");
    await expectAccessible(owner, "billing profile dialog with the address");
    await dialog.getByRole("button", { name: /Add|Save/ }).last().click();
    const toast = owner.locator(".toast", { hasText: "Added Langley office" });
    await toast.waitFor();
    const row = owner.locator('[data-testid="billing-profile-row"]', { hasText: "Langley office" });
    await row.getByText("1 NASA Drive").waitFor();
    await row.getByText(/23681 Hampton/).waitFor();

    // No button of the page is under the toast.
    const toastBox = (await toast.boundingBox())!;
    // It starts over the sidebar, away from the right where pages and dialogs put their buttons.
    const mainBox = (await owner.locator("main").boundingBox())!;
    expect(toastBox.x).toBeLessThan(mainBox.x);
    const buttons = await owner.locator("main button, main a.btn").all();
    expect(buttons.length).toBeGreaterThan(1);
    for (const button of buttons) {
      const box = await button.boundingBox();
      if (box) expect(overlaps(toastBox, box), await button.textContent() ?? "").toBe(false);
    }

    await row.getByRole("button", { name: /Edit/ }).click();
    const edit = owner.getByRole("dialog", { name: "Edit Langley office" });
    expect(await edit.getByLabel("City").inputValue()).toBe("Hampton");
    await edit.getByLabel("City").fill("Newport News");
    await edit.getByRole("button", { name: /Save/ }).click();
    await row.getByText(/23681 Newport News/).waitFor();
  }, 30_000);

  it("the orders list shows each order's end", async () => {
    const profiles = await (await ownerContext.request.get(`/api/teams/${teamId}/billing-profiles`)).json();
    const order = await ownerContext.request.post(`/api/teams/${teamId}/orders`, {
      headers: CSRF,
      data: { productId: "dv-1y", domains: ["orbit.example.com"], billingProfileId: profiles.items[0].id },
    });
    expect(order.status()).toBe(201);
    await owner.goto(`/teams/${teamId}/orders`);
    await owner.getByRole("columnheader", { name: "Expires" }).waitFor();
    await owner.locator('[data-testid="order-row"]', { hasText: "orbit.example.com" }).getByText("Set at issuance").waitFor();
  }, 30_000);

  it("the delete-team dialog lists what goes with the team", async () => {
    const created = await ownerContext.request.post("/api/teams", { headers: CSRF, data: { name: "Project Mercury" } });
    expect(created.status()).toBe(201);
    const mercury = (await created.json()).team.id;
    const profile = await ownerContext.request.post(`/api/teams/${mercury}/billing-profiles`, {
      headers: CSRF,
      data: { name: "Mercury card", country: "US", cardBrand: "visa", cardLast4: "1111" },
    });
    const billingProfileId = (await profile.json()).billingProfile.id;
    for (const domain of ["mercury.example.com", "friendship7.example.com"]) {
      const order = await ownerContext.request.post(`/api/teams/${mercury}/orders`, { headers: CSRF, data: { productId: "dv-1y", domains: [domain], billingProfileId } });
      expect(order.status()).toBe(201);
    }
    await owner.goto(`/teams/${mercury}/settings`);
    await owner.getByRole("button", { name: "Delete this team" }).click();
    const dialog = owner.getByRole("dialog", { name: "Delete Project Mercury?" });
    const list = dialog.getByTestId("deletion-preview");
    await list.getByText("2 orders").waitFor();
    await list.getByText("0 certificates").waitFor();
    await list.getByText("0 documents").waitFor();
    await list.getByText("1 billing profile").waitFor();
    await expectAccessible(owner, "delete-team dialog with its counts");
    await dialog.getByRole("button", { name: "Cancel" }).click();
  }, 30_000);

  it("a used invitation link tells the signed-in invitee where the team is", async () => {
    expect((await ownerContext.request.post(`/api/teams/${teamId}/invitations`, { headers: CSRF, data: { email: INVITEE.email, roles: ["installer"] } })).status()).toBe(201);
    const link = await invitationLinkFor(certdesk!.dataDir, INVITEE.email);
    const inviteeContext = await newUserContext(browser!, certdesk!.baseUrl);
    expect((await inviteeContext.request.post("/api/auth/signup", { headers: CSRF, data: INVITEE })).status()).toBe(201);
    const token = new URL(link).pathname.split("/").pop()!;
    expect((await inviteeContext.request.post(`/api/invitations/${token}/accept`, { headers: CSRF })).status()).toBe(200);
    const invitee = await inviteeContext.newPage();
    await invitee.goto(new URL(link).pathname);
    await invitee.getByText("This invitation has already been used").waitFor();
    await invitee.getByText(/the team is in your team switcher/).waitFor();
    expect(await invitee.getByText(/log in to work with the team/).count()).toBe(0);
    await invitee.getByRole("link", { name: "Go to your teams" }).waitFor();
    await expectAccessible(invitee, "used invitation, signed in");
    await inviteeContext.close();
  }, 30_000);
});
