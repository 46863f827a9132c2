import type { ReactNode } from "react";
import type { Permission } from "../../shared/permissions";
import { useMeQuery } from "./session";
import { useScopedTeam } from "./teamContext";

type Need = Permission | readonly Permission[];

function holds(permissions: readonly string[], need: Need, mode: "all" | "any"): boolean {
  const list = typeof need === "string" ? [need] : need;
  return mode === "all" ? list.every((p) => permissions.includes(p)) : list.some((p) => permissions.includes(p));
}

/** The caller's permissions in the team the page shows (the address's team, else the active team). */
function useShownPermissions(): readonly string[] {
  const { data } = useMeQuery();
  const scoped = useScopedTeam();
  return scoped?.permissions ?? data?.activeTeam.permissions ?? [];
}

/**
 * Whether the caller holds a permission in the team the page shows, from /api/me's `permissions`.
 * Only for showing and hiding: the server decides every call anyway.
 */
export function useCan(need: Need, mode: "all" | "any" = "all"): boolean {
  return holds(useShownPermissions(), need, mode);
}

/** A checker for several permissions at once. */
export function usePermissions(): (need: Need, mode?: "all" | "any") => boolean {
  const permissions = useShownPermissions();
  return (need, mode = "all") => holds(permissions, need, mode);
}

export function Can({ permission, anyOf, children, fallback = null }: { permission?: Need; anyOf?: readonly Permission[]; children: ReactNode; fallback?: ReactNode }) {
  const all = useCan(permission ?? [], "all");
  const any = useCan(anyOf ?? [], "any");
  const allowed = (permission === undefined || all) && (anyOf === undefined || any);
  return <>{allowed ? children : fallback}</>;
}
