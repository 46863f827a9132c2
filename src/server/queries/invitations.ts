// Invitation reads: a team's list (newest first, cursor on id) and the token preview for the invitee.
import type { Executor } from "../db/transaction.js";
import type { Invitation } from "../db/schema.js";
import { AppError } from "../errors.js";
import { effectiveStatus } from "../commands/invitations.js";
import { parseRoles } from "../policy/roles.js";
import type { Page } from "../../shared/schemas/common.js";
import type { InvitationDto, InvitationPreviewDto, InvitationStatus } from "../../shared/schemas/invitations.js";
import { hashToken } from "../secrets.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

export type InvitationFilter = InvitationStatus | "all";

type Row = Invitation & { inviterEmail: string; inviterName: string };

function present(row: Row, now: Date): InvitationDto {
  return {
    id: row.id,
    email: row.email,
    roles: parseRoles(row.roles),
    status: effectiveStatus(row, now) as InvitationStatus,
    invitedBy: { id: row.invitedBy, email: row.inviterEmail, name: row.inviterName },
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}

function withInviter(executor: Executor) {
  return executor
    .selectFrom("invitations")
    .innerJoin("users", "users.id", "invitations.invitedBy")
    .selectAll("invitations")
    .select(["users.email as inviterEmail", "users.name as inviterName"]);
}

export async function getInvitation(executor: Executor, teamId: string, invitationId: string, now: Date): Promise<InvitationDto> {
  const row = await withInviter(executor).where("invitations.id", "=", invitationId).where("invitations.teamId", "=", teamId).executeTakeFirst();
  if (!row) throw new AppError("not_found", "No such invitation.");
  return present(row, now);
}

export async function listInvitations(
  executor: Executor,
  teamId: string,
  input: { status: InvitationFilter; limit: number; cursor?: string },
  now: Date,
): Promise<Page<InvitationDto>> {
  const after = decodeCursor(input.cursor, 1);
  const nowIso = now.toISOString();
  let query = withInviter(executor).where("invitations.teamId", "=", teamId);
  if (input.status === "pending") {
    query = query.where("invitations.status", "=", "pending").where("invitations.expiresAt", ">", nowIso);
  } else if (input.status === "expired") {
    query = query.where((eb) =>
      eb.or([
        eb("invitations.status", "=", "expired"),
        eb.and([eb("invitations.status", "=", "pending"), eb("invitations.expiresAt", "<=", nowIso)]),
      ]),
    );
  } else if (input.status !== "all") {
    query = query.where("invitations.status", "=", input.status);
  }
  if (after) query = query.where("invitations.id", "<", after[0]!);
  const rows = await query.orderBy("invitations.id", "desc").limit(input.limit + 1).execute();
  const page = rows.slice(0, input.limit);
  return {
    items: page.map((row) => present(row, now)),
    nextCursor: rows.length > input.limit ? encodeCursor([page.at(-1)!.id]) : null,
  };
}

/**
 * The public preview behind an invitation link. An ended invitation (used, revoked, declined,
 * expired) shows its status and nothing else (SECURITY 31): a forwarded or leaked old link must not
 * tell who invited whom, to which team, with which roles.
 */
export async function previewInvitation(executor: Executor, token: string, now: Date): Promise<InvitationPreviewDto> {
  const row = await executor
    .selectFrom("invitations")
    .innerJoin("teams", "teams.id", "invitations.teamId")
    .innerJoin("users", "users.id", "invitations.invitedBy")
    .select([
      "teams.name as teamName",
      "users.name as inviterName",
      "users.email as inviterEmail",
      "invitations.email",
      "invitations.roles",
      "invitations.expiresAt",
      "invitations.status",
    ])
    .where("invitations.tokenHash", "=", hashToken(token))
    .executeTakeFirst();
  if (!row) throw new AppError("not_found", "This invitation link is not valid. It may have been replaced by a newer one.");
  const status = effectiveStatus(row, now) as InvitationStatus;
  if (status !== "pending") return { status };
  return {
    teamName: row.teamName,
    invitedBy: { name: row.inviterName, email: row.inviterEmail },
    email: row.email,
    roles: parseRoles(row.roles),
    expiresAt: row.expiresAt,
    status,
  };
}
