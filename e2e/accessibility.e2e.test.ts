// Issue 14: 0 serious or critical axe violations on every page and every dialog, and visible focus
// on every control of the shell. The other browser tests check the states their flows reach; this
// one walks all of them in one place, so a page or dialog added later has an obvious home: the
// public pages signed out, every page of the navigation as the Owner (and the ones outside it),
// every dialog opened and cancelled, and the dialogs only a member or an invitee sees.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLL, assertPrerequisites, invitationLinkFor, launchChromium, mailedLinkFor, newUserContext, signUp, startCertdesk, teamButton } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const CSRF = { "X-Requested-With": "certdesk" };
const OWNER = { name: "Ada Lovelace", email: "ada@example.com", password: "analytical-engine-1843" };
const MEMBER = { name: "Grace Hopper", email: "grace@example.com", password: "cobol-and-nanoseconds" };
const INVITEE = { name: "Linus Pauling", email: "linus@example.com", password: "vitamin-c-and-helix" };
/** Not the Owner's default team: that one can be neither transferred nor deleted, so those dialogs never open there. */
const TEAM = "Difference Engine";
/** Every page the Owner's navigation lists (src/web/app/nav.ts), in its order. */
const NAV_PAGES = ["Overview", "Members", "Invitations", "Audit log", "API keys", "ACME", "Settings", "Orders", "Domains", "Organization", "Billing"];

let certdesk: Certdesk | undefined;
let browser: Browser | undefined;
let visitorContext: BrowserContext;
let ownerContext: BrowserContext;
let memberContext: BrowserContext;
let inviteeContext: BrowserContext;
let visitor: Page;
let owner: Page;
let teamId = "";
let orderId = "";
let invitationLink = "";

/** Waits for the page's heading and its data (no "Loading…" left), then runs axe on it. */
async function pageSettled(page: Page, label: string, heading?: string | RegExp): Promise<void> {
  await page.getByRole("heading", { level: 1, ...(heading ? { name: heading } : {}) }).first().waitFor();
  await expect.poll(() => page.locator(".loading").count(), POLL).toBe(0);
  await expectAccessible(page, label);
}

/** Checks an open dialog, then closes it the way a person backs out (Cancel, or Escape). */
async function checkDialog(page: Page, dialog: Locator, label: string): Promise<void> {
  await dialog.waitFor();
  await expectAccessible(page, label);
  const cancel = dialog.getByRole("button", { name: "Cancel" });
  if (await cancel.count()) await cancel.click();
  else await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
}

/** What the focused element is, and whether its computed style draws a focus indicator. */
function focused(page: Page) {
  return page.evaluate(async () => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    // Buttons ease their ring in (a 0.12 s box-shadow transition): judge the style it settles on.
    await Promise.all(el.getAnimations().map((a) => a.finished.catch(() => undefined)));
    const style = getComputedStyle(el);
    const transparent = (color: string) => color === "transparent" || /rgba\(.*,\s*0\)$/.test(color);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1 && !transparent(style.outlineColor);
    // A ring is a shadow layer with a spread (`0 0 0 3px`), not a resting drop shadow (`0 1px 2px`).
    const ring = [...style.boxShadow.matchAll(/(rgba?\([^)]*\))\s+(-?[\d.]+)px\s+(-?[\d.]+)px\s+(-?[\d.]+)px\s+(-?[\d.]+)px/g)].some(
      (layer) => !transparent(layer[1]!) && parseFloat(layer[5]!) >= 2,
    );
    const name = (el.getAttribute("aria-label") ?? el.textContent ?? "").replace(/\s+/g, " ").trim();
    return {
      what: `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} "${name}"`,
      className: el.className,
      inMain: el.closest("main") !== null,
      inPanel: el.closest(".dropdown-panel") !== null,
      visible: (outline || ring) && el.matches(":focus-visible"),
      style: `outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; box-shadow ${style.boxShadow}`,
    };
  });
}

