import { Can } from "../../app/Can";
import { useActiveTeam } from "../../app/session";
import { Card, Page } from "../../ui/Page";
import { DeleteTeam } from "./DeleteTeam";
import { RenameTeamForm } from "./RenameTeamForm";
import { TransferOwnership } from "./TransferOwnership";

export function SettingsPage() {
  const team = useActiveTeam();
  return (
    <Page title="Team settings" description={`Settings of ${team.name}.`}>
      <div className="stack-lg">
        <Can permission="team.update">
          <Card title="Name" description="Shown to every member and in invitation e-mails.">
            <RenameTeamForm key={team.id + team.name} team={team} />
          </Card>
        </Can>

        <Can permission="team.transfer">
          <Card title="Transfer ownership" description="Hand this team to another member.">
            {team.isDefault ? (
              <p className="muted">This is your default team, created with your account: its ownership cannot be transferred. Create another team to share ownership.</p>
            ) : (
              <TransferOwnership key={team.id} team={team} />
            )}
          </Card>
        </Can>

        <Can permission="team.delete">
          <Card title="Delete team" tone="danger" description="Removes the team, its members' access and its invitations.">
            {team.isDefault ? <p className="muted">Your default team cannot be deleted.</p> : <DeleteTeam team={team} />}
          </Card>
        </Can>
      </div>
    </Page>
  );
}
