import { randomInt } from "node:crypto";
import { defineConfig } from "vitest/config";

/**
 * Files and the tests in each file run in a shuffled order, so a test that leans on another
 * one's leftovers fails instead of passing by luck. TEST_SEED replays an order; otherwise each
 * run picks a new seed (printed by test/print-seed.ts).
 */
function orderSeed(): number {
  const raw = process.env.TEST_SEED;
  if (raw === undefined || raw === "") return randomInt(1, 1_000_000);
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`TEST_SEED must be a non-negative integer, got "${raw}"`);
  return seed;
}

export default defineConfig({
  resolve: {
    // graphql 16 ships index.js and index.mjs; keep one realm for tests and libraries.
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    sequence: { shuffle: { files: true, tests: true }, seed: orderSeed() },
    // The CLI and process tests run bin/scenariolab.js, i.e. the build in dist/: made once here when
    // stale, so that processes started in parallel by the tests never rebuild it at the same time.
    globalSetup: ["test/print-seed.ts", "test/build-dist.ts"],
  },
});
