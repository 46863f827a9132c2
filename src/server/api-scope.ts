// The /api scope: one encapsulated Fastify plugin that owns what every call of the JSON API goes
// through, as hooks of its own — the API's security headers, the per-minute budget and each
// route's declared limits, CSRF, the caller (session cookie or API key → request.principal), input
// checks and the access guard — then the routes and the API's own 404. Nothing here asks whether a
// URL starts with /api/: a hook registered in this scope runs for this scope's requests only, so
// a sibling scope (ACME, the public PKI routes, the pages) brings its own authentication, errors
// and headers without touching these.
import cookie from "@fastify/cookie";
import type { FastifyInstance } from "fastify";
import type { LastUseRecorder } from "./auth/last-use.js";
import { AppError } from "./errors.js";
import { registerCsrf } from "./plugins/csrf.js";
import { sendProblem } from "./plugins/errors.js";
import { registerGuard } from "./plugins/guard.js";
import { registerInputChecks } from "./plugins/input.js";
import { registerRateLimits } from "./plugins/limits.js";
import { registerOpenApiDocument } from "./plugins/openapi.js";
import { registerSecurityHeaders } from "./plugins/security-headers.js";
import { registerSessions } from "./plugins/session.js";
import { acmeCredentialRoutes } from "./routes/acme-credentials.js";
import { apiKeyRoutes } from "./routes/api-keys.js";
import { auditRoutes } from "./routes/audit.js";
import { authRoutes } from "./routes/auth.js";
import { billingRoutes } from "./routes/billing.js";
import { certificateRoutes } from "./routes/certificates.js";
import { documentRoutes } from "./routes/documents.js";
import { invitationRoutes } from "./routes/invitations.js";
import { meRoutes } from "./routes/me.js";
import { memberRoutes } from "./routes/members.js";
import { orderRoutes } from "./routes/orders.js";
import { organizationRoutes } from "./routes/organization.js";
import type { Services } from "./routes/route-kit.js";
import { teamRoutes } from "./routes/teams.js";
import { validationRoutes } from "./routes/validation.js";
import { domainRoutes } from "./routes/domains.js";

export interface ApiScopeOptions {
  services: Services;
  keyUses: LastUseRecorder;
  /** The app: the guard's and the limits' bookkeeping are looked up by it (tests, start-up checks). */
  registry: FastifyInstance;
}

/** Register with `{ prefix: "/api" }`; route paths inside are relative to it. */
export async function apiScope(api: FastifyInstance, { services, keyUses, registry }: ApiScopeOptions): Promise<void> {
  await api.register(cookie);
  registerSecurityHeaders(api, services, "api");
  registerRateLimits(api, services.limits, registry);
  registerCsrf(api, services);
  registerSessions(api, services);
  registerInputChecks(api);
  registerGuard(api, services, { keyUses, limits: services.limits }, registry);

  registerOpenApiDocument(api);
  authRoutes(api, services);
  meRoutes(api, services);
  teamRoutes(api, services);
  memberRoutes(api, services);
  invitationRoutes(api, services);
  auditRoutes(api, services);
  apiKeyRoutes(api, services);
  acmeCredentialRoutes(api, services);
  validationRoutes(api, services);
  domainRoutes(api, services);
  await documentRoutes(api, services);
  certificateRoutes(api, services);
  billingRoutes(api, services);
  orderRoutes(api, services);
  organizationRoutes(api, services);

  // An unknown API path is a problem+json 404 with the API's headers, never the dashboard's page.
  api.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new AppError("not_found", `No route for ${request.method} ${request.url.split("?")[0]}.`)),
  );
}
