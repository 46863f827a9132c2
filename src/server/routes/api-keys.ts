// /api/teams/:teamId/api-keys: the team's API keys (SPEC rule 13, API.md "Machine access").
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { createApiKey, revokeApiKey } from "../commands/api-keys.js";
import { getApiKey, listApiKeys } from "../queries/api-keys.js";
import { ApiKey, CreatedApiKey, NewApiKey } from "../../shared/schemas/api-keys.js";
import { Cursor, Limit, NoContent, page } from "../../shared/schemas/common.js";
import type { Services } from "./route-kit.js";
import { problems, teamCtxOf, typed } from "./route-kit.js";
import { ApiKeyParams, TeamIdParams } from "./params.js";

const tags = ["api keys"];

export function apiKeyRoutes(base: FastifyInstance, services: Services): void {
  const app = typed(base);
  const db = services.db.kysely;

  app.get(
    "/teams/:teamId/api-keys",
    {
      config: { access: "automation.manage" },
      schema: {
        tags,
        summary: "The team's API keys, newest first (revoked ones included); never their secrets",
        params: TeamIdParams,
        querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
        response: { 200: page(ApiKey), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => listApiKeys(db, request.params.teamId, { limit: request.query.limit ?? 50, cursor: request.query.cursor }),
  );

  app.post(
    "/teams/:teamId/api-keys",
    {
      config: { access: "automation.manage" },
      schema: {
        tags,
        summary: "Create an API key with a subset of your own permissions; its secret is in this answer only",
        description:
          "Use the secret as `Authorization: Bearer cdk_…` on this team's `/api/teams/:teamId/…` routes. " +
          "Secrets match `cdk_[0-9a-f]{64}`, so secret scanners can recognise a leaked one. A key needs no CSRF header.",
        params: TeamIdParams,
        body: NewApiKey,
        response: {
          201: CreatedApiKey,
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const ctx = teamCtxOf(request, services);
      const { id, secret } = await createApiKey(ctx, request.body);
      request.log.info({ event: "api_key_created", apiKeyId: id, team: ctx.team.id }, "API key created");
      return reply.status(201).send({ apiKey: await getApiKey(db, ctx.team.id, id), secret });
    },
  );

  app.delete(
    "/teams/:teamId/api-keys/:apiKeyId",
    {
      config: { access: "automation.manage" },
      schema: {
        tags,
        summary: "Revoke an API key: it stops working on the very next request",
        params: ApiKeyParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await revokeApiKey(teamCtxOf(request, services), request.params.apiKeyId);
      return reply.status(204).send(null);
    },
  );
}
