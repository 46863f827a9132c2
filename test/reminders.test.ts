// Reminders before a certificate ends (SPEC 19): 30, 7 and 1 days before notAfter every member
// holding certificates.manage gets one e-mail through the outbox — once per threshold, never for a
// certificate a newer one of the order replaced, and exactly once with two runs racing (on
// PostgreSQL they are two connections, as two servers are) and after a restart (a new run finds
// the claimed rows).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY, HOUR } from "../src/server/clock.js";
import { sendReminders } from "../src/server/commands/send-reminders.js";
import { holds } from "../src/server/policy/roles.js";
import { ROLES } from "../src/shared/permissions.js";
import type { TestApp } from "./helpers/app.js";
import { PASSWORD, createTestApp } from "./helpers/app.js";
import { makeCsr } from "./helpers/csr.js";
import { ENGINES } from "./helpers/engines.js";
import { addBillingProfile, buildTeamFixture, uniqueDomain } from "./helpers/fixtures.js";
import type { TeamFixture } from "./helpers/fixtures.js";

describe.each(ENGINES)("certificate reminders on %s", (engine) => {
  let h: TestApp;
  let F: TeamFixture;
  let billingProfileId: string;
  const start = new Date();

  beforeAll(async () => {
    h = await createTestApp(engine);
    F = await buildTeamFixture(h, "Reminders");
    billingProfileId = await addBillingProfile(F.owner.client, F.teamId);
  });
  afterAll(() => h?.close());

  const deps = () => ({ db: h.t.db, clock: h.clock, config: h.config, sealer: h.sealer, mail: { wake: () => undefined } });
  const holders = () =>
    [F.owner.user.email, ...ROLES.filter((role) => holds({ isOwner: false, roles: [role] }, "certificates.manage")).map((role) => F.members[role].user.email)].sort();

  /** The Owner, signed in at the clock's time (moving the clock years ahead and back ends sessions). */
  async function owner() {
    const client = h.client();
    expect((await client.post("/api/auth/login", { email: F.owner.user.email, password: PASSWORD })).statusCode).toBe(200);
    return client;
  }

  async function issue(domain: string): Promise<{ orderId: string; serial: string; notAfter: string }> {
    const client = await owner();
    const base = `/api/teams/${F.teamId}/orders`;
    const placed = await client.post(base, { productId: "dv-1y", domains: [domain], billingProfileId });
    const orderId = placed.json().order.id as string;
    await h.t.db.kysely.updateTable("orderDomains").set({ method: "dns", completedAt: h.clock.now().toISOString() }).where("orderId", "=", orderId).execute();
    const order = (await client.post(`${base}/${orderId}/csr`, { csr: makeCsr({ san: [domain] }).csrPem })).json().order;
    return { orderId, serial: order.certificate.serial, notAfter: order.certificate.notAfter };
  }

  /** Reminder e-mails queued about `domain`, by recipient. */
  async function remindersAbout(domain: string) {
    const rows = await h.t.db.kysely.selectFrom("outbox").select(["toAddress", "subject"]).where("subject", "like", `%${domain}%`).execute();
    return rows.filter((r) => r.subject.includes("ends in"));
  }

  it("30, 7 and 1 days before the end, once each, to every holder of certificates.manage", async () => {
    h.clock.set(start);
    const domain = uniqueDomain("remind");
    const { notAfter } = await issue(domain);
    const end = Date.parse(notAfter);

    h.clock.set(new Date(end - 31 * DAY));
    await sendReminders(deps());
    expect(await remindersAbout(domain)).toHaveLength(0);

    let expected = 0;
    for (const days of [30, 7, 1]) {
      h.clock.set(new Date(end - days * DAY + HOUR));
      await sendReminders(deps());
      await sendReminders(deps()); // a second run, as after a restart: nothing more
      const sent = await remindersAbout(domain);
      expected += holders().length;
      expect(sent).toHaveLength(expected);
      const now = sent.filter((r) => r.subject.endsWith(days === 1 ? "ends in 1 day" : `ends in ${days} days`));
      expect(now.map((r) => r.toAddress).sort()).toEqual(holders());
    }
    h.clock.set(new Date(end + HOUR));
    await sendReminders(deps());
    expect(await remindersAbout(domain)).toHaveLength(expected);
  });

  it("not for a certificate a newer one of the order replaced", async () => {
    h.clock.set(start);
    const domain = uniqueDomain("replaced");
    const first = await issue(domain);
    h.clock.set(new Date(start.getTime() + 2 * DAY));
    const reissued = (await (await owner()).post(`/api/teams/${F.teamId}/orders/${first.orderId}/csr`, { csr: makeCsr({ san: [domain] }).csrPem })).json().order;
    h.clock.set(new Date(Date.parse(first.notAfter) - 1 * DAY + HOUR)); // the first one's last day
    await sendReminders(deps());
    const rows = await h.t.db.kysely.selectFrom("certificateReminders").innerJoin("certificates", "certificates.id", "certificateReminders.certificateId").select(["certificates.serialNumber", "daysBefore"]).where("certificates.orderId", "=", first.orderId).execute();
    expect(rows.map((r) => r.serialNumber)).not.toContain(first.serial);
    // The newer one ends 2 days later: its 7-day reminder is the one due.
    expect(rows).toEqual([{ serialNumber: reissued.certificate.serial, daysBefore: 7 }]);
  });

  it("exactly once with two runs racing", async () => {
    h.clock.set(start);
    const domain = uniqueDomain("race");
    const { notAfter } = await issue(domain);
    h.clock.set(new Date(Date.parse(notAfter) - 7 * DAY + HOUR));
    const counts = await Promise.all([sendReminders(deps()), sendReminders(deps()), sendReminders(deps())]);
    expect(counts.filter((n) => n > 0).length).toBeGreaterThanOrEqual(1);
    expect((await remindersAbout(domain)).map((r) => r.toAddress).sort()).toEqual(holders());
  });
});
