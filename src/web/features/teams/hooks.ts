import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { teamsApi } from "../../api/endpoints";
import { keys } from "../../api/keys";

export function useTeamDetail(teamId: string) {
  return useQuery({ queryKey: keys.teamDetail(teamId), queryFn: async () => (await teamsApi.get(teamId)).team });
}

export function useRenameTeam(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => teamsApi.rename(teamId, name),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.me }),
        queryClient.invalidateQueries({ queryKey: keys.team(teamId) }),
      ]);
    },
  });
}

export function useDeleteTeam(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => teamsApi.remove(teamId),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: keys.team(teamId) });
      // The active team falls back to the default team.
      await queryClient.invalidateQueries({ queryKey: keys.me });
    },
  });
}

export function useTransferTeam(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => teamsApi.transfer(teamId, userId),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.me }),
        queryClient.invalidateQueries({ queryKey: keys.team(teamId) }),
      ]);
    },
  });
}
