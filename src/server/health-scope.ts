// What a load balancer asks (README "Running several servers"): /health/live, whether the process
// answers at all (restart it if not), and /health/ready, whether it should be sent traffic: the
// database answers and holds every migration this server knows. Its own scope beside /api and
// /pki: no session, no CSRF, no per-address budget (a balancer probes from one address, for ever),
// nothing cached by anyone on the way.
//
// Ready costs one query. Probes arriving while one is in flight share its answer, so a storm of
// them is one query at a time, and a database that hangs rather than refuses is "not ready" after
// READY_TIMEOUT_MS instead of holding the probe. While the server drains (main.ts, SIGTERM) Fastify
// answers every request, these included, 503 with Connection: close, and no longer accepts connections.
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from "./db/availability.js";
import { AppError } from "./errors.js";
import { pendingMigrations } from "./migrations/index.js";
import { sendProblem } from "./plugins/errors.js";
import type { Services } from "./routes/route-kit.js";
import { problems } from "./routes/route-kit.js";

/** Register with `{ prefix: HEALTH_PREFIX }`. */
export const HEALTH_PREFIX = "/health";

/** Longer than any healthy round trip, shorter than a balancer's usual probe timeout (5 s). */
const READY_TIMEOUT_MS = 2_000;

const Healthy = Type.Object({ status: Type.Literal("ok") }, { additionalProperties: false });

export interface HealthScopeOptions {
  services: Services;
}

export async function healthScope(health: FastifyInstance, { services }: HealthScopeOptions): Promise<void> {
  health.addHook("onSend", async (_request, reply) => {
    reply.header("cache-control", "no-store");
  });

  health.get(
    "/live",
    {
      config: { access: "public" },
      schema: { tags: ["health"], summary: "The process is up (for a load balancer's liveness probe)", response: { 200: Healthy } },
    },
    async () => ({ status: "ok" as const }),
  );

  let inFlight: Promise<AppError | undefined> | undefined;
  const check = () => (inFlight ??= readiness(services).finally(() => (inFlight = undefined)));
  health.get(
    "/ready",
    {
      config: { access: "public" },
      schema: {
        tags: ["health"],
        summary: "Ready for traffic: the database answers and every migration is applied (503 unavailable with Retry-After if not)",
        response: { 200: Healthy, ...problems(503) },
      },
    },
    async (_request, reply) => {
      const refused = await check();
      if (refused) return sendProblem(reply, refused);
      return { status: "ok" as const };
    },
  );
}

/** undefined when ready; else the 503 to answer (any failure counts: the balancer needs a yes or no). */
async function readiness(services: Services): Promise<AppError | undefined> {
  const notReady = (detail: string) => new AppError("unavailable", detail, { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS });
  let timer: NodeJS.Timeout | undefined;
  try {
    const pending = await Promise.race([
      pendingMigrations(services.db.kysely),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      }),
    ]);
    if (pending.length > 0) {
      services.log?.warn({ pending }, "not ready: migrations not applied");
      return notReady(`The database is missing ${pending.length} migration(s) this server needs.`);
    }
    return undefined;
  } catch (error) {
    services.log?.warn({ err: error }, "not ready: the database does not answer");
    return notReady("The database does not answer.");
  } finally {
    clearTimeout(timer);
  }
}
