import { useInfiniteQuery } from "@tanstack/react-query";
import { auditApi } from "../../api/endpoints";
import { keys } from "../../api/keys";

export function useAuditLog(teamId: string) {
  return useInfiniteQuery({
    queryKey: keys.audit(teamId),
    queryFn: ({ pageParam }) => auditApi.list(teamId, { limit: 50, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
