// Bodiless POSTs sent with a JSON content type, and tokens of any shape, get their documented answers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";

describe.each(ENGINES)("bodiless requests on %s", (engine) => {
  let h: TestApp;
  beforeAll(async () => {
    h = await createTestApp(engine);
  });
  afterAll(() => h.close());

  it("accepts an invitation posted with Content-Type: application/json and no body", async () => {
    const ada = await h.signUp("Ada");
    const email = `empty.${engine}@example.com`;
    await ada.client.post(`/api/teams/${ada.defaultTeamId}/invitations`, { email, roles: ["billing"] });
    const token = await h.linkTokenFor(email);
    const bob = await h.signUp("Bob", email);
    const response = await bob.client.request("POST", `/api/invitations/${token}/accept`, "", { "content-type": "application/json" });
    expect(response.statusCode).toBe(200);
  });

  it("still refuses a missing body where the route needs one", async () => {
    const ada = await h.signUp("Ada");
    const response = await ada.client.request("POST", "/api/teams", "", { "content-type": "application/json" });
    expect(response.json()).toMatchObject({ status: 400, code: "invalid_request" });
  });

  it("answers short or odd tokens with the documented codes", async () => {
    expect((await h.client().get("/api/invitations/abc")).json()).toMatchObject({ status: 404, code: "not_found" });
    const reset = await h.client().post("/api/auth/password-reset/confirm", { token: "short", password: "a long enough passphrase" });
    expect(reset.json()).toMatchObject({ status: 410, code: "reset_token_invalid" });
  });
});
