// The outbox end to end: queued in a transaction, sent over real SMTP by the dispatcher,
// retried until the server recovers, never sent for a rolled-back transaction, and sent
// once even with two dispatchers on one database (SECURITY.md item 21).
import { createSecretKey, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock, systemClock } from "../src/server/clock.js";
import { createDb } from "../src/server/db/create-db.js";
import type { Db } from "../src/server/db/create-db.js";
import { inTransaction } from "../src/server/db/transaction.js";
import { OutboxDispatcher } from "../src/server/mail/dispatcher.js";
import type { OutboxDispatcherOptions } from "../src/server/mail/dispatcher.js";
import { queueEmail } from "../src/server/mail/outbox.js";
import type { OutgoingEmail } from "../src/server/mail/outbox.js";
import { invitationEmail } from "../src/server/mail/templates.js";
import { createTransport } from "../src/server/mail/transport.js";
import type { MailTransport } from "../src/server/mail/transport.js";
import { createSealer } from "../src/server/sealer.js";
import { ENGINES, createTestDatabase } from "./helpers/engines.js";
import type { TestDatabase } from "./helpers/engines.js";
import { closedPort, startSmtpServer } from "./helpers/smtp.js";
import type { TestSmtpServer } from "./helpers/smtp.js";

const BASE_URL = "http://certdesk.test:3000";
/** Queued bodies are sealed with the master key; any key will do for the outbox itself. */
const sealer = createSealer(createSecretKey(randomBytes(32)));

function simpleEmail(n: number): OutgoingEmail {
  const link = `${BASE_URL}/invitations/token-${n}`;
  return { to: `user${n}@example.com`, subject: `Message ${n}`, text: `Open ${link}\n`, html: `<p><a href="${link}">${link}</a></p>` };
}

