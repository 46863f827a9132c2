// Rate-limit counters shared by every server on one PostgreSQL database (issue 13), so that N
// servers behind a load balancer allow each budget once, not N times. The plan of store.ts: the
// limiter's check-and-count stays synchronous and local (no round trip on the request path), and
// once a second, off it, each server exchanges with the table limit_counters (migration 0015):
//
// 1. keys forgotten here (a successful log-in ends its account's backoff) are set to 0 there;
// 2. what was counted here since the last exchange is ADDED to each key's row (one upsert for the
//    batch, in key order so that two servers' batches cannot deadlock), and the totals come back;
// 3. the rows any server changed since the last look are read (their updated_at, the database's
//    clock, with a margin for statements committed out of order), so that a key counted only
//    elsewhere is known here too.
//
// A local entry then holds the database's total plus what was counted here after it was sent; the
// count it had when the total was read (its base) says how much of it is not yet sent. Servers thus
// agree within one exchange: a burst on several servers inside the same second can pass each of
// them up to the budget once, never for longer. The row's window is the one the first server to
// send it began; a window that has ended is restarted by the next count sent. Expired rows are
// deleted once a minute. Reading and writing fail soft: while the database is away each server
// counts on its own (as MemoryStore does) and sends what it counted when it is back.
import { sql } from "kysely";
import type { FastifyInstance } from "fastify";
import type { Clock } from "../clock.js";
import type { Db } from "../db/create-db.js";
import { MemoryStore } from "./store.js";
import type { LimitEntry, LimitStore } from "./store.js";

export const EXCHANGE_EVERY_MS = 1_000;
/** Rows changed this long before the newest one seen are read again: an upsert's clock is read before its commit. */
const CHANGES_MARGIN_MS = 2_000;
const ROWS_PER_STATEMENT = 500;
const CLEAN_EVERY_EXCHANGES = 60;

export interface SharedStoreLog {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

interface Named {
  limit: string;
  key: string;
}

interface CounterRow {
  limitName: string;
  key: string;
  windowStart: string | number;
  count: number;
  last: string | number;
  expiresAt: string | number;
  updatedAt: string | number;
}

const idOf = (limit: string, key: string) => `${limit}\u0000${key}`;
const dbNowMs = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export class SharedStore implements LimitStore {
  private readonly local = new MemoryStore();
  /** The database's total an entry last took in; its count beyond this is not yet sent. */
  private readonly base = new WeakMap<LimitEntry, number>();
  private readonly dirty = new Map<string, Named>();
  private readonly forgotten = new Map<string, Named>();
  /** Rows with updated_at from here on are read at the next exchange (the database's clock, ms). */
  private changesSince = 0;
  private exchanges = 0;
  private tail: Promise<void> = Promise.resolve();
  private busy = false;
  private failing = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: SharedStoreLog,
  ) {}

  get(limit: string, key: string): LimitEntry | undefined {
    return this.local.get(limit, key);
  }

  set(limit: string, key: string, entry: LimitEntry): void {
    this.local.set(limit, key, entry);
    this.dirty.set(idOf(limit, key), { limit, key });
  }

  delete(limit: string, key: string): void {
    this.local.delete(limit, key);
    const id = idOf(limit, key);
    this.dirty.delete(id);
    this.forgotten.set(id, { limit, key });
  }

