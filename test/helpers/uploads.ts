// Multipart uploads with binary bodies, real small PDF/PNG/JPEG files, and a look at what is stored (on disk or in the database).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import type { LightMyRequestResponse } from "fastify";
import type { Client, TestApp } from "./app.js";

export interface Part {
  name: string;
  /** Present for a file part. */
  filename?: string;
  contentType?: string;
  content: Buffer | string;
}

/** A multipart/form-data body (as bytes, so binary files arrive unchanged) and its Content-Type. */
export function multipartBody(parts: Part[]): { payload: Buffer; contentType: string } {
  const boundary = `----certdesk-test-${randomBytes(8).toString("hex")}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += "\r\n";
    if (part.contentType) head += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, "utf8"), Buffer.from(part.content), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** POSTs the parts as `client` (its session cookie and the CSRF header, like the dashboard). */
export function postMultipart(h: TestApp, client: Client, url: string, parts: Part[]): Promise<LightMyRequestResponse> {
  const { payload, contentType } = multipartBody(parts);
  const headers: Record<string, string> = { "content-type": contentType, "x-requested-with": "certdesk" };
  if (client.cookie) headers.cookie = client.cookie;
  return h.app.inject({ method: "POST", url, payload, headers });
}

/** One file in the field "file". */
export function filePart(filename: string, content: Buffer | string, contentType = "application/octet-stream"): Part[] {
  return [{ name: "file", filename, contentType, content }];
}

/** A minimal well-formed PDF (header, one empty page, cross-reference table with true offsets). */
export function samplePdf(text = "certdesk"): Buffer {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>`,
    `<< /Length ${`BT /F1 12 Tf 20 100 Td (${text}) Tj ET`.length} >>\nstream\nBT /F1 12 Tf 20 100 Td (${text}) Tj ET\nendstream`,
  ];
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, "latin1"));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, "latin1");
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A real `size`×`size` RGB PNG. */
export function samplePng(size = 4): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter method, no interlace
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) rows.push(Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3, y * 40)]));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", zlib.deflateSync(Buffer.concat(rows))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A real 16×16 baseline JFIF JPEG (CPython's test image python.jpg, 543 bytes). */
export const SAMPLE_JPEG = Buffer.from(
  "/9j/4AAQSkZJRgABAQEAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBD/wAARCAAQABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAABwQF/8QAJBAAAQQBBAICAwAAAAAAAAAAAQIDBAYFBwgSExEiABQJMTL/xAAVAQEBAAAAAAAAAAAAAAAAAAAABv/EACMRAAECBQMFAAAAAAAAAAAAAAECEQMEBQYhABIxFRZhgeH/2gAMAwEAAhEDEQA/ABSm0mobc8HmExLUlRzzEWPkJWW+ulrsaUVAseUgslSlH9LKuPryIKuWPZdskzXmm3fX5m2nF4GlVxx/HOpx4ks51+MiU/Iaad7UcUo4tILoS4kqcWkezS0hO/HvuRp0rO6hWnWO1UisZVuFi4GFeyEpmGepa5S5SWVPuciFKRFLgSrwetnyPIB+Vb4N9mKhQMzo5po9XLdDs9d6ZVix2VEhiL9kuNPxw2gEKcDQ/rs8AuA8VAe0vdl7VOYn+27flGAUgmITjbhSmCg3BYlyeWDkMolvw4KOp1KM6iCNvngZHwetf//Z",
  "base64",
);

/** An ELF executable's first bytes, as a renamed Linux binary starts. */
export function elfBinary(size = 4096): Buffer {
  const bytes = randomBytes(size);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]).copy(bytes);
  return bytes;
}

/** A Windows executable's first bytes ("MZ" DOS header). */
export function mzBinary(size = 4096): Buffer {
  const bytes = randomBytes(size);
  Buffer.from("MZ\x90\x00\x03\x00\x00\x00", "latin1").copy(bytes);
  return bytes;
}

/** Every regular file under `dir`, as paths relative to it, sorted ([] when `dir` does not exist). */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else found.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return found.sort();
}

/**
 * What the document storage holds for a document (account/document-storage.ts): the file under
 * DATA_DIR on SQLite, the chunks in the database on PostgreSQL; undefined when there is none.
 */
export async function storedDocumentBytes(h: TestApp, teamId: string, documentId: string): Promise<Buffer | undefined> {
  if (h.t.db.engine === "sqlite") {
    const file = documentFile(h, teamId, documentId);
    return fs.existsSync(file) ? fs.readFileSync(file) : undefined;
  }
  const rows = await h.t.db.kysely.selectFrom("documentChunks").select("bytes").where("documentId", "=", documentId).orderBy("position").execute();
  return rows.length === 0 ? undefined : Buffer.concat(rows.map((row) => row.bytes));
}

/** Replaces a stored document's bytes behind the server's back (damage, a swap), or removes them (undefined). */
export async function replaceStoredDocumentBytes(h: TestApp, teamId: string, documentId: string, bytes: Buffer | undefined): Promise<void> {
  if (h.t.db.engine === "sqlite") {
    const file = documentFile(h, teamId, documentId);
    if (bytes) fs.writeFileSync(file, bytes);
    else fs.rmSync(file);
    return;
  }
  await h.t.db.kysely.deleteFrom("documentChunks").where("documentId", "=", documentId).execute();
  const CHUNK = 256 * 1024;
  for (let position = 0; bytes && position * CHUNK < bytes.length; position++) {
    await h.t.db.kysely
      .insertInto("documentChunks")
      .values({ documentId, position, bytes: bytes.subarray(position * CHUNK, (position + 1) * CHUNK) })
      .execute();
  }
}

function documentFile(h: TestApp, teamId: string, documentId: string): string {
  return path.join(h.config.dataDir, "documents", teamId, documentId);
}
