// One e-mail grammar, one name rule and the password rules, through the HTTP API on both engines
// (SECURITY 26, 27, 1; API.md "E-mail addresses", "Names", sign-up). Each refused address is tried
// on sign-up, invitations, log-in and password reset; the stored address is the one SMTP delivers to.
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, createTestApp, uniqueEmail } from "./helpers/app.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";
import { expectProblem } from "./helpers/problems.js";
import { sleep, startLiveServer } from "./helpers/server.js";
import type { LiveServer } from "./helpers/server.js";

/** Addresses no part of certdesk may accept, whatever the route. */
const REFUSED: [string, string][] = [
  ["display name", "Ada <ada.display@example.com>"],
  ["quoted local part", '"a b"@example.com'],
  ["comma", "a,b@example.com"],
  ["semicolon", "a;b@example.com"],
  ["colon", "a:b@example.com"],
  ["address literal", "ada@[127.0.0.1]"],
  ["zero-width space", "ad\u200ba@example.com"],
  ["zero-width space in the domain", "ada@exa\u200bmple.com"],
  ["soft hyphen", "ada@exam\u00adple.com"],
  ["right-to-left override", "ada\u202e@example.com"],
  ["left-to-right isolate", "ada@\u2066example.com"],
  ["escape sequence", "ada\u001b[2J@example.com"],
  ["Cyrillic а in a Latin label", "ada@pаypal.com"],
  ["that label as an A-label", "ada@xn--pypal-4ve.com"],
  ["fullwidth letters", "ａda@example.com"],
  ["Kelvin sign", "\u212aate@example.com"],
  ["non-ASCII local part", "zoë@example.com"],
  ["two dots", "a..b@example.com"],
  ["leading dot", ".a@example.com"],
  ["trailing dot", "a.@example.com"],
  ["no top-level domain", "ada@localhost"],
  ["IP address", "ada@127.0.0.1"],
  ["space inside", "ada lovelace@example.com"],
  ["no @", "ada.example.com"],
  ["65 characters before the @", `${"a".repeat(65)}@example.com`],
  ["a label over 63 characters", `ada@${"a".repeat(64)}.com`],
];

