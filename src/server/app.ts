// buildApp(deps): registers plugins and routes; never listens, so tests can inject.
import cookie from "@fastify/cookie";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { KeyUseRecorder } from "./auth/api-keys.js";
import { registerBackgroundWork } from "./background.js";
import type { Deps } from "./context.js";
import { registerCsrf } from "./plugins/csrf.js";
import { registerDashboard } from "./plugins/dashboard.js";
import { frameworkProblem, registerErrorHandling, sendProblem } from "./plugins/errors.js";
import { registerGuard } from "./plugins/guard.js";
import { registerInputChecks } from "./plugins/input.js";
import { registerJsonBodies } from "./plugins/json-body.js";
import { Limiter } from "./limits/limiter.js";
import { registerRateLimits } from "./plugins/limits.js";
import { lazyChildLogger, loggerOptions } from "./plugins/logging.js";
import { registerOpenApi } from "./plugins/openapi.js";
import { registerSecurityHeaders } from "./plugins/security-headers.js";
import { registerSessions } from "./plugins/session.js";
import { buildSerializer, buildValidator } from "./schema-compilers.js";
import { apiKeyRoutes } from "./routes/api-keys.js";
import { auditRoutes } from "./routes/audit.js";
import { billingRoutes } from "./routes/billing.js";
import { orderRoutes } from "./routes/orders.js";
import { authRoutes } from "./routes/auth.js";
import { certificateRoutes } from "./routes/certificates.js";
import { documentRoutes } from "./routes/documents.js";
import { invitationRoutes } from "./routes/invitations.js";
import { meRoutes } from "./routes/me.js";
import { memberRoutes } from "./routes/members.js";
import type { Services } from "./routes/route-kit.js";
import { teamRoutes } from "./routes/teams.js";
import { validationRoutes } from "./routes/validation.js";

export const BODY_LIMIT = 1024 * 1024;

// Request ids only have to be unique in the logs: one random prefix per process, then a counter
// (a random UUID per request was a measurable part of a small request's cost).
const processId = crypto.randomUUID().slice(0, 8);
let requests = 0;
function nextRequestId(): string {
  requests += 1;
  return `${processId}-${requests.toString(36)}`;
}

export interface BuildOptions {
  /** pino logger options, or false for silence (tests). */
  logger?: boolean | object;
}

export async function buildApp(deps: Deps, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(options.logger),
    ...(options.logger ? { childLoggerFactory: lazyChildLogger } : {}),
    bodyLimit: BODY_LIMIT,
    trustProxy: deps.config.trustProxy ?? false,
    genReqId: nextRequestId,
    // A path segment may be a whole DNS name (253 characters, e.g. /validation/:domain); find-my-way stops at 100.
    routerOptions: { maxParamLength: 300 },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", useDefaults: true, allErrors: false } },
    schemaController: { compilersFactory: { buildValidator, buildSerializer } },
    frameworkErrors: (error, _request, reply) => sendProblem(reply, frameworkProblem(error)),
  });
  // Only JSON bodies (and multipart where a route opts in); text/plain would slip past the schemas.
  app.removeContentTypeParser("text/plain");
  registerJsonBodies(app);

  const services: Services = {
    ...deps,
    log: app.log,
    limits: new Limiter(deps.clock, deps.config.rateLimitScale),
    background: registerBackgroundWork(app),
  };

  registerErrorHandling(app);
  await app.register(cookie);
  registerSecurityHeaders(app, deps);
  registerRateLimits(app, services.limits);
  registerCsrf(app, deps);
  registerSessions(app, deps);
  registerInputChecks(app);
  const keyUses = new KeyUseRecorder(deps.db.kysely, deps.clock, (error) => app.log.warn({ err: error }, "could not record an API key's last use"));
  app.addHook("onClose", () => keyUses.flush());
  registerGuard(app, deps, keyUses);
  await registerOpenApi(app, deps);

  authRoutes(app, services);
  meRoutes(app, services);
  teamRoutes(app, services);
  memberRoutes(app, services);
  invitationRoutes(app, services);
  auditRoutes(app, services);
  apiKeyRoutes(app, services);
  validationRoutes(app, services);
  await documentRoutes(app, services);
  certificateRoutes(app, services);
  billingRoutes(app, services);
  orderRoutes(app, services);

  await registerDashboard(app);
  return app;
}
