// Recording an uploaded validation document: the staged upload becomes the document's content
// (account/document-storage.ts: a file under DATA_DIR, or rows of PostgreSQL) and its row and audit
// entry are written in one transaction. If anything fails, before or at commit, the content goes
// too: a refused upload leaves nothing stored.
import { accountableUserId, apiKeyIdOf, auditActorOf } from "../auth/principal.js";
import { removeFile } from "../account/document-files.js";
import type { StagedUpload } from "../account/document-files.js";
import { documentStorage } from "../account/document-storage.js";
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
  const storage = documentStorage(ctx.db, ctx.config.dataDir);
  try {
    await inTransaction(ctx.db, async (tx) => {
      // The content first, before any lock (see document-storage.ts): once the row is visible, its
      // content is already in place, and a failure below takes it away again.
      await storage.put(tx, staged, teamId, id);
      // Then the team: a deletion under way finishes before this, or this before it (and then
      // the deletion removes the team's documents with it).
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
    });
  } catch (error) {
    await storage.discard(teamId, id);
    throw error;
  } finally {
    await removeFile(staged.tempPath); // moved or copied by now, or refused
  }
  return id;
}
