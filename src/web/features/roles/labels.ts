// Plain words for roles and permissions. Which role grants what is the server's business;
// these lines only describe them to people.
import { PERMISSIONS, ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS } from "../../../shared/permissions";
import type { Permission, Role } from "../../../shared/permissions";

export { PERMISSIONS, ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS };
export type { Permission, Role };

export const PERMISSION_LABELS: Record<Permission, string> = {
  "team.view": "See the team, its members and their roles",
  "team.update": "Rename the team",
  "team.delete": "Delete the team",
  "team.transfer": "Transfer ownership",
  "members.invite": "Send, re-send and revoke invitations",
  "members.update": "Change members' roles",
  "members.remove": "Remove members",
  "audit.view": "Read the audit log",
  "orders.view": "See certificate orders and their status",
  "orders.create": "Buy certificates",
  "billing.view": "See transactions and billing profiles",
  "billing.manage": "Manage billing profiles",
  "billing.refund": "Refund orders",
  "validation.view": "See validation documents and steps",
  "validation.manage": "Upload documents and complete validation steps",
  "certificates.manage": "Submit CSRs, download and reissue certificates",
};

export const PERMISSION_GROUPS: { label: string; prefix: string }[] = [
  { label: "Team", prefix: "team." },
  { label: "Members", prefix: "members." },
  { label: "Audit", prefix: "audit." },
  { label: "Orders", prefix: "orders." },
  { label: "Billing", prefix: "billing." },
  { label: "Validation", prefix: "validation." },
  { label: "Certificates", prefix: "certificates." },
];

export function roleLabel(role: string): string {
  return (ROLE_LABELS as Record<string, string>)[role] ?? role;
}

/** "Billing and Validation" */
export function rolesInWords(roles: readonly string[]): string {
  const labels = roles.map(roleLabel);
  if (labels.length <= 1) return labels[0] ?? "no role";
  return `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`;
}
