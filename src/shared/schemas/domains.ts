// The team's domain ledger (SPEC 16) and the `email` method's approval answer.
import { Type } from "typebox";
import type { Static } from "typebox";
import { VALIDATION_METHODS } from "../account.js";
import { page, StringEnum, Timestamp } from "./common.js";

export const LedgerEntry = Type.Object({
  domain: Type.String({ description: "The validated name (a wildcard's base name)." }),
  method: StringEnum(VALIDATION_METHODS),
  validatedAt: Timestamp,
  reusableUntil: Timestamp,
});

export const LedgerPage = page(LedgerEntry);

export const DomainApprovalAnswer = Type.Object({ domain: Type.String() });

export type LedgerEntryDto = Static<typeof LedgerEntry>;
