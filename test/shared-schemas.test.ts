// The API's shapes are defined once, in src/shared/schemas/ (TypeBox). Two rules keep it so:
// - src/shared/ stands alone: it imports only TypeBox and other shared modules, never the server's
//   code (the dashboard compiles it too);
// - the dashboard takes those shapes as types only (`import type`), so no TypeBox reaches the
//   browser bundle; a value import from src/shared/ is allowed only from modules without TypeBox.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const SHARED = path.join(root, "src", "shared");
const SCHEMAS = path.join(SHARED, "schemas");

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

interface ImportStatement {
  typeOnly: boolean;
  specifier: string;
  text: string;
}

/** Every static `import … from`, `export … from` and side-effect import of a file. */
function importsOf(source: string): ImportStatement[] {
  const found: ImportStatement[] = [];
  const fromClause = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*["']([^"']+)["']/g;
  for (const match of source.matchAll(fromClause)) {
    found.push({ typeOnly: match[2] !== undefined, specifier: match[4]!, text: match[0].trim() });
  }
  for (const match of source.matchAll(/(?:^|[\n;])\s*import\s*["']([^"']+)["']/g)) {
    found.push({ typeOnly: false, specifier: match[1]!, text: match[0].trim() });
  }
  return found;
}

/** The file a relative specifier names, without extension ("./a.js" and "./a" are one module). */
function resolved(file: string, specifier: string): string {
  return path.resolve(path.dirname(file), specifier).replace(/\.(js|ts|tsx)$/, "").replace(/[\\/]index$/, "");
}

function isUnder(target: string, dir: string): boolean {
  return target === dir || target.startsWith(dir + path.sep);
}

/** Shared modules that import TypeBox (directly or through another shared module). */
function modulesWithTypebox(): Set<string> {
  const files = sourcesUnder(SHARED);
  const withTypebox = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const file of files) {
      const module = file.replace(/\.tsx?$/, "").replace(/[\\/]index$/, "");
      if (withTypebox.has(module)) continue;
      const pulls = importsOf(fs.readFileSync(file, "utf8")).some(
        (i) => !i.typeOnly && (i.specifier === "typebox" || i.specifier.startsWith("typebox/") || (i.specifier.startsWith(".") && withTypebox.has(resolved(file, i.specifier)))),
      );
      if (pulls) {
        withTypebox.add(module);
        grew = true;
      }
    }
  }
  return withTypebox;
}

describe("one definition of each shape", () => {
  it("reads import statements, type-only or not, over several lines", () => {
    const imports = importsOf('import type {\n  A,\n  B,\n} from "../x";\nimport { C } from "./y.js";\nexport * from "./z.js";\nimport "./side";\n');
    expect(imports.map((i) => [i.specifier, i.typeOnly])).toEqual([
      ["../x", true],
      ["./y.js", false],
      ["./z.js", false],
      ["./side", false],
    ]);
  });

  it("src/shared imports only TypeBox and itself, never the server", () => {
    const offending = sourcesUnder(SHARED).flatMap((file) =>
      importsOf(fs.readFileSync(file, "utf8"))
        .filter((i) => (i.specifier.startsWith(".") ? !isUnder(resolved(file, i.specifier), SHARED) : i.specifier !== "typebox"))
        .map((i) => `${path.relative(root, file)}: ${i.text}`),
    );
    expect(offending).toEqual([]);
  });

  it("the dashboard takes TypeBox-backed shared modules as types only, and TypeBox never", () => {
    const typeboxModules = modulesWithTypebox();
    // The rule must be about something: the schemas themselves are TypeBox-backed.
    expect(typeboxModules.has(path.join(SCHEMAS, "orders"))).toBe(true);
    expect(typeboxModules.has(SCHEMAS)).toBe(true);
    const offending = sourcesUnder(path.join(root, "src", "web")).flatMap((file) =>
      importsOf(fs.readFileSync(file, "utf8"))
        .filter((i) => !i.typeOnly)
        .filter((i) => i.specifier === "typebox" || i.specifier.startsWith("typebox/") || (i.specifier.startsWith(".") && typeboxModules.has(resolved(file, i.specifier))))
        .map((i) => `${path.relative(root, file)}: ${i.text}`),
    );
    expect(offending).toEqual([]);
  });

  it("the dashboard has no copy of the API's shapes of its own", () => {
    expect(fs.existsSync(path.join(root, "src", "web", "api", "types.ts"))).toBe(false);
    const webFiles = sourcesUnder(path.join(root, "src", "web"));
    const usesShared = webFiles.filter((file) => importsOf(fs.readFileSync(file, "utf8")).some((i) => i.specifier.startsWith(".") && isUnder(resolved(file, i.specifier), SCHEMAS)));
    expect(usesShared.map((file) => path.relative(root, file))).toContain(path.join("src", "web", "api", "endpoints.ts"));
  });
});
