// `npm run screenshots`: the one "test" that writes the README's screenshots (e2e/screenshots.run.ts),
// kept out of `npm test` (its name does not end in .test.ts) and run alone.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["e2e/screenshots.run.ts"],
    environment: "node",
    pool: "forks",
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
