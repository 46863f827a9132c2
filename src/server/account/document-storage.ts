// Where an uploaded document's bytes are kept, behind one small contract with two implementations:
// files under DATA_DIR/documents (SQLite: one server) and rows of the database (PostgreSQL: every
// server behind the load balancer reads the document another one received, issue 13).
//
// Both start from the same staged upload: a temporary file under this server's DATA_DIR, written
// while the bytes are sniffed, hashed and measured (document-files.ts stageUpload). Staging on local
// disk keeps a refused or abandoned upload out of the shared database altogether, and what a crash
// leaves there is this server's own, swept at its next start. Only an accepted upload is `put`, as
// the first step of the transaction that records it, before that transaction takes the team's lock:
// - files: the temporary file is renamed to documents/<teamId>/<documentId> (one directory tree:
//   the rename is atomic), so a row is never visible before its file; if the transaction fails,
//   `discard` removes the file again;
// - PostgreSQL: the file is copied into document_chunks, 256 KiB a row, so the row and its bytes
//   commit or vanish together and a crash leaves nothing behind. Copying before the lock (the
//   chunks' foreign key is checked at commit) keeps the team's lock as short as without a file.
// Neither reads a whole file into memory, and a download reads one chunk at a time.
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { sql } from "kysely";
import type { Db } from "../db/create-db.js";
import type { Tx } from "../db/transaction.js";
import type { StagedUpload } from "./document-files.js";
import { documentPath, documentsRoot, removeFile } from "./document-files.js";

/** The bytes one row of document_chunks holds at most (its CHECK, migration 0014, says the same). */
export const DOCUMENT_CHUNK_BYTES = 256 * 1024;

export interface StoredContent {
  /** What the store holds now, which the caller compares with what was recorded. */
  size: number;
  /** The bytes in order, a piece at a time; each call reads them anew. */
  read(): AsyncIterable<Buffer>;
  /**
   * Lower-case hex SHA-256 of the bytes held, computed where they are, when the store can do so
   * without sending them here (PostgreSQL's sha256()); absent, the caller reads them through.
   */
  sha256?(): Promise<string>;
}

export interface DocumentStorage {
  /**
   * First in the transaction that records the document: makes the staged upload its content. A
   * retried transaction (inTransaction) calls it again, which must then do the same once more.
   */
  put(tx: Tx, staged: StagedUpload, teamId: string, documentId: string): Promise<void>;
  /** After the recording failed: removes what `put` left outside the transaction. Never throws. */
  discard(teamId: string, documentId: string): Promise<void>;
  /** The stored content, or undefined when there is none. */
  open(teamId: string, documentId: string): Promise<StoredContent | undefined>;
  /** After a team's deletion has committed: its documents' bytes go too. */
  removeTeam(teamId: string): Promise<void>;
}

export function documentStorage(db: Db, dataDir: string): DocumentStorage {
  return db.engine === "postgres" ? databaseStorage(db) : fileStorage(dataDir);
}

function fileStorage(dataDir: string): DocumentStorage {
  return {
    async put(_tx, staged, teamId, documentId) {
      const finalPath = documentPath(dataDir, teamId, documentId);
      await fs.mkdir(path.dirname(finalPath), { recursive: true, mode: 0o700 });
      try {
        await fs.rename(staged.tempPath, finalPath);
      } catch (error) {
        // Put again by a retried transaction: the first attempt already moved it.
        if ((error as NodeJS.ErrnoException).code !== "ENOENT" || !(await exists(finalPath))) throw error;
      }
    },
    discard: (teamId, documentId) => removeFile(documentPath(dataDir, teamId, documentId)),
    async open(teamId, documentId) {
      const file = documentPath(dataDir, teamId, documentId);
      let size: number;
      try {
        size = (await fs.stat(file)).size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
      return { size, read: () => createReadStream(file, { highWaterMark: DOCUMENT_CHUNK_BYTES }) };
    },
    async removeTeam(teamId) {
      await fs.rm(path.join(documentsRoot(dataDir), teamId), { recursive: true, force: true });
    },
  };
}

function databaseStorage(db: Db): DocumentStorage {
  return {
    async put(tx, staged, _teamId, documentId) {
      let position = 0;
      // Exactly DOCUMENT_CHUNK_BYTES a piece but the last, as the file is read.
      for await (const chunk of createReadStream(staged.tempPath, { highWaterMark: DOCUMENT_CHUNK_BYTES })) {
        await tx.insertInto("documentChunks").values({ documentId, position, bytes: chunk as Buffer }).execute();
        position += 1;
      }
    },
    // The chunks were written in the transaction that failed: rolled back with it.
    discard: async () => undefined,
    async open(_teamId, documentId) {
      // octet_length of a value stored out of line reads its header, not its bytes.
      const { chunks, size } = await db.kysely
        .selectFrom("documentChunks")
        .select([sql<string>`count(*)`.as("chunks"), sql<string>`coalesce(sum(octet_length(bytes)), 0)`.as("size")])
        .where("documentId", "=", documentId)
        .executeTakeFirstOrThrow();
      if (Number(chunks) === 0) return undefined; // a document is never empty: its bytes are gone
      return {
        size: Number(size),
        read: () => readChunks(db, documentId, Number(chunks)),
        // The check before a download costs one query and no transfer: the whole is at most 10 MiB,
        // joined and hashed in the database's memory.
        async sha256() {
          const row = await db.kysely
            .selectFrom("documentChunks")
            .select(sql<string>`encode(sha256(string_agg(bytes, ''::bytea order by position)), 'hex')`.as("sha256"))
            .where("documentId", "=", documentId)
            .executeTakeFirstOrThrow();
          return row.sha256;
        },
      };
    },
    // The rows went with the team's (documents → document_chunks, on delete cascade).
    removeTeam: async () => undefined,
  };
}

/** One chunk per query, so a download holds one chunk in memory, never the whole document. */
async function* readChunks(db: Db, documentId: string, count: number): AsyncGenerator<Buffer> {
  for (let position = 0; position < count; position++) {
    const row = await db.kysely
      .selectFrom("documentChunks")
      .select("bytes")
      .where("documentId", "=", documentId)
      .where("position", "=", position)
      .executeTakeFirst();
    // A gap ends the content early: the caller's size and checksum comparison reports it.
    if (!row) return;
    yield row.bytes;
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
