// /api/teams/:teamId/organization: the organization profile OV and EV certificates name (SPEC 17).
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { setOrganizationProfile } from "../commands/organization-profile.js";
import { OrganizationProfile, OrganizationProfileBody } from "../../shared/schemas/organization.js";
import type { Executor } from "../db/transaction.js";
import type { Services } from "./route-kit.js";
import { problems, teamCtxOf, typed } from "./route-kit.js";
import { TeamIdParams } from "./params.js";

const tags = ["validation"];
const Answer = Type.Object({ organization: Type.Union([OrganizationProfile, Type.Null()]) });

function readProfile(db: Executor, teamId: string) {
  return db
    .selectFrom("organizationProfiles")
    .select(["legalName", "locality", "country", "updatedAt"])
    .where("teamId", "=", teamId)
    .executeTakeFirst()
    .then((row) => ({ organization: row ?? null }));
}

export function organizationRoutes(base: FastifyInstance, services: Services): void {
  const app = typed(base);
  const db = services.db.kysely;

  app.get(
    "/teams/:teamId/organization",
    {
      config: { access: "validation.view" },
      schema: {
        tags,
        summary: "The team's organization profile (null until set): the O, L and C of its OV and EV certificates",
        params: TeamIdParams,
        response: { 200: Answer, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => readProfile(db, request.params.teamId),
  );

  app.put(
    "/teams/:teamId/organization",
    {
      config: { access: "validation.manage" },
      schema: {
        tags,
        summary: "Set the organization profile: legal name, locality, country (ISO 3166-1 alpha-2)",
        params: TeamIdParams,
        body: OrganizationProfileBody,
        response: { 200: Answer, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await setOrganizationProfile(teamCtxOf(request, services), request.body);
      return readProfile(db, request.params.teamId);
    },
  );
}
