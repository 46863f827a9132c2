// Uploaded documents on disk. An upload is streamed to DATA_DIR/documents/tmp/ while it is
// sniffed, hashed and measured, and only then handed to the document storage by the command that
// records it (document-storage.ts: renamed to DATA_DIR/documents/<teamId>/<documentId> on SQLite,
// copied into the database on PostgreSQL). Both paths live under one directory, so the rename is
// atomic: a document file is either wholly in place or absent, never half-written under its name.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors.js";
import { MAX_DOCUMENT_BYTES, SNIFF_BYTES, sniffMediaType } from "./document-types.js";
import type { DocumentMediaType } from "./document-types.js";

const FILENAME_MAX = 200;

export function documentsRoot(dataDir: string): string {
  return path.join(dataDir, "documents");
}

/** Ids are UUIDs checked by the route schemas, so neither can climb out of the directory. */
export function documentPath(dataDir: string, teamId: string, documentId: string): string {
  return path.join(documentsRoot(dataDir), teamId, documentId);
}

/** An upload written to a temporary file, not yet a document. */
export interface StagedUpload {
  tempPath: string;
  mediaType: DocumentMediaType;
  size: number;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
}

function unsupported(): never {
  throw new AppError("unsupported_media_type", "Documents must be PDF, PNG or JPEG files (judged by their content, not their name).");
}

/**
 * Streams `source` to a new temporary file, refusing as soon as the bytes show a type other than
 * PDF, PNG or JPEG (415), grow past the size limit (413), or turn out empty (400). On any failure,
 * the client hanging up included, the temporary file is removed before the error propagates.
 */
export async function stageUpload(dataDir: string, source: AsyncIterable<Buffer>): Promise<StagedUpload> {
  const tmpDir = path.join(documentsRoot(dataDir), "tmp");
  await fs.mkdir(tmpDir, { recursive: true, mode: 0o700 });
  const tempPath = path.join(tmpDir, `${randomBytes(16).toString("hex")}.part`);
  const handle = await fs.open(tempPath, "wx", 0o600);
  let open = true;
  try {
    const hash = createHash("sha256");
    let size = 0;
    let head = Buffer.alloc(0);
    let mediaType: DocumentMediaType | null = null;
    for await (const chunk of source) {
      size += chunk.length;
      if (size > MAX_DOCUMENT_BYTES) {
        throw new AppError("payload_too_large", `Documents may be at most ${MAX_DOCUMENT_BYTES / (1024 * 1024)} MiB.`);
      }
      if (mediaType === null && head.length < SNIFF_BYTES) {
        head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
        // Decide as soon as the signature is in: an executable is refused before the rest arrives.
        if (head.length >= SNIFF_BYTES) mediaType = sniffMediaType(head) ?? unsupported();
      }
      hash.update(chunk);
      await handle.write(chunk);
    }
    if (size === 0) throw new AppError("invalid_request", "The uploaded file is empty.", { errors: [{ field: "file", message: "is empty" }] });
    mediaType ??= sniffMediaType(head) ?? unsupported();
    // On disk before the database says it exists.
    await handle.sync();
    open = false;
    await handle.close();
    return { tempPath, mediaType, size, sha256: hash.digest("hex") };
  } catch (error) {
    if (open) await handle.close().catch(() => undefined);
    await removeFile(tempPath);
    throw error;
  }
}

/** Removes a file if it is there; never throws, as it runs on paths that are already failing. */
export async function removeFile(file: string): Promise<void> {
  await fs.rm(file, { force: true }).catch(() => undefined);
}

/**
 * The name a document is listed and downloaded under: the last path segment only, without
 * control or format characters (a right-to-left override turns "fdp.exe" into "exe.pdf" on
 * screen), at most 200 characters. It is never used as a path on disk.
 */
export function sanitizeFilename(raw: string | undefined): string {
  const base = (raw ?? "").split(/[/\\]/).pop() ?? "";
  const cleaned = base.normalize("NFC").replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, "").trim();
  const limited = Array.from(cleaned).slice(0, FILENAME_MAX).join("").trim();
  return limited === "" || /^\.+$/.test(limited) ? "document" : limited;
}

/** At start-up: uploads a crash interrupted mid-stream are left as .part files; nothing refers to them. */
export async function sweepStagedUploads(dataDir: string): Promise<number> {
  const tmp = path.join(documentsRoot(dataDir), "tmp");
  const names = await fs.readdir(tmp).catch(() => [] as string[]);
  await Promise.all(names.map((name) => fs.rm(path.join(tmp, name), { force: true })));
  return names.length;
}
