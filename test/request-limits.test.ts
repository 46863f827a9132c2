// The one rate-limit mechanism (SECURITY 28): the limiter's rules, the table of named limits, limits
// declared per route and checked at start-up, and the per-minute budget of API requests per client
// address (requestsPerAddress × RATE_LIMIT_SCALE).
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { HOUR, MINUTE, ManualClock } from "../src/server/clock.js";
import { AppError } from "../src/server/errors.js";
import { LIMITS } from "../src/server/limits/definitions.js";
import type { LimitRule } from "../src/server/limits/definitions.js";
import { Limiter } from "../src/server/limits/limiter.js";
import { MemoryStore } from "../src/server/limits/store.js";
import { clientKey, declaredLimits, registerRateLimits } from "../src/server/plugins/limits.js";
import { createTestApp } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";

const TABLE = {
  perMinute: { rule: "window", max: 2, windowMs: MINUTE, scaled: true, key: "clientAddress", detail: "per minute" },
  perInvitation: { rule: "window", max: 2, windowMs: HOUR, scaled: false, key: "invitation", detail: "per invitation" },
  perTeam: { rule: "window", max: 3, windowMs: HOUR, scaled: false, key: "team", detail: "per team" },
  backoff: { rule: "backoff", free: 2, firstWaitMs: 1000, maxWaitMs: 4000, windowMs: 15 * MINUTE, scaled: false, key: "accountEmail", detail: "backoff" },
  failures: { rule: "failures", max: 2, windowMs: 15 * MINUTE, scaled: true, key: "clientAddress", detail: "failures" },
} satisfies Record<string, LimitRule>;

/** The test table's names are not the app's, so the limiter is reached untyped here. */
function limiterOver(clock: ManualClock, scale = 1, store = new MemoryStore()) {
  return new Limiter(clock, scale, store, TABLE) as any;
}

function retryAfter(refusal: unknown): number | undefined {
  expect(refusal).toBeInstanceOf(AppError);
  expect((refusal as AppError).code).toBe("rate_limited");
  return (refusal as AppError).extra.retryAfterSeconds;
}

