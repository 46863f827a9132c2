// The formats and sizes the API accepts, known to the server (which enforces them) and to the
// dashboard (which checks before sending). Plain constants: importing them bundles no TypeBox.

/** Every id certdesk hands out: a lower-case UUIDv7 (secrets.ts newId). */
export const ID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/** An e-mail address in all, in its canonical (A-label) form: the SMTP path limit. */
export const EMAIL_MAX_LENGTH = 254;

/** A name people give: a user's, a team's, a billing profile's, an API key's (in characters). */
export const NAME_MAX_LENGTH = 100;

export const PASSWORD_MAX_LENGTH = 256;

/** Domains one order may cover. */
export const MAX_DOMAINS = 100;

/** Largest accepted CSR text (an 8192-bit RSA CSR with many names stays far below). */
export const MAX_CSR_BYTES = 16 * 1024;
