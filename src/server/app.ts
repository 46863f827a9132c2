// buildApp(deps): registers plugins and routes; never listens, so tests can inject.
import cookie from "@fastify/cookie";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { LoginThrottle } from "./auth/login-throttle.js";
import { HOUR } from "./clock.js";
import type { Deps } from "./context.js";
import { registerCsrf } from "./plugins/csrf.js";
import { registerDashboard } from "./plugins/dashboard.js";
import { registerErrorHandling } from "./plugins/errors.js";
import { registerGuard } from "./plugins/guard.js";
import { LIMITS, WindowCounter, registerRateLimits } from "./plugins/limits.js";
import { registerOpenApi } from "./plugins/openapi.js";
import { registerSecurityHeaders } from "./plugins/security-headers.js";
import { registerSessions } from "./plugins/session.js";
import { auditRoutes } from "./routes/audit.js";
import { authRoutes } from "./routes/auth.js";
import { invitationRoutes } from "./routes/invitations.js";
import { meRoutes } from "./routes/me.js";
import { memberRoutes } from "./routes/members.js";
import type { Services } from "./routes/route-kit.js";
import { teamRoutes } from "./routes/teams.js";

export const BODY_LIMIT = 1024 * 1024;

export interface BuildOptions {
  /** pino logger options, or false for silence (tests). */
  logger?: boolean | object;
}

export async function buildApp(deps: Deps, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    trustProxy: deps.config.trustProxy ?? false,
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", useDefaults: true, allErrors: false } },
  });
  // Only JSON bodies (and multipart where a route opts in); text/plain would slip past the schemas.
  app.removeContentTypeParser("text/plain");

  const scale = deps.config.rateLimitScale;
  const services: Services = {
    ...deps,
    log: app.log,
    loginThrottle: new LoginThrottle(deps.clock, scale),
    invitationsPerInviter: new WindowCounter(deps.clock, Math.ceil(LIMITS.invitationsPerHourPerInviter * scale), HOUR),
    invitationsPerTeam: new WindowCounter(deps.clock, Math.ceil(LIMITS.invitationsPerHourPerTeam * scale), HOUR),
  };

  registerErrorHandling(app);
  await app.register(cookie);
  await registerSecurityHeaders(app, deps);
  await registerRateLimits(app, deps);
  registerCsrf(app, deps);
  registerSessions(app, deps);
  registerGuard(app, deps);
  await registerOpenApi(app, deps);

  authRoutes(app, services);
  meRoutes(app, services);
  teamRoutes(app, services);
  memberRoutes(app, services);
  invitationRoutes(app, services);
  auditRoutes(app, services);

  await registerDashboard(app);
  return app;
}
