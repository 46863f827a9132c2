// /api/teams/:teamId/acme-credentials: the team's ACME credentials (SPEC rules 13 and 20, API.md
// "Machine access"). The ACME protocol itself is served by the /acme scope.
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { createAcmeCredential, revokeAcmeCredential } from "../commands/acme-credentials.js";
import { getAcmeCredential, listAcmeCredentials } from "../queries/acme-credentials.js";
import { AcmeCredentialPage, CreatedAcmeCredential, NewAcmeCredential } from "../../shared/schemas/acme-credentials.js";
import { Cursor, Id, Limit, NoContent } from "../../shared/schemas/common.js";
import type { Services } from "./route-kit.js";
import { problems, teamCtxOf, typed } from "./route-kit.js";
import { TeamIdParams } from "./params.js";

const tags = ["acme credentials"];

const AcmeCredentialParams = Type.Object({ teamId: Id, credentialId: Id }, { additionalProperties: false });

export function acmeCredentialRoutes(base: FastifyInstance, services: Services): void {
  const app = typed(base);
  const db = services.db.kysely;
  const { baseUrl } = services.config;

  app.get(
    "/teams/:teamId/acme-credentials",
    {
      config: { access: "automation.manage" },
      schema: {
        tags,
        summary: "The team's ACME credentials, newest first (revoked ones included), each with its bound ACME accounts; never their HMAC keys",
        params: TeamIdParams,
        querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
        response: { 200: AcmeCredentialPage, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => listAcmeCredentials(db, request.params.teamId, { limit: request.query.limit ?? 50, cursor: request.query.cursor, baseUrl }),
  );

  app.post(
    "/teams/:teamId/acme-credentials",
    {
      config: { access: "automation.manage" },
      schema: {
        tags,
        summary: "Create an ACME credential (External Account Binding); its HMAC key is in this answer only",
        description:
          "Give an ACME client the `directoryUrl`, the `keyId` and the `hmacKey` (certbot: `--server`, `--eab-kid`, `--eab-hmac-key`; " +
          "lego: `--server`, `--eab --kid`, `--hmac`). Any number of ACME accounts may bind with one credential; their orders are " +
          "this team's orders of `productId`, charged at finalize to `billingProfileId` (a live billing profile of this team, else 404). " +
          "An unknown `productId` is a 400.",
        params: TeamIdParams,
        body: NewAcmeCredential,
        response: { 201: CreatedAcmeCredential, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const ctx = teamCtxOf(request, services);
      const { id, hmacKey } = await createAcmeCredential(ctx, request.body);
      request.log.info({ event: "acme_credential_created", acmeCredentialId: id, team: ctx.team.id }, "ACME credential created");
      return reply.status(201).send({ acmeCredential: await getAcmeCredential(db, ctx.team.id, id, baseUrl), hmacKey });
    },
  );

  app.delete(
    "/teams/:teamId/acme-credentials/:credentialId",
    {
      config: { access: "automation.manage" },
      schema: {
        tags,
        summary: "Revoke an ACME credential: no new account binds with it, and every account bound with it is deactivated",
        description: "The credential stays listed, with `revokedAt`. Revoking it again changes nothing (204).",
        params: AcmeCredentialParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await revokeAcmeCredential(teamCtxOf(request, services), request.params.credentialId);
      return reply.status(204).send(null);
    },
  );
}