describe.each(ENGINES)("outbox dispatcher on %s", (engine) => {
  let t: TestDatabase;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeEach(async () => {
    t = await createTestDatabase(engine);
  });

  afterEach(async () => {
    // Dispatchers first, then transports and servers, then the database.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await t.drop();
  });

  async function smtp(options: Parameters<typeof startSmtpServer>[0] = {}): Promise<TestSmtpServer> {
    const server = await startSmtpServer(options);
    cleanups.push(() => server.stop());
    return server;
  }

  function transportTo(url: string): MailTransport {
    const transport = createTransport({ smtpUrl: url, mailDir: "/nonexistent", baseUrl: BASE_URL });
    cleanups.push(() => transport.close());
    return transport;
  }

  function dispatcher(transport: MailTransport, options: Partial<OutboxDispatcherOptions> = {}, db: Db = t.db) {
    const d = new OutboxDispatcher({ db, clock: systemClock, transport, sealer, baseDelayMs: 20, maxDelayMs: 200, ...options });
    cleanups.push(() => d.stop());
    return d;
  }

  async function outboxRows() {
    return t.db.kysely.selectFrom("outbox").selectAll().orderBy("id").execute();
  }

  it("delivers a queued invitation over SMTP with its text and HTML parts and the link intact", async () => {
    const server = await smtp();
    const link = `${BASE_URL}/invitations/AbC-123_xyz`;
    const email = invitationEmail({
      to: "invitee@example.com",
      teamName: "Ops & <Friends>",
      inviterName: "Ada Lovelace",
      inviterEmail: "ada@example.com",
      roles: ["billing", "installer"],
      expiresAt: new Date("2026-11-29T14:05:00Z"),
      link,
    });
    await inTransaction(t.db, (tx) => queueEmail(tx, { clock: systemClock, sealer }, email));

    expect(await dispatcher(transportTo(server.url)).drain()).toBe(1);

    const [received] = await server.waitFor(1);
    const mail = received!.parsed;
    expect(received!.rcptTo).toEqual(["invitee@example.com"]);
    expect(mail.subject).toBe("Ada Lovelace invited you to join Ops & <Friends> on certdesk");
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe("invitee@example.com");
    expect(mail.from?.value[0]).toEqual({ name: "certdesk", address: "no-reply@certdesk.test" });
    expect(mail.headers.get("content-type")).toMatchObject({ value: "multipart/alternative" });
    expect(mail.text).toContain(link);
    expect(mail.text).toContain("Sunday, 29 November 2026 at 14:05 UTC");
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.html).toContain("Ops &amp; &lt;Friends&gt;");
    expect(mail.html).not.toContain("<Friends>");

    const [row] = await outboxRows();
    expect(row!.sentAt).not.toBeNull();
    expect(Number(row!.attempts)).toBe(0);
    expect(row!.lastError).toBeNull();
    // The token's only plain copy leaves the database once the e-mail is out.
    expect(row).toMatchObject({ toAddress: "invitee@example.com", subject: email.subject, textBody: "", htmlBody: "" });
    expect(JSON.stringify(row)).not.toContain("AbC-123_xyz");
    // Nothing is sent twice.
    expect(await dispatcher(transportTo(server.url)).drain()).toBe(0);
    expect(server.messages).toHaveLength(1);
  });

  it.each(["data", "rcpt"] as const)(
    "retries while SMTP refuses the first 3 attempts (at %s), then delivers every e-mail exactly once",
    async (failAt) => {
      const server = await smtp({ failFirst: 3, failAt, failCode: 451 });
      const count = 5;
      for (let n = 0; n < count; n++) await inTransaction(t.db, (tx) => queueEmail(tx, { clock: systemClock, sealer }, simpleEmail(n)));

      const d = dispatcher(transportTo(server.url), { pollIntervalMs: 10 });
      d.start();
      await server.waitFor(count, 20_000);
      await d.stop();
      // Whatever was still due is sent now; nothing is sent again.
      await dispatcher(transportTo(server.url)).drain();

      expect(server.refused).toBe(3);
      const subjects = server.messages.map((m) => m.parsed.subject).sort();
      expect(subjects).toEqual(Array.from({ length: count }, (_, n) => `Message ${n}`).sort());
      const rows = await outboxRows();
      expect(rows.every((row) => row.sentAt !== null)).toBe(true);
      const totalAttempts = rows.reduce((sum, row) => sum + Number(row.attempts), 0);
      expect(totalAttempts).toBe(3); // one failed attempt recorded per refusal
      const retried = rows.filter((row) => Number(row.attempts) > 0);
      expect(retried.length).toBeGreaterThan(0);
      // The last failure stays on the row for the operator.
      for (const row of retried) expect(row.lastError).toMatch(/451|refusing/);
    },
  );

  it("marks an e-mail the server refuses for good (5xx) as failed, blanks it and never retries it", async () => {
    const server = await smtp({ failFirst: 100, failAt: "rcpt", failCode: 550 });
    await inTransaction(t.db, (tx) => queueEmail(tx, { clock: systemClock, sealer }, { to: "nobody@example.com", subject: "s", text: "secret link", html: "<p>secret link</p>" }));
    const d = dispatcher(transportTo(server.url));
    expect(await d.drain()).toBe(0);
    const [row] = await outboxRows();
    expect(row).toMatchObject({ sentAt: null, attempts: 1, textBody: "", htmlBody: "" });
    expect(row!.failedAt).not.toBeNull();
    expect(row!.lastError).toMatch(/550/);
    // Long past any backoff: still not tried again.
    await t.db.kysely.updateTable("outbox").set({ nextAttemptAt: "2000-01-01T00:00:00.000Z" }).execute();
    expect(await d.drain()).toBe(0);
    expect(server.attempts).toBe(1);
  });

  it("never sends an e-mail queued in a transaction that rolled back", async () => {
    const server = await smtp();
    await expect(
      inTransaction(t.db, async (tx) => {
        await queueEmail(tx, { clock: systemClock, sealer }, simpleEmail(1));
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    await inTransaction(t.db, (tx) => queueEmail(tx, { clock: systemClock, sealer }, simpleEmail(2)));

    expect(await dispatcher(transportTo(server.url)).drain()).toBe(1);
    await server.waitFor(1);
    expect(server.messages.map((m) => m.parsed.subject)).toEqual(["Message 2"]);
    expect(await outboxRows()).toHaveLength(1);
    expect(server.attempts).toBe(1);
  });

  it("keeps an e-mail while the SMTP server is down (connection refused) and delivers it once it is up", async () => {
    const port = await closedPort();
    const url = `smtp://127.0.0.1:${port}`;
    await inTransaction(t.db, (tx) => queueEmail(tx, { clock: systemClock, sealer }, simpleEmail(7)));

    const d = dispatcher(transportTo(url), { pollIntervalMs: 10 });
    expect(await d.drain()).toBe(0);
    const [failed] = await outboxRows();
    expect(failed!.sentAt).toBeNull();
    expect(Number(failed!.attempts)).toBe(1);
    expect(failed!.lastError).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);

    const server = await smtp({ port });
    d.start();
    await server.waitFor(1, 20_000);
    await d.stop();
    expect(server.messages.map((m) => m.parsed.subject)).toEqual(["Message 7"]);
    const [row] = await outboxRows();
    expect(row!.sentAt).not.toBeNull();
    expect(Number(row!.attempts)).toBe(1);
  });

  it("sends each e-mail once when two dispatchers on two connections drain the same outbox at once", async () => {
    const server = await smtp();
    const count = 30;
    for (let n = 0; n < count; n++) await inTransaction(t.db, (tx) => queueEmail(tx, { clock: systemClock, sealer }, simpleEmail(n)));

    // A second server process: its own connection (pool) to the same database.
    const other = createDb(t.url);
    cleanups.push(() => other.close());
    const first = dispatcher(transportTo(server.url), { batchSize: 8 });
    const second = dispatcher(transportTo(server.url), { batchSize: 8 }, other);

    const [a, b] = await Promise.all([first.drain(), second.drain()]);
    expect(a + b).toBe(count);
    await server.waitFor(count);
    const subjects = server.messages.map((m) => m.parsed.subject);
    expect(new Set(subjects).size).toBe(count);
    expect(subjects).toHaveLength(count);
    expect((await outboxRows()).every((row) => row.sentAt !== null)).toBe(true);
  });

  it("wakes soon after wake(), then polls; stop() waits for the pass in flight", async () => {
    const server = await smtp();
    // A long poll interval: only wake() can make this quick.
    const d = dispatcher(transportTo(server.url), { pollIntervalMs: 60_000 });
    d.start();
    await d.drain(); // the first pass after start() found nothing
    await inTransaction(t.db, (tx) => queueEmail(tx, { clock: systemClock, sealer }, simpleEmail(1)));
    d.wake();
    d.wake(); // coalesced
    await server.waitFor(1);
    await inTransaction(t.db, (tx) => queueEmail(tx, { clock: systemClock, sealer }, simpleEmail(2)));
    d.wake();
    await d.stop();
    d.wake(); // after stop: nothing
    expect(await d.drain()).toBeLessThanOrEqual(1);
    await server.waitFor(2);
    expect(server.messages.map((m) => m.parsed.subject).sort()).toEqual(["Message 1", "Message 2"]);
  });

  it("backs off exponentially, up to the maximum, by the injected clock", async () => {
    const clock = new ManualClock(new Date("2026-06-01T12:00:00.000Z"));
    let failing = true;
    const sent: OutgoingEmail[] = [];
    const flaky: MailTransport = {
      async send(email) {
        if (failing) throw Object.assign(new Error("Greeting never received"), { code: "ETIMEDOUT" });
        sent.push(email);
      },
      close() {},
    };
    const d = dispatcher(flaky, { clock, baseDelayMs: 1000, maxDelayMs: 5000 });
    await inTransaction(t.db, (tx) => queueEmail(tx, { clock, sealer }, simpleEmail(1)));

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await d.drain()).toBe(0);
      const [row] = await outboxRows();
      expect(Number(row!.attempts)).toBe(attempt);
      expect(row!.lastError).toBe("ETIMEDOUT: Greeting never received");
      const delay = Date.parse(row!.nextAttemptAt) - clock.now().getTime();
      delays.push(delay);
      clock.advance(delay - 1);
      expect(await d.drain()).toBe(0); // not due yet: no attempt
      expect(Number((await outboxRows())[0]!.attempts)).toBe(attempt);
      clock.advance(1);
    }
    // base · 2^n with jitter between half and all of it, capped at maxDelay.
    const ceilings = [1000, 2000, 4000, 5000, 5000];
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(ceilings[i]! / 2);
      expect(delay).toBeLessThanOrEqual(ceilings[i]!);
    });

    failing = false;
    expect(await d.drain()).toBe(1);
    expect(sent.map((e) => e.subject)).toEqual(["Message 1"]);
    expect(await d.drain()).toBe(0);
  });

  it("leaves a row claimed by a process that died alone until its lease runs out, then sends it", async () => {
    const clock = new ManualClock(new Date("2026-06-01T12:00:00.000Z"));
    const sent: string[] = [];
    const transport: MailTransport = { send: async (email) => void sent.push(email.subject), close() {} };
    const d = dispatcher(transport, { clock, leaseMs: 60_000 });
    await inTransaction(t.db, (tx) => queueEmail(tx, { clock, sealer }, simpleEmail(1)));
    // What a claim by another server looks like; that server then dies.
    const leaseUntil = new Date(clock.now().getTime() + 60_000).toISOString();
    await t.db.kysely.updateTable("outbox").set({ nextAttemptAt: leaseUntil }).execute();

    expect(await d.drain()).toBe(0);
    clock.advance(59_999);
    expect(await d.drain()).toBe(0);
    clock.advance(1);
    expect(await d.drain()).toBe(1);
    expect(sent).toEqual(["Message 1"]);
  });

  it("does not send a row another dispatcher claimed between the read and the claim", async () => {
    const sent: string[] = [];
    const other = createDb(t.url);
    cleanups.push(() => other.close());
    let second: OutboxDispatcher | undefined;
    const secondSent: number[] = [];
    // While the first dispatcher sends message 0, the second drains: it must skip
    // message 0 (claimed) and may take the others, each exactly once overall.
    const transport: MailTransport = {
      async send(email) {
        if (email.subject === "Message 0" && second) secondSent.push(await second.drain());
        sent.push(email.subject);
      },
      close() {},
    };
    for (let n = 0; n < 4; n++) await inTransaction(t.db, (tx) => queueEmail(tx, { clock: systemClock, sealer }, simpleEmail(n)));
    const first = dispatcher(transport);
    second = dispatcher(transport, {}, other);
    const firstCount = await first.drain();
    expect(firstCount + secondSent.reduce((a, b) => a + b, 0)).toBe(4);
    expect(secondSent).toEqual([3]);
    expect(sent.sort()).toEqual(["Message 0", "Message 1", "Message 2", "Message 3"]);
  });

  it("logs a failed pass instead of throwing from the timer", async () => {
    const errors: unknown[] = [];
    const log = { info() {}, warn() {}, error: (obj: object) => errors.push(obj) };
    const unused: MailTransport = { send: async () => {}, close() {} };
    const unmigrated = createDb("sqlite::memory:"); // no outbox table: every pass fails
    cleanups.push(() => unmigrated.close());
    const d = dispatcher(unused, { db: unmigrated, log, pollIntervalMs: 10 });
    d.start();
    await expect.poll(() => errors.length, { timeout: 10_000 }).toBeGreaterThan(1); // and it keeps polling
    await d.stop();
    expect(errors[0]).toMatchObject({ err: expect.stringMatching(/outbox/) });
  });
});
