// The session cookie → request.actor, re-read from the store on every request so that a removed
// member or an ended session loses access at once.
import type { FastifyInstance, FastifyReply } from "fastify";
import { resolveSession, sessionCookieName } from "../auth/sessions.js";
import type { Actor, Deps } from "../context.js";

declare module "fastify" {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export function registerSessions(app: FastifyInstance, deps: Deps): void {
  const cookie = sessionCookieName(deps.config);
  app.decorateRequest("actor", null);
  app.addHook("onRequest", async (request) => {
    if (!request.url.startsWith("/api/")) return;
    const token = request.cookies[cookie];
    if (!token || token.length > 100) return;
    request.actor = await resolveSession(deps.db.kysely, deps.clock, deps.config, token);
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
