// Permission and role names shared by server and dashboard. A typo in a name fails to compile.
// Which role grants which permission is known only to src/server/policy/roles.ts.

export const PERMISSIONS = [
  "team.view",
  "team.update",
  "team.delete",
  "team.transfer",
  "members.invite",
  "members.update",
  "members.remove",
  "audit.view",
  "orders.view",
  "orders.create",
  "billing.view",
  "billing.manage",
  "billing.refund",
  "validation.view",
  "validation.manage",
  "certificates.manage",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ["account_admin", "billing", "validation", "installer"] as const;

export type Role = (typeof ROLES)[number];

/** Plain words for e-mails and the dashboard. */
export const ROLE_LABELS: Record<Role, string> = {
  account_admin: "Account Admin",
  billing: "Billing",
  validation: "Validation",
  installer: "Installer",
};
