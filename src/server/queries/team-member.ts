// The actor's membership of a team, and the team as the actor sees it.
import { cachedRead, readKey } from "../db/read-cache.js";
import { reusableQuery } from "../db/reusable-query.js";
import type { Executor } from "../db/transaction.js";
import type { Team } from "../db/schema.js";
import type { TeamMember } from "../policy/authorize.js";
import { parseRoles, permissionsOf } from "../policy/roles.js";
import type { TeamSummaryDto } from "../../shared/schemas/teams.js";

export interface MemberOfTeam {
  member: TeamMember;
  team: Team;
}

const membershipInTeam = reusableQuery((db, teamId: string, userId: string) =>
  db
    .selectFrom("memberships")
    .innerJoin("teams", "teams.id", "memberships.teamId")
    .select(["teams.id", "teams.name", "teams.ownerId", "teams.isDefault", "teams.createdAt", "memberships.roles"])
    .where("memberships.teamId", "=", teamId)
    .where("memberships.userId", "=", userId),
);

const teamsOfUser = reusableQuery((db, userId: string) =>
  db
    .selectFrom("memberships")
    .innerJoin("teams", "teams.id", "memberships.teamId")
    .select(["teams.id", "teams.name", "teams.ownerId", "teams.isDefault", "memberships.roles"])
    .where("memberships.userId", "=", userId),
);

const memberKey = readKey<MemberOfTeam | null, [teamId: string, userId: string]>("member");
const teamsKey = readKey<TeamSummaryDto[], [userId: string]>("teamsOfUser");
const teamKey = readKey<Team | null, [teamId: string]>("team");

/** null when the user is not a member (or the team does not exist): callers answer 404 either way. */
export function loadTeamMember(executor: Executor, userId: string, teamId: string): Promise<MemberOfTeam | null> {
  return cachedRead(executor, memberKey(teamId, userId), () => readTeamMember(executor, userId, teamId));
}

async function readTeamMember(executor: Executor, userId: string, teamId: string): Promise<MemberOfTeam | null> {
  const [row] = await membershipInTeam(executor, teamId, userId);
  if (!row) return null;
  const isOwner = row.ownerId === userId;
  return {
    member: { kind: "person", teamId, userId, isOwner, roles: isOwner ? [] : parseRoles(row.roles) },
    team: { id: row.id, name: row.name, ownerId: row.ownerId, isDefault: row.isDefault, createdAt: row.createdAt },
  };
}

export function presentTeam(team: Pick<Team, "id" | "name" | "isDefault">, member: TeamMember): TeamSummaryDto {
  return {
    id: team.id,
    name: team.name,
    isDefault: team.isDefault === 1,
    isOwner: member.isOwner,
    roles: member.roles,
    permissions: permissionsOf(member),
  };
}

/** Every team the user belongs to, default team first, then by name. */
export function listTeamsOf(executor: Executor, userId: string): Promise<TeamSummaryDto[]> {
  return cachedRead(executor, teamsKey(userId), async () => presentTeamsOf(await teamsOfUser(executor, userId), userId));
}

function presentTeamsOf(rows: { id: string; name: string; ownerId: string; isDefault: number; roles: string }[], userId: string): TeamSummaryDto[] {
  return rows
    .map((row) => {
      const isOwner = row.ownerId === userId;
      return presentTeam(row, { kind: "person", teamId: row.id, userId, isOwner, roles: isOwner ? [] : parseRoles(row.roles) });
    })
    .sort((a, b) => Number(b.isDefault && b.isOwner) - Number(a.isDefault && a.isOwner) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

const teamById = reusableQuery((db, teamId: string) =>
  db.selectFrom("teams").select(["id", "name", "ownerId", "isDefault", "createdAt"]).where("id", "=", teamId),
);

/** The team row, or null; for an API key's requests, which have no membership to read it with. */
export function loadTeam(executor: Executor, teamId: string): Promise<Team | null> {
  return cachedRead(executor, teamKey(teamId), async () => (await teamById(executor, teamId))[0] ?? null);
}
