// Opaque cursors for keyset pagination: base64url of a small JSON array. A forged one is a 400, never a 500
// (a NUL inside would make PostgreSQL fail the query, so it is refused here too).
import { AppError } from "../errors.js";

export function encodeCursor(values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

export function decodeCursor(cursor: string | undefined, arity: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(values) && values.length === arity && values.every((v) => typeof v === "string" && v.length <= 200 && !v.includes("\u0000"))) {
      return values as string[];
    }
  } catch {
    // fall through to the 400 below
  }
  throw new AppError("invalid_request", "The cursor is not one this server issued.", {
    errors: [{ field: "cursor", message: "invalid cursor" }],
  });
}
