// certdesk keeps a card's brand and last four digits, never its number. Anything that looks like
// a full card number (a run of 12+ digits, spaces and dashes allowed) is refused before it is stored.
import { AppError } from "../errors.js";

const PAN_LIKE = /(?:\d[ -]?){12,}/;

export function refuseCardNumbers(fields: Record<string, unknown>): void {
  const offending = Object.entries(fields)
    .filter(([, value]) => typeof value === "string" && PAN_LIKE.test(value))
    .map(([field]) => ({ field, message: "looks like a card number; only the last four digits are accepted" }));
  if (offending.length > 0) {
    throw new AppError("invalid_request", "certdesk never stores card numbers: send the card's brand and last four digits only.", {
      errors: offending,
    });
  }
}
