// GET /api/me: the user, their active team and all their teams.
import type { Config } from "../config.js";
import type { Executor } from "../db/transaction.js";
import type { User } from "../db/schema.js";
import { AppError } from "../errors.js";
import type { TeamSummaryDto, UserDto } from "../routes/schemas.js";
import { listTeamsOf } from "./team-member.js";

export function presentUser(user: Pick<User, "id" | "email" | "name" | "teamLimit" | "createdAt">, config: Pick<Config, "defaultTeamLimit">): UserDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    teamLimit: user.teamLimit ?? config.defaultTeamLimit,
    createdAt: user.createdAt,
  };
}

export async function getMe(
  executor: Executor,
  config: Pick<Config, "defaultTeamLimit">,
  userId: string,
): Promise<{ user: UserDto; activeTeam: TeamSummaryDto; teams: TeamSummaryDto[] }> {
  const user = await executor.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirst();
  if (!user) throw new AppError("unauthenticated");
  const teams = await listTeamsOf(executor, userId);
  // The stored active team, or the default team when it is unset or no longer the user's.
  const activeTeam =
    teams.find((team) => team.id === user.activeTeamId) ?? teams.find((team) => team.isDefault && team.isOwner) ?? teams[0];
  if (!activeTeam) throw new AppError("not_found", "This account has no team.");
  return { user: presentUser(user, config), activeTeam, teams };
}
