// The catalogue and orders: what can be bought, what was bought, each domain's validation step,
// and the bodies that place an order, choose a validation method and submit a CSR.
import { Type } from "typebox";
import type { Static, TSchema } from "typebox";
import { VALIDATION_METHODS } from "../account.js";
import { MAX_CSR_BYTES, MAX_DOMAINS } from "../formats.js";
import { ActorRef, Cursor, Id, Limit, StringEnum, Timestamp } from "./common.js";

export const ProductType = StringEnum(["DV", "OV", "EV"]);

export const Product = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: ProductType,
  years: Type.Integer(),
  priceMinor: Type.Integer({ description: "Price in the currency's minor unit (cents)." }),
  currency: Type.String(),
  wildcardAllowed: Type.Boolean(),
});

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ValidationMethod = StringEnum(VALIDATION_METHODS);

/** What the customer does to prove control of a domain, by method. */
export const Instructions = Type.Union([
  Type.Object({ method: Type.Literal("email"), approverEmails: Type.Array(Type.String()) }),
  Type.Object({ method: Type.Literal("http"), url: Type.String(), content: Type.String() }),
  Type.Object({ method: Type.Literal("dns"), recordName: Type.String(), recordType: Type.Literal("TXT"), recordValue: Type.String() }),
]);

export const ValidationStep = Type.Object({
  domain: Type.String(),
  method: Nullable(ValidationMethod),
  completed: Type.Boolean(),
  completedAt: Nullable(Timestamp),
  /** When control was proven: by this order's check, or (reused) by the team's earlier validation. */
  validatedAt: Nullable(Timestamp),
  /** true when the step started validated from the team's domain ledger (SPEC 16). */
  reused: Type.Boolean(),
  instructions: Nullable(Instructions),
});

/** The five reasons a customer may give (SPEC 18; RFC 5280 CRLReason names). */
export const REVOCATION_REASONS = ["unspecified", "keyCompromise", "superseded", "cessationOfOperation", "affiliationChanged"] as const;
export const RevocationReason = StringEnum(REVOCATION_REASONS);

/** The order's current certificate (SPEC 17–18): serial in lower-case hex without separators. */
export const Certificate = Type.Object({
  serial: Type.String({ pattern: "^[0-9a-f]+$" }),
  notBefore: Timestamp,
  notAfter: Timestamp,
  revokedAt: Nullable(Timestamp),
  revocationReason: Nullable(RevocationReason),
});

export const RevokeBody = Type.Object({ reason: RevocationReason }, { additionalProperties: false });

export const ORDER_STATUSES = ["pending_validation", "issued", "revoked", "refunded"] as const;
export const OrderStatus = StringEnum(ORDER_STATUSES);

export const Order = Type.Object({
  id: Type.String(),
  productId: Type.String(),
  domains: Type.Array(Type.String()),
  status: OrderStatus,
  validation: Type.Array(ValidationStep),
  priceMinor: Type.Integer(),
  currency: Type.String(),
  billingProfileId: Type.String(),
  csrOnFile: Type.Boolean(),
  createdAt: Timestamp,
  issuedAt: Nullable(Timestamp),
  refundedAt: Nullable(Timestamp),
  certificate: Nullable(Certificate),
  coverageEndsAt: Nullable(Timestamp),
  source: StringEnum(["dashboard", "api", "acme"]),
  placedBy: ActorRef,
  acmeCredential: Nullable(
    Type.Object(
      { id: Type.String(), name: Type.String() },
      { description: "For an order placed by an ACME account (`placedBy.type` acmeAccount): the team's ACME credential it bound with. `placedBy.email` is the credential's creator." },
    ),
  ),
});

export const ORDER_SORTS = ["newest", "expires"] as const;
export const OrderSort = Object.assign(StringEnum(ORDER_SORTS), {
  description: "newest (default): newest first; expires: the soonest notAfter of the current certificate first, orders without a certificate last. A cursor only continues the sort it came from.",
});

/** Narrowing the orders list (issue 11). A cursor belongs to the sort it came from: another sort's is a 400. */
export const OrderFilterQuery = Type.Object(
  {
    status: Type.Optional(OrderStatus),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 253,
        pattern: "^[A-Za-z0-9.*_-]+$",
        description: 'A domain prefix, case-insensitive: "exa" finds example.com and *.example.com.',
      }),
    ),
    expiresWithinDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 365, description: "Issued orders whose current certificate is not revoked and ends within this many days." }),
    ),
    sort: Type.Optional(OrderSort),
  },
  { additionalProperties: false },
);
export const OrderListQuery = Type.Object(
  { ...OrderFilterQuery.properties, limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

export const NewOrder = Type.Object(
  {
    productId: Type.String({ minLength: 1, maxLength: 50 }),
    domains: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { minItems: 1, maxItems: MAX_DOMAINS }),
    billingProfileId: Id,
  },
  { additionalProperties: false },
);

/** `approverEmail` is required for `email` (one of the five constructed addresses) and refused otherwise. */
export const ValidationMethodBody = Type.Object(
  { method: ValidationMethod, approverEmail: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })) },
  { additionalProperties: false },
);

export const CsrBody = Type.Object(
  { csr: Type.String({ minLength: 1, maxLength: MAX_CSR_BYTES, description: "PEM CERTIFICATE REQUEST, at most 16 KiB" }) },
  { additionalProperties: false },
);

export type ProductType = Static<typeof ProductType>;
export type ValidationMethod = Static<typeof ValidationMethod>;
export type ProductDto = Static<typeof Product>;
export type InstructionsDto = Static<typeof Instructions>;
export type ValidationStepDto = Static<typeof ValidationStep>;
export type OrderStatus = Static<typeof OrderStatus>;
export type OrderDto = Static<typeof Order>;
export type CertificateDto = Static<typeof Certificate>;
export type RevocationReason = Static<typeof RevocationReason>;
export type NewOrderInput = Static<typeof NewOrder>;
export type OrderSort = Static<typeof OrderSort>;
export type OrderFilter = Static<typeof OrderFilterQuery>;
