// Configuration that would pass a naive check but break at run time (SECURITY 32): each variable of
// config.ts and API.md's table, given a hostile but valid-looking value, is either refused by
// loadConfig in one line naming it and its bounds, or works — shown end to end through the real app
// for the values at the edges (a fractional SESSION_ABSOLUTE_HOURS, the ten-year maxima, the minima).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HOUR } from "../src/server/clock.js";
import { sweepExpired } from "../src/server/commands/sweep-expired.js";
import { ConfigError, loadConfig, maskUrl } from "../src/server/config.js";
import { startServer } from "../src/server/main.js";
import { PASSWORD, createTestApp, uniqueEmail } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";

/** loadConfig over a neutral base, so that only the variable under test can be wrong. */
const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: os.tmpdir(), ...env });

/** The refusal's message: one line that names the variable. */
function refusal(env: Record<string, string>): string {
  let caught: unknown;
  try {
    load(env);
  } catch (error) {
    caught = error;
  }
  expect(caught, JSON.stringify(env)).toBeInstanceOf(ConfigError);
  const message = (caught as Error).message;
  expect(message).not.toContain("\n");
  expect(message).toContain(Object.keys(env)[0]!);
  return message;
}

describe("loadConfig refuses values the server could not run with", () => {
  it("durations: past ten years a Date overflows (1e12 hours), below their floor nothing could use them", () => {
    for (const value of ["1e12", "1e308", "87601", "1e-9", "0.0009", "0", "-1", "Infinity", "NaN", "72h"]) {
      expect(refusal({ INVITATION_TTL_HOURS: value })).toContain("0.001 (3.6 seconds) to 87600 (10 years)");
    }
    for (const value of ["1e300", "5256001", "0.5", "1e-9", "0"]) {
      expect(refusal({ SESSION_IDLE_MINUTES: value })).toContain("1 to 5256000 (10 years)");
    }
    for (const value of ["1e300", "87601", "0.01", "1e-9", "0"]) {
      expect(refusal({ SESSION_ABSOLUTE_HOURS: value })).toContain("87600 (10 years)");
    }
    expect(load({ INVITATION_TTL_HOURS: "0.001" }).invitationTtlHours).toBe(0.001);
    expect(load({ INVITATION_TTL_HOURS: "87600" }).invitationTtlHours).toBe(87600);
    expect(load({ SESSION_IDLE_MINUTES: "5256000" }).sessionIdleMinutes).toBe(5256000);
    expect(load({ SESSION_ABSOLUTE_HOURS: "1.0001" }).sessionAbsoluteHours).toBe(1.0001);
  });

  it("counts: whole, and within what the operator's own limits and the limiter carry", () => {
    for (const value of ["1e20", "10001", "2.5", "0", "-3"]) {
      expect(refusal({ DEFAULT_TEAM_LIMIT: value })).toContain("a whole number from 1 to 10000");
    }
    expect(load({ DEFAULT_TEAM_LIMIT: "10000" }).defaultTeamLimit).toBe(10_000);
    for (const value of ["1e308", "1000001", "0", "-1"]) {
      expect(refusal({ RATE_LIMIT_SCALE: value })).toContain("at most 1,000,000");
    }
    // A tiny scale is allowed: every scaled limit rounds up to at least 1 (shown end to end below).
    expect(load({ RATE_LIMIT_SCALE: "1e-12" }).rateLimitScale).toBe(1e-12);
    for (const value of ["65536", "80.5", "-1", "1e9"]) expect(refusal({ PORT: value })).toContain("a port number (0-65535)");
    expect(load({ PORT: "0" }).port).toBe(0); // the system picks a free port (the tests' servers do this)
  });

  it("URLs: a database URL's password never appears; links, SMTP and sqlite: need what they use", () => {
    const wrongScheme = refusal({ DATABASE_URL: "mysql://admin:hunter2@db.example/certdesk" });
    expect(wrongScheme).toContain("mysql://admin:***@db.example/certdesk");
    expect(wrongScheme).not.toContain("hunter2");
    const badPort = refusal({ DATABASE_URL: "postgres://admin:hunter2@db.example:99999/certdesk" });
    expect(badPort).not.toContain("hunter2");
    expect(badPort).toContain("admin:***@");
    expect(refusal({ DATABASE_URL: "sqlite:" })).toContain("needs a file path");
    expect(maskUrl("postgres://u:secret@127.0.0.1:5432/x")).toBe("postgres://u:***@127.0.0.1:5432/x");
    expect(maskUrl("postgres://u@127.0.0.1/x")).toBe("postgres://u@127.0.0.1/x");
    expect(maskUrl("sqlite:/var/lib/certdesk.db")).toBe("sqlite:/var/lib/certdesk.db");

    for (const value of ["https://certdesk.example/?x=1", "https://certdesk.example/#top", "https://me:pw@certdesk.example"]) {
      expect(refusal({ BASE_URL: value })).toContain("without query, fragment or credentials");
    }
    expect(refusal({ BASE_URL: "https://me:pw@certdesk.example" })).not.toContain(":pw@");
    expect(load({ BASE_URL: "https://certdesk.example/portal/" }).baseUrl).toBe("https://certdesk.example/portal");

    for (const value of ["smtp://", "smtp://mail.example:99999", "mail.example:25", "http://mail.example"]) {
      expect(refusal({ SMTP_URL: value })).toContain("smtp://host:port");
    }
    expect(refusal({ SMTP_URL: "smtp://user:hunter2@" })).not.toContain("hunter2");
    expect(load({ SMTP_URL: "smtp://user:pw@mail.example:587?requireTLS=true" }).smtpUrl).toBe("smtp://user:pw@mail.example:587?requireTLS=true");
  });

  it("names the libraries must accept: LOG_LEVEL for pino, TRUST_PROXY for Fastify's proxy-addr", () => {
    for (const value of ["verbose", "INFO", "warning"]) expect(refusal({ LOG_LEVEL: value })).toContain("fatal, error, warn, info, debug, trace, silent");
    for (const value of ["true", "1", "10.0.0.0/33", "proxy.internal", "10.0.0.1/8/8", "::1/129"]) {
      expect(refusal({ TRUST_PROXY: value })).toContain("IPs, CIDR ranges, loopback, linklocal or uniquelocal");
    }
    expect(load({ TRUST_PROXY: "10.0.0.0/8, loopback, ::1, fd00::/8, 192.168.0.0/255.255.0.0" }).trustProxy).toBe(
      "10.0.0.0/8, loopback, ::1, fd00::/8, 192.168.0.0/255.255.0.0",
    );
  });
});

