/**
 * Engine cost in machine instructions, which unlike seconds do not depend on
 * what else the machine is doing: the replications of a model are bundled
 * (esbuild), then run under valgrind's callgrind with V8 in single-threaded
 * mode (no background compilation, so the JIT makes the same choices every
 * run). The figure is the run with REPS replications minus the run with none
 * (process start-up and module loading).
 *
 * Usage: npm run bench:engine-instructions [-- <model.json> [reps]]   (default bench/mm3.json, 3)
 * Compare two commits by running it in a checkout of each. Needs valgrind (Debian package).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const model = process.argv[2] ?? `${root}bench/mm3.json`;
const reps = Number(process.argv[3] ?? 3);
try {
  execFileSync("valgrind", ["--version"], { stdio: "ignore" });
} catch {
  console.error("valgrind is not installed (apt-get install valgrind)");
  process.exit(1);
}
mkdirSync(`${root}.tmp`, { recursive: true });
const bundle = `${root}.tmp/replications.mjs`;
await build({
  entryPoints: [`${root}bench/replications.ts`],
  bundle: true,
  platform: "node",
  format: "esm",
  outfile: bundle,
  logLevel: "warning",
});

function instructions(n: number): number {
  const r = spawnSync(
    "valgrind",
    [
      "--tool=callgrind",
      "--callgrind-out-file=/dev/null",
      process.execPath,
      "--single-threaded",
      bundle,
      model,
    ],
    { env: { ...process.env, REPS: String(n) }, encoding: "utf8" },
  );
  const m = /Collected : (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`callgrind failed (${r.status}): ${r.stderr.slice(-500)}`);
  return Number(m[1]);
}

const base = instructions(0);
const total = instructions(reps);
const engine = total - base;
console.log(`model: ${model}, ${reps} replications, Node ${process.version}`);
console.log(
  `instructions: ${total.toLocaleString("en-US")} in all, ${base.toLocaleString("en-US")} start-up`,
);
console.log(JSON.stringify({ model, replications: reps, engineInstructions: engine }));
