// Sends what the outbox holds, after the transactions that queued it have committed.
//
// At least once, and once in practice: a row is CLAIMED by one conditional UPDATE
// before it is sent (several servers may poll the same PostgreSQL database; only one
// wins each row), marked sent after the transport accepts it, and on failure retried
// with exponential backoff and jitter. A process that dies while holding a claim
// loses nothing: the claim is a lease that runs out, and the row is due again. Two servers'
// dispatchers walking the same due rows thus share them, each row sent by one
// (test/background-on-every-server.test.ts: 60 e-mails, 30 each, none twice).
// Once sent, a row keeps its recipient, subject and times, but not its bodies.
// The bodies are stored sealed (outbox.ts) and opened only here, just before sending.
import { sql } from "kysely";
import type { Clock } from "../clock.js";
import type { Db } from "../db/create-db.js";
import type { Sealer } from "../sealer.js";
import { openEmail } from "./outbox.js";
import type { OutgoingEmail } from "./outbox.js";
import type { MailTransport } from "./transport.js";

/** The part of a pino logger the dispatcher uses. */
export interface DispatcherLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface OutboxDispatcherOptions {
  db: Db;
  clock: Clock;
  transport: MailTransport;
  /** Opens the sealed bodies: the master key's sealer. */
  sealer: Sealer;
  log?: DispatcherLog;
  /** How often the timer looks for due e-mail (ms). Default 2000. */
  pollIntervalMs?: number;
  /** The first retry's delay (ms); doubled on each failure. Default 1000. */
  baseDelayMs?: number;
  /** The longest delay between two attempts (ms). Default 15 minutes. */
  maxDelayMs?: number;
  /** Rows read per query. Default 50. */
  batchSize?: number;
  /** How long a claim keeps other dispatchers off a row while it is being sent (ms). Default 2 minutes. */
  leaseMs?: number;
}

const silentLog: DispatcherLog = { info() {}, warn() {}, error() {} };

/** Failures in a row from which every further failure is logged as an error, not a warning. */
const ALARM_AFTER_ATTEMPTS = 8;

export class OutboxDispatcher {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly transport: MailTransport;
  private readonly sealer: Sealer;
  private readonly log: DispatcherLog;
  private readonly pollIntervalMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;

  /** Passes run one after another: each new one is chained behind this promise. */
  private tail: Promise<unknown> = Promise.resolve();
  private started = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  /** A pass asked for by wake() is scheduled or queued and has not yet read the outbox. */
  private wakePending = false;

  constructor(options: OutboxDispatcherOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.transport = options.transport;
    this.sealer = options.sealer;
    this.log = options.log ?? silentLog;
    this.pollIntervalMs = positive(options.pollIntervalMs, 2000, "pollIntervalMs");
    this.baseDelayMs = positive(options.baseDelayMs, 1000, "baseDelayMs");
    this.maxDelayMs = positive(options.maxDelayMs, 15 * 60_000, "maxDelayMs");
    this.batchSize = positive(options.batchSize, 50, "batchSize");
    this.leaseMs = positive(options.leaseMs, 2 * 60_000, "leaseMs");
  }

  /** Starts polling: a first pass now, then one every pollIntervalMs. The timer never keeps the process alive. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule(0);
  }

  /**
   * Asks for a pass soon, e.g. right after a transaction that queued e-mail commits.
   * Calls made before that pass reads the outbox share it. Does nothing unless started.
   */
  wake(): void {
    if (!this.started || this.stopped || this.wakePending) return;
    this.wakePending = true;
    this.schedule(0);
  }

  /**
   * Sends everything due now, one pass after another until none is left; resolves
   * with the number of e-mails sent. Runs after any pass already in flight. Rows
   * that fail are rescheduled, not retried within the same drain.
   */
  drain(): Promise<number> {
    return this.exclusive(() => this.sendDue());
  }

  /** Stops the timer and waits for the pass in flight, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.tail.catch(() => {});
  }

  /** (Re)sets the one timer: the next timer-driven pass runs after delayMs. */
  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // tick() catches everything; this catch is for a logger that throws.
      this.exclusive(() => this.tick()).catch(() => {});
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<number> {
    this.wakePending = false;
    if (this.stopped) return 0;
    try {
      return await this.sendDue();
    } catch (error) {
      this.log.error({ err: describeError(error) }, "outbox pass failed");
      return 0;
    } finally {
      // A wake() during this pass has already set the timer for the next one.
      if (!this.stopped && !this.timer) this.schedule(this.pollIntervalMs);
    }
  }

