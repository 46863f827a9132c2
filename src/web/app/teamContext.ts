// The team the page shows: the one named in the address (/teams/:teamId/…), provided by
// TeamScope. Outside a team's pages it is absent and the user's active team stands in.
import { createContext, useContext } from "react";
import type { TeamSummaryDto as TeamSummary } from "../../shared/schemas";

export const TeamContext = createContext<TeamSummary | null>(null);

export function useScopedTeam(): TeamSummary | null {
  return useContext(TeamContext);
}
