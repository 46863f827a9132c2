// /api/me: the signed-in user, their teams, and the active team; account settings (name,
// password, sessions); and /api/settings, what the dashboard shows of the server's settings.
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { describeDevice } from "../auth/device.js";
import { listSessions } from "../auth/sessions.js";
import { changePassword } from "../commands/change-password.js";
import { endOneSession, endSessionsElsewhere } from "../commands/end-sessions.js";
import { renameAccount } from "../commands/rename-account.js";
import { setActiveTeam } from "../commands/teams.js";
import { clearSessionCookie } from "../plugins/session.js";
import { getMe, presentUser } from "../queries/me.js";
import type { Services } from "./route-kit.js";
import { ctxOf, problems, typed } from "./route-kit.js";
import { NoContent } from "../../shared/schemas/common.js";
import { TeamSummary } from "../../shared/schemas/teams.js";
import {
  AccountSessions,
  ActiveTeamBody,
  ChangePasswordBody,
  EndedSessions,
  Me,
  RenameAccountBody,
  ServerSettings,
  SessionParams,
  User,
} from "../../shared/schemas/users.js";

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

  app.patch(
    "/me",
    {
      config: { access: "signedIn" },
      schema: {
        tags,
        summary: "Change the user's name",
        body: RenameAccountBody,
        response: { 200: Type.Object({ user: User }), ...problems(400, 401) },
      },
    },
    async (request) => {
      const ctx = ctxOf(request, services);
      const name = await renameAccount(ctx, request.body.name);
      return { user: presentUser({ ...ctx.actor, name }, services.config) };
    },
  );

  app.post(
    "/me/password",
    {
      config: { access: "signedIn" },
      schema: {
        tags,
        summary: "Change the password (the current one required); ends every other session, keeps this one",
        body: ChangePasswordBody,
        response: { 200: EndedSessions, ...problems(400, 401, 429) },
      },
    },
    async (request) => {
      const ctx = ctxOf(request, services);
      const ended = await changePassword(ctx, services.limits, request.body);
      request.log.info({ actor: ctx.actor.id, event: "password_changed", endedSessions: ended }, "password changed");
      return { ended };
    },
  );

  app.get(
    "/me/sessions",
    {
      config: { access: "signedIn" },
      schema: {
        tags,
        summary: "The user's active sessions, most recently used first",
        response: { 200: AccountSessions, ...problems(401) },
      },
    },
    async (request) => {
      const { actor } = ctxOf(request, services);
      const sessions = await listSessions(services.db.kysely, services.clock, services.config, actor.id, actor.sessionHash);
      return {
        items: sessions.map(({ userAgent, ...session }) => ({ ...session, device: describeDevice(userAgent) })),
      };
    },
  );

  app.delete(
    "/me/sessions/:sessionId",
    {
      config: { access: "signedIn" },
      schema: {
        tags,
        summary: "Sign out one of the user's sessions (this one too, when named)",
        params: SessionParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request, services);
      if (await endOneSession(ctx, request.params.sessionId)) clearSessionCookie(reply, services);
      request.log.info({ actor: ctx.actor.id, event: "session_ended" }, "session ended");
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/me/sessions/end-others",
    {
      config: { access: "signedIn" },
      schema: {
        tags,
        summary: "Sign out everywhere else: every session of the user but this one",
        response: { 200: EndedSessions, ...problems(401) },
      },
    },
    async (request) => {
      const ctx = ctxOf(request, services);
      const ended = await endSessionsElsewhere(ctx);
      request.log.info({ actor: ctx.actor.id, event: "sessions_ended", endedSessions: ended }, "other sessions ended");
      return { ended };
    },
  );

  app.get(
    "/settings",
    {
      config: { access: "signedIn" },
      schema: {
        tags,
        summary: "What the dashboard shows of the server's settings (the invitation lifetime)",
        response: { 200: ServerSettings, ...problems(401) },
      },
    },
    async () => ({ invitationTtlHours: services.config.invitationTtlHours }),
  );
}
