// Deny by default: every /api route declares its access in `config.access`, checked here before
// the handler runs. A route without one fails at start-up, not in production.
import type { FastifyInstance } from "fastify";
import type { Permission } from "../../shared/permissions.js";
import type { Deps } from "../context.js";
import { AppError } from "../errors.js";
import { refusal } from "../policy/authorize.js";
import { loadTeamMember } from "../queries/team-member.js";
import type { MemberOfTeam } from "../queries/team-member.js";

/** "public": anyone; "signedIn": any session; a permission: a member of :teamId holding it. */
export type Access = "public" | "signedIn" | Permission;

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    membership: MemberOfTeam | null;
  }
}

/** A registered route and the access it declares, as the guard saw it at start-up. */
export interface DeclaredRoute {
  method: string;
  url: string;
  access: Access | undefined;
}

const declared = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Every route registered after the guard, with its declared access (the permission-matrix test walks these). */
export function declaredRoutes(app: FastifyInstance): readonly DeclaredRoute[] {
  return declared.get(app) ?? [];
}

export function registerGuard(app: FastifyInstance, deps: Deps): void {
  const routes: DeclaredRoute[] = [];
  declared.set(app, routes);
  app.decorateRequest("membership", null);
  app.addHook("onRoute", (route) => {
    const url = route.url ?? route.path;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method, url, access: (route.config as { access?: Access } | undefined)?.access });
    if (!url.startsWith("/api/") || url.startsWith("/api/docs")) return;
    const access = (route.config as { access?: Access } | undefined)?.access;
    if (!access) throw new Error(`Route ${route.method} ${url} declares no access: add config.access.`);
    if (access !== "public" && access !== "signedIn" && !url.includes(":teamId")) {
      throw new Error(`Route ${route.method} ${url} needs ${access} but has no :teamId to check it in.`);
    }
  });
  // Callback style, and refusals handed to done() rather than thrown: a throw inside an async
  // function was the largest single cost of a refused request.
  app.addHook("preValidation", (request, _reply, done) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === "public") return done();
    const actor = request.actor;
    if (!actor) return done(new AppError("unauthenticated", "Sign in first."));
    if (access === "signedIn") return done();
    const teamId = (request.params as { teamId?: string }).teamId ?? "";
    if (teamId.length > 64) return done(new AppError("not_found", "No such team."));
    loadTeamMember(deps.db.kysely, actor.id, teamId).then((membership) => {
      // Refusals are logged, with actor and team, by the error handler.
      if (!membership) return done(new AppError("not_found", "No such team."));
      const refused = refusal(membership.member, access);
      if (refused) return done(refused);
      request.membership = membership;
      done();
    }, done);
  });
}
