// The background work every server runs (issue 13): with several servers on one PostgreSQL database,
// each runs the e-mail dispatcher, the reminder scheduler and the sweeper. Two servers here are two
// apps on one database, each with its own connection pool, running at the same time against a real
// SMTP server on loopback:
// - two dispatchers, started as servers start them (polling, not drained by the test), deliver N
//   queued e-mails exactly once each: a row is claimed by one conditional UPDATE (mail/dispatcher.ts);
// - two reminder runs at once queue each reminder once: the (certificate, threshold) row is
//   inserted in the transaction that queues the e-mails (commands/send-reminders.ts), and the
//   dispatchers then deliver each of those once;
// - two sweeps at once delete each expired row once (commands/sweep-expired.ts).
// On SQLite there is one server per database file, so this is PostgreSQL's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY, HOUR, systemClock } from "../src/server/clock.js";
import { sendReminders } from "../src/server/commands/send-reminders.js";
import { sweepExpired } from "../src/server/commands/sweep-expired.js";
import { inTransaction } from "../src/server/db/transaction.js";
import { OutboxDispatcher } from "../src/server/mail/dispatcher.js";
import { queueEmail } from "../src/server/mail/outbox.js";
import { createTransport } from "../src/server/mail/transport.js";
import type { MailTransport } from "../src/server/mail/transport.js";
import { newId } from "../src/server/secrets.js";
import { createTestApp } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";
import { makeCsr } from "./helpers/csr.js";
import { addBillingProfile, placeOrder, uniqueDomain } from "./helpers/fixtures.js";
import { startSmtpServer } from "./helpers/smtp.js";
import type { TestSmtpServer } from "./helpers/smtp.js";

