// argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1); hashing runs on libuv's
// thread pool, so it holds neither the event loop nor the database.
import { domainToUnicode } from "node:url";
import { hash, verify } from "@node-rs/argon2";
import { COMMON_PASSWORDS } from "./common-passwords.js";

const OPTIONS = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 10;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

// Hashing a dummy for unknown e-mails keeps log-in timing the same whether or not an account exists.
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword("certdesk-dummy-password-for-timing");
  await verifyPassword(await dummyHash, password);
}

/**
 * Why a new password is refused, or null. No composition rules (ASVS 6.2), only what an attacker
 * tries first: the account's own e-mail address or the part before its @ (also with the domain
 * in its Unicode form), one character repeated, digits only, and the common-password list.
 * `email` is the account's canonical address.
 */
export function passwordProblem(password: string, email: string): string | null {
  const chars = [...password];
  if (chars.length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  const folded = password.normalize("NFC").toLowerCase();
  const at = email.lastIndexOf("@");
  const local = at < 0 ? email : email.slice(0, at);
  if ([email, local, `${local}@${domainToUnicode(email.slice(at + 1))}`].some((own) => own.toLowerCase() === folded)) {
    return "Do not use your e-mail address, or the part before the @, as your password.";
  }
  if (new Set(chars).size === 1) return "Do not use one character repeated; choose a few unrelated words instead.";
  if (/^\p{Nd}+$/u.test(password)) return "Do not use digits only; a password of numbers alone is quickly guessed.";
  if (COMMON_PASSWORDS.has(password.toLowerCase())) return "This password is too common; choose another.";
  return null;
}
