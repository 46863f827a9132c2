// The demonstration CA's files. A CA directory is either absent/empty (create one), complete
// (load it) or anything else (refuse: certificates already issued chain to the keys there,
// so nothing here ever deletes or overwrites them). Creation writes every file into a
// private staging directory next to the target and renames that directory into place in
// one step, so a crash leaves either no CA or a whole one, never half of one.
import fs from "node:fs/promises";
import path from "node:path";

export const CA_FILES = {
  rootKey: "root.key.pem",
  rootCert: "root.pem",
  intermediateKey: "intermediate.key.pem",
  intermediateCert: "intermediate.pem",
} as const;

export type CaFileName = keyof typeof CA_FILES;
export type CaFiles = Record<CaFileName, string>;

const KEY_MODE = 0o600;
const CERT_MODE = 0o644;
const STALE_STAGING_MS = 10 * 60 * 1000;

export type CaDirState = "absent" | "empty" | "complete";

export class CaStoreError extends Error {}

/** Where `dir` stands; throws CaStoreError for a partial or foreign directory. */
export async function inspectCaDir(dir: string): Promise<CaDirState> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (error) {
    if (isCode(error, "ENOENT")) return "absent";
    throw error;
  }
  if (entries.length === 0) return "empty";
  const expected = Object.values(CA_FILES);
  const found = expected.filter((file) => entries.includes(file));
  if (found.length === expected.length) return "complete";
  const missing = expected.filter((file) => !entries.includes(file));
  throw new CaStoreError(
    `The demonstration CA directory ${dir} is incomplete or not a CA directory ` +
      `(missing ${missing.join(", ")}${found.length ? `; present ${found.join(", ")}` : ""}). ` +
      "Nothing was changed. Restore the missing files, or move the directory aside to create a new CA " +
      "(certificates issued by the old one will no longer chain to the new root).",
  );
}

export async function readCaFiles(dir: string): Promise<CaFiles> {
  const entries = await Promise.all(
    (Object.entries(CA_FILES) as [CaFileName, string][]).map(
      async ([name, file]) => [name, await fs.readFile(path.join(dir, file), "utf8")] as const,
    ),
  );
  return Object.fromEntries(entries) as CaFiles;
}

/**
 * Writes `files` as the CA directory `dir` in one rename. Returns "created", or "exists"
 * when another process completed `dir` first (the caller then loads that one).
 */
export async function writeCaFilesAtomically(dir: string, files: CaFiles): Promise<"created" | "exists"> {
  const parent = path.dirname(dir);
  const stagingPrefix = `.${path.basename(dir)}.staging-`;
  await fs.mkdir(parent, { recursive: true });
  await removeStaleStaging(parent, stagingPrefix);
  const staging = await fs.mkdtemp(path.join(parent, stagingPrefix)); // mode 0700
  try {
    for (const [name, file] of Object.entries(CA_FILES) as [CaFileName, string][]) {
      await writeDurably(path.join(staging, file), files[name], name.endsWith("Key") ? KEY_MODE : CERT_MODE);
    }
    await syncDir(staging);
    try {
      await fs.rename(staging, dir); // POSIX: replaces `dir` only if it is absent or empty
    } catch (error) {
      if (!isCode(error, "EEXIST", "ENOTEMPTY", "EPERM", "EACCES")) throw error;
      const state = await inspectCaDir(dir); // throws if someone left a partial directory
      if (state === "complete") return "exists";
      if (state === "absent") throw error;
      await fs.rmdir(dir); // an empty directory that rename would not replace (Windows)
      await fs.rename(staging, dir);
    }
    await syncDir(parent);
    return "created";
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

async function writeDurably(file: string, content: string, mode: number): Promise<void> {
  const handle = await fs.open(file, "wx", mode);
  try {
    await handle.writeFile(content, "utf8");
    await handle.chmod(mode); // exact mode whatever the umask
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Best effort: makes a rename durable on POSIX; not supported for directories everywhere. */
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch {
    // Windows cannot open or fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}

/** Staging directories left by a crash mid-creation hold unused keys: remove old ones. */
async function removeStaleStaging(parent: string, prefix: string): Promise<void> {
  const entries = await fs.readdir(parent).catch(() => [] as string[]);
  for (const entry of entries.filter((name) => name.startsWith(prefix))) {
    const full = path.join(parent, entry);
    const stat = await fs.stat(full).catch(() => undefined);
    if (stat?.isDirectory() && Date.now() - stat.mtimeMs > STALE_STAGING_MS) {
      await fs.rm(full, { recursive: true, force: true });
    }
  }
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === "object" && error !== null && codes.includes((error as { code?: string }).code ?? "");
}
