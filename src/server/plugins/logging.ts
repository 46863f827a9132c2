// What a request log line may hold. Some paths carry a secret: the invitee's /api/invitations/:token
// calls and the e-mailed /invitations/:token and /reset-password/:token links. Fastify logs every
// request's URL, so the URL is logged with those tokens replaced (SECURITY 14, 24).
import type { FastifyRequest } from "fastify";

const TOKEN_IN_PATH = /\/(invitations|reset-password)\/(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:[/?#]|$))[^/?#]+/g;

/** The URL with any secret token in its path replaced; team-side invitation ids (UUIDs) stay. */
export function redactUrl(url: string): string {
  return url.replace(TOKEN_IN_PATH, "/$1/[redacted]");
}

function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Fastify's logger option: false stays silent; otherwise the given pino options with the redacting request serializer. */
export function loggerOptions(logger: boolean | object | undefined): false | object {
  if (!logger) return false;
  const options = (logger === true ? {} : logger) as { serializers?: Record<string, unknown> };
  return { ...options, serializers: { ...options.serializers, req: serializeRequest } };
}
