// Names people give (a user's name, a team's, a billing profile's) and how text from the database
// reaches a terminal (SECURITY 27, API.md "Names"). A name is shown to other members, in e-mails,
// in the audit log and by `certdesk users show`: a control character (ESC starts a terminal escape
// sequence) or a bidi override/isolate (U+202E shows "exe.txt" as "txt.exe") in it could rewrite what
// the reader sees, so names refuse every control and format character. That includes the zero-width
// joiners of emoji sequences and Persian script: a name must read the same everywhere.
import { NAME_MAX_LENGTH } from "../../shared/formats.js";
import { AppError } from "../errors.js";

/** Control (Cc), format (Cf: bidi controls, zero-width characters, soft hyphen), unpaired surrogates, line and paragraph separators. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;

function refuse(field: string, message: string): never {
  throw new AppError("invalid_request", `This name is not accepted: ${message}.`, { errors: [{ field, message }] });
}

/** The name as stored: trimmed and NFC. Throws AppError("invalid_request") naming `field`, in plain words. */
export function canonicalName(raw: string, field = "name"): string {
  const name = raw.normalize("NFC").trim();
  if (name === "") refuse(field, "it must not be empty");
  if (UNSAFE.test(name)) refuse(field, "it must not contain control characters, invisible characters or text-direction overrides");
  if ([...name].length > NAME_MAX_LENGTH) refuse(field, `it may be at most ${NAME_MAX_LENGTH} characters long`);
  return name;
}

const TERMINAL_UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029\\]/gu;

/**
 * Text from the database made safe to print on an operator's terminal: control, format and
 * bidi characters appear as \uXXXX (a backslash as \\), so rows stored before the name rule
 * cannot clear the screen or reorder the line.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (char) => {
    if (char === "\\") return "\\\\";
    const code = char.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
