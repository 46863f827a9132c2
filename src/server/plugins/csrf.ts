// CSRF: a state-changing call that carries the session cookie must also carry
// X-Requested-With: certdesk (a header no cross-site form can set), and a foreign Origin is refused.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Deps } from "../context.js";
import { AppError } from "../errors.js";
import { sessionCookieName } from "../auth/sessions.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function registerCsrf(app: FastifyInstance, deps: Deps): void {
  const cookie = sessionCookieName(deps.config);
  const ownOrigins = new Set(deps.config.allowedOrigins);
  const refusal = (request: FastifyRequest): AppError | undefined => {
    const origin = request.headers.origin;
    if (origin && !ownOrigins.has(origin)) return new AppError("csrf", `Requests from ${origin} are not accepted.`);
    if (request.headers["sec-fetch-site"] === "cross-site") return new AppError("csrf", "Cross-site requests are not accepted.");
    // A bearer key is no ambient credential (a browser never adds it by itself), and with one the
    // cookie is ignored: only a cookie-borne call needs the header.
    const cookieBorne = request.headers.authorization === undefined && request.cookies[cookie] !== undefined;
    if (cookieBorne && request.headers["x-requested-with"] !== "certdesk") {
      return new AppError("csrf", "State-changing requests must send the header X-Requested-With: certdesk.");
    }
    return undefined;
  };
  // A callback hook, not an async one: it runs on every request and never waits.
  app.addHook("onRequest", (request, _reply, done) => {
    if (SAFE_METHODS.has(request.method)) return done();
    done(refusal(request));
  });
}
