// Invitations (SPEC rule 5): invite, re-send, revoke, accept, decline. The token travels only in
// the e-mail; the database keeps its SHA-256. State moves only from pending, inside a transaction
// that holds the team's row and then the invitation's (that order, as every command: team-lock.ts).
import { accountableUserId, apiKeyIdOf, auditActorOf } from "../auth/principal.js";
import type { Principal } from "../auth/principal.js";
import type { Role } from "../../shared/permissions.js";
import { canonicalEmail } from "../auth/email.js";
import { HOUR } from "../clock.js";
import type { Ctx, Deps, TeamCtx } from "../context.js";
import { isUniqueViolation } from "../db/errors.js";
import { inTransaction, lockRow } from "../db/transaction.js";
import type { Tx } from "../db/transaction.js";
import type { Invitation } from "../db/schema.js";
import { AppError } from "../errors.js";
import { queueEmail } from "../mail/outbox.js";
import { invitationEmail } from "../mail/templates.js";
import { formatRoles, parseRoles } from "../policy/roles.js";
import { hashToken, newId, newToken } from "../secrets.js";
import { recordAudit } from "./audit.js";
import { lockTeam } from "./team-lock.js";
import type { LockedTeam } from "./team-lock.js";

const GONE = {
  accepted: ["invitation_used", "This invitation has already been accepted."],
  revoked: ["invitation_revoked", "This invitation was revoked."],
  declined: ["invitation_declined", "This invitation was declined."],
  expired: ["invitation_expired", "This invitation has expired. Ask for a new one."],
} as const;

/** The status a reader sees: a pending invitation past its expiry is expired. */
export function effectiveStatus(invitation: Pick<Invitation, "status" | "expiresAt">, now: Date): string {
  return invitation.status === "pending" && invitation.expiresAt <= now.toISOString() ? "expired" : invitation.status;
}

function assertPending(invitation: Pick<Invitation, "status" | "expiresAt">, now: Date): void {
  const status = effectiveStatus(invitation, now);
  if (status !== "pending") {
    const [code, detail] = GONE[status as keyof typeof GONE];
    throw new AppError(code, detail);
  }
}

async function assertNotMember(tx: Tx, teamId: string, email: string): Promise<void> {
  const member = await tx
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.userId")
    .select("users.id")
    .where("memberships.teamId", "=", teamId)
    .where("users.email", "=", email)
    .executeTakeFirst();
  if (member) throw new AppError("already_member", `${email} is already a member of this team.`);
}

/** How the e-mail names who invited: the person, or a key as "API key …" with its creator's address. */
function inviterOf(principal: Principal): { inviterName: string; inviterEmail: string } {
  return principal.kind === "user"
    ? { inviterName: principal.name, inviterEmail: principal.email }
    : { inviterName: `API key "${principal.name}"`, inviterEmail: principal.creator.email };
}

/** Writes a fresh token and expiry on the invitation and queues its e-mail. */
async function issueToken(ctx: TeamCtx, tx: Tx, team: LockedTeam, invitation: { id: string; email: string; roles: Role[] }) {
  const token = newToken();
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + ctx.config.invitationTtlHours * HOUR);
  await queueEmail(
    tx,
    ctx,
    invitationEmail({
      to: invitation.email,
      teamName: team.name,
      ...inviterOf(ctx.principal),
      roles: invitation.roles,
      expiresAt,
      link: `${ctx.config.baseUrl}/invitations/${token}`,
    }),
  );
  return { tokenHash: hashToken(token), sentAt: now.toISOString(), expiresAt: expiresAt.toISOString() };
}

export async function inviteMember(ctx: TeamCtx, input: { email: string; roles: Role[] }): Promise<string> {
  const teamId = ctx.team.id;
  const email = canonicalEmail(input.email);
  const roles = parseRoles(formatRoles(input.roles));
  try {
    const id = await inTransaction(ctx.db, async (tx) => {
      const team = await lockTeam(tx, ctx.db, teamId);
      await assertNotMember(tx, teamId, email);
      const now = ctx.clock.now().toISOString();
      // A pending invitation past its expiry no longer blocks a new one: it is marked expired.
      await tx
        .updateTable("invitations")
        .set({ status: "expired" })
        .where("teamId", "=", teamId)
        .where("email", "=", email)
        .where("status", "=", "pending")
        .where("expiresAt", "<=", now)
        .execute();
      const pending = await tx
        .selectFrom("invitations")
        .select("id")
        .where("teamId", "=", teamId)
        .where("email", "=", email)
        .where("status", "=", "pending")
        .executeTakeFirst();
      if (pending) throw new AppError("invitation_pending", `${email} already has a pending invitation to this team.`);
      const id = newId();
      const token = await issueToken(ctx, tx, team, { id, email, roles });
      await tx
        .insertInto("invitations")
        .values({ id, teamId, email, roles: formatRoles(roles), status: "pending", invitedBy: accountableUserId(ctx.principal), apiKeyId: apiKeyIdOf(ctx.principal), createdAt: now, respondedAt: null, ...token })
        .execute();
      await recordAudit(tx, ctx.clock, { teamId, actor: auditActorOf(ctx.principal), action: "invitation.sent", target: email, details: { invitationId: id, roles } });
      return id;
    });
    ctx.mail.wake();
    return id;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("invitation_pending", `${email} already has a pending invitation to this team.`);
    throw error;
  }
}

async function lockInvitation(tx: Tx, ctx: Deps, teamId: string, invitationId: string): Promise<Invitation> {
  await lockRow(tx, ctx.db.engine, "invitations", invitationId);
  const invitation = await tx.selectFrom("invitations").selectAll().where("id", "=", invitationId).where("teamId", "=", teamId).executeTakeFirst();
  if (!invitation) throw new AppError("not_found", "No such invitation.");
  return invitation;
}

