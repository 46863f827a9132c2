// GET /api/teams/:teamId: the team as the caller sees it, with its Owner and member count.
import { cachedRead, readKey } from "../db/read-cache.js";
import type { Executor } from "../db/transaction.js";
import type { Team } from "../db/schema.js";
import type { TeamMember } from "../policy/authorize.js";
import type { TeamDetailDto } from "../../shared/schemas/teams.js";
import { AppError } from "../errors.js";
import { presentTeam } from "./team-member.js";

interface OwnerAndCount {
  owner: TeamDetailDto["owner"];
  memberCount: number;
}

const ownerAndCountKey = readKey<OwnerAndCount | null, [teamId: string]>("teamOwnerAndCount");

export async function getTeamDetail(executor: Executor, team: Team, member: TeamMember): Promise<TeamDetailDto> {
  // One indexed read, whatever the team's size: the count is a column kept by triggers (migration 0011).
  const found = await cachedRead(executor, ownerAndCountKey(team.id), async () => {
    const row = await executor
      .selectFrom("teams")
      .innerJoin("users", "users.id", "teams.ownerId")
      .select(["users.id", "users.email", "users.name", "teams.memberCount"])
      .where("teams.id", "=", team.id)
      .executeTakeFirst();
    return row ? { owner: { id: row.id, email: row.email, name: row.name }, memberCount: row.memberCount } : null;
  });
  if (!found) throw new AppError("not_found", "No such team.");
  return { ...presentTeam(team, member), owner: found.owner, memberCount: found.memberCount, createdAt: team.createdAt };
}
