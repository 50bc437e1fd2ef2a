// Vitest under Stryker (npm run test:mutation): only the unit tests beside the mutated code, no API tests
// (they need a database, take minutes, and reach this code only through the services).
import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Stryker stops a mutant at its first failing test, so the order of files decides how long a killed
 * mutant costs: the file that failed last time first (it likely kills the next mutant of the same
 * code), then the quickest files; the long queueing-theory and thread tests last. Vitest's default
 * runs the longest first, which makes every killed mutant wait for them.
 */
class QuickFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification): [number, number] => {
      const key = `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`;
      const result = this.ctx.cache.getFileTestResults(key);
      if (result) return [result.failed ? 0 : 1, result.duration];
      return [1, this.ctx.cache.getFileStats(key)?.size ?? Number.MAX_SAFE_INTEGER];
    };
    const ranked = files.map((spec) => ({ spec, rank: rank(spec) }));
    ranked.sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1]);
    return ranked.map((r) => r.spec);
  }
}

export default defineConfig({
  resolve: {
    // graphql 16 ships index.js and index.mjs; keep one realm for tests and libraries.
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["src/simulation/**/*.test.ts", "src/runner/**/*.test.ts", "src/lifecycle/transitions.test.ts"],
    sequence: { sequencer: QuickFirstSequencer },
    // Instrumented code runs several times slower (the analytic M/M/3 test alone passed 30 s).
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
