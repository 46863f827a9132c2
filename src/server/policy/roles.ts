// THE map from roles to permissions: SPEC.md's table, and nowhere else.
import { PERMISSIONS, ROLES } from "../../shared/permissions.js";
import type { Permission, Role } from "../../shared/permissions.js";

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  // Everything but removing or changing the Owner.
  account_admin: PERMISSIONS.filter((p) => p !== "team.delete" && p !== "team.transfer"),
  billing: ["team.view", "orders.view", "orders.create", "billing.view", "billing.manage", "billing.refund"],
  validation: ["team.view", "orders.view", "validation.view", "validation.manage"],
  installer: ["team.view", "orders.view", "certificates.manage"],
};

/** The role an Owner keeps after handing ownership on (SPEC rule 9). */
export const FORMER_OWNER_ROLES: readonly Role[] = ["account_admin"];

export function isRole(name: string): name is Role {
  return (ROLES as readonly string[]).includes(name);
}

/** The effective permissions of a membership, sorted; the Owner holds them all. */
export function permissionsOf(member: { isOwner: boolean; roles: readonly Role[] }): Permission[] {
  if (member.isOwner) return [...PERMISSIONS].sort();
  const granted = new Set<Permission>();
  for (const role of member.roles) for (const permission of ROLE_PERMISSIONS[role]) granted.add(permission);
  return [...granted].sort();
}

/** Roles stored as "a,b" → validated, sorted list; unknown names are dropped (they grant nothing). */
export function parseRoles(stored: string): Role[] {
  return stored
    .split(",")
    .filter(isRole)
    .sort();
}

export function formatRoles(roles: readonly Role[]): string {
  return [...new Set(roles)].sort().join(",");
}
