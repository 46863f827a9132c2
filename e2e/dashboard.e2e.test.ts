// The dashboard in a real browser against the real server: sign-up, invitation by e-mail,
// acceptance by a second user, role editing and team switching; links that name their team (a
// deep link opened by a colleague, a team the opener is not in, a second tab that follows a
// switch, a member removed while the page is open). axe checks every page and dialog reached.
//
// Needs `npm run build` first (dist/src/server and dist/web) and a Chromium binary
// (Debian's `chromium`, or CHROMIUM_PATH). Never downloads a browser.
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HIDE_TOASTS, POLL, assertPrerequisites, invitationLinkFor, launchChromium, newUserContext, screenshotsDir, signUp, startCertdesk, teamButton } from "./harness.js";
import type { Certdesk } from "./harness.js";
import { expectAccessible } from "./axe.js";

const OWNER = { name: "Ada Lovelace", email: "ada@example.com", password: "analytical-engine-1843" };
const INVITEE = { name: "Grace Hopper", email: "grace@example.com", password: "cobol-and-nanoseconds" };
const OWNER_TEAM = /Ada Lovelace.s team/;
const SECOND_TEAM = "Acme Operations";
/** A team's overview: /teams/<id>. */
const TEAM_HOME = /^\/teams\/[^/]+$/;

async function activeTeamOf(context: BrowserContext): Promise<{ activeTeam: { id: string; name: string }; teams: { id: string; name: string }[] }> {
  return (await (await context.request.get("/api/me")).json()) as { activeTeam: { id: string; name: string }; teams: { id: string; name: string }[] };
}

function path(page: Page): string {
  return new URL(page.url()).pathname;
}

let certdesk: Certdesk | undefined;
let shotsDir = "";
let baseUrl = "";
let browser: Browser | undefined;
let ownerContext: BrowserContext;
let inviteeContext: BrowserContext;
let owner: Page;
let invitee: Page;
let invitationLink = "";
let ownerTeamId = "";
let secondTeamId = "";

