// Rate limits on the HTTP side: the one mechanism of ../limits/ wired into Fastify.
// - Every /api request takes one unit of its client address's per-minute budget, in a synchronous
//   callback hook: it is on every request's hot path, and the async hook of @fastify/rate-limit
//   (which this replaced) cost more there than the whole check does here.
// - A route declares the limits it takes before its handler in `config.limits`, by name. Limits keyed
//   by the client address are taken as the request arrives (a request that then fails validation still
//   counts: sign-up's email_taken cannot be probed for free); limits keyed by a path id (team,
//   invitation) after the guard and the schema, so an outsider cannot spend a team's budget.
// - A name that does not exist, a limit that counts failures, or a key the route cannot know fails
//   start-up, like a route without config.access does. Keys known only inside the handler (the
//   inviter, an invitation's recipient) are taken there, through the same limiter.
import type { FastifyInstance, FastifyRequest, onRequestHookHandler, preHandlerHookHandler } from "fastify";
import { clientKey } from "../limits/client-key.js";
import type { KeyKind, WindowLimitName } from "../limits/definitions.js";
import type { Hit, Limiter } from "../limits/limiter.js";

export { clientKey };

declare module "fastify" {
  interface FastifyContextConfig {
    /** Rate limits taken before the handler; names from limits/definitions.ts. */
    limits?: readonly WindowLimitName[];
  }
}

/** A route and the limits it declares, as seen at start-up (a test walks these). */
export interface DeclaredLimits {
  method: string;
  url: string;
  limits: readonly string[];
}

const declared = new WeakMap<FastifyInstance, DeclaredLimits[]>();

export function declaredLimits(app: FastifyInstance): readonly DeclaredLimits[] {
  return declared.get(app) ?? [];
}

/** Where a declarable key comes from: the client address as the request arrives, or a path parameter. */
const FROM_REQUEST: Partial<Record<KeyKind, { param?: string }>> = {
  clientAddress: {},
  team: { param: "teamId" },
  invitation: { param: "invitationId" },
};

/** `registry`: the instance declaredLimits() is asked with (the app, when this runs in a scope of it). */
export function registerRateLimits(app: FastifyInstance, limits: Limiter, registry: FastifyInstance = app): void {
  // Every request of the scope, routed or not, spends the client's per-minute budget.
  app.addHook("onRequest", (request, _reply, done) => {
    done(limits.attempt("requestsPerAddress", request.ip));
  });

  const routes: DeclaredLimits[] = [];
  declared.set(registry, routes);
  app.addHook("onRoute", (route) => {
    const url = route.url ?? route.path;
    const names: readonly string[] = route.config?.limits ?? [];
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) routes.push({ method, url, limits: names });
    if (names.length === 0) return;
    const onArrival: WindowLimitName[] = [];
    const fromParams: { name: WindowLimitName; param: string }[] = [];
    for (const name of names) {
      const where = `Route ${route.method} ${url} declares the rate limit ${name}`;
      if (!limits.has(name)) throw new Error(`${where}, which does not exist: name one from limits/definitions.ts.`);
      const { rule } = limits.describe(name as WindowLimitName);
      if (rule.rule !== "window") throw new Error(`${where}, which counts failures: its handler reports them to the limiter.`);
      const source = FROM_REQUEST[rule.key];
      if (!source) throw new Error(`${where}, keyed by ${rule.key}, which only the handler knows: take it there by name.`);
      if (source.param === undefined) onArrival.push(name as WindowLimitName);
      else if (url.includes(`:${source.param}`)) fromParams.push({ name: name as WindowLimitName, param: source.param });
      else throw new Error(`${where}, keyed by :${source.param}, which the path does not have.`);
    }
    if (onArrival.length > 0) {
      const hook: onRequestHookHandler = (request, _reply, done) => {
        done(limits.refusalOf(...onArrival.map((name): Hit<WindowLimitName> => [name, request.ip])));
      };
      route.onRequest = [hook, ...asArray(route.onRequest)];
    }
    if (fromParams.length > 0) {
      const hook: preHandlerHookHandler = (request, _reply, done) => {
        done(limits.refusalOf(...fromParams.map(({ name, param }): Hit<WindowLimitName> => [name, paramOf(request, param)])));
      };
      route.preHandler = [hook, ...asArray(route.preHandler)];
    }
  });
}

function paramOf(request: FastifyRequest, name: string): string {
  return String((request.params as Record<string, unknown>)[name] ?? "");
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