describe.each(ENGINES)("input grammar on %s", (engine) => {
  let h: TestApp;
  let owner: SignedIn;
  beforeAll(async () => {
    h = await createTestApp(engine);
    owner = await h.signUp("Grammar Owner");
  });
  afterAll(() => h.close());

  async function count(table: "users" | "invitations" | "outbox" | "teams" | "billingProfiles"): Promise<number> {
    const row = await h.t.db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string | number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  describe("e-mail addresses that must be refused", () => {
    it.each(REFUSED)("refuses %s on sign-up with a plain-words field error", async (_label, email) => {
      const users = await count("users");
      const problem = expectProblem(await h.client().post("/api/auth/signup", { email, password: PASSWORD, name: "Mallory" }), 400, "invalid_request");
      expect(problem.errors?.map((e) => e.field)).toEqual(["email"]);
      expect(problem.errors![0]!.message).not.toMatch(/pattern|must match/);
      expect(await count("users")).toBe(users);
    });

    it.each(REFUSED)("refuses %s as an invitation, sending nothing", async (_label, email) => {
      const [invitations, outbox] = [await count("invitations"), await count("outbox")];
      const problem = expectProblem(
        await owner.client.post(`/api/teams/${owner.defaultTeamId}/invitations`, { email, roles: ["billing"] }),
        400,
        "invalid_request",
      );
      expect(problem.errors?.map((e) => e.field)).toEqual(["email"]);
      expect([await count("invitations"), await count("outbox")]).toEqual([invitations, outbox]);
    });

    it.each(REFUSED)("answers a password reset for %s with 202 and sends nothing", async (_label, email) => {
      const outbox = await count("outbox");
      const response = await h.client().post("/api/auth/password-reset", { email });
      expect(response.statusCode, response.body).toBe(202);
      expect(await count("outbox")).toBe(outbox);
    });

    it.each(REFUSED)("answers a log-in as %s like an unknown address", async (_label, email) => {
      expectProblem(await h.client().post("/api/auth/login", { email, password: PASSWORD }), 401, "invalid_credentials");
    });

    it("does not find an account through a lookalike of its address", async () => {
      const plain = await h.signUp("Paypal Plain", `ada.${engine}.${process.pid}@paypal.com`);
      const lookalike = `ada.${engine}.${process.pid}@pаypal.com`; // Cyrillic а
      expectProblem(await h.client().post("/api/auth/login", { email: lookalike, password: PASSWORD }), 401, "invalid_credentials");
      expectProblem(
        await owner.client.post(`/api/teams/${owner.defaultTeamId}/invitations`, { email: lookalike, roles: ["billing"] }),
        400,
        "invalid_request",
      );
      expect((await h.client().post("/api/auth/login", { email: plain.user.email, password: PASSWORD })).statusCode).toBe(200);
    });
  });

  describe("e-mail addresses that are accepted, and how they are stored", () => {
    it("stores Ada@Example.COM as ada@example.com, one account whatever the case", async () => {
      const local = `ada.case.${engine}.${process.pid}`;
      const response = await h.client().post("/api/auth/signup", { email: `${local.toUpperCase()}@Example.COM`, password: PASSWORD, name: "Ada" });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json().user.email).toBe(`${local}@example.com`);
      expectProblem(await h.client().post("/api/auth/signup", { email: `${local}@EXAMPLE.com`, password: PASSWORD, name: "Ada" }), 409, "email_taken");
      expect((await h.client().post("/api/auth/login", { email: `${local.toUpperCase()}@example.COM`, password: PASSWORD })).statusCode).toBe(200);
    });

    it("stores an international domain as A-labels: the NFC, NFD and A-label spellings are one account", async () => {
      const local = `ada.idn.${engine}.${process.pid}`;
      const nfc = `${local}@bücher.example`;
      const nfd = `${local}@bu\u0308cher.example`;
      expect(nfc).not.toBe(nfd);
      const first = await h.client().post("/api/auth/signup", { email: nfc, password: PASSWORD, name: "Ada Bücher" });
      expect(first.statusCode, first.body).toBe(201);
      expect(first.json().user.email).toBe(`${local}@xn--bcher-kva.example`);
      expectProblem(await h.client().post("/api/auth/signup", { email: nfd, password: PASSWORD, name: "Ada Again" }), 409, "email_taken");
      expectProblem(await h.client().post("/api/auth/signup", { email: `${local}@XN--BCHER-KVA.example`, password: PASSWORD, name: "Ada Again" }), 409, "email_taken");
      const stored = await h.t.db.kysely.selectFrom("users").select("email").where("email", "like", `${local}@%`).execute();
      expect(stored).toEqual([{ email: `${local}@xn--bcher-kva.example` }]);
      for (const email of [nfc, nfd, `${local}@BÜCHER.example`]) {
        expect((await h.client().post("/api/auth/login", { email, password: PASSWORD })).statusCode, email).toBe(200);
      }
    });

    it("invites an address in its canonical form, and a second spelling of it is already pending", async () => {
      const local = `grace.idn.${engine}.${process.pid}`;
      const response = await owner.client.post(`/api/teams/${owner.defaultTeamId}/invitations`, { email: `${local.toUpperCase()}@Bücher.example`, roles: ["billing"] });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json().invitation.email).toBe(`${local}@xn--bcher-kva.example`);
      expectProblem(
        await owner.client.post(`/api/teams/${owner.defaultTeamId}/invitations`, { email: `${local}@bu\u0308cher.example`, roles: ["billing"] }),
        409,
        "invitation_pending",
      );
    });
  });

  describe("names", () => {
    const REFUSED_NAMES: [string, string][] = [
      ["blank", "   "],
      ["escape sequence", "Ada\u001b[2J"],
      ["C1 control", "Ada\u009b31m"],
      ["line feed", "Ada\nLovelace"],
      ["right-to-left override", "Ada \u202eecalevoL"],
      ["right-to-left isolate", "Ada \u2067x\u2069"],
      ["zero-width space", "Ad\u200ba"],
    ];

    it.each(REFUSED_NAMES)("refuses a %s name on sign-up, team create and rename, and billing profiles", async (_label, name) => {
      const before = [await count("users"), await count("teams"), await count("billingProfiles")];
      const base = `/api/teams/${owner.defaultTeamId}`;
      const profile = { name, country: "DE", cardBrand: "visa", cardLast4: "4242" };
      const answers = [
        await h.client().post("/api/auth/signup", { email: uniqueEmail("Named"), password: PASSWORD, name }),
        await owner.client.post("/api/teams", { name }),
        await owner.client.patch(base, { name }),
        await owner.client.post(`${base}/billing-profiles`, profile),
      ];
      for (const answer of answers) {
        const problem = expectProblem(answer, 400, "invalid_request");
        expect(problem.errors?.map((e) => e.field)).toEqual(["name"]);
        expect(problem.errors![0]!.message).toMatch(/^it must not/);
      }
      const team = await owner.client.get(base);
      expect(team.json().team.name).toBe("Grammar Owner's team");
      expect([await count("users"), await count("teams"), await count("billingProfiles")]).toEqual(before);
    });

    it("refuses a control character when a billing profile is renamed", async () => {
      const base = `/api/teams/${owner.defaultTeamId}/billing-profiles`;
      const created = await owner.client.post(base, { name: "Head office", country: "DE", cardBrand: "visa", cardLast4: "4242" });
      expect(created.statusCode, created.body).toBe(201);
      const id = created.json().billingProfile.id;
      expectProblem(await owner.client.patch(`${base}/${id}`, { name: "Head\u001b]0;owned\u0007 office" }), 400, "invalid_request");
      expect((await owner.client.get(`${base}/${id}`)).json().billingProfile.name).toBe("Head office");
    });

    it("stores names NFC-normalized and trimmed", async () => {
      const signed = await h.client().post("/api/auth/signup", { email: uniqueEmail("Zoe"), password: PASSWORD, name: "  Zoe\u0308 C\u0327a " });
      expect(signed.statusCode, signed.body).toBe(201);
      expect(signed.json().user.name).toBe("Zo\u00eb \u00c7a");
      const team = await owner.client.post("/api/teams", { name: "Cafe\u0301 team" });
      expect(team.statusCode, team.body).toBe(201);
      expect(team.json().team.name).toBe("Caf\u00e9 team");
      await owner.client.delete(`/api/teams/${team.json().team.id}`);
    });
  });

  describe("passwords", () => {
    it.each([
      ["the e-mail address", (email: string) => email],
      ["the e-mail address in capitals", (email: string) => email.toUpperCase()],
      ["the part before the @", (email: string) => email.split("@")[0]!],
      ["one repeated character", () => "aaaaaaaaaaaa"],
      ["digits only", () => "20261224123456"],
      ["a common password", () => "password1234"],
    ])("refuses %s on sign-up", async (_label, password) => {
      const email = uniqueEmail("Password Rules Person");
      const problem = expectProblem(await h.client().post("/api/auth/signup", { email, password: password(email), name: "Rules" }), 400, "invalid_request");
      expect(problem.errors?.map((e) => e.field)).toEqual(["password"]);
      expect(problem.errors![0]!.message).toMatch(/^(Do not use|This password is too common)/);
      expect(await h.t.db.kysely.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst()).toBeUndefined();
    });

    it("refuses the account's own address on password-reset confirm without using up the token", async () => {
      const ada = await h.signUp("Reset Own Address");
      expect((await h.client().post("/api/auth/password-reset", { email: ada.user.email })).statusCode).toBe(202);
      const token = await h.linkTokenFor(ada.user.email, "reset-password");
      for (const password of [ada.user.email, ada.user.email.split("@")[0]!.toUpperCase(), "7777777777777", "1234567890123"]) {
        const problem = expectProblem(await h.client().post("/api/auth/password-reset/confirm", { token, password }), 400, "invalid_request");
        expect(problem.errors?.map((e) => e.field)).toEqual(["password"]);
      }
      expect((await h.client().post("/api/auth/password-reset/confirm", { token, password: "a brand new passphrase" })).statusCode).toBe(204);
      expect((await h.client().post("/api/auth/login", { email: ada.user.email, password: "a brand new passphrase" })).statusCode).toBe(200);
    });
  });
});

