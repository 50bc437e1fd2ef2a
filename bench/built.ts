/**
 * Engine benchmarks measure the engine as the service runs it: bundled by the
 * service's build (bin/build.js, BUNDLE_OPTIONS), in plain node, with the
 * worker threads' module beside it. Under tsx each source file is its own
 * module and cross-file `const enum` members are property loads (esbuild
 * inlines them only when bundling), which costs the engine a few per cent.
 *
 * `await runBuilt(import.meta.url)` at the top of a bench: bundles that bench
 * into .bench-built/ and runs the bundle with the same arguments, then
 * exits with its status; in the bundle (or with --tsx) it returns at once and
 * the bench goes on in this process.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { BUNDLE_OPTIONS, ROOT } from "../bin/build.js";

const BUILT = "SCENARIOLAB_BENCH_BUILT";

/** A file of bench/ (found from the project root: the bundle runs from .bench-built/). */
export const benchFile = (name: string): string => path.join(ROOT, "bench", name);

export async function runBuilt(benchUrl: string): Promise<void> {
  if (process.env[BUILT] === "1" || process.argv.includes("--tsx")) return;
  const entry = fileURLToPath(benchUrl);
  const name = path.basename(entry, path.extname(entry));
  // One level below the root, like dist/: the bundled code finds the project root there (src/paths.ts).
  const outdir = path.join(ROOT, ".bench-built");
  await build({
    ...BUNDLE_OPTIONS,
    absWorkingDir: ROOT,
    entryPoints: { [name]: entry, "simulation.worker": "src/runner/simulation.worker.ts" },
    outdir,
    logLevel: "warning",
  });
  const child = spawnSync(process.execPath, [path.join(outdir, `${name}.js`), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, [BUILT]: "1" },
  });
  process.exit(child.status ?? 1);
}
