import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { meApi } from "../../api/endpoints";
import { keys } from "../../api/keys";
import type { ChangePasswordInput } from "../../../shared/schemas";

const SESSIONS = [...keys.me, "sessions"] as const;

/** The person's active sessions, most recently used first. */
export function useSessions() {
  return useQuery({ queryKey: SESSIONS, queryFn: () => meApi.sessions().then((page) => page.items) });
}

export function useRenameAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => meApi.rename(name),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.me }),
  });
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ChangePasswordInput) => meApi.changePassword(body),
    // The other sessions ended: the list is one long now.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: SESSIONS }),
  });
}

export function useEndSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) => meApi.endSession(sessionId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: SESSIONS }),
  });
}

export function useEndOtherSessions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => meApi.endOtherSessions(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: SESSIONS }),
  });
}
