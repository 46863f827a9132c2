// The one e-mail address grammar (SECURITY 26, API.md "E-mail addresses"), used by sign-up,
// log-in, password reset, invitations and the operator's command line. An address is stored,
// shown and delivered to (SMTP RCPT TO) as the one canonical string this returns, so two spellings
// of one mailbox are one account and no address can look like somebody else's:
// - local part: a dot-atom of RFC 5322 atext, ASCII only. No display names, no quoted strings, no
//   comments. A non-ASCII local part would need SMTPUTF8 from every relay on the way; it is refused.
// - domain: UTS-46 via node:url's domainToASCII, stored as A-labels ("bücher" → "xn--bcher-kva"),
//   letters, digits and hyphens only, at least two labels, the last not a number (no IP addresses),
//   each label in one script (see scripts.ts).
// - nowhere: whitespace, control, invisible, format or bidi characters (ZWSP, soft hyphen, RLO …),
//   which UTS-46 would otherwise drop silently, and non-ASCII characters that fold to ASCII
//   (fullwidth letters, the Kelvin sign), which would imitate a plain address.
// - compared after NFC and lower-casing; 64 characters before the @, 254 in all, 63 per label.
import { domainToASCII, domainToUnicode } from "node:url";
import { AppError } from "../errors.js";
import { EMAIL_MAX_LENGTH } from "../../shared/formats.js";
import { mixesScripts, scriptsOf } from "./scripts.js";

const LOCAL_MAX_LENGTH = 64;
const LABEL_MAX_LENGTH = 63;

const INVISIBLE = /[\p{C}\p{Default_Ignorable_Code_Point}\u2028\u2029]/u;
const SPACE = /[\s\p{Z}]/u;
const SPECIALS = /[,;<>:"()[\]\\]/;
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const U_LABEL = /^[\p{L}\p{M}\p{Nd}-]+$/u;

/** A non-ASCII character whose compatibility form is a plain ASCII one: "ｍ" → "m", "K" (Kelvin) → "k". */
function foldsToAscii(char: string): boolean {
  return char.charCodeAt(0) > 0x7f && /[\x21-\x7e]/.test(char.normalize("NFKC").toLowerCase());
}

function refuse(field: string, message: string, detail = `This e-mail address is not valid: ${message}.`): never {
  throw new AppError("invalid_request", detail, { errors: [{ field, message }] });
}

/**
 * The canonical form of an e-mail address: trimmed, NFC, local part lower-cased, domain in
 * lower-case A-labels. Throws AppError("invalid_request") naming `field` and saying in plain words
 * what is wrong; the message never repeats the address (it may hold terminal escapes).
 */
export function canonicalEmail(raw: string, field = "email"): string {
  const trimmed = raw.trim();
  if (trimmed === "") refuse(field, "it is empty");
  if (SPECIALS.test(trimmed)) {
    refuse(field, 'it must be a plain address like name@example.com, without a display name, quotes or any of , ; < > : " ( ) [ ] \\');
  }
  for (const char of trimmed) {
    if (SPACE.test(char)) refuse(field, "it must not contain spaces or line breaks");
    if (INVISIBLE.test(char)) refuse(field, "it must not contain invisible, control or text-direction characters");
    // Before NFC: NFC itself turns the Kelvin sign into a plain "K".
    if (foldsToAscii(char)) {
      refuse(field, "it uses characters that imitate plain letters (such as fullwidth letters or the Kelvin sign)", "This e-mail address uses characters that imitate plain letters.");
    }
  }
  const email = trimmed.normalize("NFC");
  const at = email.indexOf("@");
  if (at < 0 || email.indexOf("@", at + 1) >= 0) refuse(field, "it must contain exactly one @, like name@example.com");
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);

  if (local === "") refuse(field, "there is nothing before the @");
  if (/[^\x00-\x7f]/.test(local)) {
    refuse(field, "the part before the @ must use plain letters a-z, digits and . ! # $ % & ' * + - / = ? ^ _ ` { | } ~ only; accented or non-Latin letters there cannot be delivered by every mail server");
  }
  if (local.split(".").some((atom) => atom === "")) refuse(field, "a dot before the @ must sit between other characters (no dot first, last or twice in a row)");
  if (!ATEXT.test(local.replaceAll(".", ""))) {
    refuse(field, "the part before the @ may hold only letters a-z, digits and . ! # $ % & ' * + - / = ? ^ _ ` { | } ~");
  }
  if (local.length > LOCAL_MAX_LENGTH) refuse(field, `the part before the @ may be at most ${LOCAL_MAX_LENGTH} characters long`);

  if (domain === "") refuse(field, "there is no domain after the @");
  const ascii = domainToASCII(domain);
  if (ascii === "") refuse(field, "the part after the @ is not a valid domain name");
  const labels = ascii.split(".");
  if (labels.some((label) => label === "")) refuse(field, "the domain has an empty part (a dot first, last or twice in a row)");
  if (labels.length < 2) refuse(field, "the domain needs at least two parts, like example.com");
  if (labels.some((label) => label.length > LABEL_MAX_LENGTH)) refuse(field, `each part of the domain may be at most ${LABEL_MAX_LENGTH} characters long`);
  if (!labels.every((label) => LDH_LABEL.test(label))) {
    refuse(field, "the domain may hold only letters, digits, hyphens and dots, and a part may not begin or end with a hyphen");
  }
  if (/^[0-9]+$/.test(labels.at(-1)!)) refuse(field, "the domain must end in a name such as .com, not a number (IP addresses are not accepted)");
  // The Unicode form, also of a domain sent as A-labels: "xn--pypal-4ve" is "pаypal" with a Cyrillic "а".
  for (const label of domainToUnicode(ascii).split(".")) {
    if (label.startsWith("xn--") || !U_LABEL.test(label) || [...label].some(foldsToAscii)) {
      refuse(field, "the domain may hold only letters, digits and hyphens");
    }
    const scripts = scriptsOf(label);
    if (scripts === null || mixesScripts(scripts)) {
      refuse(field, "a part of the domain mixes letters of different alphabets (for example Latin and Cyrillic), which makes it look like another domain");
    }
  }
  const canonical = `${local.toLowerCase()}@${ascii}`;
  if (canonical.length > EMAIL_MAX_LENGTH) refuse(field, `it may be at most ${EMAIL_MAX_LENGTH} characters long (international domains count in their xn-- form)`);
  return canonical;
}

/** The canonical address, or null for one that cannot exist (log-in and reset answer those like an unknown address). */
export function canonicalEmailOrNull(raw: string): string | null {
  try {
    return canonicalEmail(raw);
  } catch (error) {
    if (error instanceof AppError) return null;
    throw error;
  }
}
