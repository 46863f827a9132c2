// Deny by default: every /api route declares its access in `config.access`, checked here before
// the handler runs. A route without one fails at start-up, not in production.
import type { FastifyInstance } from "fastify";
import type { Permission } from "../../shared/permissions.js";
import type { LastUseRecorder } from "../auth/last-use.js";
import type { Deps } from "../context.js";
import type { Limiter } from "../limits/limiter.js";
import { AppError } from "../errors.js";
import { refusal } from "../policy/authorize.js";
import type { AccessRule } from "../policy/access-rules.js";
import { loadTeam } from "../queries/team-member.js";
import { loadTeamMember } from "../queries/team-member.js";
import type { MemberOfTeam } from "../queries/team-member.js";

/**
 * "public": anyone, machines included; "person": anyone but an API key (the routes about a person:
 * sign-up, log-in, an invitation's link); "signedIn": a person with a session; a permission: a
 * member of :teamId holding it, or that team's own API key holding it; an AccessRule: a named
 * predicate of policy/ (e.g. "self or members.remove").
 */
export type Access = "public" | "person" | "signedIn" | Permission | AccessRule;

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

/** `registry`: the instance declaredRoutes() is asked with (the app, when this runs in a scope of it). */
/** What the guard needs for machine principals: where a key's use is recorded, and its rate limit. */
export interface MachineAccess {
  keyUses: LastUseRecorder;
  limits: Limiter;
}

export function registerGuard(app: FastifyInstance, deps: Deps, machines?: MachineAccess, registry: FastifyInstance = app): void {
  const routes: DeclaredRoute[] = [];
  declared.set(registry, routes);
  app.decorateRequest("membership", null);
  app.addHook("onRoute", (route) => {
    const url = route.url ?? route.path;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method, url, access: (route.config as { access?: Access } | undefined)?.access });
    const access = (route.config as { access?: Access } | undefined)?.access;
    if (!access) throw new Error(`Route ${route.method} ${url} declares no access: add config.access.`);
    if (access !== "public" && access !== "person" && access !== "signedIn" && !url.includes(":teamId")) {
      throw new Error(`Route ${route.method} ${url} needs ${access} but has no :teamId to check it in.`);
    }
  });
  // Callback style, and refusals handed to done() rather than thrown: a throw inside an async
  // function was the largest single cost of a refused request.
  app.addHook("preValidation", (request, _reply, done) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === "public") return done();
    const principal = request.principal;
    if (access === "person") return done(request.bearer ? notForKeys() : undefined);
    if (!principal) return done(new AppError("unauthenticated", request.bearer ? "This API key is unknown, expired or revoked." : "Sign in first."));
    if (access === "signedIn") return done(principal.kind === "user" ? undefined : notForKeys());
    const params = request.params as { teamId?: string; userId?: string };
    const teamId = params.teamId ?? "";
    if (teamId.length > 64) return done(new AppError("not_found", "No such team."));
    const permission = typeof access === "string" ? access : access.permission;
    const admit = (membership: MemberOfTeam | null) => {
      // Refusals are logged, with actor and team, by the error handler.
      if (!membership) return done(new AppError("not_found", "No such team."));
      const refused = typeof access === "string" ? refusal(membership.member, permission) : access.refusal(membership.member, params);
      if (refused) return done(refused);
      request.membership = membership;
      if (principal.kind === "apiKey") machines?.keyUses.used(principal.id);
      done();
    };
    if (principal.kind === "apiKey") {
      // A key acts in its own team only; any other team does not exist for it.
      if (principal.teamId !== teamId) return done(new AppError("not_found", "No such team."));
      const limited = machines?.limits.attempt("requestsPerApiKey", principal.id);
      if (limited) return done(limited);
      loadTeam(deps.db.kysely, teamId).then(
        (team) => admit(team && { team, member: { kind: "apiKey", teamId, apiKeyId: principal.id, isOwner: false, roles: [], keyPermissions: principal.permissions } }),
        done,
      );
      return;
    }
    // An ACME account acts through ACME's own scope only; in this API it is no member of anything.
    if (principal.kind !== "user") return done(new AppError("not_found", "No such team."));
    loadTeamMember(deps.db.kysely, principal.id, teamId).then(admit, done);
  });
}

function notForKeys(): AppError {
  return new AppError("unauthenticated", "This call is for a signed-in person; an API key cannot make it.");
}
