// Every failure leaves as RFC 9457 problem+json with a stable code. A database out of reach is a
// 503 with Retry-After; anything else unexpected is a 500 logged with the request id and shown
// without internals.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { UNAVAILABLE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "../db/availability.js";
import { AppError, toProblem } from "../errors.js";
import type { ErrorCode, FieldError } from "../errors.js";

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "payload_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "invalid_request",
  FST_ERR_CTP_EMPTY_JSON_BODY: "invalid_request",
  FST_ERR_CTP_INVALID_JSON_BODY: "invalid_request",
  FST_ERR_VALIDATION: "invalid_request",
  FST_ERR_MULTIPART_FILE_TOO_LARGE: "payload_too_large",
  FST_FILES_LIMIT: "payload_too_large",
  FST_PARTS_LIMIT: "payload_too_large",
  FST_FIELDS_LIMIT: "payload_too_large",
  FST_INVALID_MULTIPART_CONTENT_TYPE: "unsupported_media_type",
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: "invalid_request",
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

export function sendProblem(reply: FastifyReply, error: AppError) {
  if (error.extra.retryAfterSeconds !== undefined) reply.header("retry-after", String(error.extra.retryAfterSeconds));
  return reply.status(error.status).type("application/problem+json").send(toProblem(error));
}

function fieldErrors(error: FastifyError): FieldError[] {
  return (error.validation ?? []).map((issue) => {
    const path = (issue.instancePath || "").replace(/^\//, "").replace(/\//g, ".");
    const missing = (issue.params as { missingProperty?: string; additionalProperty?: string } | undefined) ?? {};
    const field = [error.validationContext === "body" ? "" : error.validationContext, path, missing.missingProperty ?? missing.additionalProperty]
      .filter(Boolean)
      .join(".");
    const message = missing.additionalProperty ? "is not allowed" : (issue.message ?? "is invalid");
    return { field: field || (error.validationContext ?? "body"), message };
  });
}

/**
 * A multipart body the client broke: it stopped short (fewer bytes than its Content-Length, no
 * closing boundary, the client hung up mid-upload) or its Content-Type names no boundary. That is a
 * 400, not a 500. busboy (under @fastify/multipart) says so by message only, on the parts iterator and
 * on the file stream alike; @fastify/multipart says FST_MP_PREMATURE_CLOSE when the request closed
 * first. The messages are pinned by test/upload-truncation.test.ts. Returns the detail, or undefined.
 */
function brokenMultipart(error: FastifyError): string | undefined {
  const message = typeof error.message === "string" ? error.message : "";
  if (
    error.code === "FST_MP_PREMATURE_CLOSE" ||
    (error.code === undefined &&
      (message === "Unexpected end of multipart data" || message.endsWith(" terminated early due to unexpected end of multipart data")))
  ) {
    return "The request body ended before it was complete: send all of it, up to the closing multipart boundary.";
  }
  if (error.code === undefined && message === "Multipart: Boundary not found") return "The multipart/form-data Content-Type names no boundary.";
  return undefined;
}

export function toAppError(error: FastifyError | AppError | Error): AppError | null {
  if (error instanceof AppError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return new AppError("invalid_request", "The request does not match the schema.", { errors: fieldErrors(fastifyError) });
  }
  const broken = brokenMultipart(fastifyError);
  if (broken) return new AppError("invalid_request", broken);
  const code = (fastifyError.code && FASTIFY_CODES[fastifyError.code]) || (fastifyError.statusCode && STATUS_CODES[fastifyError.statusCode]);
  if (code) return new AppError(code, code === "invalid_request" ? "The request body is not valid JSON." : undefined);
  return null;
}

/**
 * Errors the router raises before any route or hook runs (Fastify's frameworkErrors): a URL with
 * broken percent-encoding, or a path segment longer than any id. Fastify would answer those with
 * its own JSON; they leave as problem+json like everything else.
 */
export function frameworkProblem(error: FastifyError): AppError {
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH") return new AppError("not_found", "No such resource: a path segment is too long.");
  return new AppError("invalid_request", "The URL is not valid.");
}

const CLIENT_ERROR_BODY = JSON.stringify({
  type: "https://certdesk.dev/errors/invalid_request",
  title: "Invalid request",
  status: 400,
  code: "invalid_request",
  detail: "The request could not be read (it was cut short or is not valid HTTP).",
});

/** Fastify's clientErrorHandler: the socket's last words, in the problem format. */
export function answerClientError(error: Error & { code?: string }, socket: import("node:net").Socket): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    "HTTP/1.1 400 Bad Request\r\n" +
      "Content-Type: application/problem+json\r\n" +
      `Content-Length: ${Buffer.byteLength(CLIENT_ERROR_BODY)}\r\n` +
      "Connection: close\r\n\r\n" +
      CLIENT_ERROR_BODY,
  );
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const appError = toAppError(error);
    if (appError) {
      if (appError.status === 403 || (appError.status === 404 && request.principal)) logDenial(request, appError);
      return sendProblem(reply, appError);
    }
    // The request was fine; the database was not there (SECURITY 32). A refusal decided by the
    // guard while the store failed is still a refusal: the handler never ran.
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, "database unavailable");
      return sendProblem(
        reply,
        new AppError("unavailable", "The database cannot be reached right now; try again shortly.", {
          retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
        }),
      );
    }
    request.log.error({ err: error }, "unhandled error");
    return sendProblem(reply, new AppError("internal", "Something went wrong on our side. The request id is " + request.id + "."));
  });
}

/** Every refusal to act, wherever it was decided (guard or command), in one kind of log line (SECURITY 24). */
function accessName(access: unknown): unknown {
  return typeof access === "object" && access !== null ? (access as { name: string }).name : access;
}

function logDenial(request: FastifyRequest, error: AppError): void {
  const team = (request.params as { teamId?: string } | undefined)?.teamId;
  request.log.info(
    { actor: request.principal?.id, actorType: request.principal?.kind, team, code: error.code, access: error.extra.access ?? accessName(request.routeOptions.config.access), detail: error.detail },
    error.status === 404 ? "access denied: not found" : "access denied",
  );
}

