// /api/auth: sign-up, log-in, log-out, password reset.
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { loginThrottle } from "../auth/login-throttle.js";
import { endSession } from "../auth/sessions.js";
import { logIn } from "../commands/log-in.js";
import { confirmPasswordReset, requestPasswordReset } from "../commands/password-reset.js";
import { signUp } from "../commands/sign-up.js";
import { clearSessionCookie, setSessionCookie } from "../plugins/session.js";
import { presentUser } from "../queries/me.js";
import type { Services } from "./route-kit.js";
import { problems, typed } from "./route-kit.js";
import { NoContent } from "../../shared/schemas/common.js";
import { LogInBody, PasswordResetBody, PasswordResetConfirmBody, SignUpBody, User } from "../../shared/schemas/users.js";

const tags = ["auth"];

export function authRoutes(base: FastifyInstance, services: Services): void {
  const app = typed(base);
  const throttle = loginThrottle(services.limits);

  app.post(
    "/auth/signup",
    {
      config: { access: "person", limits: ["signUpsPerAddress"] },
      schema: {
        tags,
        summary: "Create an account, its default team, and a session",
        body: SignUpBody,
        response: { 201: Type.Object({ user: User }), ...problems(400, 409, 429) },
      },
    },
    async (request, reply) => {
      const { user, sessionToken } = await signUp(services, request.body, request.headers["user-agent"]);
      request.log.info({ actor: user.id, event: "signup" }, "account created");
      setSessionCookie(reply, services, sessionToken);
      return reply.status(201).send({ user: presentUser(user, services.config) });
    },
  );

  app.post(
    "/auth/login",
    {
      config: { access: "person" },
      schema: {
        tags,
        summary: "Sign in; a new session token every time",
        body: LogInBody,
        response: { 200: Type.Object({ user: User }), ...problems(400, 401, 429) },
      },
    },
    async (request, reply) => {
      try {
        const { user, sessionToken } = await logIn(services, throttle, {
          ...request.body,
          address: request.ip,
          previousSessionHash: request.actor?.sessionHash,
          userAgent: request.headers["user-agent"],
        });
        request.log.info({ actor: user.id, event: "login" }, "signed in");
        setSessionCookie(reply, services, sessionToken);
        return { user: presentUser(user, services.config) };
      } catch (error) {
        request.log.info({ event: "login_failed", code: (error as { code?: string }).code }, "log-in refused");
        throw error;
      }
    },
  );

  app.post(
    "/auth/logout",
    { config: { access: "person" }, schema: { tags, summary: "End this session", response: { 204: NoContent } } },
    async (request, reply) => {
      if (request.actor) {
        await endSession(services.db.kysely, request.actor.sessionHash);
        request.log.info({ actor: request.actor.id, event: "logout" }, "signed out");
      }
      clearSessionCookie(reply, services);
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/auth/password-reset",
    {
      config: { access: "person", limits: ["passwordResetsPerAddress"] },
      schema: {
        tags,
        summary: "E-mail a reset link (202 whether or not the address has an account)",
        body: PasswordResetBody,
        response: { 202: Type.Null(), ...problems(400, 429) },
      },
      // SECURITY 29: the account lookup and the e-mail happen once the 202 has been sent, so the
      // answer takes as long for an unknown address as for a known one. Failures are logged.
      onResponse: (request, reply, done) => {
        if (reply.statusCode === 202) {
          const { email } = request.body;
          services.background.run("password reset e-mail", request.log, () => requestPasswordReset(services, email));
        }
        done();
      },
    },
    // Nothing awaited here: the answer never waits for the user lookup.
    async (_request, reply) => reply.status(202).send(null),
  );

  app.post(
    "/auth/password-reset/confirm",
    {
      config: { access: "person" },
      schema: {
        tags,
        summary: "Set a new password with an e-mailed token; ends every session",
        body: PasswordResetConfirmBody,
        response: { 204: NoContent, ...problems(400, 410) },
      },
    },
    async (request, reply) => {
      const userId = await confirmPasswordReset(services, request.body);
      request.log.info({ actor: userId, event: "password_reset" }, "password reset");
      return reply.status(204).send(null);
    },
  );
}
