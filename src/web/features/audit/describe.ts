import { roleLabel } from "../roles/labels";

/** "invitation.sent" → "Invitation sent", "member.roles_changed" → "Member roles changed". */
export function actionInWords(action: string): string {
  const words = action.replace(/[._]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function scalar(key: string, value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return value.map((v) => (/roles?$/i.test(key) && typeof v === "string" ? roleLabel(v) : scalar(key, v))).join(", ") || "none";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function keyInWords(key: string): string {
  const spaced = key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/_/g, " ").toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** A target or a details object as short "key: value" pairs. */
export function pairs(value: unknown): { key: string; value: string }[] {
  if (value === null || value === undefined || value === "") return [];
  if (typeof value !== "object" || Array.isArray(value)) return [{ key: "", value: scalar("", value) }];
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ({ key: keyInWords(k), value: scalar(k, v) }));
}
