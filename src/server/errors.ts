// AppError(code, detail) and the one table that maps each code to its HTTP status and title.
import type { Permission } from "../shared/permissions.js";

export const ERROR_STATUS = {
  invalid_request: [400, "Invalid request"],
  invalid_csr: [400, "Invalid certificate signing request"],
  unauthenticated: [401, "Not signed in"],
  invalid_credentials: [401, "Invalid e-mail or password"],
  forbidden: [403, "Forbidden"],
  csrf: [403, "Cross-site request refused"],
  invitation_email_mismatch: [403, "Invitation is for another e-mail address"],
  owner_protected: [403, "The Owner cannot be changed this way"],
  not_found: [404, "Not found"],
  email_taken: [409, "E-mail already registered"],
  team_limit_reached: [409, "Team limit reached"],
  already_member: [409, "Already a member"],
  invitation_pending: [409, "Invitation already pending"],
  default_team: [409, "Default team"],
  not_issued: [409, "Certificate not issued yet"],
  already_refunded: [409, "Already refunded"],
  refund_window_closed: [409, "Refund window closed"],
  already_revoked: [409, "Certificate already revoked"],
  order_refunded: [409, "Order refunded"],
  validation_method_missing: [409, "Choose a validation method first"],
  validation_completed: [409, "Validation step already completed"],
  conflict: [409, "Conflict"],
  validation_failed: [422, "Validation failed"],
  invitation_expired: [410, "Invitation expired"],
  invitation_revoked: [410, "Invitation revoked"],
  invitation_used: [410, "Invitation already used"],
  invitation_declined: [410, "Invitation declined"],
  approval_used: [410, "Domain approval already used"],
  approval_expired: [410, "Domain approval expired"],
  reset_token_invalid: [410, "Password reset link is invalid or expired"],
  payload_too_large: [413, "Payload too large"],
  unsupported_media_type: [415, "Unsupported media type"],
  name_not_allowed: [422, "Name a CA may not certify"],
  caa_forbidden: [422, "CAA forbids issuance"],
  rate_limited: [429, "Too many requests"],
  internal: [500, "Internal server error"],
  /** The database cannot be reached right now (db/availability.ts); sent with Retry-After. */
  unavailable: [503, "Service unavailable"],
  document_corrupted: [500, "Stored document failed its integrity check"],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  field: string;
  message: string;
}

let stackTraceLimit = Error.stackTraceLimit;

/** Turns stack capture off for the Error constructor about to run (it is turned back on right after). */
function withoutStack<T>(value: T): T {
  stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  return value;
}

/**
 * An expected refusal (404, 403, 409 …). It carries no stack trace: they are answers, not faults,
 * and capturing one was a measurable part of a refused request's cost.
 */
export class AppError extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly extra: { errors?: FieldError[]; retryAfterSeconds?: number; access?: Permission } = {},
  ) {
    super(withoutStack(detail ?? ERROR_STATUS[code][1]));
    Error.stackTraceLimit = stackTraceLimit;
    this.status = ERROR_STATUS[code][0];
    this.title = ERROR_STATUS[code][1];
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  errors?: FieldError[];
}

export function toProblem(error: AppError): Problem {
  const problem: Problem = {
    type: `https://certdesk.dev/errors/${error.code}`,
    title: error.title,
    status: error.status,
    code: error.code,
  };
  if (error.detail) problem.detail = error.detail;
  if (error.extra.errors) problem.errors = error.extra.errors;
  return problem;
}
