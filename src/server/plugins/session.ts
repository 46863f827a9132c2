// Who is calling → request.principal: the bearer API key of an `Authorization` header, or else the
// session cookie's user (request.actor too). Both are re-read from the store on every request, so a
// removed member, an ended session or a revoked key loses access at once. With an Authorization
// header present the cookie is ignored: a key never borrows a session, nor a session a key.
import type { FastifyInstance, FastifyReply } from "fastify";
import { resolveApiKey } from "../auth/api-keys.js";
import type { Principal } from "../auth/principal.js";
import { resolveSession, sessionCookieName } from "../auth/sessions.js";
import type { Actor, Deps } from "../context.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in person (null for an API key or nobody). */
    actor: Actor | null;
    principal: Principal | null;
    /** An Authorization header came with the request (valid or not): it alone decides who calls. */
    bearer: boolean;
  }
}

const BEARER = /^Bearer ([!-~]{1,200})$/;

export function registerSessions(app: FastifyInstance, deps: Deps): void {
  const cookie = sessionCookieName(deps.config);
  app.decorateRequest("actor", null);
  app.decorateRequest("principal", null);
  app.decorateRequest("bearer", false);
  app.addHook("onRequest", async (request) => {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      request.bearer = true;
      const secret = BEARER.exec(authorization)?.[1];
      if (secret) request.principal = await resolveApiKey(deps.db.kysely, deps.clock, secret);
      return;
    }
    const token = request.cookies[cookie];
    if (!token || token.length > 100) return;
    const actor = await resolveSession(deps.db.kysely, deps.clock, deps.config, token);
    if (!actor) return;
    request.actor = actor;
    request.principal = actor;
  });
}

export function setSessionCookie(reply: FastifyReply, deps: Deps, token: string): void {
  reply.setCookie(sessionCookieName(deps.config), token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: deps.config.secureCookies,
    // Whole seconds: the cookie library refuses a fractional Max-Age (SESSION_ABSOLUTE_HOURS=1.0001
    // made every log-in a 500). The session itself ends on the server at the exact time.
    maxAge: Math.floor(deps.config.sessionAbsoluteHours * 3600),
  });
}

export function clearSessionCookie(reply: FastifyReply, deps: Deps): void {
  reply.clearCookie(sessionCookieName(deps.config), { path: "/", httpOnly: true, sameSite: "lax", secure: deps.config.secureCookies });
}
