// What the API keys page says about a key: its state, its expiry choices, and which permissions
// a key may be given (SPEC rule 13: a subset of its creator's, never deleting or handing over the team).
import type { Permission } from "../../../shared/permissions";
import type { ApiKeyDto as ApiKey } from "../../../shared/schemas";
import { PERMISSIONS } from "../roles/labels";

export type ApiKeyStatus = "active" | "expired" | "revoked";

export const STATUS_LABELS: Record<ApiKeyStatus, string> = { active: "Active", expired: "Expired", revoked: "Revoked" };
export const STATUS_TONES: Record<ApiKeyStatus, "green" | "amber" | "red"> = { active: "green", expired: "amber", revoked: "red" };

export function apiKeyStatus(key: Pick<ApiKey, "expiresAt" | "revokedAt">, now = Date.now()): ApiKeyStatus {
  if (key.revokedAt) return "revoked";
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return "expired";
  return "active";
}

/** Never on a key, whoever creates it: the server refuses them (400). */
export const NEVER_ON_A_KEY: readonly Permission[] = ["team.delete", "team.transfer"];

/** The permissions the caller may put on a key, in the catalogue's order. */
export function grantable(own: readonly Permission[]): Permission[] {
  return PERMISSIONS.filter((p) => own.includes(p) && !NEVER_ON_A_KEY.includes(p));
}

export type ExpiryChoice = "never" | "30" | "90" | "365" | "date";

export const EXPIRY_CHOICES: { value: ExpiryChoice; label: string }[] = [
  { value: "never", label: "No expiry (until revoked)" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "365 days" },
  { value: "date", label: "On a date…" },
];

/** The server accepts an expiry at most this far ahead. */
export const MAX_EXPIRY_YEARS = 5;

/**
 * The expiry to send for a choice: null for none, an ISO time otherwise, or an error in words. A
 * date means the end of that day where the person is.
 */
export function expiryFor(choice: ExpiryChoice, date: string, now = new Date()): { expiresAt: string | null } | { error: string } {
  if (choice === "never") return { expiresAt: null };
  if (choice !== "date") return { expiresAt: new Date(now.getTime() + Number(choice) * 86_400_000).toISOString() };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return { error: "Choose the day the key stops working." };
  const end = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59);
  if (Number.isNaN(end.getTime()) || end.getTime() <= now.getTime()) return { error: "Choose a day in the future." };
  const limit = new Date(now);
  limit.setFullYear(limit.getFullYear() + MAX_EXPIRY_YEARS);
  if (end.getTime() > limit.getTime()) return { error: `A key can last at most ${MAX_EXPIRY_YEARS} years; choose an earlier day.` };
  return { expiresAt: end.toISOString() };
}
