// /api/teams: list, create, read, rename, delete, transfer ownership.
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { transferOwnership } from "../commands/members.js";
import { AppError } from "../errors.js";
import { createTeam, deleteTeam, renameTeam } from "../commands/teams.js";
import { loadTeam, loadTeamMember, listTeamsOf, presentTeam } from "../queries/team-member.js";
import type { TeamCtx } from "../context.js";
import { countTeamContents } from "../queries/team-contents.js";
import { getTeamDetail } from "../queries/teams.js";
import type { Services } from "./route-kit.js";
import { ctxOf, membershipOf, problems, teamCtxOf, typed } from "./route-kit.js";
import { NoContent } from "../../shared/schemas/common.js";
import { TeamContents, TeamDetail, TeamNameBody, TeamSummary, TransferBody } from "../../shared/schemas/teams.js";
import { TeamIdParams } from "./params.js";

const tags = ["teams"];

export function teamRoutes(base: FastifyInstance, services: Services): void {
  const app = typed(base);

  /** Re-reads the team after a change, as the caller now sees it (a transfer changes the Owner's standing). */
  async function detailFor(ctx: TeamCtx, teamId: string) {
    const db = services.db.kysely;
    const fresh =
      ctx.principal.kind === "user" ? await loadTeamMember(db, ctx.principal.id, teamId) : await loadTeam(db, teamId).then((team) => team && { team, member: ctx.member });
    if (!fresh) throw new AppError("not_found", "No such team.");
    return getTeamDetail(db, fresh.team, fresh.member);
  }

  app.get(
    "/teams",
    {
      config: { access: "signedIn" },
      schema: { tags, summary: "The caller's teams", response: { 200: Type.Object({ items: Type.Array(TeamSummary) }), ...problems(401) } },
    },
    async (request) => ({ items: await listTeamsOf(services.db.kysely, ctxOf(request, services).actor.id) }),
  );

  app.post(
    "/teams",
    {
      config: { access: "signedIn" },
      schema: {
        tags,
        summary: "Create a team owned by the caller (within their team limit)",
        body: TeamNameBody,
        response: { 201: Type.Object({ team: TeamSummary }), ...problems(400, 401, 409) },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request, services);
      const team = await createTeam(ctx, request.body);
      return reply.status(201).send({ team: presentTeam(team, { kind: "person", teamId: team.id, userId: ctx.actor.id, isOwner: true, roles: [] }) });
    },
  );

  app.get(
    "/teams/:teamId",
    {
      config: { access: "team.view" },
      schema: { tags, summary: "A team, its Owner and member count", params: TeamIdParams, response: { 200: Type.Object({ team: TeamDetail }), ...problems(400, 401, 404) } },
    },
    async (request) => {
      const { team, member } = membershipOf(request);
      return { team: await getTeamDetail(services.db.kysely, team, member) };
    },
  );

  app.patch(
    "/teams/:teamId",
    {
      config: { access: "team.update" },
      schema: { tags, summary: "Rename a team", params: TeamIdParams, body: TeamNameBody, response: { 200: Type.Object({ team: TeamDetail }), ...problems(400, 401, 403, 404) } },
    },
    async (request) => {
      const ctx = teamCtxOf(request, services);
      await renameTeam(ctx, request.body);
      return { team: await detailFor(ctx, request.params.teamId) };
    },
  );

  app.delete(
    "/teams/:teamId",
    {
      config: { access: "team.delete" },
      schema: { tags, summary: "Delete a team (never the default team)", params: TeamIdParams, response: { 204: NoContent, ...problems(400, 401, 403, 404, 409) } },
    },
    async (request, reply) => {
      await deleteTeam(teamCtxOf(request, services));
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/teams/:teamId/transfer",
    {
      config: { access: "team.transfer" },
      schema: {
        tags,
        summary: "Hand ownership to a member; the old Owner stays as Account Admin",
        params: TeamIdParams,
        body: TransferBody,
        response: { 200: Type.Object({ team: TeamDetail }), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const ctx = teamCtxOf(request, services);
      await transferOwnership(ctx, request.body.userId);
      return { team: await detailFor(ctx, request.params.teamId) };
    },
  );

  app.get(
    "/teams/:teamId/deletion-preview",
    {
      // Asked by whoever may delete the team, before they do.
      config: { access: "team.delete" },
      schema: {
        tags,
        summary: "What deleting the team takes with it: counts of orders, certificates, documents and more",
        params: TeamIdParams,
        response: { 200: TeamContents, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => countTeamContents(services.db.kysely, request.params.teamId),
  );
}
