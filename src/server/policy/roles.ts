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

/**
 * What an API key may hold: every permission but the Owner's own acts. Deleting a team and handing
 * it to someone else stay with the person who owns it (SPEC rules 2 and 9: "nobody else can change
 * the Owner"); a key that outlives its creator must not carry them.
 */
export const KEY_GRANTABLE: readonly Permission[] = PERMISSIONS.filter((p) => p !== "team.delete" && p !== "team.transfer");

/** The role an Owner keeps after handing ownership on (SPEC rule 9). */
export const FORMER_OWNER_ROLES: readonly Role[] = ["account_admin"];

export function isRole(name: string): name is Role {
  return (ROLES as readonly string[]).includes(name);
}

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  account_admin: new Set(ROLE_PERMISSIONS.account_admin),
  billing: new Set(ROLE_PERMISSIONS.billing),
  validation: new Set(ROLE_PERMISSIONS.validation),
  installer: new Set(ROLE_PERMISSIONS.installer),
};

/**
 * What an ACME account may do in its credential's team (SPEC 20): order, prove its names, fetch and
 * revoke what it ordered. Nothing about members, billing or the team itself.
 */
export const ACME_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>([
  "orders.view",
  "orders.create",
  "validation.view",
  "validation.manage",
  "certificates.manage",
]);

/** What holds permissions in a team: a person's membership (Owner or roles), or an API key's own set. */
export type Holder = { isOwner: boolean; roles: readonly Role[]; keyPermissions?: ReadonlySet<Permission> };

/** Whether a membership holds one permission: asked on every team request, so it allocates nothing. */
export function holds(member: Holder, permission: Permission): boolean {
  if (member.keyPermissions) return member.keyPermissions.has(permission);
  if (member.isOwner) return true;
  for (const role of member.roles) if (GRANTS[role].has(permission)) return true;
  return false;
}

/** The effective permissions of a membership, sorted; the Owner holds them all. */
export function permissionsOf(member: Holder): Permission[] {
  return PERMISSIONS.filter((permission) => holds(member, permission)).sort();
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
