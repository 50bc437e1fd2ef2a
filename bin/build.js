// The build of the service: src/ bundled by esbuild into dist/ (one file per entry point, linked
// source maps), and the check whether dist/ is still the build of the files it was made from.
//
//   node bin/build.js             build dist/ (what `npm run build` and `postinstall` run)
//   node bin/build.js --if-stale  build only when dist/ is missing or older than its sources
//                                 (silent when it is current)
//
// Plain JavaScript on purpose: bin/scenariolab.js imports `buildState` on every start, before any
// TypeScript can run. esbuild (a devDependency) is imported only when building.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The project's root directory (this file is bin/build.js). */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Entry points, by output name: dist/main.js (the CLI and the service) and
 * dist/simulation.worker.js, which the thread pool starts beside the module that
 * creates it (src/runner/thread-pool.ts, `defaultWorkerUrl`).
 */
const ENTRIES = { main: "src/main.ts", "simulation.worker": "src/runner/simulation.worker.ts" };

/** Files that shape the output besides the bundled sources: compiler options and this build. */
const CONFIG_FILES = ["tsconfig.json", "bin/build.js"];

/** Bumped when the stamp's layout changes: a stamp of another layout counts as stale. */
const STAMP_VERSION = 1;
const STAMP_FILE = "build-info.json";

const LOADERS = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".json": "json",
};

/**
 * How our code is compiled, here and wherever it must run as the service runs it (the engine
 * benchmarks bundle their entry points with these options).
 * @type {import("esbuild").BuildOptions}
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  // Dependencies stay in node_modules, loaded as under tsx; only our code is bundled.
  packages: "external",
  platform: "node",
  format: "esm",
  target: "node20",
  // TypeGraphQL names GraphQL types after their classes: no renaming, even on a name clash.
  keepNames: true,
};

const sha256 = (content) => createHash("sha256").update(content).digest("hex");
const distDir = (root) => path.join(root, "dist");

/**
 * Whether dist/ holds the build of the files as they are now. dist/build-info.json lists every
 * file the build read (the bundled sources under src/, the generated Prisma client among them,
 * and CONFIG_FILES) with its size, modification time and SHA-256. A file whose size and
 * modification time are unchanged is taken as unchanged; any other is hashed, so a checkout or
 * `touch` that leaves the content alone does not count as a change, and an edit always does.
 *
 * @param {string} [root]
 * @returns {{ fresh: true } | { fresh: false, reason: string }}
 */
export function buildState(root = ROOT) {
  const dist = distDir(root);
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(dist, STAMP_FILE), "utf8"));
  } catch (err) {
    if (err?.code === "ENOENT") return { fresh: false, reason: "there is no build in dist/" };
    return { fresh: false, reason: `dist/${STAMP_FILE} is unreadable (${err?.message ?? err})` };
  }
  if (stamp?.version !== STAMP_VERSION || typeof stamp.inputs !== "object" || stamp.inputs === null)
    return { fresh: false, reason: `dist/${STAMP_FILE} comes from another version of the build` };
  for (const name of Object.keys(ENTRIES)) {
    try {
      statSync(path.join(dist, `${name}.js`));
    } catch {
      return { fresh: false, reason: `dist/${name}.js is missing` };
    }
  }
  for (const [file, was] of Object.entries(stamp.inputs)) {
    const full = path.join(root, file);
    let now;
    try {
      now = statSync(full);
    } catch {
      return { fresh: false, reason: `${file} is gone since the last build` };
    }
    if (now.size === was.size && now.mtimeMs === was.mtimeMs) continue;
    if (now.size !== was.size || sha256(readFileSync(full)) !== was.sha256)
      return { fresh: false, reason: `${file} changed since the last build` };
  }
  return { fresh: true };
}

/**
 * Builds dist/ from src/. Each source is read once, by a loader that records exactly the
 * content esbuild compiles (a file edited during the build is therefore seen as changed by the
 * next `buildState`). The files are written under temporary names and renamed into place, the
 * stamp last, so that a reader never takes a half-written build for a current one.
 *
 * @param {string} [root]
 */
export async function build(root = ROOT) {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch (err) {
    if (err?.code !== "ERR_MODULE_NOT_FOUND") throw err;
    throw new Error("esbuild (a devDependency) is not installed: run `npm install`, then `npm run build`");
  }
  /** @type {Record<string, { size: number, mtimeMs: number, sha256: string }>} */
  const inputs = {};
  const read = (full) => {
    const stat = statSync(full);
    const content = readFileSync(full);
    inputs[path.relative(root, full).split(path.sep).join("/")] = {
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      sha256: sha256(content),
    };
    return content;
  };
  for (const file of CONFIG_FILES) read(path.join(root, file));
  /** @type {import("esbuild").Plugin} */
  const recordInputs = {
    name: "record-inputs",
    setup(b) {
      b.onLoad({ filter: /.*/, namespace: "file" }, (args) => {
        const loader = LOADERS[path.extname(args.path)];
        if (!loader) return undefined;
        return { contents: read(args.path), loader };
      });
    },
  };
  const result = await esbuild.build({
    ...BUNDLE_OPTIONS,
    absWorkingDir: root,
    entryPoints: ENTRIES,
    outdir: "dist",
    sourcemap: "linked",
    sourcesContent: false,
    plugins: [recordInputs],
    write: false,
    logLevel: "warning",
  });
  await esbuild.stop?.();
  const dist = distDir(root);
  mkdirSync(dist, { recursive: true });
  const stampPath = path.join(dist, STAMP_FILE);
  rmSync(stampPath, { force: true });
  const put = (file, content) => {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, content);
    renameSync(temporary, file);
  };
  for (const out of result.outputFiles) put(out.path, out.contents);
  const sorted = Object.fromEntries(Object.entries(inputs).sort(([a], [b]) => a.localeCompare(b)));
  put(stampPath, `${JSON.stringify({ version: STAMP_VERSION, inputs: sorted }, null, 1)}\n`);
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) {
  const ifStale = process.argv.includes("--if-stale");
  if (!ifStale || !buildState().fresh) {
    const started = performance.now();
    try {
      await build();
      console.log(`built dist/ in ${Math.round(performance.now() - started)} ms`);
    } catch (err) {
      console.error(`build: ${err?.message ?? err}`);
      process.exitCode = 1;
    }
  }
}
