// What a request log line may hold. Some paths carry a secret: the invitee's /api/invitations/:token
// calls and the e-mailed /invitations/:token and /reset-password/:token links. Fastify logs every
// request's URL, so the URL is logged with those tokens replaced (SECURITY 14, 24).
import type { FastifyBaseLogger, FastifyRequest } from "fastify";
import type { Bindings, ChildLoggerOptions } from "pino";

const TOKEN_IN_PATH = /\/(invitations|reset-password|domain-approvals)\/(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:[/?#]|$))[^/?#]+/g;

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

type Level = "fatal" | "error" | "warn" | "info" | "debug" | "trace";
type LogCall = (...args: unknown[]) => void;

/**
 * The logger Fastify gives each request, made with pino's child() only when something is logged
 * at an enabled level. Fastify asks for one per request; at LOG_LEVEL=warn nothing is logged for
 * almost every request, and creating the child was one of the larger costs of a small request.
 */
class RequestLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  private log(level: Level, args: unknown[]): void {
    if ((this.parent as unknown as { isLevelEnabled(level: Level): boolean }).isLevelEnabled(level)) (this.real[level] as LogCall)(...args);
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }
  set level(level: string) {
    this.real.level = level;
  }

  fatal(...args: unknown[]) {
    this.log("fatal", args);
  }
  error(...args: unknown[]) {
    this.log("error", args);
  }
  warn(...args: unknown[]) {
    this.log("warn", args);
  }
  info(...args: unknown[]) {
    this.log("info", args);
  }
  debug(...args: unknown[]) {
    this.log("debug", args);
  }
  trace(...args: unknown[]) {
    this.log("trace", args);
  }
  silent() {}
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}

/** Fastify's childLoggerFactory option. */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new RequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}
