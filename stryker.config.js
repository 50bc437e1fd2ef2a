// Mutation testing: `npm run test:mutation` (scripts/mutation.sh picks a Node >= 22 for Stryker 10).
// Scope: the simulation engine, the scenario lifecycle rules and the runner. Run one part with
// `npm run test:mutation -- --mutate src/simulation/validate.ts`; each scope keeps its own incremental file
// under reports/mutation/incremental/, committed so that a run after a checkout only tests what changed.
// Scores per scope, with the exact command: BENCHMARKS.md, "Mutation scores".
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.stryker.config.ts" },
  mutate: [
    "src/simulation/**/*.ts",
    "src/lifecycle/states.ts",
    "src/lifecycle/transitions.ts",
    "src/runner/**/*.ts",
    "!**/*.test.ts",
    "!src/simulation/testing/**",
  ],
  // Each mutant runs only the tests that reach it.
  coverageAnalysis: "perTest",
  // Mutants executed only while a module loads (constant tables) would need a full reload and every test.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: "reports/mutation/incremental/all.json",
  // The machines have 2 cores shared by several engineers.
  concurrency: 1,
  // Generous on a loaded machine: a mutant that only looks slow must not pass for an infinite loop.
  timeoutMS: 10_000,
  dryRunTimeoutMinutes: 30,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 80, low: 70, break: null },
  // Not needed by the unit tests; .tmp holds the downloaded Node binary.
  ignorePatterns: ["/.tmp", "/.data", "/coverage"],
  tempDirName: ".stryker-tmp",
};
