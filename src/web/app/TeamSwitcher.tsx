import { useState } from "react";
import { useLocation, useNavigate } from "react-router";
import type { TeamSummaryDto as TeamSummary } from "../../shared/schemas";
import { Badge } from "../ui/Badge";
import { Dropdown } from "../ui/Dropdown";
import { useToast } from "../ui/Toast";
import { roleLabel } from "../features/roles/labels";
import { CreateTeamDialog, ownedTeams } from "./CreateTeamDialog";
import { useActiveTeam, useMe } from "./session";
import { samePageIn } from "./teamPaths";

function TeamIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2" />
      <circle cx="9" cy="7" r="4" />
      <path d="M23 21v-2a4 4 0 0 0-3-3.87" />
      <path d="M16 3.13a4 4 0 0 1 0 7.75" />
    </svg>
  );
}

function TeamBadges({ team }: { team: TeamSummary }) {
  return (
    <span className="chips">
      {team.isOwner ? <Badge tone="owner">Owner</Badge> : team.roles.map((r) => <Badge key={r} tone="blue">{roleLabel(r)}</Badge>)}
      {team.isDefault ? <Badge>Default</Badge> : null}
    </span>
  );
}

/**
 * The green Team button: shows the team on screen and switches to another, or creates one. Switching
 * is navigating: the same page of the other team (TeamScope then makes it the active team).
 */
export function TeamSwitcher() {
  const me = useMe();
  const shown = useActiveTeam();
  const toast = useToast();
  const navigate = useNavigate();
  const location = useLocation();
  const [creating, setCreating] = useState(false);
  const { owned, limit } = ownedTeams(me);

  const choose = (team: TeamSummary, close: () => void) => {
    close();
    if (team.id === shown.id) return;
    navigate(samePageIn(location.pathname, team));
    toast.success(`Switched to ${team.name}.`);
  };

  return (
    <>
      <Dropdown
        triggerClassName="team-button"
        panelClassName="team-panel"
        trigger={
          <>
            <TeamIcon />
            <span className="team-button-text">
              <span className="team-button-label">Team</span>
              <span className="team-button-name">{shown.name}</span>
            </span>
            <span className="caret" aria-hidden="true">▾</span>
          </>
        }
      >
        {(close) => (
          <div>
            <p className="panel-heading" id="team-switcher-heading">
              Switch team
            </p>
            <ul className="team-list" aria-labelledby="team-switcher-heading">
              {me.teams.map((team) => {
                const active = team.id === shown.id;
                return (
                  <li key={team.id}>
                    <button
                      type="button"
                      className={["team-option", active ? "team-option-active" : ""].join(" ")}
                      aria-current={active ? "true" : undefined}
                      onClick={() => choose(team, close)}
                    >
                      <span className="team-option-check" aria-hidden="true">
                        {active ? "✓" : ""}
                      </span>
                      <span className="team-option-main">
                        <span className="team-option-name">{team.name}</span>
                        <TeamBadges team={team} />
                      </span>
                      {active ? <span className="visually-hidden">(active)</span> : null}
                    </button>
                  </li>
                );
              })}
            </ul>
            <div className="panel-footer">
              <p className="muted small">
                You own {owned} of {limit} teams.
              </p>
              <button
                type="button"
                className="btn btn-secondary btn-sm"
                onClick={() => {
                  close();
                  setCreating(true);
                }}
              >
                <span>+ Create team</span>
              </button>
            </div>
          </div>
        )}
      </Dropdown>
      <CreateTeamDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
