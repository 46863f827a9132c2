// /api/teams/:teamId/audit: the append-only log, newest first, narrowed by actor, action and
// time; and the same log as a CSV download, streamed page by page (queries/audit-csv.ts).
import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { listAudit } from "../queries/audit.js";
import { auditCsv } from "../queries/audit-csv.js";
import { attachmentDisposition } from "./content-disposition.js";
import type { Services } from "./route-kit.js";
import { problems, typed } from "./route-kit.js";
import { AuditFilterQuery, AuditItem, AuditListQuery } from "../../shared/schemas/audit.js";
import { Id, page } from "../../shared/schemas/common.js";

export function auditRoutes(base: FastifyInstance, services: Services): void {
  const app = typed(base);
  app.get(
    "/teams/:teamId/audit",
    {
      config: { access: "audit.view" },
      schema: {
        tags: ["audit"],
        summary: "The team's audit log, newest first",
        params: Type.Object({ teamId: Id }, { additionalProperties: false }),
        querystring: AuditListQuery,
        response: { 200: page(AuditItem), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { limit, ...filter } = request.query;
      return listAudit(services.db.kysely, request.params.teamId, { ...filter, limit: limit ?? 50 });
    },
  );

  app.get(
    "/teams/:teamId/audit.csv",
    {
      config: { access: "audit.view" },
      schema: {
        tags: ["audit"],
        summary: "The team's audit log as CSV (newest first, the same filters), streamed",
        params: Type.Object({ teamId: Id }, { additionalProperties: false }),
        querystring: AuditFilterQuery,
        produces: ["text/csv"],
        response: { 200: Type.Unsafe<Readable>({ type: "string", description: "CSV with a header row" }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { teamId } = request.params;
      const day = services.clock.now().toISOString().slice(0, 10);
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", attachmentDisposition(`audit-${day}.csv`))
        .send(Readable.from(auditCsv(services.db.kysely, teamId, request.query)));
    },
  );
}
