// The address `npm start` prints works (issue "The dashboard, for people"): with the default
// BASE_URL, a browser at http://127.0.0.1:PORT or http://[::1]:PORT may sign up as well as one at
// localhost; an explicit BASE_URL stays the only origin accepted.
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/server/config.js";
import { PASSWORD, createTestApp, uniqueEmail } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";

describe("loopback origins", () => {
  let h: TestApp | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("accepts every loopback spelling of the default BASE_URL, and only BASE_URL's origin when it is set", () => {
    expect(loadConfig({ PORT: "3000" }).allowedOrigins).toEqual(["http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000"]);
    expect(loadConfig({ PORT: "3000", BASE_URL: "http://localhost:3000" }).allowedOrigins).toEqual(["http://localhost:3000"]);
    expect(loadConfig({ BASE_URL: "https://certs.example.com/desk" }).allowedOrigins).toEqual(["https://certs.example.com"]);
  });

  async function signUpFrom(app: TestApp, origin: string) {
    return app.app.inject({
      method: "POST",
      url: "/api/auth/signup",
      headers: { origin, "content-type": "application/json", "x-requested-with": "certdesk" },
      payload: JSON.stringify({ email: uniqueEmail("loopback"), password: PASSWORD, name: "Loopback" }),
    });
  }

  it("signs up from http://127.0.0.1:PORT while BASE_URL is the default", async () => {
    h = await createTestApp("sqlite", { BASE_URL: "", PORT: "3999" });
    for (const origin of ["http://localhost:3999", "http://127.0.0.1:3999", "http://[::1]:3999"]) {
      const response = await signUpFrom(h, origin);
      expect(response.statusCode, `${origin}: ${response.body}`).toBe(201);
    }
    const foreign = await signUpFrom(h, "http://127.0.0.1:4000");
    expect([foreign.statusCode, foreign.json().code]).toEqual([403, "csrf"]);
  });

  it("refuses 127.0.0.1 when BASE_URL names localhost explicitly", async () => {
    h = await createTestApp("sqlite", { BASE_URL: "http://localhost:3999" });
    const response = await signUpFrom(h, "http://127.0.0.1:3999");
    expect([response.statusCode, response.json().code]).toEqual([403, "csrf"]);
  });
});
