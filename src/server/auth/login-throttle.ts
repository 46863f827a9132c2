// Failed log-ins, throttled per account and per client address (SECURITY 2), as two limits of the
// one rate-limit mechanism (limits/definitions.ts):
// - failedLogInsPerAccount, a backoff: after the 5th failure in 15 minutes each attempt waits 1 s,
//   2 s, 4 s … up to 60 s after the last failure. It slows guessing to a crawl, yet an attacker can
//   never lock the real user out for more than a minute; never scaled.
// - failedLogInsPerAddress: 100 failures in 15 minutes (× RATE_LIMIT_SCALE) block that address
//   (an IPv6 one by its /64) until the window ends.
// Only failures count; a successful log-in clears its account's backoff.
import type { Limiter } from "../limits/limiter.js";

export interface LoginThrottle {
  /** Throws 429 rate_limited while this account or address must wait. */
  check(email: string, address: string): void;
  fail(email: string, address: string): void;
  succeed(email: string): void;
}

export function loginThrottle(limits: Limiter): LoginThrottle {
  return {
    check(email, address) {
      const refused = limits.blocked(["failedLogInsPerAccount", email], ["failedLogInsPerAddress", address]);
      if (refused) throw refused;
    },
    fail(email, address) {
      limits.fail(["failedLogInsPerAccount", email], ["failedLogInsPerAddress", address]);
    },
    succeed(email) {
      limits.forget(["failedLogInsPerAccount", email]);
    },
  };
}
