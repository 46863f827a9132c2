import { Link } from "react-router";
import { useActiveTeam, useMe, useTeamPath } from "../../app/session";
import { Can } from "../../app/Can";
import { ErrorAlert } from "../../ui/Alert";
import { Badge } from "../../ui/Badge";
import { Card, Page } from "../../ui/Page";
import { Loading } from "../../ui/Spinner";
import { plural } from "../../ui/format";
import { LeaveTeamButton } from "../members/LeaveTeamButton";
import { PERMISSIONS, PERMISSION_GROUPS, PERMISSION_LABELS } from "../roles/labels";
import { RoleChips } from "../roles/RoleChips";
import { useTeamDetail } from "./hooks";

export function OverviewPage() {
  const me = useMe();
  const active = useActiveTeam();
  const to = useTeamPath();
  const detail = useTeamDetail(active.id);
  const team = detail.data;
  const youAreOwner = active.isOwner;

  return (
    <Page
      title={active.name}
      description={
        <span className="chips">
          {active.isDefault ? <Badge>Default team</Badge> : null}
          <span>Your active team</span>
        </span>
      }
      actions={<LeaveTeamButton />}
    >
      <div className="grid-2">
        <Card title="Team">
          {detail.isPending ? (
            <Loading />
          ) : detail.error ? (
            <ErrorAlert error={detail.error} />
          ) : team ? (
            <dl className="facts">
              <div>
                <dt>Owner</dt>
                <dd>
                  <span className="strong">{team.owner.name}</span>
                  {team.owner.id === me.user.id ? <span className="muted"> (you)</span> : null}
                  <br />
                  <span className="muted small">{team.owner.email}</span>
                </dd>
              </div>
              <div>
                <dt>Members</dt>
                <dd>
                  <Link to={to("members")}>{plural(team.memberCount, "member")}</Link>
                </dd>
              </div>
              <div>
                <dt>Kind</dt>
                <dd>{team.isDefault ? "Default team: created with the Owner's account; it cannot be deleted." : "Team"}</dd>
              </div>
            </dl>
          ) : null}
          <Can permission="members.invite">
            <div className="card-foot">
              <Link to={to("invitations")} className="btn btn-primary btn-sm">
                Invite a colleague
              </Link>
            </div>
          </Can>
        </Card>

        <Card
          title="Your access"
          description={youAreOwner ? "You are the Owner: you hold every permission in this team." : "What your roles let you do in this team."}
        >
          <p className="your-roles">
            <span className="muted">{youAreOwner ? "Status:" : active.roles.length > 1 ? "Your roles:" : "Your role:"}</span> <RoleChips roles={active.roles} isOwner={youAreOwner} />
          </p>
          <div className="permission-groups">
            {PERMISSION_GROUPS.map((group) => (
              <div key={group.prefix} className="permission-group">
                <h3>{group.label}</h3>
                <ul className="permission-list">
                  {PERMISSIONS.filter((p) => p.startsWith(group.prefix)).map((permission) => {
                    const has = active.permissions.includes(permission);
                    return (
                      <li key={permission} className={has ? "granted" : "denied"} data-permission={permission}>
                        <span className="permission-mark" aria-hidden="true">
                          {has ? "✓" : "–"}
                        </span>
                        {PERMISSION_LABELS[permission]}
                        <span className="visually-hidden">{has ? " (allowed)" : " (not included)"}</span>
                      </li>
                    );
                  })}
                </ul>
              </div>
            ))}
          </div>
        </Card>
      </div>
    </Page>
  );
}