describe.runIf(process.env.TEST_POSTGRES_URL)("background work on two servers at once (PostgreSQL)", () => {
  let a: TestApp;
  let b: TestApp;
  let smtp: TestSmtpServer;
  const stops: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    a = await createTestApp("postgres");
    b = await createTestApp("postgres", {}, { sameDatabaseAs: a });
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await smtp?.stop();
    await b?.close();
    await a?.close();
  });

  /** Each server's dispatcher as main.ts starts it, over its own pool, counting what it sent. */
  function startDispatchers() {
    const sent = [0, 0];
    const dispatchers = [a, b].map((h, i) => {
      const smtpTransport = createTransport({ smtpUrl: smtp.url, mailDir: "/nonexistent", baseUrl: h.config.baseUrl });
      const counting: MailTransport = {
        send: async (email, options) => {
          await smtpTransport.send(email, options);
          sent[i]! += 1;
        },
        close: () => smtpTransport.close(),
      };
      // The server's clock: the reminders below are queued at a time set ahead on both.
      const dispatcher = new OutboxDispatcher({ db: h.t.db, clock: h.clock, transport: counting, sealer: h.sealer, pollIntervalMs: 20 });
      dispatcher.start();
      stops.push(() => counting.close());
      return dispatcher;
    });
    return {
      sent,
      /** Stops both, each after its pass in flight. */
      stop: () => Promise.all(dispatchers.map((d) => d.stop())),
    };
  }

  it("two dispatchers deliver each of N queued e-mails exactly once", async () => {
    const count = 60;
    const before = smtp.messages.length;
    const queued: string[] = [];
    for (let n = 0; n < count; n++) {
      const subject = `Every server ${n}`;
      queued.push(subject);
      await inTransaction(a.t.db, (tx) => queueEmail(tx, a, { to: `user${n}@example.com`, subject, text: `Message ${n}\n`, html: `<p>Message ${n}</p>` }));
    }
    const dispatchers = startDispatchers();
    await smtp.waitFor(before + count, 30_000);
    await dispatchers.stop();

    const subjects = smtp.messages.slice(before).map((m) => m.parsed.subject);
    expect(subjects.sort()).toEqual(queued.sort());
    expect(dispatchers.sent[0]! + dispatchers.sent[1]!).toBe(count);
    const rows = await a.t.db.kysely.selectFrom("outbox").select(["sentAt", "attempts"]).where("subject", "like", "Every server %").execute();
    expect(rows).toHaveLength(count);
    // Each sent, none after a failed attempt.
    for (const row of rows) expect([row.sentAt !== null, Number(row.attempts)]).toEqual([true, 0]);
  });

  it("two reminder runs at once queue each reminder once, and the dispatchers deliver each once", { timeout: 60_000 }, async () => {
    const owner = await a.signUp("Reminded Owner");
    const billingProfileId = await addBillingProfile(owner.client, owner.defaultTeamId);
    const domains = [uniqueDomain("remind-everywhere"), uniqueDomain("remind-everywhere"), uniqueDomain("remind-everywhere")];
    let notAfter = 0;
    for (const domain of domains) {
      const orderId = await placeOrder(owner.client, owner.defaultTeamId, billingProfileId, domain);
      await a.t.db.kysely.updateTable("orderDomains").set({ method: "dns", completedAt: a.clock.now().toISOString() }).where("orderId", "=", orderId).execute();
      const issued = await owner.client.post(`/api/teams/${owner.defaultTeamId}/orders/${orderId}/csr`, { csr: makeCsr({ san: [domain] }).csrPem });
      expect(issued.statusCode, issued.body).toBe(200);
      notAfter = Date.parse(issued.json().order.certificate.notAfter);
    }
    // Both servers' clocks five days before the end: the 7-day reminder is due on both.
    for (const h of [a, b]) h.clock.set(new Date(notAfter - 5 * DAY));
    const deps = (h: TestApp) => ({ db: h.t.db, clock: h.clock, config: h.config, sealer: h.sealer, mail: { wake: () => undefined } });
    const runs = await Promise.all([sendReminders(deps(a)), sendReminders(deps(b)), sendReminders(deps(a)), sendReminders(deps(b))]);
    expect(runs.reduce((sum, n) => sum + n, 0)).toBe(domains.length);

    const queued = await a.t.db.kysely.selectFrom("outbox").select(["toAddress", "subject"]).where("subject", "like", "%ends in 7 days").execute();
    const ours = queued.filter((row) => domains.some((domain) => row.subject.includes(domain)));
    expect(ours).toHaveLength(domains.length); // the Owner is the team's only holder of certificates.manage
    expect(new Set(ours.map((row) => row.subject)).size).toBe(domains.length);
    expect(ours.every((row) => row.toAddress === owner.user.email)).toBe(true);

    const before = smtp.messages.length;
    const pending = await a.t.db.kysely.selectFrom("outbox").select("id").where("sentAt", "is", null).where("failedAt", "is", null).execute();
    const dispatchers = startDispatchers();
    await smtp.waitFor(before + pending.length, 30_000);
    await dispatchers.stop();
    const delivered = smtp.messages.slice(before).map((m) => m.parsed.subject ?? "").filter((subject) => domains.some((domain) => subject.includes(domain)));
    expect(delivered.sort()).toEqual(ours.map((row) => row.subject).sort());
  });

  it("two sweeps at once delete each expired row once", async () => {
    const now = systemClock.now();
    const past = new Date(now.getTime() - HOUR).toISOString();
    const user = await a.signUp("Swept Sam");
    const sessions = Array.from({ length: 20 }, () => ({
      id: newId(),
      tokenHash: newId(),
      userId: user.user.id,
      userAgent: null,
      createdAt: past,
      lastSeenAt: past,
      expiresAt: past,
    }));
    await a.t.db.kysely.insertInto("sessions").values(sessions).execute();
    const deps = (h: TestApp) => ({ db: h.t.db, clock: systemClock, config: h.config });
    const [one, two] = await Promise.all([sweepExpired(deps(a)), sweepExpired(deps(b))]);
    // Each row deleted by one of the two (the other waited for its row locks, then found it gone).
    expect(one.sessions + two.sessions).toBe(sessions.length);
    const left = await a.t.db.kysely.selectFrom("sessions").select("id").where("id", "in", sessions.map((s) => s.id)).execute();
    expect(left).toHaveLength(0);
  });
});