describe("dashboard in Chromium", () => {
  beforeAll(async () => {
    assertPrerequisites();
    shotsDir = await screenshotsDir();
    certdesk = await startCertdesk();
    baseUrl = certdesk.baseUrl;
    browser = await launchChromium();
    ownerContext = await newUserContext(browser, baseUrl);
    inviteeContext = await newUserContext(browser, baseUrl);
    owner = await ownerContext.newPage();
    invitee = await inviteeContext.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await certdesk?.stop();
  });

  it("signs the Owner up and shows their default team on the green Team button", async () => {
    await owner.goto("/");
    await expect.poll(() => new URL(owner.url()).pathname, POLL).toBe("/login");
    await owner.getByRole("link", { name: "Create an account" }).click();
    await signUp(owner, OWNER);

    await expect.poll(() => path(owner), POLL).toMatch(TEAM_HOME);
    ownerTeamId = (await activeTeamOf(ownerContext)).activeTeam.id;
    expect(path(owner)).toBe(`/teams/${ownerTeamId}`);
    await teamButton(owner).waitFor();
    expect(await teamButton(owner).innerText()).toMatch(OWNER_TEAM);
    const color = await teamButton(owner).evaluate((el) => getComputedStyle(el).backgroundColor);
    const [r, g, b] = (color.match(/\d+/g) ?? []).map(Number);
    expect(g! > r! && g! > b!, `Team button colour ${color} is green`).toBe(true);
    await owner.getByRole("heading", { level: 1, name: OWNER_TEAM }).waitFor();
    await owner.getByText("You are the Owner: you hold every permission in this team.").waitFor();
    await expectAccessible(owner, "team overview, Owner");
  }, 30_000);

  it("invites a colleague as Validation", async () => {
    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Invitations" }).click();
    await owner.getByLabel("E-mail address").fill(INVITEE.email);
    // At least one role: submitting without one is refused in the form.
    await owner.getByRole("button", { name: "Send invitation" }).click();
    await owner.getByText("Choose at least one role.").waitFor();
    await expectAccessible(owner, "invite form, no role chosen");
    await owner.getByRole("checkbox", { name: /^Validation/ }).check();
    await owner.getByRole("button", { name: "Send invitation" }).click();

    await owner.locator(".toast", { hasText: `Invitation sent to ${INVITEE.email}` }).waitFor();
    const row = owner.locator('[data-testid="invitation-row"]', { hasText: INVITEE.email });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/Pending/);
    expect(await row.innerText()).toMatch(/Validation/);
    await expectAccessible(owner, "invitations, one pending");

    invitationLink = await invitationLinkFor(certdesk!.dataDir, INVITEE.email);
    expect(invitationLink.startsWith(`${baseUrl}/invitations/`)).toBe(true);
  }, 30_000);

  it("lets the invitee sign up from the link and accept", async () => {
    await invitee.goto(invitationLink);
    await invitee.getByRole("heading", { level: 1, name: /Join Ada Lovelace.s team/ }).waitFor();
    await invitee.locator(".role-explained").getByText("Validation", { exact: true }).waitFor();
    await expectAccessible(invitee, "invitation landing, signed out");

    await invitee.getByRole("link", { name: `Sign up as ${INVITEE.email}` }).click();
    const email = invitee.getByLabel("E-mail");
    expect(await email.inputValue()).toBe(INVITEE.email);
    expect(await email.getAttribute("readonly")).not.toBeNull();
    await signUp(invitee, { name: INVITEE.name, password: INVITEE.password });

    // Back on the invitation, now signed in.
    await expect.poll(() => new URL(invitee.url()).pathname, POLL).toMatch(/^\/invitations\//);
    await expectAccessible(invitee, "invitation landing, signed in");
    await invitee.getByRole("button", { name: "Accept invitation" }).click();

    await expect.poll(() => path(invitee), POLL).toBe(`/teams/${ownerTeamId}`);
    await expect.poll(() => teamButton(invitee).innerText(), POLL).toMatch(OWNER_TEAM);
    await invitee.getByRole("heading", { level: 1, name: OWNER_TEAM }).waitFor();
  }, 30_000);

  it("gives the invitee only the permissions of Validation", async () => {
    const overview = invitee.locator(".permission-groups");
    await overview.waitFor();
    expect(await invitee.locator('[data-permission="validation.manage"]').getAttribute("class")).toBe("granted");
    expect(await invitee.locator('[data-permission="members.invite"]').getAttribute("class")).toBe("denied");
    expect(await invitee.locator('[data-permission="billing.view"]').getAttribute("class")).toBe("denied");

    const nav = invitee.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Members" }).waitFor();
    expect(await nav.getByRole("link", { name: "Invitations" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Settings" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Audit log" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "API keys" }).count()).toBe(0);
    await expectAccessible(invitee, "team overview, Validation member");

    // Typing the address does not help: no invite form, no settings. (An old /team/… address opens
    // the same page of the active team.)
    await invitee.goto("/team/invitations");
    await invitee.getByText("You don't have access to this page").waitFor();
    expect(path(invitee)).toBe(`/teams/${ownerTeamId}/invitations`);
    await expectAccessible(invitee, "no access page");
    expect(await invitee.getByRole("button", { name: "Send invitation" }).count()).toBe(0);
    await invitee.goto(`/teams/${ownerTeamId}/settings`);
    await invitee.getByText("You don't have access to this page").waitFor();
    expect(await invitee.getByLabel("Team name").count()).toBe(0);

    // Members: visible, but no controls to change anyone else.
    await invitee.goto(`/teams/${ownerTeamId}/members`);
    await invitee.locator('[data-testid="member-row"]', { hasText: OWNER.email }).waitFor();
    expect(await invitee.getByRole("button", { name: /^Edit roles of/ }).count()).toBe(0);
    expect(await invitee.getByRole("button", { name: /^Remove / }).count()).toBe(0);

    // Two teams in the switcher: their own (Owner) and Ada's (Validation).
    await teamButton(invitee).click();
    const list = invitee.locator(".team-list");
    await list.waitFor();
    expect(await list.getByRole("button").count()).toBe(2);
    expect(await list.getByRole("button", { name: /Grace Hopper.s team/ }).innerText()).toMatch(/Owner/);
    expect(await list.getByRole("button", { name: OWNER_TEAM }).innerText()).toMatch(/Validation/);
    await expectAccessible(invitee, "team switcher open");
    await invitee.keyboard.press("Escape");
    await list.waitFor({ state: "detached" });
  }, 30_000);

  it("shows the invitee in the Owner's member list and lets the Owner change their roles", async () => {
    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Members" }).click();
    const ownerRow = owner.locator('[data-testid="member-row"]', { hasText: OWNER.email });
    const row = owner.locator('[data-testid="member-row"]', { hasText: INVITEE.email });
    await row.waitFor();
    expect(await ownerRow.innerText()).toMatch(/Owner/);
    expect(await row.innerText()).toMatch(/Validation/);

    await owner.getByRole("button", { name: `Edit roles of ${INVITEE.name}` }).click();
    const dialog = owner.getByRole("dialog", { name: `Roles of ${INVITEE.name}` });
    await dialog.waitFor();
    // Never zero roles.
    await dialog.getByRole("checkbox", { name: /^Validation/ }).uncheck();
    await dialog.getByText("Choose at least one role.").waitFor();
    expect(await dialog.getByRole("button", { name: "Save roles" }).isDisabled()).toBe(true);
    await expectAccessible(owner, "edit roles dialog");
    await dialog.getByRole("checkbox", { name: /^Validation/ }).check();
    await dialog.getByRole("checkbox", { name: /^Installer/ }).check();
    await dialog.getByRole("button", { name: "Save roles" }).click();

    await owner.locator(".toast", { hasText: `Updated the roles of ${INVITEE.name}` }).waitFor();
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => row.innerText(), POLL).toMatch(/Installer/);
    expect(await row.innerText()).toMatch(/Validation/);

    // The invitee sees the new permission after a reload.
    await invitee.goto(`/teams/${ownerTeamId}`);
    await invitee.locator('[data-permission="certificates.manage"].granted').waitFor();
  }, 30_000);

  it("creates a second team and switches between teams", async () => {
    await teamButton(owner).click();
    await owner.getByText("You own 1 of 3 teams.").waitFor();
    await owner.getByRole("button", { name: "+ Create team" }).click();
    const dialog = owner.getByRole("dialog", { name: "Create a team" });
    await dialog.getByLabel("Team name").fill(SECOND_TEAM);
    await expectAccessible(owner, "create team dialog");
    await dialog.getByRole("button", { name: "Create team" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => teamButton(owner).innerText(), POLL).toContain(SECOND_TEAM);
    await owner.getByRole("heading", { level: 1, name: SECOND_TEAM }).waitFor();
    await owner.locator(".toast", { hasText: `Created ${SECOND_TEAM}` }).waitFor();
    secondTeamId = (await activeTeamOf(ownerContext)).activeTeam.id;
    expect(path(owner)).toBe(`/teams/${secondTeamId}`);

    // The new team's members: its Owner alone.
    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Members" }).click();
    await owner.locator('[data-testid="member-row"]', { hasText: OWNER.email }).waitFor();
    expect(await owner.locator('[data-testid="member-row"]').count()).toBe(1);

    await teamButton(owner).click();
    await owner.getByText("You own 2 of 3 teams.").waitFor();
    await owner.locator(".team-list").getByRole("button", { name: OWNER_TEAM }).click();
    await expect.poll(() => teamButton(owner).innerText(), POLL).toMatch(OWNER_TEAM);
    await owner.locator(".toast", { hasText: /Switched to Ada Lovelace.s team/ }).waitFor();

    // Still on the Members page, now of the default team, and the server's active team followed.
    await owner.locator('[data-testid="member-row"]', { hasText: INVITEE.email }).waitFor();
    expect(path(owner)).toBe(`/teams/${ownerTeamId}/members`);
    await expect.poll(async () => (await activeTeamOf(ownerContext)).activeTeam.id, POLL).toBe(ownerTeamId);
    await expectAccessible(owner, "members, Owner");

    await owner.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
    await owner.getByRole("heading", { level: 1, name: OWNER_TEAM }).waitFor();
    await owner.getByRole("link", { name: "2 members" }).waitFor();
    await owner.waitForLoadState("networkidle");
    const file = join(shotsDir, "team-overview.png");
    await owner.screenshot({ path: file, fullPage: true, style: HIDE_TOASTS });
    await owner.goto(`/teams/${ownerTeamId}/members`);
    await owner.locator('[data-testid="member-row"]', { hasText: INVITEE.email }).waitFor();
    await owner.screenshot({ path: join(shotsDir, "team-members.png"), fullPage: true, style: HIDE_TOASTS });
    console.info(`e2e screenshots in ${shotsDir}`);
  }, 30_000);

  it("opens a deep link sent by a colleague in the team it names, switching to it", async () => {
    // The invitee works in their own team first (the switcher keeps them on the same page)…
    await invitee.goto(`/teams/${ownerTeamId}/members`);
    await teamButton(invitee).click();
    await invitee.locator(".team-list").getByRole("button", { name: /Grace Hopper.s team/ }).click();
    await expect.poll(() => teamButton(invitee).innerText(), POLL).toMatch(/Grace Hopper.s team/);
    const ownTeamId = (await activeTeamOf(inviteeContext)).teams.find((t) => /Grace/.test(t.name))!.id;
    await expect.poll(() => path(invitee), POLL).toBe(`/teams/${ownTeamId}/members`);
    await expect.poll(async () => (await activeTeamOf(inviteeContext)).activeTeam.id, POLL).toBe(ownTeamId);

    // …then opens the link Ada sent: Ada's team's members, and it becomes their active team.
    await invitee.goto(`${baseUrl}/teams/${ownerTeamId}/members`);
    await invitee.locator('[data-testid="member-row"]', { hasText: OWNER.email }).waitFor();
    await expect.poll(() => teamButton(invitee).innerText(), POLL).toMatch(OWNER_TEAM);
    await expect.poll(async () => (await activeTeamOf(inviteeContext)).activeTeam.id, POLL).toBe(ownerTeamId);
    expect(path(invitee)).toBe(`/teams/${ownerTeamId}/members`);
  }, 30_000);

  it("says so when the link names a team the person is not a member of", async () => {
    await invitee.goto(`/teams/${secondTeamId}/members`);
    await invitee.getByText("You are not a member of this team").waitFor();
    // Not a silent redirect: the address stays, and nothing of that team is shown.
    expect(path(invitee)).toBe(`/teams/${secondTeamId}/members`);
    expect(await invitee.locator('[data-testid="member-row"]').count()).toBe(0);
    expect(await teamButton(invitee).innerText()).toMatch(OWNER_TEAM);
    await expectAccessible(invitee, "not a member of this team");
    await invitee.getByRole("link", { name: /^Go to Ada Lovelace.s team/ }).click();
    await expect.poll(() => path(invitee), POLL).toBe(`/teams/${ownerTeamId}`);
  }, 30_000);

  it("moves a second tab along when the team is switched in the first", async () => {
    const second = await ownerContext.newPage();
    try {
      await second.goto(`/teams/${ownerTeamId}/members`);
      await second.locator('[data-testid="member-row"]', { hasText: INVITEE.email }).waitFor();

      await owner.goto(`/teams/${ownerTeamId}/members`);
      await teamButton(owner).click();
      await owner.locator(".team-list").getByRole("button", { name: SECOND_TEAM }).click();
      await expect.poll(() => path(owner), POLL).toBe(`/teams/${secondTeamId}/members`);

      // The other tab shows the same page of the team now active, without a reload.
      await expect.poll(() => path(second), POLL).toBe(`/teams/${secondTeamId}/members`);
      await expect.poll(() => teamButton(second).innerText(), POLL).toContain(SECOND_TEAM);
      expect(await second.locator('[data-testid="member-row"]', { hasText: INVITEE.email }).count()).toBe(0);
    } finally {
      await second.close();
    }
  }, 30_000);

  it("tells a member removed while the page is open, then shows their default team", async () => {
    await invitee.goto(`/teams/${ownerTeamId}`);
    await invitee.getByRole("heading", { level: 1, name: OWNER_TEAM }).waitFor();
    const me = await activeTeamOf(inviteeContext);
    const inviteeId = ((await (await inviteeContext.request.get("/api/me")).json()) as { user: { id: string } }).user.id;
    const removed = await ownerContext.request.delete(`/api/teams/${ownerTeamId}/members/${inviteeId}`, { headers: { "X-Requested-With": "certdesk" } });
    expect(removed.status()).toBe(204);

    // The next call to the team's API answers 404: the page says why it moves, and where to.
    await invitee.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Orders" }).click();
    await invitee.getByText(/You are no longer a member of Ada Lovelace.s team/).waitFor();
    const defaultTeam = me.teams.find((t) => /Grace/.test(t.name))!;
    await expect.poll(() => path(invitee), POLL).toBe(`/teams/${defaultTeam.id}`);
    await expect.poll(() => teamButton(invitee).innerText(), POLL).toMatch(/Grace Hopper.s team/);
    await expectAccessible(invitee, "no longer a member notice");
  }, 30_000);
});
