// GET /api/teams/:teamId: the team as the caller sees it, with its Owner and member count.
import { cachedRead, readKey } from "../db/read-cache.js";
import type { Executor } from "../db/transaction.js";
import type { Team } from "../db/schema.js";
import type { TeamMember } from "../policy/authorize.js";
import type { TeamDetailDto } from "../../shared/schemas/teams.js";
import { AppError } from "../errors.js";
import { presentTeam } from "./team-member.js";

type DetailInputs = [teamId: string, name: string, isDefault: number, createdAt: string, isOwner: boolean, roles: string, keyPermissions: string | undefined];
const detailKey = readKey<TeamDetailDto, DetailInputs>("teamDetail");

export function getTeamDetail(executor: Executor, team: Team, member: TeamMember): Promise<TeamDetailDto> {
  // Keyed by everything the answer is built from besides the row read here: the team and the
  // member's standing may come from a transaction, or from an older generation of the cache.
  const keyPermissions = member.keyPermissions && [...member.keyPermissions].sort().join(",");
  const key = detailKey(team.id, team.name, team.isDefault, team.createdAt, member.isOwner, member.roles.join(","), keyPermissions);
  return cachedRead(executor, key, () => readTeamDetail(executor, team, member));
}

async function readTeamDetail(executor: Executor, team: Team, member: TeamMember): Promise<TeamDetailDto> {
  // One indexed read, whatever the team's size: the count is a column kept by triggers (migration 0011).
  const row = await executor
    .selectFrom("teams")
    .innerJoin("users", "users.id", "teams.ownerId")
    .select(["users.id", "users.email", "users.name", "teams.memberCount"])
    .where("teams.id", "=", team.id)
    .executeTakeFirst();
  if (!row) throw new AppError("not_found", "No such team.");
  return { ...presentTeam(team, member), owner: { id: row.id, email: row.email, name: row.name }, memberCount: row.memberCount, createdAt: team.createdAt };
}
