// Appends one entry to a team's audit log, inside the caller's transaction.
import type { Clock } from "../clock.js";
import type { Executor } from "../db/transaction.js";
import type { ActorType } from "../auth/principal.js";
import { newId } from "../secrets.js";

export type AuditAction =
  | "team.created"
  | "team.renamed"
  | "team.deleted"
  | "team.ownership_transferred"
  | "team.limit_changed"
  | "invitation.sent"
  | "invitation.resent"
  | "invitation.revoked"
  | "invitation.accepted"
  | "invitation.declined"
  | "member.roles_changed"
  | "member.removed"
  | "member.left"
  | (string & {}); // the certificate account adds its own actions

export interface AuditEntry {
  teamId: string;
  /** Who acted; `type` defaults to a user (a key is recorded as the key, with its creator's e-mail). */
  actor: { id: string; email: string; type?: ActorType } | null;
  action: AuditAction;
  target?: string | null;
  details?: Record<string, unknown>;
}

export async function recordAudit(executor: Executor, clock: Clock, entry: AuditEntry): Promise<void> {
  const at = clock.now();
  await executor
    .insertInto("auditLog")
    .values({
      id: newId(at.getTime()),
      teamId: entry.teamId,
      at: at.toISOString(),
      actorId: entry.actor?.id ?? null,
      actorEmail: entry.actor?.email ?? null,
      actorType: entry.actor?.type ?? "user",
      action: entry.action,
      target: entry.target ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}
