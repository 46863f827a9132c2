// /api/me: the signed-in user, their teams, and the active team.
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { setActiveTeam } from "../commands/teams.js";
import { getMe } from "../queries/me.js";
import type { Services } from "./route-kit.js";
import { ctxOf, problems, typed } from "./route-kit.js";
import { TeamSummary } from "../../shared/schemas/teams.js";
import { ActiveTeamBody, Me } from "../../shared/schemas/users.js";

const tags = ["me"];

export function meRoutes(base: FastifyInstance, services: Services): void {
  const app = typed(base);

  app.get(
    "/me",
    {
      config: { access: "signedIn" },
      schema: {
        tags,
        summary: "The user, the active team and every team they belong to",
        response: { 200: Me, ...problems(401) },
      },
    },
    async (request) => getMe(services.db.kysely, services.config, ctxOf(request, services).actor),
  );

  app.put(
    "/me/active-team",
    {
      config: { access: "signedIn" },
      schema: {
        tags,
        summary: "Switch the active team",
        body: ActiveTeamBody,
        response: { 200: Type.Object({ activeTeam: TeamSummary }), ...problems(400, 401, 404) },
      },
    },
    async (request) => {
      const ctx = ctxOf(request, services);
      await setActiveTeam(ctx, request.body.teamId);
      const me = await getMe(services.db.kysely, services.config, { ...ctx.actor, activeTeamId: request.body.teamId });
      return { activeTeam: me.activeTeam };
    },
  );
}
