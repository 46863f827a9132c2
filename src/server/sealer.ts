// Sealing with the master key: AES-256-GCM (node:crypto) for what must be readable later but never
// from a copy of the database alone (SECURITY.md 25) — today the bodies of queued e-mails, whose links
// carry live tokens. Tokens that only need comparing are hashed instead (secrets.ts).
//
// A sealed value is `v1.` + base64url(12-byte nonce ‖ ciphertext ‖ 16-byte tag). The version names the
// key it was sealed with, so that a later key can seal new values while the old one still opens the
// rest. Each purpose binds its value to where it is stored (the `context`, authenticated but not
// stored): a sealed body moved to another row, or a row whose recipient was changed, no longer opens.
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";

export interface Sealer {
  /** Encrypts and authenticates plaintext under the current key; a new random nonce each time. */
  seal(plaintext: string, context: string): string;
  /** The plaintext of a value sealed with the same context; throws SealError otherwise. */
  open(sealed: string, context: string): string;
}

/** A value that does not open: another key, another context, altered, or not sealed at all. */
export class SealError extends Error {}

const KEY_VERSION = 1;
const SEALED = /^v([1-9][0-9]*)\.([A-Za-z0-9_-]+)$/;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The AES key of one key version, derived from the master key with HKDF-SHA256, so that the master key
 * itself is used for nothing but derivation (the key check value below comes from it too).
 */
function derive(masterKey: KeyObject, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), info, 32));
}

export function createSealer(masterKey: KeyObject): Sealer {
  const keys = new Map<number, KeyObject>([[KEY_VERSION, createSecretKey(derive(masterKey, `certdesk seal v${KEY_VERSION}`))]]);
  return {
    seal(plaintext, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv("aes-256-gcm", keys.get(KEY_VERSION)!, nonce);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return `v${KEY_VERSION}.${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64url")}`;
    },
    open(sealed, context) {
      const match = SEALED.exec(sealed);
      if (!match) throw new SealError("not a sealed value");
      const key = keys.get(Number(match[1]));
      if (!key) throw new SealError(`sealed with key version ${match[1]}, which this server does not hold`);
      const raw = Buffer.from(match[2]!, "base64url");
      if (raw.length < NONCE_BYTES + TAG_BYTES) throw new SealError("sealed value too short");
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString("utf8");
      } catch {
        throw new SealError("sealed value does not open with this master key (another key, or altered)");
      }
    },
  };
}

/** Whether a stored value has the shape of a sealed one (it may still not open). */
export function isSealed(value: string): boolean {
  return SEALED.test(value);
}

/**
 * What the database keeps to recognise its master key: an HKDF output under its own label, from which
 * neither the key nor any sealing key can be computed. Equal values mean the same master key.
 */
export function keyCheckValue(masterKey: KeyObject): string {
  return derive(masterKey, "certdesk master key check").toString("base64url");
}
