// can() and authorize(): the only way code decides whether a member may act in a team.
import type { Permission, Role } from "../../shared/permissions.js";
import { AppError } from "../errors.js";
import { holds } from "./roles.js";

export interface TeamMember {
  teamId: string;
  userId: string;
  isOwner: boolean;
  roles: Role[];
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
