import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { isApiError } from "../../api/client";
import { invitationsApi, meApi } from "../../api/endpoints";
import { keys } from "../../api/keys";
import type { Role } from "../../../shared/permissions";

export type InvitationFilter = "pending" | "all";

export function useInvitations(teamId: string, filter: InvitationFilter) {
  return useInfiniteQuery({
    queryKey: keys.invitations(teamId, filter),
    queryFn: ({ pageParam }) =>
      invitationsApi.list(teamId, { status: filter === "pending" ? "pending" : undefined, cursor: pageParam, limit: 25 }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

function useInvalidateInvitations(teamId: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: keys.invitationsAll(teamId) });
}

export function useInvite(teamId: string) {
  const invalidate = useInvalidateInvitations(teamId);
  return useMutation({
    mutationFn: (body: { email: string; roles: Role[] }) => invitationsApi.create(teamId, body),
    onSuccess: invalidate,
  });
}

export function useResendInvitation(teamId: string) {
  const invalidate = useInvalidateInvitations(teamId);
  return useMutation({ mutationFn: (invitationId: string) => invitationsApi.resend(teamId, invitationId), onSuccess: invalidate });
}

export function useRevokeInvitation(teamId: string) {
  const invalidate = useInvalidateInvitations(teamId);
  return useMutation({ mutationFn: (invitationId: string) => invitationsApi.revoke(teamId, invitationId), onSuccess: invalidate });
}

/** The invitation behind an e-mailed link; no session needed. */
export function usePublicInvitation(token: string) {
  return useQuery({ queryKey: keys.publicInvitation(token), queryFn: () => invitationsApi.view(token), staleTime: 0 });
}

export function useAcceptInvitation(token: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const { team } = await invitationsApi.accept(token);
      // Work in the team just joined.
      await meApi.setActiveTeam(team.id);
      return team;
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: keys.me });
      await queryClient.invalidateQueries({ queryKey: keys.publicInvitation(token) });
    },
    onError: async (error) => {
      if (isApiError(error) && error.status === 410) await queryClient.invalidateQueries({ queryKey: keys.publicInvitation(token) });
    },
  });
}

export function useDeclineInvitation(token: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => invitationsApi.decline(token),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.publicInvitation(token) }),
  });
}
