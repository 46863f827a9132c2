// The sweep of rows nothing can use again (commands/sweep-expired.ts), on both engines: ended
// and idle sessions, expired reset links, month-old sent or refused e-mail; never a live session,
// a reset link still in its hour, or an e-mail still waiting to go out. And the server's timer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY, MINUTE } from "../src/server/clock.js";
import { sweepExpired } from "../src/server/commands/sweep-expired.js";
import { Sweeper } from "../src/server/sweeper.js";
import { createTestApp } from "./helpers/app.js";
import type { TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";

describe.each(ENGINES)("sweeping expired rows on %s", (engine) => {
  let h: TestApp;
  const deps = () => ({ db: h.t.db, clock: h.clock, config: h.config });

  beforeAll(async () => {
    h = await createTestApp(engine);
  });
  afterAll(() => h.close());

  it("removes idle sessions and expired reset links, and keeps the live ones working", async () => {
    const idleMinutes = h.config.sessionIdleMinutes;
    const active = await h.signUp("Active");
    const idle = await h.signUp("Idle");
    expect((await h.client().post("/api/auth/password-reset", { email: active.user.email })).statusCode).toBe(202);

    // Active keeps using the site; Idle does not; Active's reset link runs out, Idle's is new.
    h.clock.advance(idleMinutes * MINUTE - 30 * MINUTE);
    expect((await active.client.get("/api/me")).statusCode).toBe(200);
    expect((await h.client().post("/api/auth/password-reset", { email: idle.user.email })).statusCode).toBe(202);
    h.clock.advance(31 * MINUTE);

    const sessionsOf = async (userId: string) =>
      (await h.t.db.kysely.selectFrom("sessions").select("tokenHash").where("userId", "=", userId).execute()).length;
    const resetsOf = async (userId: string) =>
      (await h.t.db.kysely.selectFrom("passwordResets").select("tokenHash").where("userId", "=", userId).execute()).length;
    expect([await sessionsOf(active.user.id), await sessionsOf(idle.user.id)]).toEqual([1, 1]);

    const removed = await sweepExpired(deps());
    expect(removed).toMatchObject({ sessions: 1, passwordResets: 1 });
    expect([await sessionsOf(active.user.id), await sessionsOf(idle.user.id)]).toEqual([1, 0]);
    expect([await resetsOf(active.user.id), await resetsOf(idle.user.id)]).toEqual([0, 1]);
    expect((await active.client.get("/api/me")).statusCode).toBe(200);
    expect((await idle.client.get("/api/me")).statusCode).toBe(401);

    // A second sweep finds nothing more.
    expect(await sweepExpired(deps())).toEqual({ sessions: 0, passwordResets: 0, outbox: 0 });
  });

  it("removes a session at its absolute end even when it was used to the last hour", async () => {
    const user = await h.signUp("Steady");
    const end = h.clock.now().getTime() + h.config.sessionAbsoluteHours * 60 * MINUTE;
    while (h.clock.now().getTime() + 60 * MINUTE < end) {
      h.clock.advance(60 * MINUTE);
      expect((await user.client.get("/api/me")).statusCode).toBe(200);
    }
    // (Sessions of the other tests went idle meanwhile: only this user's is counted.)
    const hasSession = async () => (await h.t.db.kysely.selectFrom("sessions").select("tokenHash").where("userId", "=", user.user.id).execute()).length === 1;
    await sweepExpired(deps());
    expect(await hasSession()).toBe(true);
    h.clock.advance(60 * MINUTE);
    expect((await sweepExpired(deps())).sessions).toBe(1);
    expect(await hasSession()).toBe(false);
    expect((await user.client.get("/api/me")).statusCode).toBe(401);
  });

  it("removes sent and refused e-mail rows after 30 days, never one still waiting", async () => {
    const k = h.t.db.kysely;
    await k.deleteFrom("outbox").execute();
    const now = h.clock.now().getTime();
    const iso = (ms: number) => new Date(ms).toISOString();
    const row = (id: string, at: { sentAt?: string; failedAt?: string }) => ({
      id,
      toAddress: `${id}@example.com`,
      subject: id,
      textBody: "",
      htmlBody: "",
      createdAt: iso(now - 40 * DAY),
      attempts: 1,
      nextAttemptAt: iso(now - 40 * DAY),
      sentAt: at.sentAt ?? null,
      lastError: null,
      failedAt: at.failedAt ?? null,
    });
    await k
      .insertInto("outbox")
      .values([
        row("sent-31-days-ago", { sentAt: iso(now - 31 * DAY) }),
        row("sent-29-days-ago", { sentAt: iso(now - 29 * DAY) }),
        row("refused-31-days-ago", { failedAt: iso(now - 31 * DAY) }),
        row("refused-yesterday", { failedAt: iso(now - DAY) }),
        row("waiting-since-40-days", {}),
      ])
      .execute();
    expect((await sweepExpired(deps())).outbox).toBe(2);
    const left = await k.selectFrom("outbox").select("id").orderBy("id").execute();
    expect(left.map((r) => r.id)).toEqual(["refused-yesterday", "sent-29-days-ago", "waiting-since-40-days"]);
  });

  it("sweeps started at once (several servers) remove each row once, without a deadlock", async () => {
    const users = await Promise.all(Array.from({ length: 6 }, (_, i) => h.signUp(`Parallel ${i}`)));
    for (const user of users) expect((await h.client().post("/api/auth/password-reset", { email: user.user.email })).statusCode).toBe(202);
    h.clock.advance(h.config.sessionIdleMinutes * MINUTE);
    const k = h.t.db.kysely;
    const now = h.clock.now().toISOString();
    const idleSince = new Date(h.clock.now().getTime() - h.config.sessionIdleMinutes * MINUTE).toISOString();
    const due = {
      sessions: (await k.selectFrom("sessions").select("tokenHash").where((e) => e.or([e("expiresAt", "<=", now), e("lastSeenAt", "<=", idleSince)])).execute()).length,
      passwordResets: (await k.selectFrom("passwordResets").select("tokenHash").where("expiresAt", "<=", now).execute()).length,
    };
    expect(due.sessions).toBeGreaterThanOrEqual(users.length);
    // On PostgreSQL each sweep runs on its own pooled connection, as on separate servers.
    const results = await Promise.all(Array.from({ length: 5 }, () => sweepExpired(deps())));
    const total = { sessions: 0, passwordResets: 0 };
    for (const r of results) {
      total.sessions += r.sessions;
      total.passwordResets += r.passwordResets;
    }
    expect(total).toEqual(due);
    const left = await h.t.db.kysely
      .selectFrom("sessions")
      .select("tokenHash")
      .where("userId", "in", users.map((u) => u.user.id))
      .execute();
    expect(left).toEqual([]);
  });

  it("runs in the server on a timer, logs what it removed, and stops cleanly", async () => {
    const user = await h.signUp("Timer");
    h.clock.advance(h.config.sessionIdleMinutes * MINUTE);
    const lines: { obj: object; msg?: string }[] = [];
    const log = { info: (obj: object, msg?: string) => void lines.push({ obj, msg }), error: (obj: object, msg?: string) => void lines.push({ obj, msg }) };
    const sweeper = new Sweeper(deps(), log, { firstAfterMs: 1, everyMs: 60_000 });
    sweeper.start();
    for (let waited = 0; lines.length === 0 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    await sweeper.stop();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toBe("expired rows removed");
    expect((lines[0]!.obj as { removed: { sessions: number } }).removed.sessions).toBeGreaterThanOrEqual(1);
    expect((await user.client.get("/api/me")).statusCode).toBe(401);
  });
});