/** A new token (the old one stops working) and a new 72 hours; allowed for pending and expired invitations. */
export async function resendInvitation(ctx: TeamCtx, invitationId: string): Promise<void> {
  const teamId = ctx.team.id;
  try {
    await inTransaction(ctx.db, async (tx) => {
      const team = await lockTeam(tx, ctx.db, teamId);
      const invitation = await lockInvitation(tx, ctx, teamId, invitationId);
      const status = effectiveStatus(invitation, ctx.clock.now());
      if (status !== "pending" && status !== "expired") assertPending(invitation, ctx.clock.now());
      await assertNotMember(tx, teamId, invitation.email);
      const roles = parseRoles(invitation.roles);
      const token = await issueToken(ctx, tx, team, { id: invitation.id, email: invitation.email, roles });
      await tx.updateTable("invitations").set({ ...token, status: "pending" }).where("id", "=", invitation.id).execute();
      await recordAudit(tx, ctx.clock, {
        teamId,
        actor: auditActorOf(ctx.principal),
        action: "invitation.resent",
        target: invitation.email,
        details: { invitationId: invitation.id, expiresAt: token.expiresAt },
      });
    });
  } catch (error) {
    // Re-sending an expired invitation while a newer one is pending for the same address.
    if (isUniqueViolation(error)) throw new AppError("invitation_pending", "Another invitation to this address is pending.");
    throw error;
  }
  ctx.mail.wake();
}

export async function revokeInvitation(ctx: TeamCtx, invitationId: string): Promise<void> {
  const teamId = ctx.team.id;
  await inTransaction(ctx.db, async (tx) => {
    await lockTeam(tx, ctx.db, teamId);
    const invitation = await lockInvitation(tx, ctx, teamId, invitationId);
    if (invitation.status !== "pending") assertPending(invitation, ctx.clock.now());
    await tx
      .updateTable("invitations")
      .set({ status: "revoked", respondedAt: ctx.clock.now().toISOString() })
      .where("id", "=", invitation.id)
      .execute();
    await recordAudit(tx, ctx.clock, { teamId, actor: auditActorOf(ctx.principal), action: "invitation.revoked", target: invitation.email, details: { invitationId } });
  });
}

/**
 * The team is known only from the invitation: it is read unlocked, its team locked, then read
 * again under the lock. Gone by then (the team deleted, or a re-send replaced the token): 404.
 */
async function lockByToken(tx: Tx, deps: Deps, token: string): Promise<Invitation> {
  const gone = () => new AppError("not_found", "This invitation link is not valid. It may have been replaced by a newer one.");
  const tokenHash = hashToken(token);
  const found = await tx.selectFrom("invitations").select(["id", "teamId"]).where("tokenHash", "=", tokenHash).executeTakeFirst();
  if (!found) throw gone();
  await lockTeam(tx, deps.db, found.teamId);
  await lockRow(tx, deps.db.engine, "invitations", found.id);
  const invitation = await tx.selectFrom("invitations").selectAll().where("id", "=", found.id).where("tokenHash", "=", tokenHash).executeTakeFirst();
  if (!invitation) throw gone();
  return invitation;
}

/** Accept: only the signed-in user whose e-mail is the invited one; once. Returns the team id. */
export async function acceptInvitation(ctx: Ctx, token: string): Promise<string> {
  return inTransaction(ctx.db, async (tx) => {
    const invitation = await lockByToken(tx, ctx, token);
    const now = ctx.clock.now();
    assertPending(invitation, now);
    if (invitation.email !== ctx.actor.email) {
      throw new AppError("invitation_email_mismatch", `This invitation was sent to ${invitation.email}; you are signed in as ${ctx.actor.email}.`);
    }
    await assertNotMember(tx, invitation.teamId, invitation.email);
    await tx
      .updateTable("invitations")
      .set({ status: "accepted", respondedAt: now.toISOString() })
      .where("id", "=", invitation.id)
      .execute();
    await tx
      .insertInto("memberships")
      .values({ teamId: invitation.teamId, userId: ctx.actor.id, roles: invitation.roles, joinedAt: now.toISOString() })
      .execute();
    await recordAudit(tx, ctx.clock, {
      teamId: invitation.teamId,
      actor: auditActorOf(ctx.principal),
      action: "invitation.accepted",
      target: invitation.email,
      details: { invitationId: invitation.id, roles: parseRoles(invitation.roles) },
    });
    return invitation.teamId;
  });
}

/**
 * Decline: the token itself proves the e-mail reached the invitee, so no account is needed;
 * a signed-in user with another e-mail is refused like for accept.
 */
export async function declineInvitation(deps: Deps, actor: Ctx["actor"] | null, token: string): Promise<void> {
  await inTransaction(deps.db, async (tx) => {
    const invitation = await lockByToken(tx, deps, token);
    const now = deps.clock.now();
    assertPending(invitation, now);
    if (actor && invitation.email !== actor.email) {
      throw new AppError("invitation_email_mismatch", `This invitation was sent to ${invitation.email}; you are signed in as ${actor.email}.`);
    }
    await tx.updateTable("invitations").set({ status: "declined", respondedAt: now.toISOString() }).where("id", "=", invitation.id).execute();
    await recordAudit(tx, deps.clock, {
      teamId: invitation.teamId,
      actor: actor ? { id: actor.id, email: actor.email } : null,
      action: "invitation.declined",
      target: invitation.email,
      details: { invitationId: invitation.id },
    });
  });
}
