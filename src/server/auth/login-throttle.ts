// Failed log-ins, throttled per account and per client address.
// Per account the wait grows 1 s, 2 s, 4 s … up to 60 s after the 5th failure in 15 minutes: it
// slows guessing to a crawl, yet an attacker can never lock the real user out for more than a minute.
// Per address, 100 failures in 15 minutes (× RATE_LIMIT_SCALE) block that address for the window.
import type { Clock } from "../clock.js";
import { MINUTE } from "../clock.js";
import { AppError } from "../errors.js";

const WINDOW_MS = 15 * MINUTE;
const FREE_ACCOUNT_FAILURES = 5;
const MAX_ACCOUNT_WAIT_MS = 60_000;
const ADDRESS_FAILURES = 100;

interface Failures {
  count: number;
  first: number;
  last: number;
}

export class LoginThrottle {
  private readonly accounts = new Map<string, Failures>();
  private readonly addresses = new Map<string, Failures>();

  constructor(
    private readonly clock: Clock,
    private readonly addressScale = 1,
  ) {}

  /** Throws 429 rate_limited while this account or address must wait. */
  check(email: string, address: string): void {
    const now = this.clock.now().getTime();
    const account = this.current(this.accounts, email, now);
    if (account && account.count >= FREE_ACCOUNT_FAILURES) {
      const wait = Math.min(MAX_ACCOUNT_WAIT_MS, 1000 * 2 ** (account.count - FREE_ACCOUNT_FAILURES));
      const until = account.last + wait;
      if (now < until) throw limited(until - now, "Too many failed log-ins for this account.");
    }
    const byAddress = this.current(this.addresses, address, now);
    if (byAddress && byAddress.count >= ADDRESS_FAILURES * this.addressScale) {
      throw limited(byAddress.first + WINDOW_MS - now, "Too many failed log-ins from this address.");
    }
  }

  fail(email: string, address: string): void {
    const now = this.clock.now().getTime();
    for (const [map, key] of [[this.accounts, email], [this.addresses, address]] as const) {
      const entry = this.current(map, key, now) ?? { count: 0, first: now, last: now };
      entry.count += 1;
      entry.last = now;
      map.set(key, entry);
    }
    if (this.accounts.size + this.addresses.size > 100_000) this.sweep(now);
  }

  succeed(email: string): void {
    this.accounts.delete(email);
  }

  private current(map: Map<string, Failures>, key: string, now: number): Failures | undefined {
    const entry = map.get(key);
    if (entry && now - entry.first >= WINDOW_MS) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(now: number): void {
    for (const map of [this.accounts, this.addresses]) {
      for (const [key, entry] of map) if (now - entry.first >= WINDOW_MS) map.delete(key);
    }
  }
}

function limited(ms: number, detail: string): AppError {
  return new AppError("rate_limited", detail, { retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) });
}
