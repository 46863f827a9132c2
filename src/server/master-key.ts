// MASTER_KEY (API.md's configuration table): where the server's master key comes from, and the check
// that it is the key this database was first used with (SECURITY.md 25).
//
// The key is MASTER_KEY when set (several servers share one that way), else DATA_DIR/master.key,
// generated once (mode 0600) by the first server to start. The database keeps a check value of it
// (migration 0006): a server started with another key, or with none while the database has one on
// record, stops at start with one clear line, instead of failing to open each sealed value later.
// The server and the CLI both come through here; only the server generates a key.
import { randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ConfigError, decodeMasterKey } from "./config.js";
import type { Config } from "./config.js";
import type { Db } from "./db/create-db.js";
import { createSealer, keyCheckValue } from "./sealer.js";
import type { Sealer } from "./sealer.js";

export const MASTER_KEY_FILE = "master.key";

/** The key version whose check value the database keeps; sealer.ts seals with the same version. */
const KEY_VERSION = 1;

type KeyConfig = Pick<Config, "dataDir" | "masterKey">;

/** The table of migration 0006, typed here: nothing else reads it. */
type KeyCheckTables = {
  masterKeyChecks: { keyVersion: number; checkValue: string; createdAt: string };
};

/**
 * For the server: the sealer of this database's master key. Creates DATA_DIR (0700) and, on the first
 * start without MASTER_KEY, DATA_DIR/master.key; refuses a key other than the one on record.
 */
export async function openSealer(db: Db, config: KeyConfig): Promise<Sealer> {
  secureDataDir(config.dataDir, { create: true });
  const key = await checkedKey(db, config, true);
  return createSealer(key!);
}

/**
 * For the CLI's one-shot commands, which read no sealed value: refuses a wrong key, or a missing one
 * for a database that has one on record, exactly as the server would, but never generates a key.
 */
export async function verifyMasterKey(db: Db, config: KeyConfig): Promise<void> {
  secureDataDir(config.dataDir, { create: false });
  await checkedKey(db, config, false);
}

async function checkedKey(db: Db, config: KeyConfig, generate: boolean): Promise<KeyObject | undefined> {
  const checks = db.kysely.withTables<KeyCheckTables>();
  const recorded = async () =>
    (await checks.selectFrom("masterKeyChecks").select("checkValue").where("keyVersion", "=", KEY_VERSION).executeTakeFirst())?.checkValue;
  const file = path.join(config.dataDir, MASTER_KEY_FILE);
  let key = config.masterKey ?? readKeyFile(file);
  let onRecord = await recorded();
  if (!key) {
    if (onRecord !== undefined) {
      throw new ConfigError(
        `This database's secrets are sealed with a master key, but MASTER_KEY is not set and ${file} does not exist: ` +
          "start with the key it was first used with.",
      );
    }
    if (!generate) return undefined;
    key = generateKeyFile(file);
  }
  const check = keyCheckValue(key);
  if (onRecord === undefined) {
    // Several servers may start on one new database at once: the first check written stands.
    await checks
      .insertInto("masterKeyChecks")
      .values({ keyVersion: KEY_VERSION, checkValue: check, createdAt: new Date().toISOString() })
      .onConflict((oc) => oc.column("keyVersion").doNothing())
      .execute();
    onRecord = await recorded();
  }
  if (onRecord !== check) {
    const source = config.masterKey ? "MASTER_KEY" : file;
    throw new ConfigError(`The master key in ${source} is not the one this database's secrets are sealed with: start with the key it was first used with.`);
  }
  return key;
}

/** The key in DATA_DIR/master.key, tightened to 0600 if it was readable by others; undefined if there is none. */
function readKeyFile(file: string): KeyObject | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ConfigError(`Cannot read the master key ${file}: ${(error as Error).message}`);
  }
  tighten(file, 0o600);
  return decodeMasterKey(text, file);
}

/**
 * Writes a new random key to a temporary file (0600, flushed) and links it into place: a link fails if
 * another process has just created the file, so two servers starting together end up with one key.
 */
function generateKeyFile(file: string): KeyObject {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = fs.openSync(temporary, "wx", 0o600);
  try {
    fs.writeSync(fd, `${randomBytes(32).toString("base64url")}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    fs.unlinkSync(temporary);
  }
  syncDirectory(path.dirname(file)); // the key outlives a power cut, as the check value in the database does
  return readKeyFile(file)!;
}

/**
 * DATA_DIR holds the embedded database, uploads, the CA's keys and master.key: owner only (0700).
 * Created so, and an existing one tightened — unless it is a shared directory (sticky, like /tmp) or
 * someone else's, which this process must not lock others out of.
 */
export function secureDataDir(dataDir: string, options: { create: boolean }): void {
  if (options.create) fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const sticky = (stat.mode & 0o1000) !== 0;
  const mine = process.getuid === undefined || stat.uid === process.getuid();
  if (stat.isDirectory() && !sticky && mine) tighten(dataDir, 0o700);
}

/** chmod to `mode` when the file allows more than it (never widens). */
export function tighten(file: string, mode: number): void {
  const current = fs.statSync(file).mode & 0o777;
  if ((current & ~mode) !== 0) fs.chmodSync(file, current & mode);
}

function syncDirectory(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
