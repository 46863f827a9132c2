// Rate limits (every per-address number × RATE_LIMIT_SCALE). The hourly limits of a few routes
// (sign-up, password reset, invitations per address) through @fastify/rate-limit; the per-minute
// budget of every API request, and invitations per inviter and per team, through a small
// fixed-window counter of our own: the plugin's asynchronous hook cost more on every request than
// the whole check does here.
import rateLimit, { normalizeIP } from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import type { Clock } from "../clock.js";
import { HOUR, MINUTE } from "../clock.js";
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

/** One client: an IPv4 address, or an IPv6 address's /64 network (one host often holds a whole /64). */
export function clientKey(ip: string): string {
  return ip.includes(":") ? normalizeIP(ip) : ip;
}

export async function registerRateLimits(app: FastifyInstance, deps: Deps): Promise<void> {
  const perAddress = new WindowCounter(deps.clock, Math.ceil(LIMITS.requestsPerMinute * deps.config.rateLimitScale), MINUTE);
  app.addHook("onRequest", (request, _reply, done) => {
    if (!request.url.startsWith("/api/")) return done();
    let refused: Error | undefined;
    try {
      perAddress.take(clientKey(request.ip), "requests");
    } catch (error) {
      refused = error as Error;
    }
    done(refused);
  });
  await app.register(rateLimit, {
    global: false,
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
