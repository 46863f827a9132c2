import { useInfiniteQuery } from "@tanstack/react-query";
import { auditApi } from "../../api/endpoints";
import { keys } from "../../api/keys";
import type { AuditFilter } from "../../../shared/schemas";

/** The team's audit log, newest first, a page at a time, narrowed by the filter (the server does it). */
export function useAuditLog(teamId: string, filter: AuditFilter = {}) {
  return useInfiniteQuery({
    queryKey: [...keys.audit(teamId), filter],
    queryFn: ({ pageParam }) => auditApi.list(teamId, { limit: 50, cursor: pageParam, ...filter }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
