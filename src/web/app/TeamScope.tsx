import { useEffect, useRef } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useLocation, useNavigate, useParams } from "react-router";
import { isApiError } from "../api/client";
import { keys } from "../api/keys";
import type { MeDto as Me, TeamSummaryDto as TeamSummary } from "../../shared/schemas";
import { EmptyState } from "../ui/EmptyState";
import { useTitle } from "../ui/hooks";
import { Loading } from "../ui/Spinner";
import { useToast } from "../ui/Toast";
import { ACTIVE_TEAM_CHANNEL, consumeOwnSwitch, useMeQuery, useSwitchTeam } from "./session";
import { Shell } from "./Shell";
import { TeamContext } from "./teamContext";
import { samePageIn, teamPath } from "./teamPaths";

/**
 * /teams/:teamId/…: the address names the team the page shows, so a link sent to a colleague
 * opens the right team. There is one active team per user (SPEC rule 7), and every tab follows it:
 * - opening a team's address makes it the active team (PUT /api/me/active-team) and tells the other tabs;
 * - a tab that learns the active team changed elsewhere (a message from another tab, or /api/me on focus)
 *   moves to the same page of that team;
 * - an address of a team the user is not in says so, on a page of its own, never a silent redirect;
 * - a team that disappears from /api/me while it is shown (the member was removed: its API answered 404,
 *   and the 404 refreshed /api/me) sends them to their default team with a notice saying why.
 */
export function TeamScope() {
  const { teamId = "" } = useParams();
  const meQuery = useMeQuery();
  const me = meQuery.data as Me; // RequireAuth renders this only with a signed-in /api/me
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const toast = useToast();
  const switchTeam = useSwitchTeam();
  const team = me.teams.find((t) => t.id === teamId);
  // Read on every render: TanStack Query re-renders only for the fields a render has read.
  const refreshing = meQuery.isFetching;

  // The team as last shown here: when it vanishes from /api/me, its name for the notice.
  const shown = useRef<TeamSummary | null>(null);
  // The address's team whose activation this tab has done (or has under way).
  const entered = useRef<string | null>(null);
  // The active team this tab last agreed with; a different one from the server means a switch elsewhere.
  const agreed = useRef(me.activeTeam.id);
  // Not found in /api/me: asked the server again once, in case it changed (an invitation just accepted).
  const rechecked = useRef<string | null>(null);
  if (team) shown.current = team;

  useEffect(() => {
    if (!team) return;
    if (entered.current !== team.id) {
      entered.current = team.id;
      agreed.current = team.id;
      if (me.activeTeam.id === team.id) return;
      // Shown at once; the server's active team follows.
      queryClient.setQueryData<Me | null>(keys.me, (data) => (data ? { ...data, activeTeam: team } : data));
      switchTeam.mutate(team.id, {
        onError: (error) => {
          if (!isApiError(error, "not_found")) toast.error(`Could not make ${team.name} your active team: ${error instanceof Error ? error.message : "try again"}.`);
        },
      });
      return;
    }
    if (switchTeam.isPending || me.activeTeam.id === agreed.current) return;
    // Switched in another tab (or the server fell back): show the same page of that team.
    agreed.current = me.activeTeam.id;
    // A switch this tab made (a team just created here) is followed by its own navigation.
    if (consumeOwnSwitch(me.activeTeam.id)) return;
    if (me.activeTeam.id !== team.id) {
      toast.info(`Your active team is now ${me.activeTeam.name}.`);
      navigate(samePageIn(location.pathname, me.activeTeam));
    }
    // switchTeam and toast are fresh objects each render; the decision depends on the ids only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [team?.id, me.activeTeam.id, switchTeam.isPending]);

  // Another tab switched teams: ask the server which team is active now.
  useEffect(() => {
    if (typeof BroadcastChannel === "undefined") return;
    const channel = new BroadcastChannel(ACTIVE_TEAM_CHANNEL);
    channel.onmessage = (event: MessageEvent<{ teamId?: string }>) => {
      if (event.data?.teamId && event.data.teamId !== entered.current) void queryClient.invalidateQueries({ queryKey: keys.me });
    };
    return () => channel.close();
  }, [queryClient]);

  const removedFrom = !team && shown.current?.id === teamId ? shown.current : null;
  useEffect(() => {
    if (!removedFrom) return;
    const fallback = me.teams.find((t) => t.isDefault) ?? me.activeTeam;
    // Left or deleted by the user themselves: expected, and their own dialog says so.
    const notice: ShellNotice = departures.delete(teamId) ? {} : { noLongerMemberOf: removedFrom.name };
    navigate(teamPath(fallback.id), { replace: true, state: notice });
  }, [removedFrom, teamId, me, navigate]);

  useEffect(() => {
    if (team || removedFrom || rechecked.current === teamId) return;
    rechecked.current = teamId;
    void queryClient.invalidateQueries({ queryKey: keys.me });
  }, [team, removedFrom, teamId, queryClient]);

  if (!team) {
    const checking = rechecked.current !== teamId || refreshing || removedFrom !== null;
    return <Shell>{checking ? <Loading /> : <NotAMemberPage />}</Shell>;
  }
  return (
    <TeamContext.Provider value={team}>
      <Shell>
        <Outlet />
      </Shell>
    </TeamContext.Provider>
  );
}

/** What the shell tells the user after a move they did not ask for (router state). */
export interface ShellNotice {
  noLongerMemberOf?: string;
}

/** Teams the user is leaving or deleting on purpose: their vanishing is expected, not news. */
const departures = new Set<string>();

/** Marks a team as being left on purpose; the answer undoes it (the request failed: still a member). */
export function expectDeparture(teamId: string): () => void {
  departures.add(teamId);
  return () => departures.delete(teamId);
}

function NotAMemberPage() {
  useTitle("Not a member");
  const me = useMeQuery().data as Me;
  return (
    <div className="page">
      <EmptyState
        title="You are not a member of this team"
        action={
          <Link className="btn btn-primary" to={teamPath(me.activeTeam.id)}>
            Go to {me.activeTeam.name}
          </Link>
        }
      >
        The link leads to a team you do not belong to (or one that no longer exists). To join it, ask its Owner or an Account Admin to invite{" "}
        {me.user.email}.
      </EmptyState>
    </div>
  );
}
