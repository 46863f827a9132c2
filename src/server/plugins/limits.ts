// Rate limits. Per client address through @fastify/rate-limit (every number × RATE_LIMIT_SCALE);
// per inviter and per team for invitations through a small fixed-window counter of our own.
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import type { Clock } from "../clock.js";
import { HOUR } from "../clock.js";
import type { Deps } from "../context.js";
import { AppError } from "../errors.js";

export const LIMITS = {
  requestsPerMinute: 1200,
  signUpsPerHour: 20,
  passwordResetsPerHour: 10,
  invitationsPerHourPerAddress: 100,
  invitationsPerHourPerInviter: 100,
  invitationsPerHourPerTeam: 300,
};

export async function registerRateLimits(app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: Math.ceil(LIMITS.requestsPerMinute * deps.config.rateLimitScale),
    timeWindow: 60_000,
    allowList: (request) => !request.url.startsWith("/api/"),
    // The budget is told when it runs out (Retry-After on the 429), not on every answer: three
    // headers per response cost more than the limiter itself.
    addHeadersOnExceeding: { "x-ratelimit-limit": false, "x-ratelimit-remaining": false, "x-ratelimit-reset": false },
    errorResponseBuilder: (_request, context) =>
      new AppError("rate_limited", `Too many requests; try again in ${context.after}.`, {
        retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
      }),
  });
}

/** Per-route limit options for the config.rateLimit of a route. */
export function perAddressPerHour(deps: Deps, max: number) {
  return { max: Math.ceil(max * deps.config.rateLimitScale), timeWindow: HOUR };
}

/** Counts events per key in fixed windows; check-and-count is one synchronous step. */
export class WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  take(key: string, what: string): void {
    const now = this.clock.now().getTime();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      if (this.windows.size > 50_000) this.windows.clear();
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.max) {
      const wait = Math.ceil((window.start + this.windowMs - now) / 1000);
      throw new AppError("rate_limited", `Too many ${what}; try again later.`, { retryAfterSeconds: Math.max(1, wait) });
    }
    window.count += 1;
  }
}
