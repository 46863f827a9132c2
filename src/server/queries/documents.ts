// An order's validation documents: the list, one document, and its bytes, checked against the
// size and SHA-256 recorded at upload before a single byte is sent.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import type { FastifyBaseLogger } from "fastify";
import { documentPath } from "../account/document-files.js";
import type { DocumentMediaType } from "../account/document-types.js";
import { presentActor } from "../auth/principal.js";
import type { Executor } from "../db/transaction.js";
import { AppError } from "../errors.js";
import type { Page } from "../../shared/schemas/common.js";
import type { DocumentDto } from "../../shared/schemas/documents.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

function documentsOf(executor: Executor, teamId: string, orderId: string) {
  return executor
    .selectFrom("documents")
    .innerJoin("users", "users.id", "documents.uploadedBy")
    .select([
      "documents.id",
      "documents.orderId",
      "documents.filename",
      "documents.mediaType",
      "documents.size",
      "documents.sha256",
      "documents.createdAt",
      "users.id as uploaderId",
      "users.email as uploaderEmail",
      "documents.apiKeyId",
    ])
    .where("documents.teamId", "=", teamId)
    .where("documents.orderId", "=", orderId);
}

type DocumentRow = Awaited<ReturnType<ReturnType<typeof documentsOf>["executeTakeFirstOrThrow"]>>;

function present(row: DocumentRow): DocumentDto {
  return {
    id: row.id,
    orderId: row.orderId,
    filename: row.filename,
    mediaType: row.mediaType as DocumentMediaType,
    size: Number(row.size),
    sha256: row.sha256,
    uploadedBy: presentActor(row.uploaderId, row.uploaderEmail, row.apiKeyId),
    createdAt: row.createdAt,
  };
}

async function assertOrderOfTeam(executor: Executor, teamId: string, orderId: string): Promise<void> {
  const order = await executor.selectFrom("orders").select("id").where("id", "=", orderId).where("teamId", "=", teamId).executeTakeFirst();
  if (!order) throw new AppError("not_found", "No such order.");
}

/** Newest first, keyset-paginated on the time-ordered id. */
export async function listDocuments(
  executor: Executor,
  teamId: string,
  orderId: string,
  input: { limit: number; cursor?: string },
): Promise<Page<DocumentDto>> {
  await assertOrderOfTeam(executor, teamId, orderId);
  const after = decodeCursor(input.cursor, 1);
  let query = documentsOf(executor, teamId, orderId);
  if (after) query = query.where("documents.id", "<", after[0]!);
  const rows = await query.orderBy("documents.id", "desc").limit(input.limit + 1).execute();
  const page = rows.slice(0, input.limit);
  return { items: page.map(present), nextCursor: rows.length > input.limit ? encodeCursor([page.at(-1)!.id]) : null };
}

export async function getDocument(executor: Executor, teamId: string, orderId: string, documentId: string): Promise<DocumentDto> {
  const row = await documentsOf(executor, teamId, orderId).where("documents.id", "=", documentId).executeTakeFirst();
  if (!row) throw new AppError("not_found", "No such document.");
  return present(row);
}

/**
 * The document and its bytes, verified: a file that is missing, of another size or another hash
 * than recorded is never sent (a validator must not approve on a damaged or swapped file). That
 * is a fault of the store, not of the request: logged as an error, answered 500 document_corrupted.
 * Documents are at most 10 MiB, so they are read whole: what was checked is exactly what is sent.
 */
export async function readDocument(
  executor: Executor,
  dataDir: string,
  log: FastifyBaseLogger,
  ids: { teamId: string; orderId: string; documentId: string },
): Promise<{ document: DocumentDto; content: Buffer }> {
  const document = await getDocument(executor, ids.teamId, ids.orderId, ids.documentId);
  const file = documentPath(dataDir, ids.teamId, ids.documentId);
  const corrupted = (problem: string, extra: Record<string, unknown> = {}): never => {
    log.error({ documentId: document.id, teamId: ids.teamId, file, problem, ...extra }, "stored document failed its integrity check");
    throw new AppError("document_corrupted", `The stored copy of this document is ${problem}; it was not sent. Please upload it again.`);
  };
  let content: Buffer;
  try {
    const stat = await fs.stat(file);
    if (stat.size !== document.size) corrupted("damaged (its size changed)", { expectedSize: document.size, actualSize: stat.size });
    content = await fs.readFile(file);
  } catch (error) {
    if (error instanceof AppError) throw error;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") corrupted("missing");
    throw error;
  }
  const sha256 = createHash("sha256").update(content).digest("hex");
  if (content.length !== document.size || sha256 !== document.sha256) {
    corrupted("damaged (its checksum changed)", { expectedSha256: document.sha256, actualSha256: sha256 });
  }
  return { document, content };
}
