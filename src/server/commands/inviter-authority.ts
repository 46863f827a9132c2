// An invitation carries its inviter's authority (SECURITY 31): when the inviter no longer holds
// members.invite in the team (removed, left, or given roles without it), their invitations that
// are still pending there are revoked in the same transaction, each with its own audit entry, and
// their links answer 410 invitation_revoked. Expired ones are left as they are: their links are
// already refused, and re-sending one is an act of whoever re-sends it.
import { auditActorOf } from "../auth/principal.js";
import type { TeamCtx } from "../context.js";
import type { Tx } from "../db/transaction.js";
import type { Role } from "../../shared/permissions.js";
import { holds } from "../policy/roles.js";
import { recordAudit } from "./audit.js";

export type LostAccessCause = "removed" | "left" | "roles_changed" | "ownership_transferred";

/**
 * `standing` is the inviter's membership after the change, or null when they are no longer a
 * member. Call it with the team's row locked (commands/team-lock.ts). Returns how many were revoked.
 */
export async function revokeInvitationsIfInviterLostAccess(
  tx: Tx,
  ctx: TeamCtx,
  input: { teamId: string; inviterId: string; standing: { isOwner: boolean; roles: readonly Role[] } | null; cause: LostAccessCause },
): Promise<number> {
  if (input.standing && holds(input.standing, "members.invite")) return 0;
  const now = ctx.clock.now().toISOString();
  const pending = await tx
    .selectFrom("invitations")
    .select(["id", "email"])
    .where("teamId", "=", input.teamId)
    .where("invitedBy", "=", input.inviterId)
    .where("apiKeyId", "is", null) // a key's invitations carry the key's authority (revokeApiKey)
    .where("status", "=", "pending")
    .where("expiresAt", ">", now)
    .orderBy("id")
    .execute();
  if (pending.length === 0) return 0;
  // The same rows as just read: accept, decline, re-send and revoke wait for the team's lock too.
  await tx
    .updateTable("invitations")
    .set({ status: "revoked", respondedAt: now })
    .where("teamId", "=", input.teamId)
    .where("invitedBy", "=", input.inviterId)
    .where("apiKeyId", "is", null)
    .where("status", "=", "pending")
    .where("expiresAt", ">", now)
    .execute();
  for (const invitation of pending) {
    await recordAudit(tx, ctx.clock, {
      teamId: input.teamId,
      actor: auditActorOf(ctx.principal),
      action: "invitation.revoked",
      target: invitation.email,
      details: { invitationId: invitation.id, reason: "inviter_lost_access", cause: input.cause, inviterId: input.inviterId },
    });
  }
  return pending.length;
}
