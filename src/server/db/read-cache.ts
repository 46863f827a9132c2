// The read cache: what requests repeat (the session, the API key, the membership the guard checks,
// a user's teams, /api/me, a team's Owner and count, pages of members and orders) kept in memory
// until the rows it was read from may have changed. One contract for both engines:
//
//   lookupRead(executor, key, load)   the read a request starts with (who is calling)
//   cachedRead(executor, key, load)   any later read of the request
//
// Keys are built by functions each query module declares once (readKey), typed by the value they
// name, so a call site cannot assemble a string that collides with another read or returns the
// wrong type. A key must name every input of its load.
//
// The rule the cache keeps: a change committed before a request arrived is seen by that request,
// whoever committed it (this process, the operator CLI, another server). So a removed or demoted
// member's very next request is refused, on every server. How each engine knows "may have changed":
//
// - A generation number, which moves whenever anything cached may have changed; an entry is served
//   only in the generation it was stored in (the cache empties when it moves), and a result is
//   stored only when the generation did not move while its query ran and it was not read inside a
//   transaction (which may still roll back what it sees). Requests missing the same key at once
//   share one load.
// - SQLite (one server): the generation moves on every statement this process runs that may write
//   (create-db.ts reports it before it runs), and when PRAGMA data_version moves (another
//   connection committed), which is read once per turn of the event loop: whatever a client sends
//   after a commit arrives in a later turn.
// - PostgreSQL (several servers): the database keeps a number, cache_version, that moves at the
//   commit of every transaction changing a row the cache serves from (triggers, migration 0016).
//   lookupRead first waits for a read of cache_version SENT AFTER THE CALL (the request has
//   arrived by then): one read is in flight at a time, and every request arriving meanwhile waits
//   for the next one, so under load one round trip serves all the requests that queued during the
//   last, instead of one per request. The generation moves when a read returns a newer version,
//   and when a write transaction of this process commits (create-db.ts), so a request that wrote
//   and then reads sees its own change. An entry stored under version V holds rows at least as new
//   as V (its query started after V was read), and a request is served from the generation of a
//   version at least as new as the one its own wait read: every commit that ended before it
//   arrived is in what it sees. Every cachedRead of a request comes after its lookupRead (the
//   guard and the signed-in routes run behind the session and key lookups). A process that has
//   read no version yet caches nothing.
//   No LISTEN/NOTIFY: a notification can arrive after the next request, so it could never replace
//   the version read; it would only empty a cache early that the next request empties anyway.
//   The price: write transactions on those tables queue on the one cache_version row for the last
//   moment of their commit, and any such write anywhere empties every server's cache.
//
// Anything that depends on the clock is decided by the caller on every request (a session's idle
// and absolute timeouts, a key's expiry), never cached; a session the cached row shows idle is
// read again before it is refused (another server may have seen it since: sessions.ts).
import type SqliteDatabase from "better-sqlite3";
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import type { Executor } from "./transaction.js";

/** A page of 50 members is ~10 KB (plus its serialized copy): this bounds the cache near 100 MB at worst. */
const MAX_ENTRIES = 5_000;

declare const valueType: unique symbol;
/** The key of a cached value of type T (made only by a readKey function). */
export type ReadKey<T> = string & { readonly [valueType]: T };

type KeyPart = string | number | boolean | null | undefined;
const kinds = new Set<string>();

/**
 * Declares a kind of cached read, once per module: `readKey<Team | null, [teamId: string]>("team")`
 * returns the function that builds its keys. Text reaching a query never holds U+0000 (refused at
 * the edge, plugins/input.ts), so it separates the parts; text is marked apart from numbers,
 * booleans, null and undefined ("5" is not 5).
 */
export function readKey<T, Parts extends KeyPart[]>(kind: string): (...parts: Parts) => ReadKey<T> {
  if (kinds.has(kind)) throw new Error(`Two kinds of cached read are named ${kind}.`);
  kinds.add(kind);
  return (...parts) => {
    let key = kind;
    for (const part of parts) key += typeof part === "string" ? `\u0000s${part}` : `\u0000${String(part)}`;
    return key as ReadKey<T>;
  };
}

/** What tells the cache that the database may have changed. */
interface Changes {
  /** Moves whenever anything cached may have changed; undefined: do not cache now. */
  generation(): number | undefined;
  /** Resolves once the generation reflects every commit that ended before the call. */
  caughtUp(): Promise<void> | undefined;
  /** This process wrote (SQLite: is about to; PostgreSQL: committed). */
  noteWrite(): void;
}

/** SQLite: our own writes, and PRAGMA data_version for another connection's commits. */
class SqliteChanges implements Changes {
  private readonly dataVersion: SqliteDatabase.Statement<[], number>;
  private writes = 0;
  private seenVersion = -1;
  /** data_version was read in this turn of the event loop. */
  private versionRead = false;
  private readonly forgetVersion = () => {
    this.versionRead = false;
  };

  constructor(database: SqliteDatabase.Database) {
    this.dataVersion = database.prepare<[], number>("pragma data_version").pluck();
  }