describe("the limiter", () => {
  it("window: counts every attempt per key, refuses past max with the seconds left, and starts afresh after the window", () => {
    const clock = new ManualClock();
    const limits = limiterOver(clock);
    expect(limits.attempt("perInvitation", "a")).toBeUndefined();
    clock.advance(10 * MINUTE);
    expect(limits.attempt("perInvitation", "a")).toBeUndefined();
    expect(retryAfter(limits.attempt("perInvitation", "a"))).toBe(50 * 60);
    expect(limits.attempt("perInvitation", "b")).toBeUndefined(); // another key
    expect(limits.attempt("perTeam", "a")).toBeUndefined(); // another limit, same raw key
    clock.advance(50 * MINUTE);
    expect(limits.attempt("perInvitation", "a")).toBeUndefined();
  });

  it("several limits at once: all counted, or none when one refuses", () => {
    const clock = new ManualClock();
    const limits = limiterOver(clock);
    limits.take(["perInvitation", "i"], ["perTeam", "t"]);
    limits.take(["perInvitation", "i"], ["perTeam", "t"]);
    // perInvitation is spent: the refusal must not take perTeam's third unit.
    expect(() => limits.take(["perInvitation", "i"], ["perTeam", "t"])).toThrow(AppError);
    expect(limits.attempt("perTeam", "t")).toBeUndefined();
    expect(limits.attempt("perTeam", "t")).toBeDefined();
  });

  it("RATE_LIMIT_SCALE multiplies scaled limits only, rounding up, never below 1", () => {
    const clock = new ManualClock();
    const limits = limiterOver(clock, 0.01);
    expect(limits.describe("perMinute").max).toBe(1);
    expect(limits.describe("perInvitation").max).toBe(2);
    expect(limiterOver(clock, 10).describe("perMinute").max).toBe(20);
    expect(limiterOver(clock, 10).describe("perTeam").max).toBe(3);
    expect(limiterOver(clock, 10).describe("failures").max).toBe(20);
    // The app's own table: the failed-log-in backoff per account and the re-send limits are never scaled.
    const app = new Limiter(clock, 1000);
    expect(app.describe("failedLogInsPerAccount").max).toBe(LIMITS.failedLogInsPerAccount.free);
    expect(app.describe("resendsPerInvitation").max).toBe(3);
    expect(app.describe("resendsPerRecipient").max).toBe(5);
    expect(app.describe("signUpsPerAddress").max).toBe(20_000);
  });

  it("backoff: counts failures only, waits 1 s, 2 s, 4 s … from the last failure, capped, and forgets on success", () => {
    const clock = new ManualClock();
    const limits = limiterOver(clock);
    for (let i = 0; i < 5; i++) expect(limits.blocked(["backoff", "ada@example.com"])).toBeUndefined(); // checks count nothing
    limits.fail(["backoff", "ada@example.com"]);
    expect(limits.blocked(["backoff", "ada@example.com"])).toBeUndefined();
    limits.fail(["backoff", " ADA@example.com "]); // the same account
    expect(retryAfter(limits.blocked(["backoff", "ada@example.com"]))).toBe(1);
    clock.advance(1000);
    expect(limits.blocked(["backoff", "ada@example.com"])).toBeUndefined();
    limits.fail(["backoff", "ada@example.com"]);
    expect(retryAfter(limits.blocked(["backoff", "ada@example.com"]))).toBe(2);
    for (let i = 0; i < 5; i++) limits.fail(["backoff", "ada@example.com"]);
    expect(retryAfter(limits.blocked(["backoff", "ada@example.com"]))).toBe(4); // maxWaitMs
    expect(limits.blocked(["backoff", "bob@example.com"])).toBeUndefined();
    limits.forget(["backoff", "ada@example.com"]);
    expect(limits.blocked(["backoff", "ada@example.com"])).toBeUndefined();
  });

  it("failures: blocks an address once it has failed max times, until the window from its first failure ends", () => {
    const clock = new ManualClock();
    const limits = limiterOver(clock);
    limits.fail(["failures", "192.0.2.1"]);
    clock.advance(5 * MINUTE);
    expect(limits.blocked(["failures", "192.0.2.1"])).toBeUndefined();
    limits.fail(["failures", "192.0.2.1"]);
    expect(retryAfter(limits.blocked(["failures", "192.0.2.1"]))).toBe(10 * 60);
    // Keyed by client: the same /64 is the same client.
    limits.fail(["failures", "2001:db8:1:2::1"], ["failures", "2001:db8:1:2::2"]);
    expect(limits.blocked(["failures", "2001:db8:1:2:ffff::3"])).toBeDefined();
    clock.advance(10 * MINUTE);
    expect(limits.blocked(["failures", "192.0.2.1"])).toBeUndefined();
  });

  it("refuses an unknown limit name loudly", () => {
    expect(() => limiterOver(new ManualClock()).attempt("noSuchLimit", "x")).toThrow(/No rate limit named noSuchLimit/);
  });

  it("keeps the memory store bounded: expired keys go first, then the oldest, and live counters survive", () => {
    const clock = new ManualClock();
    const store = new MemoryStore(100);
    const limits = limiterOver(clock, 1, store);
    limits.attempt("perInvitation", "survivor");
    limits.attempt("perInvitation", "survivor");
    for (let i = 0; i < 60; i++) limits.attempt("perInvitation", `old ${i}`);
    clock.advance(HOUR); // all of those expire…
    limits.attempt("perInvitation", "survivor"); // …the survivor's window starts again: 1 of 2
    for (let i = 0; i < 99; i++) limits.attempt("perInvitation", `new ${i}`);
    expect(store.size("perInvitation")).toBeLessThanOrEqual(100);
    expect(limits.attempt("perInvitation", "survivor")).toBeUndefined();
    expect(limits.attempt("perInvitation", "survivor")).toBeDefined();
    for (let i = 0; i < 1000; i++) limits.attempt("perInvitation", `spray ${i}`);
    expect(store.size("perInvitation")).toBeLessThanOrEqual(100);
  });
});