/**
 * An SMTP receiver that keeps the client's RCPT TO commands as sent. smtp-server decodes an
 * A-label domain in `session.envelope.rcptTo` back to Unicode, so the envelope it hands over
 * would hide which form certdesk put on the wire; its command log does not.
 */
async function recordingSmtp() {
  const rcptCommands: string[] = [];
  const messages: { rcptTo: string[]; to: string; text: string }[] = [];
  const log = (entry: { tnx?: string }, message?: string, line?: string) => {
    if (entry?.tnx === "command" && message === "C:" && typeof line === "string" && /^RCPT TO:/i.test(line)) rcptCommands.push(line);
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    disableReverseLookup: true,
    closeTimeout: 100,
    logger: { trace: log, debug: log, info: log, warn: log, error: log, fatal: log } as never,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        // The To header as written (mailparser, too, would show the domain decoded).
        const to = /^To: *(.*)$/im.exec(raw.toString("latin1").split("\r\n\r\n")[0]!)?.[1] ?? "";
        simpleParser(raw)
          .then((parsed) => {
            messages.push({ rcptTo: session.envelope.rcptTo.map((a) => a.address), to: to.trim(), text: parsed.text ?? "" });
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.on("error", () => {});
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    rcptCommands,
    messages,
    async waitFor(check: () => boolean, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`no such e-mail within ${timeoutMs} ms; RCPT TO seen: ${rcptCommands.join(" | ")}`);
        await sleep(25);
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(ENGINES)("the stored address is the one SMTP delivers to, on %s", (engine) => {
  let live: LiveServer;
  let smtp: Awaited<ReturnType<typeof recordingSmtp>>;
  beforeAll(async () => {
    smtp = await recordingSmtp();
    live = await startLiveServer(engine, { SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await live.close();
    await smtp.stop();
  });

  it("delivers an invitation to an IDN address at the stored A-label address (RCPT TO)", async () => {
    const owner = await live.signUp("Smtp Owner");
    const local = `grace.smtp.${engine}.${process.pid}`;
    const invited = await owner.client.post(`/api/teams/${owner.defaultTeamId}/invitations`, { email: `${local.toUpperCase()}@Bücher.example`, roles: ["installer"] });
    expect(invited.status, invited.text).toBe(201);
    const stored = `${local}@xn--bcher-kva.example`;
    expect(invited.json().invitation.email).toBe(stored);
    const row = await live.t.db.kysely.selectFrom("invitations").select("email").where("id", "=", invited.json().invitation.id).executeTakeFirstOrThrow();
    expect(row.email).toBe(stored);
    await smtp.waitFor(() => smtp.rcptCommands.some((line) => line.includes(local)));
    expect(smtp.rcptCommands.filter((line) => line.includes(local))).toEqual([`RCPT TO:<${stored}>`]);
    await smtp.waitFor(() => smtp.messages.some((m) => m.text.includes("/invitations/") && m.to.includes(local)));
    expect(smtp.messages.find((m) => m.to.includes(local))?.to).toBe(stored);
  });

  it("delivers a password-reset link for an IDN account to exactly its stored address", async () => {
    const local = `ada.smtp.${engine}.${process.pid}`;
    const ada = await live.signUp("Ada Smtp", `${local}@BÜCHER.example`);
    const row = await live.t.db.kysely.selectFrom("users").select("email").where("id", "=", ada.user.id).executeTakeFirstOrThrow();
    expect(row.email).toBe(`${local}@xn--bcher-kva.example`);
    expect(ada.user.email).toBe(row.email);
    expect((await live.client().post("/api/auth/password-reset", { email: row.email })).status).toBe(202);
    await smtp.waitFor(() => smtp.messages.some((m) => m.text.includes("/reset-password/") && m.to.includes(local)));
    expect(smtp.rcptCommands.filter((line) => line.includes(local))).toEqual([`RCPT TO:<${row.email}>`]);
    expect(smtp.messages.find((m) => m.text.includes("/reset-password/") && m.to.includes(local))?.to).toBe(row.email);
  });
});
