// A team's API keys (SPEC rule 13): create with a subset of the creator's permissions, revoke.
// The secret is returned once, from create; the database keeps its SHA-256 only.
import type { Permission } from "../../shared/permissions.js";
import { formatPermissions, newApiKeySecret } from "../auth/api-keys.js";
import { auditActorOf, accountableUserId } from "../auth/principal.js";
import { DAY } from "../clock.js";
import type { TeamCtx } from "../context.js";
import { inTransaction, lockRow } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { can } from "../policy/authorize.js";
import { KEY_GRANTABLE } from "../policy/roles.js";
import { hashToken, newId } from "../secrets.js";
import { recordAudit } from "./audit.js";

/** A key may be given an end at most this far ahead; most keys should end much sooner. */
const MAX_LIFETIME_MS = 5 * 366 * DAY;

export interface CreateApiKeyInput {
  name: string;
  permissions: Permission[];
  expiresAt?: string | null;
}

export async function createApiKey(ctx: TeamCtx, input: CreateApiKeyInput): Promise<{ id: string; secret: string }> {
  const teamId = ctx.team.id;
  const notForKeys = input.permissions.filter((p) => !KEY_GRANTABLE.includes(p));
  if (notForKeys.length > 0) {
    const detail = `${notForKeys.join(", ")} stay with the team's Owner in person and cannot be given to a key.`;
    throw new AppError("invalid_request", detail, { errors: [{ field: "permissions", message: detail }] });
  }
  // A subset of the creator's own permissions (a key creating a key: of that key's).
  const lacking = input.permissions.find((p) => !can(ctx.member, p));
  if (lacking) throw new AppError("forbidden", `You cannot give a key ${lacking}: you do not hold it in this team.`, { access: lacking });
  const now = ctx.clock.now();
  let expiresAt: string | null = null;
  if (input.expiresAt) {
    const end = Date.parse(input.expiresAt);
    if (!(end > now.getTime()) || end - now.getTime() > MAX_LIFETIME_MS) {
      const detail = "Choose an expiry in the future and at most five years ahead.";
      throw new AppError("invalid_request", detail, { errors: [{ field: "expiresAt", message: detail }] });
    }
    expiresAt = new Date(end).toISOString();
  }
  const secret = newApiKeySecret();
  const id = newId(now.getTime());
  const permissions = formatPermissions(input.permissions);
  await inTransaction(ctx.db, async (tx) => {
    if (!(await lockRow(tx, ctx.db.engine, "teams", teamId))) throw new AppError("not_found", "No such team.");
    await tx
      .insertInto("apiKeys")
      .values({
        id,
        teamId,
        name: input.name,
        secretHash: hashToken(secret),
        permissions,
        createdBy: accountableUserId(ctx.principal),
        createdAt: now.toISOString(),
        expiresAt,
        revokedAt: null,
        lastUsedAt: null,
      })
      .execute();
    await recordAudit(tx, ctx.clock, {
      teamId,
      actor: auditActorOf(ctx.principal),
      action: "api_key.created",
      target: input.name,
      details: { apiKeyId: id, permissions: permissions.split(","), expiresAt },
    });
  });
  return { id, secret };
}

/** Stops the key at once. Revoking a revoked key changes nothing (and is not audited again). */
export async function revokeApiKey(ctx: TeamCtx, apiKeyId: string): Promise<void> {
  const teamId = ctx.team.id;
  await inTransaction(ctx.db, async (tx) => {
    if (!(await lockRow(tx, ctx.db.engine, "teams", teamId))) throw new AppError("not_found", "No such team.");
    const key = await tx.selectFrom("apiKeys").select(["name", "revokedAt"]).where("id", "=", apiKeyId).where("teamId", "=", teamId).executeTakeFirst();
    if (!key) throw new AppError("not_found", "No such API key in this team.");
    if (key.revokedAt) return;
    const now = ctx.clock.now().toISOString();
    await tx.updateTable("apiKeys").set({ revokedAt: now }).where("id", "=", apiKeyId).execute();
    await recordAudit(tx, ctx.clock, { teamId, actor: auditActorOf(ctx.principal), action: "api_key.revoked", target: key.name, details: { apiKeyId } });
    // An invitation carries its inviter's authority (SECURITY 31): a key's die with it.
    const pending = await tx
      .selectFrom("invitations")
      .select(["id", "email"])
      .where("teamId", "=", teamId)
      .where("apiKeyId", "=", apiKeyId)
      .where("status", "=", "pending")
      .where("expiresAt", ">", now)
      .execute();
    for (const invitation of pending) {
      await tx.updateTable("invitations").set({ status: "revoked", respondedAt: now }).where("id", "=", invitation.id).execute();
      await recordAudit(tx, ctx.clock, {
        teamId,
        actor: auditActorOf(ctx.principal),
        action: "invitation.revoked",
        target: invitation.email,
        details: { invitationId: invitation.id, reason: "inviter_lost_access", cause: "api_key_revoked", apiKeyId },
      });
    }
  });
}
