// GET /api/teams/:teamId: the team as the caller sees it, with its Owner and member count.
import type { Executor } from "../db/transaction.js";
import type { Team } from "../db/schema.js";
import type { TeamMember } from "../policy/authorize.js";
import type { TeamDetailDto } from "../../shared/schemas/teams.js";
import { presentTeam } from "./team-member.js";

export async function getTeamDetail(executor: Executor, team: Team, member: TeamMember): Promise<TeamDetailDto> {
  const [owner, count] = await Promise.all([
    executor.selectFrom("users").select(["id", "email", "name"]).where("id", "=", team.ownerId).executeTakeFirstOrThrow(),
    executor
      .selectFrom("memberships")
      .select((eb) => eb.fn.countAll<string | number>().as("n"))
      .where("teamId", "=", team.id)
      .executeTakeFirstOrThrow(),
  ]);
  return { ...presentTeam(team, member), owner, memberCount: Number(count.n), createdAt: team.createdAt };
}
