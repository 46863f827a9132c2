// Team lifecycle: create, rename, delete, switch the active team. Each change to an existing team
// starts by locking its row (commands/team-lock.ts): a deletion waits for the writes already under
// way in the team, and the writes that come after it find the team gone (404).
import { auditActorOf } from "../auth/principal.js";
import { documentStorage } from "../account/document-storage.js";
import { canonicalName } from "../auth/names.js";
import type { Ctx, TeamCtx } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import type { Team } from "../db/schema.js";
import { AppError } from "../errors.js";
import { newId } from "../secrets.js";
import { ownsTeam } from "../policy/authorize.js";
import { recordAudit } from "./audit.js";
import { assertCanOwnAnotherTeam } from "./team-limit.js";
import { lockTeam } from "./team-lock.js";

export async function createTeam(ctx: Ctx, input: { name: string }): Promise<Team> {
  const name = canonicalName(input.name);
  return inTransaction(ctx.db, async (tx) => {
    await assertCanOwnAnotherTeam(tx, ctx.db.engine, ctx.config, ctx.actor.id, "you");
    const now = ctx.clock.now();
    const team: Team = { id: newId(now.getTime()), name, ownerId: ctx.actor.id, isDefault: 0, createdAt: now.toISOString() };
    await tx.insertInto("teams").values(team).execute();
    await tx.insertInto("memberships").values({ teamId: team.id, userId: ctx.actor.id, roles: "", joinedAt: now.toISOString() }).execute();
    await recordAudit(tx, ctx.clock, { teamId: team.id, actor: auditActorOf(ctx.principal), action: "team.created", target: team.id, details: { name } });
    return team;
  });
}

export async function renameTeam(ctx: TeamCtx, input: { name: string }): Promise<void> {
  const teamId = ctx.team.id;
  const name = canonicalName(input.name);
  await inTransaction(ctx.db, async (tx) => {
    const team = await lockTeam(tx, ctx.db, teamId);
    if (team.name === name) return;
    await tx.updateTable("teams").set({ name }).where("id", "=", teamId).execute();
    await recordAudit(tx, ctx.clock, { teamId, actor: auditActorOf(ctx.principal), action: "team.renamed", target: teamId, details: { from: team.name, to: name } });
  });
}

export async function deleteTeam(ctx: TeamCtx): Promise<void> {
  await deleteTeamRows(ctx);
  await documentStorage(ctx.db, ctx.config.dataDir).removeTeam(ctx.team.id);
}

async function deleteTeamRows(ctx: TeamCtx): Promise<void> {
  const teamId = ctx.team.id;
  await inTransaction(ctx.db, async (tx) => {
    const team = await lockTeam(tx, ctx.db, teamId);
    // The guard checked team.delete; the Owner may have changed since: re-read under the lock.
    if (!ownsTeam(ctx.member, team)) throw new AppError("forbidden", "Only the Owner can delete a team.");
    if (team.isDefault === 1) throw new AppError("default_team", "A default team cannot be deleted.");
    // Whoever was working in it falls back to their default team.
    await tx.updateTable("users").set({ activeTeamId: null }).where("activeTeamId", "=", teamId).execute();
    await recordAudit(tx, ctx.clock, { teamId, actor: auditActorOf(ctx.principal), action: "team.deleted", target: teamId, details: { name: team.name } });
    // Memberships, invitations and the team's account go with it (ON DELETE CASCADE); the audit log stays.
    await tx.deleteFrom("teams").where("id", "=", teamId).execute();
  });
}

/**
 * The team's lock before the user's row (the order of every command): a deletion of the team or
 * the user's removal from it runs wholly before this one, which then finds no membership (404), or
 * after it, and then clears what this one set. active_team_id never names a team the user left.
 */
export async function setActiveTeam(ctx: Ctx, teamId: string): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    const membership = await tx
      .selectFrom("memberships")
      .select("teamId")
      .where("teamId", "=", teamId)
      .where("userId", "=", ctx.actor.id)
      .executeTakeFirst();
    if (!membership) throw new AppError("not_found", "No such team.");
    await tx.updateTable("users").set({ activeTeamId: teamId }).where("id", "=", ctx.actor.id).execute();
  });
}
