import type { TestProject } from "vitest/node";

/**
 * Prints the seed of the test order once per run (after command-line options such as
 * --sequence.seed are applied), so a failure that depends on the order can be replayed.
 */
export default function printSeed(project: TestProject): void {
  const { seed, shuffle } = project.config.sequence;
  if (shuffle) console.log(`test order seed: ${seed} (replay with TEST_SEED=${seed} npm test)`);
}
