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

/** What each role lets its holder do, in plain words (invitation e-mails, the dashboard). */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  account_admin: "Everything except deleting the team or changing its Owner.",
  billing: "Orders, transactions, billing profiles and refunds.",
  validation: "Validation documents and domain-control steps.",
  installer: "Certificate requests (CSRs), downloads and reissues.",
};
