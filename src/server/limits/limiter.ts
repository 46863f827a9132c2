// The one rate-limit mechanism: named limits (definitions.ts) counted per key in a LimitStore.
// Check-and-count is one synchronous step, so no two requests can both take the last unit, and a
// refusal is returned as a value where the caller is a callback hook (throwing there was measured
// as the largest cost of a refused request). A refusal is AppError rate_limited with the seconds
// to wait, which the error plugin sends as Retry-After.
import type { Clock } from "../clock.js";
import { canonicalEmailOrNull } from "../auth/email.js";
import { AppError } from "../errors.js";
import { clientKey } from "./client-key.js";
import { LIMITS } from "./definitions.js";
import type { FailureLimitName, KeyKind, LimitName, LimitRule, WindowLimitName } from "./definitions.js";
import { MemoryStore } from "./store.js";
import type { LimitEntry, LimitStore } from "./store.js";

/** One limit and the raw value to key it by (an address, an e-mail, an id). */
export type Hit<N extends LimitName = LimitName> = readonly [name: N, raw: string];

const keyOf: Record<KeyKind, (raw: string) => string> = {
  clientAddress: clientKey,
  accountEmail: foldEmail,
  recipient: foldEmail,
  inviter: (raw) => raw,
  user: (raw) => raw,
  team: (raw) => raw,
  invitation: (raw) => raw,
  apiKey: (raw) => raw,
  acmeAccount: (raw) => raw,
  acmeCredential: (raw) => raw,
};

/** The stored spelling of an address (A-label domain), so every spelling of one address counts once. */
function foldEmail(raw: string): string {
  return canonicalEmailOrNull(raw) ?? raw.trim().normalize("NFC").toLowerCase();
}

interface Resolved {
  name: string;
  rule: LimitRule;
  /** max after RATE_LIMIT_SCALE, at least 1. */
  max: number;
  key: (raw: string) => string;
}

export class Limiter {
  private readonly rules = new Map<string, Resolved>();

  constructor(
    private readonly clock: Clock,
    scale: number,
    private readonly store: LimitStore = new MemoryStore(),
    table: Record<string, LimitRule> = LIMITS,
  ) {
    for (const [name, rule] of Object.entries(table)) {
      const max = rule.rule === "backoff" ? rule.free : rule.scaled ? Math.max(1, Math.ceil(rule.max * scale)) : rule.max;
      this.rules.set(name, { name, rule, max, key: keyOf[rule.key] });
    }
  }

  /** Whether a limit of this name exists (the start-up check of declared limits asks). */
  has(name: string): boolean {
    return this.rules.has(name);
  }

  /** The limit as resolved for this server (max after scaling). */
  describe(name: LimitName): { rule: LimitRule; max: number } {
    const { rule, max } = this.resolved(name);
    return { rule, max };
  }

  /** One attempt under one "window" limit: counted unless refused; the refusal is returned. */
  attempt(name: WindowLimitName, raw: string): AppError | undefined {
    const limit = this.resolved(name);
    const now = this.clock.now().getTime();
    const key = limit.key(raw);
    const entry = this.live(limit, key, now);
    if (entry && entry.count >= limit.max) return refusal(limit, entry.start + limit.rule.windowMs - now);
    this.count(limit, key, entry, now);
    return undefined;
  }

  /** Several "window" limits at once: all are counted, or (when one refuses) none. */
  refusalOf(...hits: Hit<WindowLimitName>[]): AppError | undefined {
    if (hits.length === 1) return this.attempt(hits[0]![0], hits[0]![1]);
    const now = this.clock.now().getTime();
    const found = hits.map(([name, raw]) => {
      const limit = this.resolved(name);
      const key = limit.key(raw);
      return { limit, key, entry: this.live(limit, key, now) };
    });
    for (const { limit, entry } of found) {
      if (entry && entry.count >= limit.max) return refusal(limit, entry.start + limit.rule.windowMs - now);
    }
    for (const { limit, key, entry } of found) this.count(limit, key, entry, now);
    return undefined;
  }

  /** refusalOf, thrown: for handlers and commands. */
  take(...hits: Hit<WindowLimitName>[]): void {
    const refused = this.refusalOf(...hits);
    if (refused) throw refused;
  }

  /** Whether "failures"/"backoff" limits let an attempt through now; counts nothing. */
  blocked(...hits: Hit<FailureLimitName>[]): AppError | undefined {
    const now = this.clock.now().getTime();
    for (const [name, raw] of hits) {
      const limit = this.resolved(name);
      const entry = this.live(limit, limit.key(raw), now);
      if (!entry || entry.count < limit.max) continue;
      const { rule } = limit;
      if (rule.rule === "backoff") {
        const until = entry.last + Math.min(rule.maxWaitMs, rule.firstWaitMs * 2 ** (entry.count - rule.free));
        if (now < until) return refusal(limit, until - now);
      } else {
        return refusal(limit, entry.start + rule.windowMs - now);
      }
    }
    return undefined;
  }

  /** Reports a failed attempt to "failures"/"backoff" limits. */
  fail(...hits: Hit<FailureLimitName>[]): void {
    const now = this.clock.now().getTime();
    for (const [name, raw] of hits) {
      const limit = this.resolved(name);
      const key = limit.key(raw);
      this.count(limit, key, this.live(limit, key, now), now);
    }
  }

  /** Forgets a key's count (a successful log-in ends its account's backoff). */
  forget(...hits: Hit[]): void {
    for (const [name, raw] of hits) {
      const limit = this.resolved(name);
      this.store.delete(limit.name, limit.key(raw));
    }
  }

  private resolved(name: string): Resolved {
    const limit = this.rules.get(name);
    if (!limit) throw new Error(`No rate limit named ${name}.`);
    return limit;
  }

  private live(limit: Resolved, key: string, now: number): LimitEntry | undefined {
    const entry = this.store.get(limit.name, key);
    return entry && now < entry.expiresAt ? entry : undefined;
  }

  private count(limit: Resolved, key: string, entry: LimitEntry | undefined, now: number): void {
    if (entry) {
      entry.count += 1;
      entry.last = now;
      this.store.set(limit.name, key, entry);
    } else {
      this.store.set(limit.name, key, { start: now, count: 1, last: now, expiresAt: now + limit.rule.windowMs });
    }
  }
}

function refusal(limit: Resolved, waitMs: number): AppError {
  return new AppError("rate_limited", limit.rule.detail, { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) });
}
