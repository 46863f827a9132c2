import type { ReactNode } from "react";
import type { Permission } from "../../shared/permissions";
import { useMeQuery } from "./session";

type Need = Permission | readonly Permission[];

function holds(permissions: readonly string[], need: Need, mode: "all" | "any"): boolean {
  const list = typeof need === "string" ? [need] : need;
  return mode === "all" ? list.every((p) => permissions.includes(p)) : list.some((p) => permissions.includes(p));
}

/**
 * Whether the caller holds a permission in the active team, from /api/me's `permissions`.
 * Only for showing and hiding: the server decides every call anyway.
 */
export function useCan(need: Need, mode: "all" | "any" = "all"): boolean {
  const { data } = useMeQuery();
  return data ? holds(data.activeTeam.permissions, need, mode) : false;
}

/** A checker for several permissions at once. */
export function usePermissions(): (need: Need, mode?: "all" | "any") => boolean {
  const { data } = useMeQuery();
  const permissions = data?.activeTeam.permissions ?? [];
  return (need, mode = "all") => holds(permissions, need, mode);
}

export function Can({ permission, anyOf, children, fallback = null }: { permission?: Need; anyOf?: readonly Permission[]; children: ReactNode; fallback?: ReactNode }) {
  const all = useCan(permission ?? [], "all");
  const any = useCan(anyOf ?? [], "any");
  const allowed = (permission === undefined || all) && (anyOf === undefined || any);
  return <>{allowed ? children : fallback}</>;
}
