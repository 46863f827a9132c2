// Replay nonces (RFC 8555 §6.5). Each is 16 random bytes, good for one request within NONCE_TTL.
// They are kept in the database, not in a server's memory, so that a nonce one server gave is
// accepted by any other behind the same load balancer; only their SHA-256 is stored (a copy of the
// database cannot replay anything). Using one deletes it, in the same statement that checks it:
// two requests racing with one nonce cannot both succeed.
import { randomBytes } from "node:crypto";
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import type { Db } from "../db/create-db.js";
import { hashToken } from "../secrets.js";

export const NONCE_TTL = 60 * MINUTE;
/** Expired nonces are deleted every this many issued ones (one indexed range delete). */
const PURGE_EVERY = 200;

export class NonceStore {
  private issued = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async issue(): Promise<string> {
    const nonce = randomBytes(16).toString("base64url");
    const now = this.clock.now().getTime();
    await this.db.kysely
      .insertInto("acmeNonces")
      .values({ nonceHash: hashToken(nonce), expiresAt: new Date(now + NONCE_TTL).toISOString() })
      .execute();
    this.issued += 1;
    if (this.issued % PURGE_EVERY === 0) {
      await this.db.kysely.deleteFrom("acmeNonces").where("expiresAt", "<=", new Date(now).toISOString()).execute();
    }
    return nonce;
  }

  /** Whether `nonce` was issued, is unexpired and unused; it is used up either way. */
  async consume(nonce: string): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(nonce)) return false;
    const row = await this.db.kysely
      .deleteFrom("acmeNonces")
      .where("nonceHash", "=", hashToken(nonce))
      .returning("expiresAt")
      .executeTakeFirst();
    return row !== undefined && new Date(row.expiresAt) > this.clock.now();
  }
}
