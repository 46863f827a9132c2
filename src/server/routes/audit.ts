// /api/teams/:teamId/audit: the append-only log, newest first.
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { listAudit } from "../queries/audit.js";
import type { Services } from "./route-kit.js";
import { problems, typed } from "./route-kit.js";
import { AuditItem } from "../../shared/schemas/audit.js";
import { Cursor, Id, Limit, page } from "../../shared/schemas/common.js";

export function auditRoutes(base: FastifyInstance, services: Services): void {
  typed(base).get(
    "/teams/:teamId/audit",
    {
      config: { access: "audit.view" },
      schema: {
        tags: ["audit"],
        summary: "The team's audit log, newest first",
        params: Type.Object({ teamId: Id }, { additionalProperties: false }),
        querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
        response: { 200: page(AuditItem), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => listAudit(services.db.kysely, request.params.teamId, { limit: request.query.limit ?? 50, cursor: request.query.cursor }),
  );
}