  /** Exchanges once a second; the timer never keeps the process alive. */
  start(): void {
    this.timer ??= setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      void this.exchange().finally(() => (this.busy = false));
    }, EXCHANGE_EVERY_MS);
    this.timer.unref();
  }

  /** Stops the timer and sends what is left (the database must still be open). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.exchange();
  }

  /** One exchange after any in flight; never rejects (a failure is logged, and retried next time). */
  exchange(): Promise<void> {
    const run = this.tail.then(() => this.exchangeNow()).then(
      () => {
        if (this.failing) this.log.info({}, "rate-limit counters shared again");
        this.failing = false;
      },
      (error: unknown) => {
        if (!this.failing) this.log.warn({ err: error }, "rate-limit counters not shared: counting on this server until the database answers");
        this.failing = true;
      },
    );
    this.tail = run;
    return run;
  }

  private async exchangeNow(): Promise<void> {
    const now = this.clock.now().getTime();
    await this.sendForgotten();
    await this.sendCounts();
    await this.readChanges(now);
    this.exchanges += 1;
    if (this.exchanges % CLEAN_EVERY_EXCHANGES === 0) await this.db.kysely.deleteFrom("limitCounters").where("expiresAt", "<=", now).execute();
  }

  private async sendForgotten(): Promise<void> {
    if (this.forgotten.size === 0) return;
    const keys = [...this.forgotten.values()];
    this.forgotten.clear();
    try {
      for (const batch of batches(keys)) {
        await this.db.kysely
          .updateTable("limitCounters")
          .set({ count: 0, updatedAt: dbNowMs })
          .where((eb) => eb.or(batch.map(({ limit, key }) => eb.and([eb("limitName", "=", limit), eb("key", "=", key)]))))
          .execute();
      }
    } catch (error) {
      for (const named of keys) this.forgotten.set(idOf(named.limit, named.key), named);
      throw error;
    }
  }

  private async sendCounts(): Promise<void> {
    if (this.dirty.size === 0) return;
    const sending = [...this.dirty.values()]
      .map(({ limit, key }) => {
        const entry = this.local.get(limit, key);
        return entry && { limit, key, entry, sent: entry.count, delta: entry.count - (this.base.get(entry) ?? 0) };
      })
      .filter((item) => item !== undefined && item.delta > 0)
      .map((item) => item!)
      .sort((a, b) => (a.limit < b.limit ? -1 : a.limit > b.limit ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.dirty.clear();
    try {
      for (const batch of batches(sending)) {
        const rows = await this.db.kysely
          .insertInto("limitCounters")
          .values(
            batch.map(({ limit, key, entry, delta }) => ({
              limitName: limit,
              key,
              windowStart: entry.start,
              count: delta,
              last: entry.last,
              expiresAt: entry.expiresAt,
              updatedAt: dbNowMs,
            })),
          )
          .onConflict((oc) =>
            oc.columns(["limitName", "key"]).doUpdateSet({
              // A window that ended before this count is restarted by it; otherwise the count is added.
              count: sql`case when limit_counters.expires_at <= excluded.last then excluded.count else limit_counters.count + excluded.count end`,
              windowStart: sql`case when limit_counters.expires_at <= excluded.last then excluded.window_start else limit_counters.window_start end`,
              expiresAt: sql`case when limit_counters.expires_at <= excluded.last then excluded.expires_at else limit_counters.expires_at end`,
              last: sql`greatest(limit_counters.last, excluded.last)`,
              updatedAt: sql`excluded.updated_at`,
            }),
          )
          .returning(["limitName", "key", "windowStart", "count", "last", "expiresAt", "updatedAt"])
          .execute();
        const byId = new Map(batch.map((item) => [idOf(item.limit, item.key), item]));
        for (const row of rows) {
          const item = byId.get(idOf(row.limitName, row.key));
          // Replaced meanwhile (its window ended here, or it was forgotten): the new entry is sent next time.
          if (!item || this.local.get(item.limit, item.key) !== item.entry) continue;
          this.base.set(item.entry, item.sent); // what it had counted then is in the total now
          this.takeIn(item.entry, row);
        }
      }
    } catch (error) {
      // Not sent: their bases did not move, so the next exchange sends these counts again.
      for (const { limit, key, entry } of sending) if (this.local.get(limit, key) === entry) this.dirty.set(idOf(limit, key), { limit, key });
      throw error;
    }
  }

  private async readChanges(now: number): Promise<void> {
    const rows = await this.db.kysely
      .selectFrom("limitCounters")
      .select(["limitName", "key", "windowStart", "count", "last", "expiresAt", "updatedAt"])
      .where("updatedAt", ">=", this.changesSince)
      .where("expiresAt", ">", now)
      .execute();
    let newest = 0;
    for (const row of rows) {
      newest = Math.max(newest, Number(row.updatedAt));
      const entry = this.local.get(row.limitName, row.key);
      if (entry) {
        this.takeIn(entry, row);
        if (entry.count === 0) this.local.delete(row.limitName, row.key);
      } else if (row.count > 0) {
        const taken: LimitEntry = { start: Number(row.windowStart), count: row.count, last: Number(row.last), expiresAt: Number(row.expiresAt) };
        this.local.set(row.limitName, row.key, taken);
        this.base.set(taken, row.count);
      }
    }
    if (newest > 0) this.changesSince = Math.max(this.changesSince, newest - CHANGES_MARGIN_MS);
  }

  /** The database's total, plus what was counted here and not yet sent. */
  private takeIn(entry: LimitEntry, row: CounterRow): void {
    const unsent = entry.count - (this.base.get(entry) ?? 0);
    entry.start = Number(row.windowStart);
    entry.count = row.count + Math.max(0, unsent);
    entry.last = Math.max(entry.last, Number(row.last));
    entry.expiresAt = Number(row.expiresAt);
    this.base.set(entry, row.count);
  }
}

function* batches<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) yield items.slice(i, i + ROWS_PER_STATEMENT);
}

const sharedStores = new WeakMap<FastifyInstance, SharedStore>();

/**
 * The store of the app's limiter: shared through the database on PostgreSQL (exchanging once a
 * second until the app closes, when what is left is sent), this process's memory on SQLite.
 */
export function limitStoreFor(app: FastifyInstance, deps: { db: Db; clock: Clock }): LimitStore {
  if (deps.db.engine !== "postgres") return new MemoryStore();
  const store = new SharedStore(deps.db, deps.clock, app.log);
  store.start();
  sharedStores.set(app, store);
  app.addHook("onClose", () => store.stop());
  return store;
}

/** Runs one exchange of the app's shared counters now (tests; nothing to do on SQLite). */
export function exchangeLimits(app: FastifyInstance): Promise<void> {
  return sharedStores.get(app)?.exchange() ?? Promise.resolve();
}
