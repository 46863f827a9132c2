import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";

describe.each(ENGINES)("sign-up to first invitation on %s", (engine) => {
  let h: TestApp;
  beforeAll(async () => {
    h = await createTestApp(engine);
  });
  afterAll(() => h.close());

  it("creates the default team and lets an invitee join it", async () => {
    const ada = await h.signUp("Ada Lovelace");
    const me = (await ada.client.get("/api/me")).json();
    expect(me.activeTeam).toMatchObject({ name: "Ada Lovelace's team", isDefault: true, isOwner: true, roles: [] });
    const bobEmail = "bob." + engine + "@example.com";
    const invite = await ada.client.post(`/api/teams/${ada.defaultTeamId}/invitations`, { email: bobEmail, roles: ["validation"] });
    expect(invite.statusCode).toBe(201);
    const token = await h.linkTokenFor(bobEmail);
    const bob = await h.signUp("Bob", bobEmail);
    const accepted = await bob.client.post(`/api/invitations/${token}/accept`);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().team.permissions).toEqual(["orders.view", "team.view", "validation.manage", "validation.view"]);
    const members = (await ada.client.get(`/api/teams/${ada.defaultTeamId}/members`)).json();
    expect(members.items.map((m: { isOwner: boolean }) => m.isOwner)).toEqual([true, false]);
  });
});
