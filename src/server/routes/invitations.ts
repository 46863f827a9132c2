// Invitations: a team's side (send, list, re-send, revoke) and the invitee's side by token.
import type { Principal } from "../auth/principal.js";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { acceptInvitation, declineInvitation, inviteMember, resendInvitation, revokeInvitation } from "../commands/invitations.js";
import { AppError } from "../errors.js";
import { getInvitation, listInvitations, previewInvitation } from "../queries/invitations.js";
import type { InvitationFilter } from "../queries/invitations.js";
import { loadTeamMember, presentTeam } from "../queries/team-member.js";
import type { Services } from "./route-kit.js";
import { ctxOf, problems, teamCtxOf, typed } from "./route-kit.js";
import { Cursor, Id, Limit, NoContent, Token, page } from "../../shared/schemas/common.js";
import { Invitation, InvitationPreview, InvitationStatus, NewInvitation } from "../../shared/schemas/invitations.js";
import { TeamSummary } from "../../shared/schemas/teams.js";

/** An inviter's budget: a person's, or a key's own (a key is not its creator). */
function inviterKey(principal: Principal): string {
  return principal.kind === "user" ? principal.id : `key:${principal.id}`;
}

const tags = ["invitations"];
const InvitationParams = Type.Object({ teamId: Id, invitationId: Id }, { additionalProperties: false });
const TokenParams = Type.Object({ token: Token }, { additionalProperties: false });

export function invitationRoutes(base: FastifyInstance, services: Services): void {
  const app = typed(base);

  app.post(
    "/teams/:teamId/invitations",
    {
      config: { access: "members.invite", limits: ["invitationsPerAddress", "invitationsPerTeam"] },
      schema: {
        tags,
        summary: "Invite an e-mail address with one or more roles; the link is e-mailed",
        params: Type.Object({ teamId: Id }, { additionalProperties: false }),
        body: NewInvitation,
        response: { 201: Type.Object({ invitation: Invitation }), ...problems(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const ctx = teamCtxOf(request, services);
      const { teamId } = request.params;
      services.limits.take(["invitationsPerInviter", inviterKey(ctx.principal)]);
      const id = await inviteMember(ctx, request.body);
      return reply.status(201).send({ invitation: await getInvitation(services.db.kysely, teamId, id, services.clock.now()) });
    },
  );

  app.get(
    "/teams/:teamId/invitations",
    {
      config: { access: "members.invite" },
      schema: {
        tags,
        summary: "A team's invitations, newest first; status=all by default",
        params: Type.Object({ teamId: Id }, { additionalProperties: false }),
        querystring: Type.Object(
          { status: Type.Optional(Type.Union([InvitationStatus, Type.Literal("all")])), limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
          { additionalProperties: false },
        ),
        response: { 200: page(Invitation), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) =>
      listInvitations(
        services.db.kysely,
        request.params.teamId,
        { status: (request.query.status ?? "all") as InvitationFilter, limit: request.query.limit ?? 50, cursor: request.query.cursor },
        services.clock.now(),
      ),
  );

  app.post(
    "/teams/:teamId/invitations/:invitationId/resend",
    {
      // SECURITY 28: re-sends are limited per invitation (here), per inviter and per recipient (below).
      config: { access: "members.invite", limits: ["resendsPerInvitation"] },
      schema: {
        tags,
        summary: "Send a new link (the old one stops working) and restart the expiry; at most 3 per invitation per hour",
        params: InvitationParams,
        response: { 200: Type.Object({ invitation: Invitation }), ...problems(400, 401, 403, 404, 409, 410, 429) },
      },
    },
    async (request) => {
      const ctx = teamCtxOf(request, services);
      const { teamId, invitationId } = request.params;
      // The recipient is known once the invitation is read. Every attempt that got this far counts,
      // even one the command then refuses (410, 409): simpler, and it only ever errs on the safe side.
      const { email } = await getInvitation(services.db.kysely, teamId, invitationId, services.clock.now());
      services.limits.take(["invitationsPerInviter", inviterKey(ctx.principal)], ["resendsPerRecipient", email]);
      await resendInvitation(ctx, invitationId);
      return { invitation: await getInvitation(services.db.kysely, teamId, invitationId, services.clock.now()) };
    },
  );

  app.delete(
    "/teams/:teamId/invitations/:invitationId",
    {
      config: { access: "members.invite" },
      schema: { tags, summary: "Revoke a pending invitation", params: InvitationParams, response: { 204: NoContent, ...problems(400, 401, 403, 404, 410) } },
    },
    async (request, reply) => {
      await revokeInvitation(teamCtxOf(request, services), request.params.invitationId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/invitations/:token",
    {
      config: { access: "person" },
      schema: {
        tags,
        summary: "What an invitation link offers while pending; once ended, only its status (no session needed)",
        params: TokenParams,
        response: {
          // Pending: the offer. Ended: only its status (SECURITY 31).
          200: InvitationPreview,
          ...problems(400, 404),
        },
      },
    },
    async (request) => previewInvitation(services.db.kysely, request.params.token, services.clock.now()),
  );

  app.post(
    "/invitations/:token/accept",
    {
      config: { access: "signedIn" },
      schema: {
        tags,
        summary: "Accept as the signed-in user whose e-mail was invited",
        params: TokenParams,
        response: { 200: Type.Object({ team: TeamSummary }), ...problems(400, 401, 403, 404, 409, 410) },
      },
    },
    async (request) => {
      const ctx = ctxOf(request, services);
      const teamId = await acceptInvitation(ctx, request.params.token);
      const joined = await loadTeamMember(services.db.kysely, ctx.actor.id, teamId);
      if (!joined) throw new AppError("not_found", "The team is gone.");
      return { team: presentTeam(joined.team, joined.member) };
    },
  );

  app.post(
    "/invitations/:token/decline",
    {
      config: { access: "person" },
      schema: { tags, summary: "Decline (the link itself is the proof; no account needed)", params: TokenParams, response: { 204: NoContent, ...problems(400, 403, 404, 410) } },
    },
    async (request, reply) => {
      await declineInvitation(services, request.actor, request.params.token);
      return reply.status(204).send(null);
    },
  );
}
