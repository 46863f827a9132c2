// Every team page's address names its team (/teams/:teamId/orders/:orderId), so a link sent to a
// colleague opens the right team. These helpers build those addresses and find "the same page"
// of another team for the switcher and for a tab that follows a switch made elsewhere.
import type { TeamSummaryDto as TeamSummary } from "../../shared/schemas";
import { navItemFor } from "./nav";

const enc = encodeURIComponent;

/** /teams/<id>, or /teams/<id>/<segments…> (each segment encoded). "" segments are skipped. */
export function teamPath(teamId: string, ...segments: string[]): string {
  const rest = segments.filter((s) => s !== "").map(enc);
  return [`/teams/${enc(teamId)}`, ...rest].join("/");
}

/** The part of a team page's path after /teams/<id> ("" for the overview, "orders/abc"…); undefined off a team page. */
export function pageWithinTeam(pathname: string): string | undefined {
  const match = /^\/teams\/[^/]+(?:\/(.*))?$/.exec(pathname);
  if (!match) return undefined;
  return (match[1] ?? "").replace(/\/+$/, "");
}

/**
 * The same page of another team when its permissions allow it, else that team's overview. A page
 * of one thing (an order) belongs to the old team: its list instead.
 */
export function samePageIn(pathname: string, team: Pick<TeamSummary, "id" | "permissions">): string {
  const within = pageWithinTeam(pathname) ?? "";
  const item = navItemFor(within);
  if (!item) return teamPath(team.id);
  const allowed = !item.anyOf || item.anyOf.some((p) => team.permissions.includes(p));
  return allowed ? teamPath(team.id, item.to) : teamPath(team.id);
}
