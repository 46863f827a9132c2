// The catalogue and orders: what can be bought, what was bought, each domain's validation step,
// and the bodies that place an order, choose a validation method and submit a CSR.
import { Type } from "typebox";
import type { Static, TSchema } from "typebox";
import { VALIDATION_METHODS } from "../account.js";
import { MAX_CSR_BYTES, MAX_DOMAINS } from "../formats.js";
import { ActorRef, Id, StringEnum, Timestamp } from "./common.js";

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
  instructions: Nullable(Instructions),
});

export const ORDER_STATUSES = ["pending_validation", "issued", "refunded"] as const;
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
  certificate: Nullable(Type.Object({ serialNumber: Type.String(), notBefore: Timestamp, notAfter: Timestamp })),
  source: StringEnum(["dashboard", "api", "acme"]),
  placedBy: ActorRef,
});

export const NewOrder = Type.Object(
  {
    productId: Type.String({ minLength: 1, maxLength: 50 }),
    domains: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { minItems: 1, maxItems: MAX_DOMAINS }),
    billingProfileId: Id,
  },
  { additionalProperties: false },
);

export const ValidationMethodBody = Type.Object({ method: ValidationMethod }, { additionalProperties: false });

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
export type NewOrderInput = Static<typeof NewOrder>;