  generation(): number {
    if (!this.versionRead) {
      this.versionRead = true;
      setImmediate(this.forgetVersion);
      const version = this.dataVersion.get()!;
      if (version !== this.seenVersion) this.writes += 1;
      this.seenVersion = version;
    }
    return this.writes;
  }

  /** generation() reads data_version itself. */
  caughtUp(): undefined {
    return undefined;
  }

  noteWrite(): void {
    this.writes += 1;
  }
}

/** PostgreSQL: the newest cache_version read, and our own commits. */
class PostgresChanges implements Changes {
  private version = -1;
  private moves = 0;
  /** The version read in flight, and the one that will be sent when it has answered. */
  private current: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly readVersion: () => Promise<number>) {}

  generation(): number | undefined {
    return this.version < 0 ? undefined : this.moves;
  }

  caughtUp(): Promise<void> {
    // A read not yet sent will be sent after this call: join it. Else one in flight was sent
    // before this call, so it may miss a commit that just ended: wait for the one after it.
    if (this.next) return this.next;
    if (!this.current) return this.send();
    const send = () => {
      this.next = undefined;
      return this.send();
    };
    this.next = this.current.then(send, send);
    return this.next;
  }

  private send(): Promise<void> {
    const read: Promise<void> = this.readVersion()
      .then((version) => {
        // Reads answer in the order they were sent, one at a time; the check keeps it so anyway.
        if (version > this.version) {
          this.version = version;
          this.moves += 1;
        }
      })
      .finally(() => {
        if (this.current === read) this.current = undefined;
      });
    this.current = read;
    return read;
  }

  noteWrite(): void {
    this.moves += 1;
  }
}

export class ReadCache {
  private readonly entries = new Map<string, unknown>();
  /**
   * Loads running in the current generation: a request that misses while one runs waits for it
   * rather than starting its own (fifty connections missing at once after a change would otherwise
   * run the same page fifty times). It started after the version its generation was set by, so it
   * is as fresh as a load of the waiting request's own.
   */
  private readonly loading = new Map<string, Promise<unknown>>();
  private generation: number | undefined = undefined;

  private constructor(private readonly changes: Changes) {}

  static forSqlite(database: SqliteDatabase.Database): ReadCache {
    return new ReadCache(new SqliteChanges(database));
  }

  /** `readVersion`: cache_version, read on its own (create-db.ts). */
  static forPostgres(readVersion: () => Promise<number>): ReadCache {
    return new ReadCache(new PostgresChanges(readVersion));
  }

  /** See Changes.noteWrite: create-db.ts reports the writes it sees. */
  noteWrite(): void {
    this.changes.noteWrite();
  }

  /** The current generation, the cache emptied when it moved. */
  private sync(): number | undefined {
    const generation = this.changes.generation();
    if (generation !== this.generation) {
      this.entries.clear();
      this.loading.clear();
      this.generation = generation;
    }
    return generation;
  }

  get<T>(key: ReadKey<T>, load: () => Promise<T>): Promise<T> {
    const generation = this.sync();
    if (generation === undefined) return load();
    const hit = this.entries.get(key);
    if (hit !== undefined) return Promise.resolve(hit as T);
    const running = this.loading.get(key);
    if (running) return running as Promise<T>;
    const loaded = this.load(key, load, generation);
    this.loading.set(key, loaded);
    return loaded;
  }

  private async load<T>(key: string, load: () => Promise<T>, generation: number): Promise<T> {
    try {
      const value = share(await load());
      if (this.sync() === generation) {
        // Oldest first out: Map keeps insertion order.
        if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
        this.entries.set(key, value);
      }
      return value;
    } finally {
      if (this.generation === generation) this.loading.delete(key);
    }
  }

  lookup<T>(key: ReadKey<T>, load: () => Promise<T>): Promise<T> {
    const waiting = this.changes.caughtUp();
    return waiting ? waiting.then(() => this.get(key, load)) : this.get(key, load);
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

const caches = new WeakMap<Kysely<Database>, ReadCache>();

export function attachReadCache(kysely: Kysely<Database>, cache: ReadCache): void {
  caches.set(kysely, cache);
}

function cacheOf(executor: Executor): ReadCache | undefined {
  return executor.isTransaction ? undefined : caches.get(executor);
}

/**
 * `load()`'s result for `key`, from the cache when the executor has one (the database handle, not
 * a transaction) and nothing it was read from may have changed since.
 */
export function cachedRead<T>(executor: Executor, key: ReadKey<T>, load: () => Promise<T>): Promise<T> {
  const cache = cacheOf(executor);
  return cache ? cache.get(key, load) : load();
}

/**
 * The read that finds who is calling (a session, an API key), which every request makes before any
 * cachedRead: on PostgreSQL it first waits for a cache_version read sent after it was called.
 */
export function lookupRead<T>(executor: Executor, key: ReadKey<T>, load: () => Promise<T>): Promise<T> {
  const cache = cacheOf(executor);
  return cache ? cache.lookup(key, load) : load();
}
