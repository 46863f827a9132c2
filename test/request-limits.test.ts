// The per-minute budget of API requests per client address (LIMITS.requestsPerMinute × RATE_LIMIT_SCALE).
import { afterEach, describe, expect, it } from "vitest";
import { clientKey } from "../src/server/plugins/limits.js";
import { createTestApp } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";

describe("requests per client address", () => {
  let h: TestApp | undefined;
  afterEach(async () => {
    await h?.close();
  });

  it("answers 429 rate_limited with Retry-After past the budget, leaves other clients and the dashboard alone, and refills after a minute", async () => {
    // RATE_LIMIT_SCALE 0.01: 1,200 requests a minute become 12.
    h = await createTestApp("sqlite", { RATE_LIMIT_SCALE: "0.01" });
    const get = (url: string, remoteAddress: string) => h!.app.inject({ method: "GET", url, remoteAddress });
    for (let i = 0; i < 12; i++) expect((await get("/api/me", "203.0.113.7")).statusCode).toBe(401);
    const refused = await get("/api/me", "203.0.113.7");
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe("rate_limited");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect((await get("/api/me", "198.51.100.20")).statusCode).toBe(401);
    expect((await get("/", "203.0.113.7")).statusCode).not.toBe(429);
    h.clock.advance(60_000);
    expect((await get("/api/me", "203.0.113.7")).statusCode).toBe(401);
  });

  it("counts an IPv6 client by its /64 network, and an IPv4-mapped address as the IPv4 one", () => {
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe(clientKey("2001:db8:1:2:bbbb::9"));
    expect(clientKey("2001:db8:1:2::1")).not.toBe(clientKey("2001:db8:1:3::1"));
    expect(clientKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(clientKey("192.0.2.1")).toBe("192.0.2.1");
  });
});
