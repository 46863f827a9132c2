// can() and authorize(): the only way code decides whether a member may act in a team.
import type { Permission, Role } from "../../shared/permissions.js";
import { AppError } from "../errors.js";
import { holds } from "./roles.js";

/**
 * A principal's standing in one team. A person: their membership (userId, Owner or roles). An API
 * key: no user and no roles, only the permissions it was given (`keyPermissions`), and never Owner.
 */
export type TeamMember = PersonMember | KeyMember | AcmeMember;

export interface PersonMember {
  kind: "person";
  teamId: string;
  userId: string;
  isOwner: boolean;
  roles: Role[];
  keyPermissions?: undefined;
}

export interface KeyMember {
  kind: "apiKey";
  teamId: string;
  apiKeyId: string;
  isOwner: false;
  roles: [];
  keyPermissions: ReadonlySet<Permission>;
}

/** An ACME account: the fixed permissions ACME needs (roles.ts ACME_PERMISSIONS), never Owner. */
export interface AcmeMember {
  kind: "acmeAccount";
  teamId: string;
  acmeAccountId: string;
  isOwner: false;
  roles: [];
  keyPermissions: ReadonlySet<Permission>;
}

/** "Self": the member is the person the request is about (leaving a team is removing yourself). */
export function isSelf(member: TeamMember, userId: string): boolean {
  return member.kind === "person" && member.userId === userId;
}

/** Whether the member is the team's Owner, as the row read inside a transaction says now. */
export function ownsTeam(member: TeamMember, team: { ownerId: string }): boolean {
  return member.kind === "person" && team.ownerId === member.userId;
}

export function can(member: TeamMember, permission: Permission): boolean {
  return holds(member, permission);
}

/** The 403 for a member lacking the permission, or undefined when they hold it. */
export function refusal(member: TeamMember, permission: Permission): AppError | undefined {
  if (can(member, permission)) return undefined;
  return new AppError("forbidden", `You need the ${permission} permission in this team.`, { access: permission });
}

export function authorize(member: TeamMember, permission: Permission): void {
  const refused = refusal(member, permission);
  if (refused) throw refused;
}
