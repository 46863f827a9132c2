// The API key shapes of API.md "Machine access".
import { Type } from "typebox";
import type { Static } from "typebox";
import { Id, Name, PermissionName, Timestamp } from "./schemas.js";

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

export const ApiKeyParams = Type.Object({ teamId: Id, apiKeyId: Id }, { additionalProperties: false });

export type ApiKeyDto = Static<typeof ApiKey>;
export type NewApiKeyInput = Static<typeof NewApiKey>;
