// Billing profiles (a card's brand and last four digits only), the ledger, and the profile bodies.
import { Type } from "typebox";
import type { Static } from "typebox";
import { CARD_BRANDS } from "../account.js";
import { ActorRef, Name, StringEnum, Timestamp } from "./common.js";

export const BillingProfile = Type.Object({
  id: Type.String(),
  name: Type.String(),
  country: Type.String(),
  cardBrand: Type.String(),
  cardLast4: Type.String(),
  street: Type.String(),
  city: Type.String(),
  postalCode: Type.String(),
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

const profileFields = {
  name: Name,
  country: Type.String({ pattern: "^[A-Z]{2}$", description: "ISO 3166-1 alpha-2" }),
  cardBrand: StringEnum(CARD_BRANDS),
  cardLast4: Type.String({ pattern: "^[0-9]{4}$", description: "The last four digits only; a full card number is refused." }),
};

// The rest of the address (SPEC.md): optional, "" when not given; no control or bidi characters.
const addressFields = {
  street: Type.Optional(Type.String({ maxLength: 100, description: "Street and number; may be empty" })),
  city: Type.Optional(Type.String({ maxLength: 100, description: "May be empty" })),
  postalCode: Type.Optional(Type.String({ maxLength: 20, description: "May be empty" })),
};

export const NewBillingProfile = Type.Object({ ...profileFields, ...addressFields }, { additionalProperties: false });

export const BillingProfilePatch = Type.Object(
  {
    name: Type.Optional(profileFields.name),
    country: Type.Optional(profileFields.country),
    cardBrand: Type.Optional(profileFields.cardBrand),
    cardLast4: Type.Optional(profileFields.cardLast4),
    ...addressFields,
  },
  { additionalProperties: false, minProperties: 1 },
);

export type BillingProfileDto = Static<typeof BillingProfile>;
export type TransactionDto = Static<typeof Transaction>;
export type NewBillingProfileInput = Static<typeof NewBillingProfile>;
export type BillingProfilePatchInput = Static<typeof BillingProfilePatch>;
