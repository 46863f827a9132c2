// /api/teams/:teamId/members: list, change roles, remove, leave.
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { changeMemberRoles, removeMember } from "../commands/members.js";
import { getMember, listMembers } from "../queries/members.js";
import { SELF_OR_MEMBERS_REMOVE } from "../policy/access-rules.js";
import type { Services } from "./route-kit.js";
import { membershipOf, problems, teamCtxOf, typed } from "./route-kit.js";
import { Cursor, Id, Limit, NoContent, page } from "../../shared/schemas/common.js";
import { Member, MemberRolesBody } from "../../shared/schemas/teams.js";

const tags = ["members"];
const MemberParams = Type.Object({ teamId: Id, userId: Id }, { additionalProperties: false });

export function memberRoutes(base: FastifyInstance, services: Services): void {
  const app = typed(base);

  app.get(
    "/teams/:teamId/members",
    {
      config: { access: "team.view" },
      schema: {
        tags,
        summary: "Members, the Owner first, cursor-paginated; q filters by a prefix of name or e-mail",
        params: Type.Object({ teamId: Id }, { additionalProperties: false }),
        querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor), q: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
        response: { 200: page(Member), ...problems(400, 401, 404) },
      },
    },
    async (request) => {
      const { team } = membershipOf(request);
      return listMembers(services.db.kysely, team, { limit: request.query.limit ?? 50, cursor: request.query.cursor, q: request.query.q });
    },
  );

  app.patch(
    "/teams/:teamId/members/:userId",
    {
      config: { access: "members.update" },
      schema: {
        tags,
        summary: "Replace a member's roles (never the Owner's, never your own, never none)",
        params: MemberParams,
        body: MemberRolesBody,
        response: { 200: Type.Object({ member: Member }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { teamId, userId } = request.params;
      await changeMemberRoles(teamCtxOf(request, services), userId, request.body.roles);
      return { member: await getMember(services.db.kysely, membershipOf(request).team, userId) };
    },
  );

  app.delete(
    "/teams/:teamId/members/:userId",
    {
      // Leaving is removing yourself: open to every member (SPEC rule 10).
      config: { access: SELF_OR_MEMBERS_REMOVE },
      schema: {
        tags,
        summary: "Remove a member (members.remove), or leave when userId is yours",
        params: MemberParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { teamId, userId } = request.params;
      await removeMember(teamCtxOf(request, services), userId);
      return reply.status(204).send(null);
    },
  );
}
