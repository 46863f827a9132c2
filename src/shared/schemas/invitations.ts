// Invitations: a team's list of them, the body that sends one, and what a link shows its recipient.
import { Type } from "typebox";
import type { Static } from "typebox";
import { Email, Person, RoleName, Roles, StringEnum, Timestamp } from "./common.js";

export const INVITATION_STATUSES = ["pending", "accepted", "declined", "revoked", "expired"] as const;
export const InvitationStatus = StringEnum(INVITATION_STATUSES);
/** An invitation that is no longer pending; its preview is only this status. */
export const ENDED_INVITATION_STATUSES = ["accepted", "declined", "revoked", "expired"] as const;

export const Invitation = Type.Object({
  id: Type.String(),
  email: Type.String(),
  roles: Type.Array(RoleName),
  status: InvitationStatus,
  invitedBy: Person,
  createdAt: Timestamp,
  expiresAt: Timestamp,
});

export const NewInvitation = Type.Object({ email: Email, roles: Roles }, { additionalProperties: false });

/** GET /api/invitations/:token while the invitation is pending: the offer. */
export const OpenInvitation = Type.Object({
  teamName: Type.String(),
  invitedBy: Type.Object({ name: Type.String(), email: Type.String() }),
  email: Type.String(),
  roles: Type.Array(RoleName),
  expiresAt: Type.String({ format: "date-time" }),
  status: Type.Literal("pending"),
});

/** Once it has ended, only its status (SECURITY 31): the first shape never matches it. */
export const InvitationPreview = Type.Union([
  OpenInvitation,
  Type.Object({ status: StringEnum(ENDED_INVITATION_STATUSES) }, { additionalProperties: false }),
]);

export type InvitationStatus = Static<typeof InvitationStatus>;
export type InvitationDto = Static<typeof Invitation>;
export type NewInvitationInput = Static<typeof NewInvitation>;
export type OpenInvitationDto = Static<typeof OpenInvitation>;
export type InvitationPreviewDto = Static<typeof InvitationPreview>;
