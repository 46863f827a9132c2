// Serves the built dashboard (dist/web) at / and answers every other GET outside the API's scope
// with its index.html, so that e-mailed links such as /invitations/:token open the app. The API
// scope answers its own unknown paths (api-scope.ts), so nothing under /api/ reaches this.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors.js";
import { sendProblem } from "./errors.js";

function findWebRoot(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // From src/server/plugins (tests) or dist/src/server/plugins (built): the project's dist/web.
  for (const up of ["../../../dist/web", "../../../../dist/web"]) {
    const candidate = path.resolve(here, up);
    if (fs.existsSync(path.join(candidate, "index.html"))) return candidate;
  }
  return null;
}

export async function registerDashboard(app: FastifyInstance): Promise<void> {
  const root = findWebRoot();
  if (root) await app.register(fastifyStatic, { root, wildcard: false, index: ["index.html"] });
  app.setNotFoundHandler((request, reply) => {
    if ((request.method !== "GET" && request.method !== "HEAD") || !root) {
      return sendProblem(reply, new AppError("not_found", `No route for ${request.method} ${request.url.split("?")[0]}.`));
    }
    return reply.type("text/html").sendFile("index.html");
  });
}
