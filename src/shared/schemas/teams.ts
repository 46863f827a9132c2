// Teams as the caller sees them, their members, and the bodies that create, rename and hand them over.
import { Type } from "typebox";
import type { Static } from "typebox";
import { Id, Name, PermissionName, Person, RoleName, Roles, Timestamp } from "./common.js";

export const TeamSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  isDefault: Type.Boolean(),
  isOwner: Type.Boolean(),
  roles: Type.Array(RoleName),
  permissions: Type.Array(PermissionName),
});

export const TeamDetail = Type.Object({
  ...TeamSummary.properties,
  owner: Person,
  memberCount: Type.Integer(),
  createdAt: Timestamp,
});

export const Member = Type.Object({
  userId: Type.String(),
  email: Type.String(),
  name: Type.String(),
  roles: Type.Array(RoleName),
  isOwner: Type.Boolean(),
  joinedAt: Timestamp,
});

/** Create or rename a team. */
export const TeamNameBody = Type.Object({ name: Name }, { additionalProperties: false });
export const TransferBody = Type.Object({ userId: Id }, { additionalProperties: false });
export const MemberRolesBody = Type.Object({ roles: Roles }, { additionalProperties: false });

export type TeamSummaryDto = Static<typeof TeamSummary>;
export type TeamDetailDto = Static<typeof TeamDetail>;

/** What deleting a team takes with it (GET /api/teams/:teamId/deletion-preview). */
export const TeamContents = Type.Object({
  orders: Type.Integer(),
  certificates: Type.Integer(),
  documents: Type.Integer(),
  billingProfiles: Type.Integer({ description: "Not removed" }),
  apiKeys: Type.Integer({ description: "Not revoked" }),
  acmeCredentials: Type.Integer({ description: "Not revoked; their ACME accounts go with them" }),
  members: Type.Integer({ description: "The Owner included" }),
});
export type TeamContentsDto = Static<typeof TeamContents>;
export type MemberDto = Static<typeof Member>;