describe("accessibility of every page and dialog", () => {
  beforeAll(async () => {
    assertPrerequisites();
    certdesk = await startCertdesk();
    browser = await launchChromium();
    visitorContext = await newUserContext(browser, certdesk.baseUrl);
    ownerContext = await newUserContext(browser, certdesk.baseUrl);
    memberContext = await newUserContext(browser, certdesk.baseUrl);
    inviteeContext = await newUserContext(browser, certdesk.baseUrl);
    visitor = await visitorContext.newPage();
    owner = await ownerContext.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await certdesk?.stop();
  });

  it("sets up a team with a member, a pending invitation, a billing profile, an order, an API key and an ACME credential", async () => {
    await owner.goto("/signup");
    await signUp(owner, OWNER);
    await expect.poll(() => new URL(owner.url()).pathname, POLL).toMatch(/^\/teams\/[^/]+$/);
    const api = ownerContext.request;
    const created = await api.post("/api/teams", { headers: CSRF, data: { name: TEAM } });
    expect(created.status()).toBe(201);
    teamId = (await created.json()).team.id;
    for (const [who, roles] of [[MEMBER, ["validation"]], [INVITEE, ["billing"]]] as const) {
      const invite = await api.post(`/api/teams/${teamId}/invitations`, { headers: CSRF, data: { email: who.email, roles } });
      expect(invite.status()).toBe(201);
    }
    const memberToken = new URL(await invitationLinkFor(certdesk!.dataDir, MEMBER.email)).pathname.split("/").pop()!;
    expect((await memberContext.request.post("/api/auth/signup", { headers: CSRF, data: MEMBER })).status()).toBe(201);
    expect((await memberContext.request.post(`/api/invitations/${memberToken}/accept`, { headers: CSRF })).status()).toBe(200);
    invitationLink = await invitationLinkFor(certdesk!.dataDir, INVITEE.email);
    expect((await inviteeContext.request.post("/api/auth/signup", { headers: CSRF, data: INVITEE })).status()).toBe(201);

    const profile = await api.post(`/api/teams/${teamId}/billing-profiles`, { headers: CSRF, data: { name: "Analytical Engines Ltd", country: "GB", cardBrand: "visa", cardLast4: "4242" } });
    expect(profile.status()).toBe(201);
    const billingProfileId = (await profile.json()).billingProfile.id;
    const order = await api.post(`/api/teams/${teamId}/orders`, { headers: CSRF, data: { productId: "dv-1y", domains: ["engine.example.com"], billingProfileId } });
    expect(order.status()).toBe(201);
    orderId = (await order.json()).order.id;
    const key = await api.post(`/api/teams/${teamId}/api-keys`, { headers: CSRF, data: { name: "deploy script", permissions: ["orders.view"] } });
    expect(key.status()).toBe(201);
    const credential = await api.post(`/api/teams/${teamId}/acme-credentials`, { headers: CSRF, data: { name: "web servers", productId: "dv-1y", billingProfileId } });
    expect(credential.status()).toBe(201);
    // A second session, so the account page lists another.
    const other = await browser!.newContext({ baseURL: certdesk!.baseUrl, userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0" });
    expect((await other.request.post("/api/auth/login", { headers: CSRF, data: { email: OWNER.email, password: OWNER.password } })).status()).toBe(200);
    await other.close();
  }, 60_000);

  it("the public pages, signed out: log-in, sign-up, forgot and reset password, invitation and domain-approval landings", async () => {
    await visitor.goto("/login");
    await pageSettled(visitor, "log-in");
    await visitor.goto("/signup");
    await pageSettled(visitor, "sign-up");
    await visitor.goto("/forgot-password");
    await pageSettled(visitor, "forgot password");
    await visitor.getByLabel("E-mail").fill(OWNER.email);
    await visitor.getByRole("button", { name: "Send reset link" }).click();
    await visitor.getByText("Check your inbox").waitFor();
    await expectAccessible(visitor, "forgot password, link sent");

    await visitor.goto(new URL(await mailedLinkFor(certdesk!.dataDir, OWNER.email, "reset-password")).pathname);
    await pageSettled(visitor, "reset password", "Choose a new password");
    await visitor.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => visitor.locator('[aria-invalid="true"]').count(), POLL).toBeGreaterThan(0);
    await expectAccessible(visitor, "reset password with errors");
    await visitor.goto("/reset-password/not-a-real-token");
    await visitor.getByLabel("New password", { exact: true }).fill("a-new-password-for-ada");
    await visitor.getByLabel("Repeat the new password").fill("a-new-password-for-ada");
    await visitor.getByRole("button", { name: "Change password" }).click();
    await visitor.getByRole("heading", { level: 1, name: "This link no longer works" }).waitFor();
    await expectAccessible(visitor, "reset link no longer works");

    await visitor.goto(new URL(invitationLink).pathname);
    await pageSettled(visitor, "invitation landing, signed out");
    await visitor.goto("/invitations/not-a-real-token");
    await pageSettled(visitor, "invitation landing, unknown link");
    await visitor.goto("/domain-approvals/not-a-real-token");
    await pageSettled(visitor, "domain-approval landing, unknown link");
  }, 60_000);

  it("every page of the Owner's navigation, and the pages outside it", async () => {
    await owner.goto(`/teams/${teamId}`);
    const nav = owner.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link").first().waitFor();
    expect(await nav.getByRole("link").allInnerTexts()).toEqual(NAV_PAGES);
    for (const name of NAV_PAGES) {
      await nav.getByRole("link", { name, exact: true }).click();
      await expect.poll(() => nav.getByRole("link", { name, exact: true }).getAttribute("aria-current"), POLL).toBe("page");
      await pageSettled(owner, `${name}, Owner`);
    }
    await owner.goto(`/teams/${teamId}/orders/${orderId}`);
    await pageSettled(owner, "order, pending validation", /engine\.example\.com/);
    await owner.goto("/account");
    await pageSettled(owner, "account settings");
    // These two have no h1 of their own (the empty state's title says it).
    await owner.goto(`/teams/${teamId}/no-such-page`);
    await owner.getByText("Page not found").waitFor();
    await expectAccessible(owner, "not found inside a team");
    await owner.goto("/no-such-page");
    await owner.getByText("Page not found").waitFor();
    await expectAccessible(owner, "not found outside a team");
  }, 90_000);

  it("every dialog and menu the Owner can open", async () => {
    await owner.goto(`/teams/${teamId}`);
    await pageSettled(owner, "overview", TEAM);
    await teamButton(owner).click();
    await owner.locator(".team-panel").waitFor();
    await expectAccessible(owner, "team switcher open");
    await owner.getByRole("button", { name: "+ Create team" }).click();
    const create = owner.getByRole("dialog", { name: "Create a team" });
    await checkDialog(owner, create, "create team dialog");
    await owner.getByRole("button", { name: `Account menu for ${OWNER.name}` }).click();
    await owner.getByRole("link", { name: "Account settings" }).waitFor();
    await expectAccessible(owner, "account menu open");
    await owner.keyboard.press("Escape");

    await owner.goto(`/teams/${teamId}/members`);
    await pageSettled(owner, "members");
    await owner.getByRole("button", { name: `Edit roles of ${MEMBER.name}` }).click();
    await checkDialog(owner, owner.getByRole("dialog", { name: `Roles of ${MEMBER.name}` }), "edit roles dialog");
    await owner.getByRole("button", { name: `Remove ${MEMBER.name}` }).click();
    await checkDialog(owner, owner.getByRole("dialog", { name: `Remove ${MEMBER.name}?` }), "remove member dialog");

    await owner.goto(`/teams/${teamId}/invitations`);
    await pageSettled(owner, "invitations");
    await owner.getByRole("button", { name: `Revoke the invitation to ${INVITEE.email}` }).click();
    await checkDialog(owner, owner.getByRole("dialog", { name: "Revoke this invitation?" }), "revoke invitation dialog");

    await owner.goto(`/teams/${teamId}/api-keys`);
    await pageSettled(owner, "API keys");
    await owner.getByRole("button", { name: "Create API key" }).first().click();
    const createKey = owner.getByRole("dialog", { name: /API key/ });
    await createKey.getByRole("button", { name: "Create key" }).click();
    await createKey.getByText("Tick at least one permission.").waitFor();
    await checkDialog(owner, createKey, "create key dialog with errors");
    await owner.getByRole("button", { name: "Revoke deploy script" }).click();
    await checkDialog(owner, owner.getByRole("dialog", { name: "Revoke deploy script?" }), "revoke key dialog");

    await owner.goto(`/teams/${teamId}/acme`);
    await pageSettled(owner, "ACME");
    await owner.getByRole("button", { name: "New credential" }).first().click();
    const newCredential = owner.getByRole("dialog", { name: "New ACME credential" });
    await newCredential.getByLabel("Billing profile").waitFor();
    await newCredential.getByRole("button", { name: "Create credential" }).click();
    await newCredential.getByText("Give the credential a name, such as the servers or cluster that will use it.").waitFor();
    await checkDialog(owner, newCredential, "new ACME credential dialog with errors");
    await owner.getByRole("button", { name: "Revoke web servers" }).click();
    await checkDialog(owner, owner.getByRole("dialog", { name: "Revoke web servers?" }), "revoke ACME credential dialog");

    await owner.goto(`/teams/${teamId}/settings`);
    await pageSettled(owner, "settings");
    await owner.getByRole("radio", { name: new RegExp(MEMBER.name) }).check();
    await owner.getByRole("button", { name: `Transfer ownership to ${MEMBER.name}` }).click();
    await checkDialog(owner, owner.getByRole("dialog", { name: `Make ${MEMBER.name} the Owner?` }), "transfer ownership dialog");
    await owner.getByRole("button", { name: "Delete this team" }).click();
    await checkDialog(owner, owner.getByRole("dialog", { name: `Delete ${TEAM}?` }), "delete team dialog");

    await owner.goto(`/teams/${teamId}/billing`);
    await pageSettled(owner, "billing");
    await owner.getByRole("button", { name: "Add billing profile" }).first().click();
    const addProfile = owner.getByRole("dialog", { name: "Add a billing profile" });
    await addProfile.getByRole("button", { name: "Add billing profile" }).click();
    await expect.poll(() => addProfile.locator('[aria-invalid="true"]').count(), POLL).toBeGreaterThan(0);
    await checkDialog(owner, addProfile, "add billing profile dialog with errors");
    await owner.getByRole("button", { name: "Edit Analytical Engines Ltd" }).click();
    await checkDialog(owner, owner.getByRole("dialog", { name: /Analytical Engines Ltd|billing profile/ }), "edit billing profile dialog");
    await owner.getByRole("button", { name: "Remove Analytical Engines Ltd" }).click();
    await checkDialog(owner, owner.getByRole("dialog", { name: "Remove Analytical Engines Ltd?" }), "remove billing profile dialog");

    await owner.goto(`/teams/${teamId}/orders`);
    await pageSettled(owner, "orders");
    await owner.getByRole("button", { name: "Buy a certificate" }).first().click();
    await checkDialog(owner, owner.getByRole("dialog", { name: "Buy a certificate" }), "buy dialog");
    await owner.goto(`/teams/${teamId}/orders/${orderId}`);
    await pageSettled(owner, "order", /engine\.example\.com/);
    await owner.getByRole("button", { name: "Refund" }).click();
    await checkDialog(owner, owner.getByRole("dialog", { name: /Refund/ }), "refund dialog");

    await owner.goto("/account");
    await pageSettled(owner, "account settings");
    await owner.getByRole("list", { name: "Active sessions" }).getByRole("button", { name: /^Sign out/ }).first().click();
    await checkDialog(owner, owner.getByRole("dialog", { name: "Sign out this session?" }), "sign out one session dialog");
    await owner.getByRole("button", { name: "Sign out everywhere else" }).click();
    await checkDialog(owner, owner.getByRole("dialog", { name: "Sign out everywhere else?" }), "sign out everywhere else dialog");
  }, 120_000);

  it("the pages and dialogs a member and an invitee see", async () => {
    const member = await memberContext.newPage();
    await member.goto(`/teams/${teamId}`);
    await pageSettled(member, "overview, Validation member", TEAM);
    await member.goto(`/teams/${teamId}/billing`);
    await member.getByText("You don't have access to this page").waitFor();
    await expectAccessible(member, "no access to billing");
    await member.goto(`/teams/${teamId}/members`);
    await pageSettled(member, "members, as a member");
    await member.getByRole("button", { name: "Leave team" }).click();
    await checkDialog(member, member.getByRole("dialog", { name: `Leave ${TEAM}?` }), "leave team dialog");

    const invitee = await inviteeContext.newPage();
    await invitee.goto(new URL(invitationLink).pathname);
    await pageSettled(invitee, "invitation landing, signed in");
    await invitee.getByRole("button", { name: "Decline" }).click();
    await checkDialog(invitee, invitee.getByRole("dialog", { name: /^Decline the invitation/ }), "decline invitation dialog");
  }, 60_000);

  it("shows where the keyboard is on every control of the shell, the team switcher's items included", async () => {
    await owner.goto(`/teams/${teamId}`);
    await pageSettled(owner, "overview", TEAM);
    const seen: string[] = [];
    const invisible: string[] = [];
    // From the top of the page through the top bar and the navigation, until focus enters the page itself.
    for (let i = 0; i < 40; i++) {
      await owner.keyboard.press("Tab");
      const now = await focused(owner);
      if (!now || now.inMain) break;
      seen.push(now.what);
      if (!now.visible) invisible.push(`${now.what}: ${now.style}`);
    }
    expect(invisible).toEqual([]);
    expect(seen.join("\n")).toMatch(/skip-link/);
    expect(seen.join("\n")).toMatch(/logo-link/);
    expect(seen.join("\n")).toMatch(/team-button/);
    expect(seen.join("\n")).toMatch(/user-button/);
    expect(seen.filter((s) => s.includes("nav-link"))).toHaveLength(NAV_PAGES.length);

    // The team switcher's items, and the account menu's, reached with the keyboard.
    for (const [trigger, items] of [[teamButton(owner), 3], [owner.locator("button.user-button"), 2]] as const) {
      await trigger.focus();
      await owner.keyboard.press("Enter");
      const inPanel: string[] = [];
      for (let i = 0; i < items; i++) {
        const now = await focused(owner);
        expect(now?.inPanel, `focus is in the open panel (${now?.what})`).toBe(true);
        inPanel.push(now!.what);
        expect(now!.visible, `${now!.what} shows focus: ${now!.style}`).toBe(true);
        await owner.keyboard.press("ArrowDown");
      }
      expect(new Set(inPanel).size).toBe(items);
      await owner.keyboard.press("Escape");
    }
  }, 60_000);
});
