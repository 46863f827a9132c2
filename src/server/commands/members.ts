// Membership changes: roles, removal, leaving, and ownership transfer (SPEC rules 2, 9, 10).
// Each locks the team row first, so transfer, role change and removal of one team queue up
// and every one of them sees the Owner as it is now. A member who no longer holds members.invite
// afterwards takes their pending invitations with them (SECURITY 31, commands/inviter-authority.ts).
import { auditActorOf } from "../auth/principal.js";
import type { Role } from "../../shared/permissions.js";
import type { TeamCtx } from "../context.js";
import { inTransaction } from "../db/transaction.js";
import type { Tx } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { FORMER_OWNER_ROLES, formatRoles, parseRoles } from "../policy/roles.js";
import { isSelf, ownsTeam } from "../policy/authorize.js";
import { recordAudit } from "./audit.js";
import { revokeInvitationsIfInviterLostAccess } from "./inviter-authority.js";
import { lockTeam } from "./team-lock.js";
import { assertCanOwnAnotherTeam } from "./team-limit.js";

async function findMembership(tx: Tx, teamId: string, userId: string) {
  return tx
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.userId")
    .select(["memberships.roles", "memberships.joinedAt", "users.email", "users.name"])
    .where("memberships.teamId", "=", teamId)
    .where("memberships.userId", "=", userId)
    .executeTakeFirst();
}

export async function changeMemberRoles(ctx: TeamCtx, userId: string, roles: Role[]): Promise<void> {
  const teamId = ctx.team.id;
  await inTransaction(ctx.db, async (tx) => {
    const team = await lockTeam(tx, ctx.db, teamId);
    if (team.ownerId === userId) throw new AppError("owner_protected", "The Owner's roles cannot be edited.");
    if (isSelf(ctx.member, userId)) throw new AppError("forbidden", "Nobody can change their own roles.");
    const membership = await findMembership(tx, teamId, userId);
    if (!membership) throw new AppError("not_found", "No such member.");
    const from = parseRoles(membership.roles);
    const to = formatRoles(roles);
    if (membership.roles === to) return;
    await tx.updateTable("memberships").set({ roles: to }).where("teamId", "=", teamId).where("userId", "=", userId).execute();
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "member.roles_changed",
      target: membership.email,
      details: { userId, from, to: parseRoles(to) },
    });
    await revokeInvitationsIfInviterLostAccess(tx, ctx, {
      teamId,
      inviterId: userId,
      standing: { isOwner: false, roles: parseRoles(to) },
      cause: "roles_changed",
    });
  });
}

/**
 * Removing somebody else needs members.remove; removing yourself is leaving, open to every member
 * but the Owner. The route declares both ("self or members.remove", policy/access-rules.ts).
 */
export async function removeMember(ctx: TeamCtx, userId: string): Promise<void> {
  const teamId = ctx.team.id;
  const leaving = isSelf(ctx.member, userId);
  await inTransaction(ctx.db, async (tx) => {
    const team = await lockTeam(tx, ctx.db, teamId);
    if (team.ownerId === userId) {
      throw new AppError("owner_protected", leaving ? "The Owner cannot leave; transfer ownership first." : "The Owner cannot be removed.");
    }
    const membership = await findMembership(tx, teamId, userId);
    if (!membership) throw new AppError("not_found", "No such member.");
    await tx.deleteFrom("memberships").where("teamId", "=", teamId).where("userId", "=", userId).execute();
    // Their active team falls back to their default team (SPEC rule 7).
    await tx.updateTable("users").set({ activeTeamId: null }).where("id", "=", userId).where("activeTeamId", "=", teamId).execute();
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: leaving ? "member.left" : "member.removed",
      target: membership.email,
      details: { userId, roles: parseRoles(membership.roles) },
    });
    await revokeInvitationsIfInviterLostAccess(tx, ctx, { teamId, inviterId: userId, standing: null, cause: leaving ? "left" : "removed" });
  });
}

export async function transferOwnership(ctx: TeamCtx, receiverId: string): Promise<void> {
  const teamId = ctx.team.id;
  await inTransaction(ctx.db, async (tx) => {
    const team = await lockTeam(tx, ctx.db, teamId);
    // The Owner in person (no key holds team.transfer), as the locked row says now.
    if (!ownsTeam(ctx.member, team) || ctx.principal.kind !== "user") throw new AppError("forbidden", "Only the Owner can transfer ownership.");
    const ownerId = ctx.principal.id;
    if (team.isDefault === 1) throw new AppError("default_team", "A default team's ownership cannot be transferred.");
    if (receiverId === ownerId) throw new AppError("invalid_request", "You already own this team.", { errors: [{ field: "userId", message: "already the Owner" }] });
    const receiver = await findMembership(tx, teamId, receiverId);
    if (!receiver) throw new AppError("not_found", "The new owner must be a member of the team.");
    await assertCanOwnAnotherTeam(tx, ctx.db.engine, ctx.config, receiverId, "receiver");
    // One UPDATE moves the Owner: at no moment has the team zero or two.
    await tx.updateTable("teams").set({ ownerId: receiverId }).where("id", "=", teamId).execute();
    await tx.updateTable("memberships").set({ roles: "" }).where("teamId", "=", teamId).where("userId", "=", receiverId).execute();
    await tx
      .updateTable("memberships")
      .set({ roles: formatRoles(FORMER_OWNER_ROLES) })
      .where("teamId", "=", teamId)
      .where("userId", "=", ownerId)
      .execute();
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "team.ownership_transferred",
      target: receiver.email,
      details: { from: ownerId, to: receiverId, formerOwnerRoles: FORMER_OWNER_ROLES },
    });
    // The former Owner's roles decide: today they keep members.invite, so nothing is revoked.
    await revokeInvitationsIfInviterLostAccess(tx, ctx, {
      teamId,
      inviterId: ownerId,
      standing: { isOwner: false, roles: FORMER_OWNER_ROLES },
      cause: "ownership_transferred",
    });
  });
}
