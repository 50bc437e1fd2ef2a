/**
 * Engine benchmark: the reference M/M/3 model (bench/mm3.json: lambda 2.4/min,
 * one activity of capacity 3 whose delay_with_resource seizes one unit of a
 * 3-unit resource, exponential service with mean 1 min), runTime 70 000 min,
 * warm-up 1 000 min, 3 replications.
 *
 * Customers = entities that left the system during the whole run (warm-up
 * included); events = calendar events processed. Each figure is the best of
 * a few timed runs after a JIT warm-up run (the machine is shared; the best
 * run is the least disturbed one).
 *
 * Runs bundled as the service runs the engine (bench/built.ts); `--tsx` runs
 * the per-file build of tsx instead.
 *
 * Usage: npm run bench:engine  (tsx bench/engine.ts [--rounds N] [--tsx])
 * Last line: one JSON object {"model":"mm3","customersPerSecond":…,"eventsPerSecond":…,"parallelCustomersPerSecond":…}
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import { ThreadPool } from "../src/runner/thread-pool.js";
import { runReplication, type QuodsiModel } from "../src/simulation/index.js";
import { benchFile, runBuilt } from "./built.js";

await runBuilt(import.meta.url);

const model = JSON.parse(readFileSync(benchFile("mm3.json"), "utf8")) as QuodsiModel;
const REPS = 3;
const SEED = model.seed ?? 1;
const roundsArg = process.argv.indexOf("--rounds");
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;

async function sequential(): Promise<{ seconds: number; customers: number; events: number }> {
  const t0 = performance.now();
  let customers = 0;
  let events = 0;
  for (let i = 0; i < REPS; i++) {
    const r = await runReplication(model, i, { replications: REPS, seed: SEED, timePeriod: "daily" });
    customers += r.exitsTotal;
    events += r.eventCount;
  }
  return { seconds: (performance.now() - t0) / 1000, customers, events };
}

async function parallel(pool: ThreadPool): Promise<{ seconds: number; customers: number; events: number }> {
  const t0 = performance.now();
  const s = await pool.runReplications(model, { replications: REPS, seed: SEED, timePeriod: "daily" });
  return { seconds: (performance.now() - t0) / 1000, customers: s.exitsTotal, events: s.eventCount };
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

console.log(
  `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), Node ${process.version}, ${process.env.SCENARIOLAB_BENCH_BUILT === "1" ? "bundled" : "tsx"}`,
);
console.log(
  `model: M/M/3, lambda 2.4/min, mu 1/min, runTime 70000 min, warm-up 1000 min, ${REPS} replications, best of ${ROUNDS}`,
);

await sequential(); // JIT warm-up
let best = { seconds: Infinity, customers: 0, events: 0 };
for (let k = 0; k < ROUNDS; k++) {
  const r = await sequential();
  console.log(
    `single-threaded run ${k + 1}: ${r.seconds.toFixed(3)} s, ${fmt(r.customers / r.seconds)} customers/s, ${fmt(r.events / r.seconds)} events/s`,
  );
  if (r.seconds < best.seconds) best = r;
}

const pool = new ThreadPool({ size: os.cpus().length });
let bestPar = { seconds: Infinity, customers: 0, events: 0 };
try {
  await parallel(pool); // worker start-up and JIT warm-up
  for (let k = 0; k < ROUNDS; k++) {
    const r = await parallel(pool);
    console.log(
      `${pool.size} worker threads run ${k + 1}: ${r.seconds.toFixed(3)} s, ${fmt(r.customers / r.seconds)} customers/s, ${fmt(r.events / r.seconds)} events/s`,
    );
    if (r.seconds < bestPar.seconds) bestPar = r;
  }
} finally {
  await pool.close();
}

const result = {
  model: "mm3",
  customersPerSecond: Math.round(best.customers / best.seconds),
  eventsPerSecond: Math.round(best.events / best.seconds),
  parallelCustomersPerSecond: Math.round(bestPar.customers / bestPar.seconds),
};
console.log(`customers per run: ${fmt(best.customers)}, events per run: ${fmt(best.events)}`);
console.log(JSON.stringify(result));
