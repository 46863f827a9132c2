// The ACME credential shapes of API.md "Machine access" (SPEC rule 20): a team's External Account
// Binding, the ACME accounts bound with it, and the one answer that holds its HMAC key.
import { Type } from "typebox";
import type { Static } from "typebox";
import { Id, Name, StringEnum, Timestamp } from "./common.js";

export const AcmeAccount = Type.Object({
  id: Type.String(),
  thumbprint: Type.String({ description: "RFC 7638 SHA-256 thumbprint, base64url, of the account's current key." }),
  status: StringEnum(["valid", "deactivated", "revoked"]),
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
});

export const AcmeCredential = Type.Object({
  id: Type.String(),
  name: Type.String(),
  keyId: Type.String({ description: "The EAB key identifier (`--eab-kid`); not a secret." }),
  productId: Type.String({ description: "The product every order placed through this credential buys." }),
  billingProfileId: Type.String({ description: "The billing profile each finalized ACME order is charged to." }),
  directoryUrl: Type.String({ description: "The ACME directory to give the client (`--server`)." }),
  createdBy: Type.Object({ id: Type.String(), email: Type.String() }),
  createdAt: Timestamp,
  revokedAt: Type.Union([Timestamp, Type.Null()], { description: "Once set, no new account binds and the bound accounts are deactivated." }),
  accounts: Type.Array(AcmeAccount, { description: "The ACME accounts bound with this credential, oldest first." }),
});

/** A page of credentials, with the directory URL even when the team has none yet. */
export const AcmeCredentialPage = Type.Object({
  items: Type.Array(AcmeCredential),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  directoryUrl: Type.String({ description: "This deployment's ACME directory, the same for every credential." }),
});

export const NewAcmeCredential = Type.Object(
  {
    name: Name,
    productId: Type.String({ minLength: 1, maxLength: 50, description: "A product of `GET /api/products`." }),
    billingProfileId: Id,
  },
  { additionalProperties: false },
);

/** The answer that created a credential: the only one that ever holds its HMAC key. */
export const CreatedAcmeCredential = Type.Object({
  acmeCredential: AcmeCredential,
  hmacKey: Type.String({ description: "The EAB MAC key (`--eab-hmac-key`), 32 bytes base64url. Shown once; stored sealed with the master key." }),
});

export type AcmeAccountDto = Static<typeof AcmeAccount>;
export type AcmeCredentialDto = Static<typeof AcmeCredential>;
export type AcmeCredentialPageDto = Static<typeof AcmeCredentialPage>;
export type NewAcmeCredentialInput = Static<typeof NewAcmeCredential>;
export type CreatedAcmeCredentialDto = Static<typeof CreatedAcmeCredential>;