describe.each(ENGINES)("edge values that are accepted work end to end on %s", (engine) => {
  const apps: TestApp[] = [];
  afterAll(() => Promise.all(apps.map((app) => app.close())));
  const app = async (env: Record<string, string>) => {
    const h = await createTestApp(engine, env);
    apps.push(h);
    return h;
  };

  it("domain validation: DCV_DNS_SERVERS as IP host:port entries, DCV_HTTP_PORT a port, CAA_IDENTITY a domain name", () => {
    expect(load({})).toMatchObject({ dcvDnsServers: undefined, dcvHttpPort: 80, caaIdentity: "certdesk.dev" });
    expect(load({ DCV_DNS_SERVERS: "127.0.0.1:5353, [::1]:53,10.0.0.1", DCV_HTTP_PORT: "8080", CAA_IDENTITY: "CA.Example" })).toMatchObject({
      dcvDnsServers: ["127.0.0.1:5353", "[::1]:53", "10.0.0.1:53"],
      dcvHttpPort: 8080,
      caaIdentity: "ca.example",
    });
    for (const bad of ["dns.example:53", "127.0.0.1:0", "127.0.0.1:70000", "::1:53", "1.2.3:53", "127.0.0.1,"]) {
      expect(refusal({ DCV_DNS_SERVERS: bad })).toMatch(/^DCV_DNS_SERVERS must be host:port/);
    }
    expect(refusal({ DCV_HTTP_PORT: "0" })).toMatch(/^DCV_HTTP_PORT must be a port number/);
    expect(refusal({ CAA_IDENTITY: "not a domain" })).toMatch(/^CAA_IDENTITY must be a domain name/);
  });

  it("SESSION_ABSOLUTE_HOURS=1.0001: sign-up and log-in set a whole-second cookie instead of answering 500", async () => {
    const h = await app({ SESSION_ABSOLUTE_HOURS: "1.0001" });
    const email = uniqueEmail("Fractional");
    const client = h.client();
    const signup = await client.post("/api/auth/signup", { email, password: PASSWORD, name: "Fractional" });
    expect(signup.statusCode, signup.body).toBe(201);
    const login = await h.client().post("/api/auth/login", { email, password: PASSWORD });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = login.cookies.find((c) => c.name.endsWith("certdesk_session"))!;
    expect(cookie.maxAge).toBe(3600);
    // The server still ends the session at its exact time (0.36 s after the cookie's hour).
    const session = await h.t.db.kysely.selectFrom("sessions").select(["createdAt", "expiresAt"]).orderBy("createdAt", "desc").executeTakeFirstOrThrow();
    expect(Date.parse(session.expiresAt) - Date.parse(session.createdAt)).toBe(Math.round(1.0001 * HOUR));
    expect((await client.get("/api/me")).statusCode).toBe(200);
  });

  it("the ten-year maxima and the largest team limit: sessions, invitations and the sweep still compute their dates", async () => {
    const h = await app({
      SESSION_IDLE_MINUTES: "5256000",
      SESSION_ABSOLUTE_HOURS: "87600",
      INVITATION_TTL_HOURS: "87600",
      DEFAULT_TEAM_LIMIT: "10000",
    });
    const owner = await h.signUp("Decade Owner");
    expect(owner.user.teamLimit).toBe(10_000);
    const invited = await owner.client.post(`/api/teams/${owner.defaultTeamId}/invitations`, { email: uniqueEmail("Decade Guest"), roles: ["billing"] });
    expect(invited.statusCode, invited.body).toBe(201);
    expect(Date.parse(invited.json().invitation.expiresAt) - h.clock.now().getTime()).toBe(87600 * HOUR);
    await expect(sweepExpired({ db: h.t.db, clock: h.clock, config: h.config })).resolves.toMatchObject({ sessions: 0 });
    expect((await owner.client.get("/api/me")).statusCode).toBe(200);
  });

  it("the minima: a one-minute session, a 3.6-second invitation, a RATE_LIMIT_SCALE of 1e-12 (limits of 1, not 0)", async () => {
    const h = await app({ SESSION_ABSOLUTE_HOURS: String(1 / 60), INVITATION_TTL_HOURS: "0.001", SESSION_IDLE_MINUTES: "1" });
    const owner = await h.signUp("Brief Owner");
    const invited = await owner.client.post(`/api/teams/${owner.defaultTeamId}/invitations`, { email: uniqueEmail("Brief Guest"), roles: ["billing"] });
    expect(invited.statusCode, invited.body).toBe(201);
    expect(Date.parse(invited.json().invitation.expiresAt) - h.clock.now().getTime()).toBe(3600);
    const login = await h.client().post("/api/auth/login", { email: owner.user.email, password: PASSWORD });
    expect(login.cookies.find((c) => c.name.endsWith("certdesk_session"))!.maxAge).toBe(60);

    const scaled = await app({ RATE_LIMIT_SCALE: "1e-12" });
    const first = await scaled.client().post("/api/auth/signup", { email: uniqueEmail("Scaled"), password: PASSWORD, name: "Scaled" });
    expect(first.statusCode, first.body).toBe(201);
  });

  it("accepted TRUST_PROXY and LOG_LEVEL values build an app that answers", async () => {
    const h = await app({ TRUST_PROXY: "10.0.0.0/8, loopback, ::1, fd00::/8, 192.168.0.0/255.255.0.0", LOG_LEVEL: "silent" });
    const answer = await h.client().request("GET", "/api/me", undefined, { "x-forwarded-for": "203.0.113.9" });
    expect(answer.statusCode).toBe(401);
  });
});

describe("start-up refuses a MAIL_DIR it could not write e-mails to", () => {
  it("stops before listening, with the system's reason naming the path", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "certdesk-maildir-"));
    const file = path.join(dataDir, "not-a-directory");
    fs.writeFileSync(file, "");
    try {
      const config = loadConfig({ DATA_DIR: dataDir, MAIL_DIR: path.join(file, "mail"), PORT: "0", LOG_LEVEL: "silent" });
      await expect(startServer(config)).rejects.toMatchObject({ syscall: "mkdir", message: expect.stringContaining("not-a-directory") });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
