// SECURITY 29 (and 3): a password reset answers alike, in time too, for known and unknown e-mails.
// The route answers 202 and only then looks the account up and queues the e-mail, as background work
// the app tracks. Proved two ways: structurally (with the lookup held back at a gate, the 202 still
// arrives, so the answer cannot depend on it), and by timing many requests of each kind.
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { BackgroundWork, backgroundIdle } from "../src/server/background.js";
import { createTestApp, uniqueEmail } from "./helpers/app.js";
import type { SignedIn, TestApp } from "./helpers/app.js";
import { ENGINES } from "./helpers/engines.js";

/** Holds requestPasswordReset back until opened; counts how often it started and finished. */
const gate = vi.hoisted(() => {
  let release: (() => void) | undefined;
  let closed: Promise<void> | undefined;
  return {
    started: 0,
    finished: 0,
    close() {
      closed = new Promise((resolve) => (release = resolve));
    },
    open() {
      release?.();
      closed = undefined;
    },
    passed(): Promise<void> {
      return closed ?? Promise.resolve();
    },
  };
});

vi.mock("../src/server/commands/password-reset.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/server/commands/password-reset.js")>();
  return {
    ...real,
    requestPasswordReset: async (...args: Parameters<typeof real.requestPasswordReset>) => {
      gate.started += 1;
      await gate.passed();
      try {
        return await real.requestPasswordReset(...args);
      } finally {
        gate.finished += 1;
      }
    },
  };
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe.each(ENGINES)("password reset timing on %s", (engine) => {
  let h: TestApp;
  let known: SignedIn;
  beforeAll(async () => {
    h = await createTestApp(engine);
    known = await h.signUp("Reset Timing");
  });
  afterAll(() => h.close());

  const reset = (app: TestApp, email: string) =>
    app.app.inject({ method: "POST", url: "/api/auth/password-reset", headers: { "content-type": "application/json" }, payload: JSON.stringify({ email }) });

  async function rows(app: TestApp, email: string, userId: string) {
    const k = app.t.db.kysely;
    const outbox = await k.selectFrom("outbox").select("id").where("toAddress", "=", email).execute();
    const resets = await k.selectFrom("passwordResets").select("tokenHash").where("userId", "=", userId).execute();
    return { outbox: outbox.length, resets: resets.length };
  }

  // A handler that awaited the lookup would never answer while the gate is closed: this test then
  // fails by its timeout.
  it("answers 202 before the account is looked up: with the lookup held back, the answer still arrives", { timeout: 10_000 }, async () => {
    const before = await rows(h, known.user.email, known.user.id);
    const startedBefore = gate.started;
    const finishedBefore = gate.finished;
    gate.close();
    onTestFinished(() => gate.open());
    const answer = await reset(h, known.user.email);
    const unknownAnswer = await reset(h, uniqueEmail("Nobody Here"));
    expect(answer.statusCode).toBe(202);
    expect([unknownAnswer.statusCode, unknownAnswer.body]).toEqual([202, answer.body]);
    // Nothing of the reset has happened yet: no lookup finished, no link stored, no e-mail queued.
    expect(gate.finished).toBe(finishedBefore);
    expect(await rows(h, known.user.email, known.user.id)).toEqual(before);
    gate.open();
    await backgroundIdle(h.app);
    expect(gate.started - startedBefore).toBe(2);
    expect(gate.finished - finishedBefore).toBe(2);
    expect(await rows(h, known.user.email, known.user.id)).toEqual({ outbox: before.outbox + 1, resets: before.resets + 1 });
    expect((await h.lastEmailTo(known.user.email))?.text).toContain("http://certdesk.test/reset-password/");
  });

  it("a refused request (429, 400) starts no background work", async () => {
    const limited = await createTestApp(engine, { RATE_LIMIT_SCALE: "0.1" }); // 1 reset an hour per address
    try {
      const started = gate.started;
      expect((await reset(limited, "first@example.com")).statusCode).toBe(202);
      expect((await reset(limited, "second@example.com")).statusCode).toBe(429);
      const bad = await limited.app.inject({ method: "POST", url: "/api/auth/password-reset", headers: { "content-type": "application/json" }, payload: "{}" });
      expect(bad.statusCode).toBe(429); // the address's budget is spent before the body is even read
      await backgroundIdle(limited.app);
      expect(gate.started - started).toBe(1);
    } finally {
      await limited.close();
    }
  });

  it("app.close() waits for the background work still running", { timeout: 10_000 }, async () => {
    const other = await createTestApp(engine);
    const user = await other.signUp("Closing Time");
    gate.close();
    onTestFinished(() => gate.open());
    const finished = gate.finished;
    let closed = false;
    try {
      expect((await reset(other, user.user.email)).statusCode).toBe(202);
      const closing = other.app.close().then(() => (closed = true));
      // Let the event loop run: a close() that did not wait would be done well within these turns.
      for (let i = 0; i < 50; i++) await new Promise(setImmediate);
      expect(closed).toBe(false);
      gate.open();
      await closing;
      expect(gate.finished).toBe(finished + 1);
      expect((await rows(other, user.user.email, user.user.id)).outbox).toBe(1);
    } finally {
      gate.open();
      await other.close();
    }
  });

  it("takes as long for a known e-mail as for an unknown one (medians of many requests)", async () => {
    const unknown = () => uniqueEmail("Nobody Timed");
    const timed = async (email: string) => {
      const start = performance.now();
      const answer = await reset(h, email);
      const elapsed = performance.now() - start;
      expect(answer.statusCode).toBe(202);
      // Outside the measurement: the previous request's work must not slow the next one down.
      await backgroundIdle(h.app);
      return elapsed;
    };
    for (let i = 0; i < 10; i++) {
      await timed(known.user.email);
      await timed(unknown());
    }
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < 60; i++) {
      // Alternating, so that a slow moment of the machine hits both kinds alike.
      knownTimes.push(await timed(known.user.email));
      unknownTimes.push(await timed(unknown()));
    }
    const [k, u] = [median(knownTimes), median(unknownTimes)];
    expect(k, `known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms`).toBeLessThanOrEqual(1.5 * u + 1);
    expect(u, `known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms`).toBeLessThanOrEqual(1.5 * k + 1);
  });
});

describe("background work", () => {
  it("logs a failed job with its name instead of leaving a rejection unhandled, and keeps going", async () => {
    const errors: unknown[][] = [];
    const log = { error: (...args: unknown[]) => errors.push(args) } as unknown as Parameters<BackgroundWork["run"]>[1];
    const work = new BackgroundWork();
    let ran = false;
    work.run("failing job", log, async () => {
      throw new Error("the database went away");
    });
    work.run("fine job", log, async () => {
      ran = true;
    });
    await work.idle();
    expect(ran).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]![0]).toMatchObject({ job: "failing job", err: { message: "the database went away" } });
  });

  it("idle() also waits for work started while it waited", async () => {
    const work = new BackgroundWork();
    const log = { error: () => undefined } as unknown as Parameters<BackgroundWork["run"]>[1];
    const order: string[] = [];
    work.run("first", log, async () => {
      order.push("first");
      work.run("second", log, async () => void order.push("second"));
    });
    await work.idle();
    expect(order).toEqual(["first", "second"]);
  });
});
