// can() and authorize(): the only way code decides whether a member may act in a team.
import type { Permission, Role } from "../../shared/permissions.js";
import { AppError } from "../errors.js";
import { permissionsOf } from "./roles.js";

export interface TeamMember {
  teamId: string;
  userId: string;
  isOwner: boolean;
  roles: Role[];
}

export function can(member: TeamMember, permission: Permission): boolean {
  return permissionsOf(member).includes(permission);
}

export function authorize(member: TeamMember, permission: Permission): void {
  if (!can(member, permission)) throw new AppError("forbidden", `You need the ${permission} permission in this team.`, { access: permission });
}
