// Where the limiter keeps its counters. The interface is synchronous on purpose: a limit is checked
// on the hot path of every request (the per-minute budget runs in a callback hook; an await there
// was measured as too costly), so check-and-count must not wait for a network round trip.
//
// Two stores: this process's memory (SQLite: one server), and on PostgreSQL a write-behind cache
// shared by every server (shared-store.ts): it answers from its local entries as this one does and,
// off the request path, adds its local increments to a counters table and reads the totals back,
// so that the servers converge within an exchange (a second); without it N servers would allow up
// to N times each budget. limitStoreFor() there picks one.

/** One key's counter under one limit: a fixed window from `start`, or failures since `start`. */
export interface LimitEntry {
  /** When the window (or the run of failures) began, ms since the epoch. */
  start: number;
  /** Events counted in it. */
  count: number;
  /** When the last one was counted. */
  last: number;
  /** After this the entry counts as gone and may be dropped. */
  expiresAt: number;
}

export interface LimitStore {
  /** The entry of `key` under `limit`, expired or not (the limiter decides), or undefined. */
  get(limit: string, key: string): LimitEntry | undefined;
  set(limit: string, key: string, entry: LimitEntry): void;
  delete(limit: string, key: string): void;
}

/**
 * Counters in this process's memory, one map per limit. Bounded: past `maxKeysPerLimit` keys of one
 * limit, the expired ones go; if that is not enough, the oldest (an attacker spraying keys must not
 * grow the heap without end, nor wipe everyone's counters as clearing the map would).
 */
export class MemoryStore implements LimitStore {
  private readonly limits = new Map<string, Map<string, LimitEntry>>();

  constructor(private readonly maxKeysPerLimit = 100_000) {}

  get(limit: string, key: string): LimitEntry | undefined {
    return this.limits.get(limit)?.get(key);
  }

  set(limit: string, key: string, entry: LimitEntry): void {
    let entries = this.limits.get(limit);
    if (!entries) {
      entries = new Map();
      this.limits.set(limit, entries);
    }
    entries.set(key, entry);
    if (entries.size > this.maxKeysPerLimit) this.shrink(entries, entry.last);
  }

  delete(limit: string, key: string): void {
    this.limits.get(limit)?.delete(key);
  }

  /** Keys held under one limit (tests check the bound). */
  size(limit: string): number {
    return this.limits.get(limit)?.size ?? 0;
  }

  private shrink(entries: Map<string, LimitEntry>, now: number): void {
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
    const target = Math.floor(this.maxKeysPerLimit * 0.9);
    for (const key of entries.keys()) {
      if (entries.size <= target) break;
      entries.delete(key);
    }
  }
}
