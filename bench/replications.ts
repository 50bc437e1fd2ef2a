/**
 * Runs REPS replications of one model in this process and nothing else: the
 * workload that bench/engine-instructions.ts counts under callgrind.
 *
 * Usage: REPS=3 tsx bench/replications.ts bench/mm3.json
 */
import { readFileSync } from "node:fs";
import { runReplication, type QuodsiModel } from "../src/simulation/index.js";

const file = process.argv[2] ?? new URL("./mm3.json", import.meta.url).pathname;
const model = JSON.parse(readFileSync(file, "utf8")) as QuodsiModel;
const reps = Number(process.env.REPS ?? 3);
for (let i = 0; i < reps; i++) {
  await runReplication(model, i, { replications: reps, seed: model.seed ?? 1, timePeriod: "daily" });
}
