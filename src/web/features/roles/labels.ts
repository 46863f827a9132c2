// Plain words for roles and permissions. Which role grants what is the server's business;
// these lines only describe them to people.
import { PERMISSIONS, PERMISSION_DESCRIPTIONS, ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS } from "../../../shared/permissions";
import type { Permission, Role } from "../../../shared/permissions";

export { PERMISSIONS, ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS };
export type { Permission, Role };

/** One line per permission, from SPEC.md's table (shared with the server's e-mails). */
export const PERMISSION_LABELS: Record<Permission, string> = PERMISSION_DESCRIPTIONS;

export const PERMISSION_GROUPS: { label: string; prefix: string }[] = [
  { label: "Team", prefix: "team." },
  { label: "Members", prefix: "members." },
  { label: "Audit", prefix: "audit." },
  { label: "Orders", prefix: "orders." },
  { label: "Billing", prefix: "billing." },
  { label: "Validation", prefix: "validation." },
  { label: "Certificates", prefix: "certificates." },
  { label: "Automation", prefix: "automation." },
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
