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
  "automation.manage",
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

/** What each permission allows, in plain words (SPEC.md's table): permission lists, API key forms. */
export const PERMISSION_DESCRIPTIONS: Record<Permission, string> = {
  "team.view": "See the team, its members and their roles",
  "team.update": "Rename the team",
  "team.delete": "Delete a non-default team",
  "team.transfer": "Transfer ownership",
  "members.invite": "Send, re-send, list and revoke invitations",
  "members.update": "Change a member's roles",
  "members.remove": "Remove a member",
  "audit.view": "Read the audit log",
  "orders.view": "See certificate orders and their status",
  "orders.create": "Buy a certificate (place an order)",
  "billing.view": "See transactions and billing profiles",
  "billing.manage": "Add, edit and remove billing profiles",
  "billing.refund": "Refund an order",
  "validation.view": "See validation documents and steps",
  "validation.manage": "Upload documents, choose and complete validation steps",
  "certificates.manage": "Submit a CSR, download, reissue and revoke certificates",
  "automation.manage": "Create, list and revoke the team's API keys and ACME credentials",
};
