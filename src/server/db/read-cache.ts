// The reads requests repeat (the session, the membership the guard checks, a user's teams, /api/me,
// pages of members and orders) kept in memory until the database changes, on SQLite only.
//
// "Changes" is exact, not a timeout: every statement that may write through this process counts
// (create-db.ts reports it before it runs), and a commit by any other connection (the operator
// CLI, a second process) moves SQLite's PRAGMA data_version, which exists for this purpose and is
// read once per turn of the event loop. Any change empties the whole cache, so an entry never
// outlives the rows it was read from: a removed member or an ended session loses access on the
// next request, as without the cache. Anything that depends on the clock is decided by the caller
// on every request (the session's idle and absolute timeouts), never cached.
//
// A result is stored only when nothing changed while its query ran, and only when read outside a
// transaction (a transaction may still roll back what it sees). PostgreSQL has no cache: several
// servers share it and none would see the others' writes.
import type SqliteDatabase from "better-sqlite3";
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import type { Executor } from "./transaction.js";

/** A page of 50 members is ~10 KB (plus its serialized copy): this bounds the cache near 100 MB at worst. */
const MAX_ENTRIES = 5_000;

export class ReadCache {
  private readonly entries = new Map<string, unknown>();
  private readonly dataVersion: SqliteDatabase.Statement<[], number>;
  private writes = 0;
  private seenWrites = 0;
  private seenVersion = -1;
  private epoch = 0;
  /** data_version was read in this turn of the event loop (see sync). */
  private versionRead = false;
  private readonly forgetVersion = () => {
    this.versionRead = false;
  };

  constructor(database: SqliteDatabase.Database) {
    this.dataVersion = database.prepare<[], number>("pragma data_version").pluck();
  }

  /** A statement that may write is about to run on this connection. */
  noteWrite(): void {
    this.writes += 1;
  }

  /**
   * The current epoch; a new one (and an empty cache) when anything was written since the last call.
   * Our own writes are counted as they happen. Another connection's commit is looked for once per
   * turn of the event loop: whatever a client sends after that commit ended arrives in a later turn.
   */
  private sync(): number {
    if (!this.versionRead) {
      this.versionRead = true;
      setImmediate(this.forgetVersion);
      const version = this.dataVersion.get()!;
      if (version !== this.seenVersion) this.writes += 1;
      this.seenVersion = version;
    }
    if (this.writes !== this.seenWrites) {
      this.entries.clear();
      this.seenWrites = this.writes;
      this.epoch += 1;
    }
    return this.epoch;
  }

  async read<T>(key: string, load: () => Promise<T>): Promise<T> {
    const epoch = this.sync();
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit as T;
    const value = share(await load());
    if (this.sync() === epoch) {
      // Oldest first out: Map keeps insertion order.
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, value);
    }
    return value;
  }
}

const shared = new WeakSet<object>();

/** True for a value the cache hands out: deeply frozen, the same object until the database changes. */
export function isShared(value: object): boolean {
  return shared.has(value);
}

/** Shared between requests, so nobody may change what they were given. */
function share<T>(value: T): T {
  if (value && typeof value === "object") shared.add(deepFreeze(value));
  return value;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * A key from the inputs of a read. Text reaching a query never holds U+0000 (refused at the edge,
 * plugins/input.ts), so it separates the parts; text is marked apart from numbers, booleans, null
 * and undefined ("5" is not 5).
 */
export function cacheKey(...parts: (string | number | boolean | null | undefined)[]): string {
  let key = "";
  for (const part of parts) key += typeof part === "string" ? `\u0000s${part}` : `\u0000${String(part)}`;
  return key;
}

const caches = new WeakMap<Kysely<Database>, ReadCache>();

export function attachReadCache(kysely: Kysely<Database>, cache: ReadCache): void {
  caches.set(kysely, cache);
}

/**
 * `load()`'s result for `key`, from the cache when the executor has one (the SQLite handle, not a
 * transaction) and nothing was written since it was read. The key must name every input of `load`.
 */
export function cachedRead<T>(executor: Executor, key: string, load: () => Promise<T>): Promise<T> {
  const cache = executor.isTransaction ? undefined : caches.get(executor);
  return cache ? cache.read(key, load) : load();
}
