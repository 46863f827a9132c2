// The OpenAPI 3.1 document, generated from the route schemas, and its browsable reference.
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import type { Deps } from "../context.js";

export async function registerOpenApi(app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "certdesk API",
        version: "1.0.0",
        description:
          "The customer account of a certificate authority, built around Teams. Authenticated by the session cookie set at " +
          "sign-up or log-in; state-changing calls made with the cookie must send `X-Requested-With: certdesk`. Errors are " +
          "RFC 9457 problem+json with a stable `code`. Lists are cursor-paginated: pass `nextCursor` back as `cursor`.",
      },
      servers: [{ url: deps.config.baseUrl }],
      components: {
        securitySchemes: { session: { type: "apiKey", in: "cookie", name: "certdesk_session" } },
      },
      security: [{ session: [] }],
    },
  });
  app.get("/api/openapi.json", { config: { access: "public" }, schema: { hide: true } }, async () => app.swagger());
  await app.register(swaggerUi, { routePrefix: "/api/docs", staticCSP: true });
}
