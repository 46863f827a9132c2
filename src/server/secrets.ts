// Ids, random tokens and their hashes. Tokens are 32 random bytes (base64url); only SHA-256 is stored.
import { hash, randomBytes } from "node:crypto";

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return hash("sha256", token, "base64url");
}

let lastMs = 0;
let sequence = 0;

/**
 * A UUIDv7: time-ordered, so ids sort by creation and make stable cursors and
 * compact B-tree inserts. Within one millisecond a 12-bit sequence keeps the
 * ids of this process in creation order (the audit log reads newest first by id).
 */
export function newId(at = Date.now()): string {
  let ms = Math.max(at, lastMs);
  if (ms === lastMs) {
    sequence += 1;
    if (sequence > 0xfff) {
      ms += 1;
      sequence = 0;
    }
  } else {
    sequence = randomBytes(2).readUInt16BE(0) & 0x7ff;
  }
  lastMs = ms;
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
