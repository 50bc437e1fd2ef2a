import { defineConfig } from "vitest/config";

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
  },
});
