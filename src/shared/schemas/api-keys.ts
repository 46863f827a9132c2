// The API key shapes of API.md "Machine access".
import { Type } from "typebox";
import type { Static } from "typebox";
import { Name, PermissionName, Timestamp } from "./common.js";

export const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  permissions: Type.Array(PermissionName),
  createdBy: Type.Object({ id: Type.String(), email: Type.String() }),
  createdAt: Timestamp,
  expiresAt: Type.Union([Timestamp, Type.Null()]),
  lastUsedAt: Type.Union([Timestamp, Type.Null()], { description: "Recorded at most once a minute." }),
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});

export const NewApiKey = Type.Object(
  {
    name: Name,
    permissions: Type.Array(PermissionName, { minItems: 1, uniqueItems: true, description: "A subset of the caller's own permissions; never team.delete or team.transfer." }),
    expiresAt: Type.Optional(Type.Union([Timestamp, Type.Null()], { description: "In the future, at most 5 years ahead; none: the key lasts until revoked." })),
  },
  { additionalProperties: false },
);

/** The answer that created a key: the only one that ever holds its secret. */
export const CreatedApiKey = Type.Object({ apiKey: ApiKey, secret: Type.String({ description: "Shown once; only its SHA-256 is stored." }) });

export type ApiKeyDto = Static<typeof ApiKey>;
export type NewApiKeyInput = Static<typeof NewApiKey>;
export type CreatedApiKeyDto = Static<typeof CreatedApiKey>;
