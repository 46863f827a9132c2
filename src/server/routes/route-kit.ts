// Small helpers every route module uses: the typed app, the command context, error responses.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { BackgroundWork } from "../background.js";
import type { Ctx, Deps, TeamCtx } from "../context.js";
import { AppError } from "../errors.js";
import { getOrder } from "../queries/orders.js";
import type { OrderDto } from "../../shared/schemas/orders.js";
import type { Limiter } from "../limits/limiter.js";
import type { MemberOfTeam } from "../queries/team-member.js";
import { Problem } from "../../shared/schemas/common.js";

export interface Services extends Deps {
  /** Every rate limit (limits/definitions.ts), for the keys a handler learns itself. */
  limits: Limiter;
  /** Work done after the answer is sent. */
  background: BackgroundWork;
}


export function typed(app: FastifyInstance) {
  return app.withTypeProvider<TypeBoxTypeProvider>();
}

export function ctxOf(request: FastifyRequest, deps: Deps): Ctx {
  if (!request.actor) throw new AppError("unauthenticated", "Sign in first.");
  // Spelled out rather than spread: this runs on every signed-in request.
  const { db, config, clock, mail, ca, payments, sealer } = deps;
  return { db, config, clock, mail, ca, payments, sealer, log: request.log, actor: request.actor, principal: request.actor };
}

/** The membership the guard loaded for a team route. */
export function membershipOf(request: FastifyRequest): MemberOfTeam {
  if (!request.membership) throw new AppError("not_found", "No such team.");
  return request.membership;
}

export function problems(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, Problem]));
}

/** The team context the guard established for a team route: principal, team and standing. */
export function teamCtxOf(request: FastifyRequest, deps: Deps): TeamCtx {
  const membership = membershipOf(request);
  const principal = request.principal;
  if (!principal) throw new AppError("unauthenticated", "Sign in first.");
  const { db, config, clock, mail, ca, payments, sealer } = deps;
  return { db, config, clock, mail, ca, payments, sealer, log: request.log, principal, team: membership.team, member: membership.member };
}

/** The order as the caller now sees it, after the command that changed it (challenges only with validation.view). */
export function orderSeenBy(ctx: TeamCtx, orderId: string): Promise<OrderDto> {
  return getOrder(ctx.db.kysely, ctx.team.id, orderId, ctx.member);
}
