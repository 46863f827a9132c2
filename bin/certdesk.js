#!/usr/bin/env node
// The `certdesk` command runs the compiled server; `npm run build:server` makes it.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../dist/src/server/cli.js", import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error("certdesk is not built yet: run `npm run build` first.");
  process.exit(1);
}
await import(cli.href);
