// E-mail addresses are compared after trimming and lower-casing. An address with a non-ASCII
// character that folds to ASCII (fullwidth letters, the Kelvin sign …) is refused: it would look
// like, or compare equal to, somebody else's plain address.
import { AppError } from "../errors.js";

export function normalizeEmail(raw: string, field = "email"): string {
  const email = raw.trim();
  for (const char of email) {
    if (char.charCodeAt(0) > 0x7f && /[\x21-\x7e]/.test(char.normalize("NFKC").toLowerCase())) {
      throw new AppError("invalid_request", "This e-mail address uses characters that imitate plain letters.", {
        errors: [{ field, message: "characters that fold to ASCII are not allowed" }],
      });
    }
  }
  return email.toLowerCase();
}
