// GET /api/me: the user, their active team and all their teams.
import type { Config } from "../config.js";
import { cachedRead, readKey } from "../db/read-cache.js";
import type { Executor } from "../db/transaction.js";
import type { User } from "../db/schema.js";
import { AppError } from "../errors.js";
import type { MeDto, UserDto } from "../../shared/schemas/users.js";
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

type MeInputs = [id: string, email: string, name: string, teamLimit: number | null, activeTeamId: string | null, createdAt: string];
const meKey = readKey<MeDto, MeInputs>("me");

/** The actor's row was read with their session, so only their teams are queried here. */
export function getMe(
  executor: Executor,
  config: Pick<Config, "defaultTeamLimit">,
  user: Pick<User, "id" | "email" | "name" | "teamLimit" | "activeTeamId" | "createdAt">,
): Promise<MeDto> {
  // Keyed by every field it is built from: the user row may be older than the cache's epoch.
  const key = meKey(user.id, user.email, user.name, user.teamLimit, user.activeTeamId, user.createdAt);
  return cachedRead(executor, key, () => readMe(executor, config, user));
}

async function readMe(
  executor: Executor,
  config: Pick<Config, "defaultTeamLimit">,
  user: Pick<User, "id" | "email" | "name" | "teamLimit" | "activeTeamId" | "createdAt">,
): Promise<MeDto> {
  const teams = await listTeamsOf(executor, user.id);
  // The stored active team, or the default team when it is unset or no longer the user's.
  const activeTeam =
    teams.find((team) => team.id === user.activeTeamId) ?? teams.find((team) => team.isDefault && team.isOwner) ?? teams[0];
  if (!activeTeam) throw new AppError("not_found", "This account has no team.");
  return { user: presentUser(user, config), activeTeam, teams };
}