describe("client keys", () => {
  it("counts an IPv6 client by its /64 network, and an IPv4-mapped address as the IPv4 one", () => {
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe(clientKey("2001:db8:1:2:bbbb::9"));
    expect(clientKey("2001:db8:1:2::1")).not.toBe(clientKey("2001:db8:1:3::1"));
    expect(clientKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(clientKey("::ffff:c000:0201")).toBe("192.0.2.1");
    expect(clientKey("192.0.2.1")).toBe("192.0.2.1");
  });

  it("writes the /64 as its start address in RFC 5952 form, whatever the spelling of the address", () => {
    expect(clientKey("2001:DB8:0001:0002:0:0:0:1")).toBe("2001:db8:1:2::");
    expect(clientKey("2001:db8::1")).toBe("2001:db8::");
    expect(clientKey("2001:0:1:2::5")).toBe("2001:0:1:2::");
    expect(clientKey("::1")).toBe("::");
    expect(clientKey("fe80::1%eth0")).toBe("fe80::");
    expect(clientKey("2001:db8:1:2:3:4:192.0.2.1")).toBe("2001:db8:1:2::");
  });
});

describe("limits declared per route", () => {
  function appWith(config: Record<string, unknown>, url = "/api/x/:teamId") {
    const app = Fastify();
    registerRateLimits(app, new Limiter(new ManualClock(), 1));
    app.post(url, { config }, async () => ({}));
    return app;
  }

  it("fails start-up for a name that does not exist, a limit counting failures, a key only the handler knows, or a missing path id", async () => {
    // The route is refused as it is registered, so buildApp() itself fails.
    expect(() => appWith({ limits: ["signUpsPerAdress"] })).toThrow(/signUpsPerAdress, which does not exist/);
    expect(() => appWith({ limits: ["failedLogInsPerAddress"] })).toThrow(/counts failures/);
    expect(() => appWith({ limits: ["invitationsPerInviter"] })).toThrow(/keyed by inviter, which only the handler knows/);
    expect(() => appWith({ limits: ["resendsPerInvitation"] })).toThrow(/keyed by :invitationId, which the path does not have/);
    const fine = appWith({ limits: ["invitationsPerTeam", "signUpsPerAddress"] });
    await fine.ready();
    expect(declaredLimits(fine)).toEqual([{ method: "POST", url: "/api/x/:teamId", limits: ["invitationsPerTeam", "signUpsPerAddress"] }]);
    await fine.close();
  });

  describe.each(ENGINES)("on %s", (engine) => {
    let h: TestApp | undefined;
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it("every route's declared limits name existing limits; sign-up, reset and invitations declare theirs", async () => {
      h = await createTestApp(engine);
      const routes = declaredLimits(h.app);
      expect(routes.length).toBeGreaterThan(20);
      const limiter = new Limiter(new ManualClock(), 1);
      for (const route of routes) for (const name of route.limits) expect(limiter.has(name), `${route.method} ${route.url}: ${name}`).toBe(true);
      const of = (method: string, url: string) => routes.find((route) => route.method === method && route.url === url)?.limits;
      expect(of("POST", "/api/auth/signup")).toEqual(["signUpsPerAddress"]);
      expect(of("POST", "/api/auth/password-reset")).toEqual(["passwordResetsPerAddress"]);
      expect(of("POST", "/api/teams/:teamId/invitations")).toEqual(["invitationsPerAddress", "invitationsPerTeam"]);
      expect(of("POST", "/api/teams/:teamId/invitations/:invitationId/resend")).toEqual(["resendsPerInvitation"]);
    });

    it("per minute: 429 rate_limited with Retry-After past the budget, other clients and the dashboard left alone, refilled after a minute", async () => {
      // RATE_LIMIT_SCALE 0.01: 1,200 requests a minute become 12.
      h = await createTestApp(engine, { RATE_LIMIT_SCALE: "0.01" });
      const get = (url: string, remoteAddress: string) => h!.app.inject({ method: "GET", url, remoteAddress });
      for (let i = 0; i < 12; i++) expect((await get("/api/me", "203.0.113.7")).statusCode).toBe(401);
      const refused = await get("/api/me", "203.0.113.7");
      expect(refused.statusCode).toBe(429);
      expect(refused.headers["content-type"]).toContain("application/problem+json");
      expect(refused.json().code).toBe("rate_limited");
      expect(Number(refused.headers["retry-after"])).toBe(60);
      expect((await get("/api/no-such-route", "203.0.113.7")).statusCode).toBe(429); // unrouted paths count too
      expect((await get("/api/me", "198.51.100.20")).statusCode).toBe(401);
      expect((await get("/", "203.0.113.7")).statusCode).not.toBe(429);
      h.clock.advance(30_000);
      expect(Number((await get("/api/me", "203.0.113.7")).headers["retry-after"])).toBe(30);
      h.clock.advance(30_000);
      expect((await get("/api/me", "203.0.113.7")).statusCode).toBe(401);
    });

    it("per minute: the addresses of one IPv6 /64 share one budget", async () => {
      h = await createTestApp(engine, { RATE_LIMIT_SCALE: "0.01" });
      const get = (remoteAddress: string) => h!.app.inject({ method: "GET", url: "/api/me", remoteAddress });
      for (let i = 0; i < 12; i++) expect((await get(`2001:db8:7:7::${(i + 1).toString(16)}`)).statusCode).toBe(401);
      expect((await get("2001:db8:7:7:ffff::1")).statusCode).toBe(429);
      expect((await get("2001:db8:7:8::1")).statusCode).toBe(401);
    });

    it("password reset: 10 an hour per client address (declared on the route), then 429 with Retry-After", async () => {
      h = await createTestApp(engine, { RATE_LIMIT_SCALE: "1" });
      const reset = (remoteAddress: string) =>
        h!.app.inject({
          method: "POST",
          url: "/api/auth/password-reset",
          remoteAddress,
          headers: { "content-type": "application/json" },
          payload: JSON.stringify({ email: "nobody@example.com" }),
        });
      for (let i = 0; i < 10; i++) expect((await reset("192.0.2.44")).statusCode).toBe(202);
      const refused = await reset("192.0.2.44");
      expect([refused.statusCode, refused.json().code]).toEqual([429, "rate_limited"]);
      expect(Number(refused.headers["retry-after"])).toBe(3600);
      expect((await reset("192.0.2.45")).statusCode).toBe(202);
    });
  });
});
