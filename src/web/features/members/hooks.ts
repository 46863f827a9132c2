import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { membersApi } from "../../api/endpoints";
import { keys } from "../../api/keys";
import type { Role } from "../../../shared/permissions";

export const MEMBERS_PAGE = 25;

/** Members of a team, a page at a time (Owner first); `q` filters by a prefix of name or e-mail. */
export function useMembers(teamId: string, q: string, limit = MEMBERS_PAGE) {
  return useInfiniteQuery({
    queryKey: [...keys.members(teamId, q), limit],
    queryFn: ({ pageParam }) => membersApi.list(teamId, { limit, cursor: pageParam, q: q || undefined }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // The last list stays up while a new search loads, but never another team's.
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[1] === teamId ? previous : undefined),
  });
}

export function useUpdateRoles(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, roles }: { userId: string; roles: Role[] }) => membersApi.updateRoles(teamId, userId, roles),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.membersAll(teamId) }),
        // One's own roles may have changed.
        queryClient.invalidateQueries({ queryKey: keys.me }),
      ]);
    },
  });
}

export function useRemoveMember(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => membersApi.remove(teamId, userId),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.membersAll(teamId) }),
        queryClient.invalidateQueries({ queryKey: keys.teamDetail(teamId) }),
      ]);
    },
  });
}

/** Leaving: the server makes the default team active again, so /api/me is read afresh. */
export function useLeaveTeam(teamId: string, userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => membersApi.remove(teamId, userId),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: keys.team(teamId) });
      await queryClient.invalidateQueries({ queryKey: keys.me });
    },
  });
}
