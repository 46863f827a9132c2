// ACME's errors (RFC 8555 §6.7): problem documents typed `urn:ietf:params:acme:error:*`, with
// subproblems per identifier. Inside the ACME scope every failure becomes one; a certdesk command
// reused here throws its AppError, which is translated once, below, by its code.
import { AppError } from "../errors.js";

export type AcmeErrorType =
  | "accountDoesNotExist"
  | "alreadyRevoked"
  | "badCSR"
  | "badNonce"
  | "badPublicKey"
  | "badRevocationReason"
  | "badSignatureAlgorithm"
  | "caa"
  | "connection"
  | "dns"
  | "externalAccountRequired"
  | "incorrectResponse"
  | "invalidContact"
  | "malformed"
  | "orderNotReady"
  | "rateLimited"
  | "rejectedIdentifier"
  | "serverInternal"
  | "unauthorized"
  | "unsupportedContact"
  | "unsupportedIdentifier"
  | "userActionRequired";

export interface Subproblem {
  type: string;
  detail: string;
  /** The identifier as the client sent it (RFC 8555 §6.7.1), an unsupported type included. */
  identifier: { type: string; value: string };
}

export interface ProblemDocument {
  type: string;
  detail: string;
  status: number;
  subproblems?: Subproblem[];
  /** badSignatureAlgorithm: the algorithms accepted (RFC 8555 §6.2). */
  algorithms?: string[];
}

export const acmeType = (type: AcmeErrorType): string => `urn:ietf:params:acme:error:${type}`;

/** Statuses follow RFC 8555's examples and Boulder/Pebble where the RFC leaves them open. */
const STATUS: Record<AcmeErrorType, number> = {
  accountDoesNotExist: 400,
  alreadyRevoked: 400,
  badCSR: 400,
  badNonce: 400,
  badPublicKey: 400,
  badRevocationReason: 400,
  badSignatureAlgorithm: 400,
  caa: 403,
  connection: 400,
  dns: 400,
  externalAccountRequired: 400,
  incorrectResponse: 403,
  invalidContact: 400,
  malformed: 400,
  orderNotReady: 403,
  rateLimited: 429,
  rejectedIdentifier: 400,
  serverInternal: 500,
  unauthorized: 403,
  unsupportedContact: 400,
  unsupportedIdentifier: 400,
  userActionRequired: 403,
};

export class AcmeProblem extends Error {
  readonly status: number;

  constructor(
    readonly type: AcmeErrorType,
    detail: string,
    readonly extra: { status?: number; subproblems?: Subproblem[]; algorithms?: string[]; retryAfterSeconds?: number; location?: string } = {},
  ) {
    super(detail);
    this.status = extra.status ?? STATUS[type];
  }

  document(): ProblemDocument {
    return {
      type: acmeType(this.type),
      detail: this.message,
      status: this.status,
      ...(this.extra.subproblems ? { subproblems: this.extra.subproblems } : {}),
      ...(this.extra.algorithms ? { algorithms: this.extra.algorithms } : {}),
    };
  }
}

/** certdesk's error codes as ACME error types; what is not listed is `malformed` (4xx) or `serverInternal`. */
const FROM_APP: Partial<Record<string, AcmeErrorType>> = {
  invalid_request: "malformed",
  invalid_csr: "badCSR",
  unauthenticated: "unauthorized",
  forbidden: "unauthorized",
  not_found: "malformed",
  name_not_allowed: "rejectedIdentifier",
  caa_forbidden: "caa",
  rate_limited: "rateLimited",
  already_revoked: "alreadyRevoked",
  order_refunded: "orderNotReady",
  validation_failed: "userActionRequired",
  payload_too_large: "malformed",
  unsupported_media_type: "malformed",
};

export function fromAppError(error: AppError): AcmeProblem {
  const type = FROM_APP[error.code] ?? (error.status >= 500 ? "serverInternal" : "malformed");
  const retry = error.extra.retryAfterSeconds;
  return new AcmeProblem(type, error.message, {
    // An unknown order, authorization or certificate is still a 404, whatever its ACME type.
    ...(error.code === "not_found" ? { status: 404 } : error.status >= 500 ? { status: error.status } : {}),
    ...(retry !== undefined ? { retryAfterSeconds: retry } : {}),
  });
}
