import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { isApiError } from "../api/client";
import { authApi, meApi } from "../api/endpoints";
import { keys } from "../api/keys";
import type { Me, TeamSummary } from "../api/types";
import { useToast } from "../ui/Toast";

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
  });
}

/** The signed-in user's /api/me, for components under the signed-in routes. */
export function useMe(): Me {
  const { data } = useMeQuery();
  if (!data) throw new Error("useMe() used outside the signed-in area");
  return data;
}

export function useActiveTeam(): TeamSummary {
  return useMe().activeTeam;
}

/** Where to go after signing in: a local path only, never another site. */
export function safeNext(next: string | null | undefined, fallback = "/team"): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next;
}

export function useSwitchTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (teamId: string) => meApi.setActiveTeam(teamId),
    onSuccess: async ({ activeTeam }) => {
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