  /** Runs work after every pass already queued; a failure does not break the chain. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => {});
    return result;
  }

  private async sendDue(): Promise<number> {
    // Only rows due when the drain began: a row rescheduled by a failure is not
    // retried in the same drain, so a drain ends even while SMTP is down.
    const cutoff = this.clock.now().toISOString();
    let sent = 0;
    for (;;) {
      const rows = await this.db.kysely
        .selectFrom("outbox")
        .select(["id", "attempts", "nextAttemptAt"])
        .where("sentAt", "is", null)
        .where("nextAttemptAt", "<=", cutoff)
        .where("failedAt", "is", null)
        // Both columns of outbox_due_idx (sent_at, next_attempt_at), in its order:
        // the oldest due rows come straight off the index, without a sort.
        .orderBy("sentAt")
        .orderBy("nextAttemptAt")
        .limit(this.batchSize)
        .execute();
      for (const row of rows) {
        if (await this.sendOne(row)) sent += 1;
      }
      // Every row read is now claimed, sent or rescheduled (here or by another
      // dispatcher), so a full batch means there may be more, never the same again.
      if (rows.length < this.batchSize) return sent;
    }
  }

  /** Claims one row, sends it and records the outcome; false when another dispatcher had it or sending failed. */
  private async sendOne(row: { id: string; attempts: number; nextAttemptAt: string }): Promise<boolean> {
    const claimedAt = this.clock.now();
    const leaseUntil = new Date(claimedAt.getTime() + this.leaseMs).toISOString();
    // The claim and the read of the message are one statement: what is sent is
    // exactly what was claimed, never a row another dispatcher has since sent.
    const stored = await this.db.kysely
      .updateTable("outbox")
      .set({ nextAttemptAt: leaseUntil })
      .where("id", "=", row.id)
      .where("sentAt", "is", null)
      .where("nextAttemptAt", "=", row.nextAttemptAt)
      .returning(["id", "toAddress", "subject", "textBody", "htmlBody"])
      .executeTakeFirst();
    if (!stored) return false; // another dispatcher claimed it first

    const attempts = Number(row.attempts);
    let email: OutgoingEmail;
    try {
      email = openEmail(this.sealer, stored);
    } catch (error) {
      // Another master key, or a row altered in the database (e.g. readdressed): retrying cannot help.
      await this.failForGood(row.id, leaseUntil, `not sent: ${describeError(error)}`);
      this.log.error({ outboxId: row.id, err: describeError(error) }, "e-mail body does not open with this master key; not sent");
      return false;
    }
    try {
      await this.transport.send(email, { id: row.id });
    } catch (error) {
      if (isPermanentRefusal(error)) {
        const lastError = describeError(error);
        await this.failForGood(row.id, leaseUntil, lastError);
        this.log.error({ outboxId: row.id, attempts: attempts + 1, err: lastError }, "e-mail refused for good; not retried");
        return false;
      }
      const delayMs = this.retryDelay(attempts);
      const nextAttemptAt = new Date(this.clock.now().getTime() + delayMs).toISOString();
      const lastError = describeError(error);
      await this.db.kysely
        .updateTable("outbox")
        .set({ attempts: sql<number>`attempts + 1`, lastError, nextAttemptAt })
        .where("id", "=", row.id)
        .where("sentAt", "is", null)
        // Only while the claim is still ours: past the lease, another dispatcher owns the row.
        .where("nextAttemptAt", "=", leaseUntil)
        .execute();
      const level = attempts + 1 >= ALARM_AFTER_ATTEMPTS ? "error" : "warn";
      this.log[level]({ outboxId: row.id, attempts: attempts + 1, nextAttemptAt, err: lastError }, "e-mail not sent; will retry");
      return false;
    }

    await this.db.kysely
      .updateTable("outbox")
      // The bodies go: they hold one-time links whose tokens the database otherwise
      // keeps only as hashes (SECURITY.md 14: a copy of the database accepts nothing).
      // lastError stays: a sent row that had failed before tells the operator why it was late.
      .set({ sentAt: this.clock.now().toISOString(), textBody: "", htmlBody: "" })
      .where("id", "=", row.id)
      .where("sentAt", "is", null)
      .execute();
    this.log.info({ outboxId: row.id, attempts: attempts + 1 }, "e-mail sent");
    return true;
  }

  /** Marks a claimed row failed, never retried; as after sending, its bodies go. */
  private async failForGood(id: string, leaseUntil: string, lastError: string): Promise<void> {
    await this.db.kysely
      .updateTable("outbox")
      // The bodies hold one-time links that nothing will deliver now.
      .set({ attempts: sql<number>`attempts + 1`, lastError, failedAt: this.clock.now().toISOString(), textBody: "", htmlBody: "" })
      .where("id", "=", id)
      .where("sentAt", "is", null)
      .where("nextAttemptAt", "=", leaseUntil)
      .execute();
  }

  /** base · 2^attempts, at most maxDelay, then between half and all of it ("equal jitter"). */
  private retryDelay(previousAttempts: number): number {
    const exponential = this.baseDelayMs * 2 ** Math.min(previousAttempts, 52);
    const capped = Math.min(this.maxDelayMs, exponential);
    return Math.max(1, Math.round(capped / 2 + Math.random() * (capped / 2)));
  }
}

/** SMTP 5xx replies are permanent (RFC 5321 4.2.1); 4xx, timeouts and refused connections are not. */
function isPermanentRefusal(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === "number" && code >= 500 && code < 600;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`OutboxDispatcher: ${name} must be a positive number`);
  return value;
}

/**
 * A short, single-line account of a failure for the outbox row and the log:
 * the error's code and first line, with anything that looks like a URL's
 * credentials or a token removed and the length bounded. Never the message body.
 */
export function describeError(error: unknown): string {
  const e = error as { code?: unknown; responseCode?: unknown; message?: unknown } | null;
  const firstLine = String(e && typeof e === "object" && "message" in e ? e.message : error).split(/\r?\n/)[0] ?? "";
  const code = e && typeof e === "object" && typeof e.code === "string" ? `${e.code}: ` : "";
  const cleaned = (code + firstLine)
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, "$1") // scheme://user:password@host → scheme://host
    .replace(/[A-Za-z0-9_-]{40,}/g, "[redacted]"); // 32-byte tokens are 43 base64url characters
  return cleaned.length > 300 ? `${cleaned.slice(0, 297)}...` : cleaned;
}
