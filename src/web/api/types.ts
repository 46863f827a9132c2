// DTOs exactly as API.md describes them. Ids are opaque strings; times ISO 8601 UTC.
import type { Permission, Role } from "../../shared/permissions";

export type { Permission, Role };

export interface User {
  id: string;
  email: string;
  name: string;
  teamLimit: number;
  createdAt: string;
}

/** A team as seen by the caller: their roles there ([] for the Owner) and effective permissions. */
export interface TeamSummary {
  id: string;
  name: string;
  isDefault: boolean;
  isOwner: boolean;
  roles: Role[];
  permissions: Permission[];
}

export interface Me {
  user: User;
  activeTeam: TeamSummary;
  teams: TeamSummary[];
}

export interface PersonRef {
  id: string;
  email: string;
  name: string;
}

export interface TeamDetail extends TeamSummary {
  owner: PersonRef;
  memberCount: number;
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  roles: Role[];
  isOwner: boolean;
  joinedAt: string;
}

export type InvitationStatus = "pending" | "accepted" | "declined" | "revoked" | "expired";

/** `invitedBy` is documented without a shape; the server may send a name, an e-mail or a person. */
export type InvitedBy = string | { id?: string; email?: string; name?: string } | null | undefined;

export interface Invitation {
  id: string;
  email: string;
  roles: Role[];
  status: InvitationStatus;
  invitedBy: InvitedBy;
  createdAt: string;
  expiresAt: string;
}

export interface PublicInvitation {
  teamName: string;
  invitedBy: InvitedBy;
  email: string;
  roles: Role[];
  expiresAt: string;
  status: InvitationStatus;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: { id: string; email: string } | null;
  action: string;
  target: unknown;
  details: unknown;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
