// Recording an uploaded validation document: the staged file is renamed into the team's directory
// and its row and audit entry written in one transaction. If anything fails, before or at commit,
// the file goes too: a refused upload leaves nothing on disk.
import { accountableUserId, apiKeyIdOf, auditActorOf } from "../auth/principal.js";
import fs from "node:fs/promises";
import path from "node:path";
import { documentPath, removeFile } from "../account/document-files.js";
import type { StagedUpload } from "../account/document-files.js";
import type { TeamCtx } from "../context.js";
import type { Executor } from "../db/transaction.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";
import { newId } from "../secrets.js";
import { recordAudit } from "./audit.js";
import { assertNotRefunded, lockOrderOfTeam } from "./order-in-team.js";
import { lockTeam } from "./team-lock.js";

/** Checked before the body is read, so an upload to a missing or closed order is refused unread. */
export async function assertOrderTakesDocuments(executor: Executor, teamId: string, orderId: string): Promise<void> {
  const order = await executor.selectFrom("orders").selectAll().where("id", "=", orderId).where("teamId", "=", teamId).executeTakeFirst();
  if (!order) throw new AppError("not_found", "No such order.");
  assertNotRefunded(order);
}

export async function recordUploadedDocument(ctx: TeamCtx, orderId: string, staged: StagedUpload, filename: string): Promise<string> {
  const teamId = ctx.team.id;
  const now = ctx.clock.now();
  const id = newId(now.getTime());
  const finalPath = documentPath(ctx.config.dataDir, teamId, id);
  // A deadlock runs the transaction again (inTransaction): the file is moved only once.
  let moved = false;
  try {
    await inTransaction(ctx.db, async (tx) => {
      // The team first: a deletion under way finishes before this, or this before it (and then
      // the deletion removes the team's files after its commit).
      await lockTeam(tx, ctx.db, teamId);
      // Checked again under the lock: the order may have been refunded while the file streamed in.
      assertNotRefunded(await lockOrderOfTeam(tx, ctx.db.engine, teamId, orderId));
      await tx
        .insertInto("documents")
        .values({
          id,
          teamId,
          orderId,
          filename,
          mediaType: staged.mediaType,
          size: staged.size,
          sha256: staged.sha256,
          uploadedBy: accountableUserId(ctx.principal),
          apiKeyId: apiKeyIdOf(ctx.principal),
          createdAt: now.toISOString(),
        })
        .execute();
      await recordAudit(tx, ctx.clock, {
        teamId,
        actor: auditActorOf(ctx.principal),
        action: "document.uploaded",
        target: id,
        details: { orderId, filename, mediaType: staged.mediaType, size: staged.size, sha256: staged.sha256 },
      });
      // Last step before commit: once the row is visible, its file is already in place.
      await fs.mkdir(path.dirname(finalPath), { recursive: true, mode: 0o700 });
      if (!moved) {
        await fs.rename(staged.tempPath, finalPath);
        moved = true;
      }
    });
  } catch (error) {
    await removeFile(staged.tempPath);
    await removeFile(finalPath);
    throw error;
  }
  return id;
}
