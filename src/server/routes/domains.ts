// The team's domain ledger (GET /api/teams/:teamId/domains, SPEC 16) and the `email` method's
// approval link (POST /api/domain-approvals/:token): the token is the e-mail's, so the route is
// public, and limited per client address through the one limits mechanism.
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { confirmDomainApproval } from "../commands/confirm-domain-approval.js";
import { listDomains } from "../queries/domains.js";
import { Cursor, Limit, Token } from "../../shared/schemas/common.js";
import { DomainApprovalAnswer, LedgerPage } from "../../shared/schemas/domains.js";
import type { Services } from "./route-kit.js";
import { problems, typed } from "./route-kit.js";
import { TeamIdParams } from "./params.js";

const tags = ["validation"];

export function domainRoutes(base: FastifyInstance, services: Services): void {
  const app = typed(base);

  app.get(
    "/teams/:teamId/domains",
    {
      config: { access: "validation.view" },
      schema: {
        tags,
        summary: "The team's domain ledger: each validated name, its method, when, and until when later orders reuse it",
        params: TeamIdParams,
        querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
        response: { 200: LedgerPage, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => listDomains(services.db.kysely, request.params.teamId, { limit: request.query.limit ?? 50, cursor: request.query.cursor }),
  );

  app.post(
    "/domain-approvals/:token",
    {
      config: { access: "public", limits: ["domainApprovalsPerAddress"] },
      schema: {
        tags,
        summary: "Confirm a domain approval e-mailed by the email method (once; 410 approval_used / approval_expired)",
        params: Type.Object({ token: Token }, { additionalProperties: false }),
        response: { 200: DomainApprovalAnswer, ...problems(400, 404, 410, 429) },
      },
    },
    async (request) => confirmDomainApproval(services, request.params.token),
  );
}
