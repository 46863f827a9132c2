// CSRF: a state-changing call that carries the session cookie must also carry
// X-Requested-With: certdesk (a header no cross-site form can set), and a foreign Origin is refused.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../context.js";
import { AppError } from "../errors.js";
import { sessionCookieName } from "../auth/sessions.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function registerCsrf(app: FastifyInstance, deps: Deps): void {
  const cookie = sessionCookieName(deps.config);
  const ownOrigin = new URL(deps.config.baseUrl).origin;
  app.addHook("onRequest", async (request) => {
    if (SAFE_METHODS.has(request.method) || !request.url.startsWith("/api/")) return;
    const origin = request.headers.origin;
    if (origin && origin !== ownOrigin) throw new AppError("csrf", `Requests from ${origin} are not accepted.`);
    if (request.headers["sec-fetch-site"] === "cross-site") throw new AppError("csrf", "Cross-site requests are not accepted.");
    if (request.cookies[cookie] !== undefined && request.headers["x-requested-with"] !== "certdesk") {
      throw new AppError("csrf", "State-changing requests must send the header X-Requested-With: certdesk.");
    }
  });
}
