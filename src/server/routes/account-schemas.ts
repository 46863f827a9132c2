// TypeBox schemas of the certificate account: products, billing profiles, transactions, orders, documents.
import { Type } from "typebox";
import type { Static } from "typebox";
import { VALIDATION_METHODS } from "../account/domain-validation.js";
import { ActorRef, Id, Timestamp, StringEnum } from "./schemas.js";

export const OrderParams = Type.Object({ teamId: Id, orderId: Id }, { additionalProperties: false });

export const Product = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: StringEnum(["DV", "OV", "EV"]),
  years: Type.Integer(),
  priceMinor: Type.Integer({ description: "Price in the currency's minor unit (cents)." }),
  currency: Type.String(),
  wildcardAllowed: Type.Boolean(),
});

export const BillingProfile = Type.Object({
  id: Type.String(),
  name: Type.String(),
  country: Type.String(),
  cardBrand: Type.String(),
  cardLast4: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const Transaction = Type.Object({
  id: Type.String(),
  kind: StringEnum(["charge", "refund"]),
  amountMinor: Type.Integer(),
  currency: Type.String(),
  orderId: Type.String(),
  billingProfileId: Type.String(),
  actor: ActorRef,
  gatewayReference: Type.String(),
  createdAt: Timestamp,
});

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const Instructions = Type.Union([
  Type.Object({ method: Type.Literal("email"), approverEmails: Type.Array(Type.String()) }),
  Type.Object({ method: Type.Literal("http"), url: Type.String(), content: Type.String() }),
  Type.Object({ method: Type.Literal("dns"), recordName: Type.String(), recordType: Type.Literal("TXT"), recordValue: Type.String() }),
]);

export const Order = Type.Object({
  id: Type.String(),
  productId: Type.String(),
  domains: Type.Array(Type.String()),
  status: StringEnum(["pending_validation", "issued", "refunded"]),
  validation: Type.Array(
    Type.Object({
      domain: Type.String(),
      method: Nullable(StringEnum(VALIDATION_METHODS)),
      completed: Type.Boolean(),
      completedAt: Nullable(Timestamp),
      instructions: Nullable(Instructions),
    }),
  ),
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

export const Document = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  filename: Type.String(),
  mediaType: StringEnum(["application/pdf", "image/png", "image/jpeg"]),
  size: Type.Integer(),
  sha256: Type.String(),
  uploadedBy: ActorRef,
  createdAt: Timestamp,
});

export type DocumentDto = Static<typeof Document>;
export type BillingProfileDto = Static<typeof BillingProfile>;
export type TransactionDto = Static<typeof Transaction>;
