// buildApp(deps): registers plugins and routes; never listens, so tests can inject.
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { writeKeyUse } from "./auth/api-keys.js";
import { LastUseRecorder } from "./auth/last-use.js";
import { registerBackgroundWork } from "./background.js";
import type { Deps } from "./context.js";
import { registerDashboard } from "./plugins/dashboard.js";
import { answerClientError, frameworkProblem, registerErrorHandling, sendProblem } from "./plugins/errors.js";
import { registerJsonBodies } from "./plugins/json-body.js";
import { Limiter } from "./limits/limiter.js";
import { limitStoreFor } from "./limits/shared-store.js";
import { lazyChildLogger, loggerOptions } from "./plugins/logging.js";
import { registerApiReference, registerOpenApi } from "./plugins/openapi.js";
import { apiScope } from "./api-scope.js";
import { PKI_PREFIX, pkiScope } from "./pki-scope.js";
import { ACME_PREFIX, acmeScope } from "./acme/scope.js";
import { HEALTH_PREFIX, healthScope } from "./health-scope.js";
import { registerSecurityHeaders } from "./plugins/security-headers.js";
import { buildSerializer, buildValidator } from "./schema-compilers.js";
import type { Services } from "./routes/route-kit.js";

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
    // A request Node's parser gives up on (a body shorter than its Content-Length, then the
    // client's FIN; a malformed request line) never reaches a route: answer it as problem+json too.
    clientErrorHandler: answerClientError,
  });
  // Only JSON bodies (and multipart where a route opts in); text/plain would slip past the schemas.
  app.removeContentTypeParser("text/plain");
  registerJsonBodies(app);

  const services: Services = {
    ...deps,
    log: app.log,
    limits: new Limiter(deps.clock, deps.config.rateLimitScale, limitStoreFor(app, deps)),
    background: registerBackgroundWork(app),
  };

  registerErrorHandling(app);
  // Collects every route's schema for the OpenAPI document: registered before the scopes.
  await registerOpenApi(app, deps);
  const keyUses = new LastUseRecorder(deps.clock, (id, at) => writeKeyUse(deps.db.kysely, id, at), (job) => services.background.run("record an API key's last use", app.log, job));
  await app.register(apiScope, { prefix: "/api", services, keyUses, registry: app });
  // The public PKI routes: CA certificates, CRL, OCSP (no session, no CSRF; its own headers and errors).
  await app.register(pkiScope, { prefix: PKI_PREFIX, services });
  // ACME (RFC 8555): JWS, nonces and ACME's problem documents; accounts act in their credential's team.
  await app.register(acmeScope, { prefix: ACME_PREFIX, services });
  await app.register(healthScope, { prefix: HEALTH_PREFIX, services });
  // The pages: the dashboard and the API reference, with the pages' headers.
  await app.register(async (pages) => {
    registerSecurityHeaders(pages, deps, "page");
    await registerApiReference(pages);
    await registerDashboard(pages);
  });
  return app;
}
