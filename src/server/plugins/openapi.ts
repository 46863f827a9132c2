// The OpenAPI 3.1 document, generated from the route schemas, and its browsable reference.
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import type { Deps } from "../context.js";
import { sessionCookieName } from "../auth/sessions.js";
import { ERROR_STATUS } from "../errors.js";
import type { Access } from "./guard.js";

const errorTable = Object.entries(ERROR_STATUS)
  .map(([code, [status, title]]) => `| ${status} | \`${code}\` | ${title} |`)
  .join("\n");

const DESCRIPTION = `The customer account of a certificate authority, built around Teams.

**Sessions.** \`POST /api/auth/signup\` and \`/login\` set an HttpOnly session cookie; every other call is
authenticated by it. A state-changing call made with the cookie must send \`X-Requested-With: certdesk\`
(or it is refused with 403 \`csrf\`); a foreign \`Origin\` is refused too. A bodiless POST may carry
\`Content-Type: application/json\` with an empty body.

**API keys.** A team's API key (\`POST /api/teams/{teamId}/api-keys\`, permission \`automation.manage\`) is sent as
\`Authorization: Bearer cdk_…\` and needs no CSRF header. It acts on its own team's \`/api/teams/{teamId}/…\` routes
only, with the permissions it was given (a subset of its creator's; never \`team.delete\` or \`team.transfer\`): another
team is 404, a permission it lacks 403 \`forbidden\`, an unknown, expired or revoked key 401 \`unauthenticated\`, and so
is every route about a person (\`/api/me\`, \`/api/auth/*\`, invitation links) or outside a team
(\`GET/POST /api/teams\`). With an \`Authorization\` header present the session cookie is ignored. Secrets match
\`cdk_[0-9a-f]{64}\`, so secret scanners can recognise a leaked one; only their SHA-256 is stored. What a key does is
audited with \`actor.type: "apiKey"\`, the key's id and its creator's e-mail.

**Access.** Each team route needs one permission in that team (see each operation's summary and SPEC's
table). Not signed in: 401 \`unauthenticated\`. Not a member of the team (or no such team): 404
\`not_found\` — a non-member learns nothing. A member without the permission: 403 \`forbidden\`, whose
\`detail\` names the permission. \`DELETE /members/{userId}\` with your own id is leaving and needs only
membership.

**Lists** are cursor-paginated: \`limit\` 1–100 (default 50), and \`nextCursor\` passed back as \`cursor\`
until it is null. Invitations list every status unless \`status\` is given (\`pending\`, \`accepted\`,
\`declined\`, \`revoked\`, \`expired\` or \`all\`); a pending invitation past its expiry shows as \`expired\`.

**Invitations.** Declining needs no session (the e-mailed link is the proof); a signed-in user whose e-mail
differs is refused like for accepting. Re-sending works for pending and expired invitations and gives a new
link and expiry.

**Certificate account.** Documents are uploaded as \`multipart/form-data\` with one field \`file\` (PDF, PNG or
JPEG by content, 10 MiB at most). Validation steps, uploads and CSRs on a refunded order answer 409
\`order_refunded\`; its certificate 409 \`not_issued\`.

**Errors** are RFC 9457 \`application/problem+json\` with a stable \`code\`:

| status | code | title |
| --- | --- | --- |
${errorTable}

429 answers carry \`Retry-After\`.`;

export async function registerOpenApi(app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "certdesk API", version: "1.0.0", description: DESCRIPTION },
      servers: [{ url: deps.config.baseUrl }],
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: sessionCookieName(deps.config) },
          apiKey: { type: "http", scheme: "bearer", description: "A team's API key, `cdk_` + 64 hex digits" },
        },
      },
      security: [{ session: [] }],
    },
    // Each operation says how it may be called, from the access its route declares.
    transform: ({ schema, url, route }) => {
      const access = (route.config as { access?: Access } | undefined)?.access;
      const security = access === "public" || access === "person" ? [] : access === "signedIn" || access === undefined ? [{ session: [] }] : [{ session: [] }, { apiKey: [] }];
      return { schema: { ...schema, security } as unknown as typeof schema, url };
    },
  });
}

/** GET /openapi.json, in the API's scope (its headers, its budget, its guard's bookkeeping). */
export function registerOpenApiDocument(api: FastifyInstance): void {
  api.get("/openapi.json", { config: { access: "public" }, schema: { hide: true } }, async () => api.swagger());
}

/** The browsable reference at /api/docs: a page with its own assets and CSP, outside the API's scope. */
export async function registerApiReference(pages: FastifyInstance): Promise<void> {
  await pages.register(swaggerUi, { routePrefix: "/api/docs", staticCSP: true });
}
