import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { isApiError } from "../api/client";
import { authApi, meApi } from "../api/endpoints";
import { keys } from "../api/keys";
import type { MeDto as Me, TeamSummaryDto as TeamSummary } from "../../shared/schemas";
import { useToast } from "../ui/Toast";
import { useScopedTeam } from "./teamContext";
import { teamPath } from "./teamPaths";

/** GET /api/me; `null` when signed out. */
export function useMeQuery() {
  return useQuery<Me | null>({
    queryKey: keys.me,
    queryFn: async () => {
      try {
        return await meApi.get();
      } catch (error) {
        if (isApiError(error) && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 30_000,
    // Cheap, and how a tab learns of a team switch or a removal made while it was in the background.
    refetchOnWindowFocus: "always",
  });
}

/** The signed-in user's /api/me, for components under the signed-in routes. */
export function useMe(): Me {
  const { data } = useMeQuery();
  if (!data) throw new Error("useMe() used outside the signed-in area");
  return data;
}

/** The team the page shows: the address's team on a team page, else the user's active team. */
export function useActiveTeam(): TeamSummary {
  const scoped = useScopedTeam();
  const me = useMe();
  return scoped ?? me.activeTeam;
}

/** Addresses within the shown team: to("orders", id) → /teams/<id>/orders/<id>. */
export function useTeamPath(): (...segments: string[]) => string {
  const team = useActiveTeam();
  return (...segments) => teamPath(team.id, ...segments);
}

/** Where to go after signing in: a local path only, never another site. */
export function safeNext(next: string | null | undefined, fallback = "/"): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next;
}

/** Tells the user's other tabs that the active team changed, so they follow (TeamScope listens). */
export const ACTIVE_TEAM_CHANNEL = "certdesk-active-team";

// The team this tab itself last made active: its own /api/me refresh then is no news to follow.
let switchedHere: string | null = null;

/** Whether `teamId` became active by this tab's own doing (answered once, then forgotten). */
export function consumeOwnSwitch(teamId: string): boolean {
  const own = switchedHere === teamId;
  switchedHere = null;
  return own;
}

export function announceActiveTeam(teamId: string): void {
  switchedHere = teamId;
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(ACTIVE_TEAM_CHANNEL);
  channel.postMessage({ teamId });
  channel.close();
}

/** PUT /api/me/active-team, then the other tabs are told. TeamScope calls it when the address names another team. */
export function useSwitchTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (teamId: string) => meApi.setActiveTeam(teamId),
    onSuccess: async ({ activeTeam }) => {
      announceActiveTeam(activeTeam.id);
      queryClient.setQueryData<Me | null>(keys.me, (me) => (me ? { ...me, activeTeam } : me));
      // Others may have changed the team meanwhile (members, orders): show it as it is now.
      await Promise.all([queryClient.invalidateQueries({ queryKey: keys.me }), queryClient.invalidateQueries({ queryKey: keys.team(activeTeam.id) })]);
    },
  });
}

/** After sign-up, log-in or log-out: forget everything that belonged to the previous session. */
export function useResetSession() {
  const queryClient = useQueryClient();
  return async (signedIn: boolean) => {
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
    if (signedIn) await queryClient.fetchQuery({ queryKey: keys.me, queryFn: () => meApi.get(), staleTime: 0 });
    else queryClient.setQueryData(keys.me, null);
  };
}

export function useLogout() {
  const resetSession = useResetSession();
  const navigate = useNavigate();
  const toast = useToast();
  return useMutation({
    mutationFn: () => authApi.logout(),
    onSettled: async () => {
      await resetSession(false);
      toast.info("You have logged out.");
      navigate("/login", { replace: true });
    },
  });
}
