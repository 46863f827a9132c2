// JSON bodies through Fastify's own parser (prototype-poisoning checks included), except that an
// empty body counts as no body: many clients send `Content-Type: application/json` on a bodiless
// POST such as accept or resend. A route whose schema wants a body still answers 400.
import type { FastifyInstance } from "fastify";

export function registerJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, undefined);
    return parseJson(request, text, done);
  });
}
