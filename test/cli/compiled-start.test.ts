import { execFile } from "node:child_process";
import {
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ThreadPool } from "../../src/runner/thread-pool.js";
import { simulate } from "../../src/simulation/index.js";
import { mm1 } from "../../src/simulation/testing/models.js";
import { killLeftovers, startServe } from "../helpers/process.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const USAGE_LINE = "start the API (what npm start runs)";

// Each test copies the project and builds it (seconds on a busy machine).
const TIMEOUT = 180_000;

/** A copy of what the build reads and the CLI runs, with dependencies from this checkout. */
async function copyProject(opts: { esbuild: boolean } = { esbuild: true }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "scenariolab-build-"));
  for (const entry of ["bin", "src", "package.json", "tsconfig.json"])
    await cp(path.join(ROOT, entry), path.join(dir, entry), {
      recursive: true,
      filter: (from) => !from.endsWith(".test.ts"),
    });
  await linkDependencies(dir, opts);
  return dir;
}

/**
 * node_modules of the copy: this checkout's, or (esbuild: false) every package of it but
 * esbuild, as on an install without devDependencies where nothing can rebuild dist/.
 */
async function linkDependencies(dir: string, opts: { esbuild: boolean }): Promise<void> {
  const target = path.join(dir, "node_modules");
  await rm(target, { recursive: true, force: true });
  const source = path.join(ROOT, "node_modules");
  if (opts.esbuild) return symlink(source, target);
  await mkdir(target);
  for (const name of await readdir(source)) {
    if (name === "esbuild" || name === "@esbuild" || name === ".bin") continue;
    await symlink(path.join(source, name), path.join(target, name));
  }
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function node(dir: string, args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: dir, env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn" } },
      (err, stdout, stderr) => resolve({ code: err ? (err.code as number) : 0, stdout, stderr }),
    );
  });
}

const scenariolab = (dir: string, ...args: string[]) =>
  node(dir, [path.join(dir, "bin/scenariolab.js"), ...args]);

async function build(dir: string): Promise<void> {
  const res = await node(dir, [path.join(dir, "bin/build.js")]);
  expect(res.code, res.stderr).toBe(0);
}

/** Changes the CLI's usage text in the copy's sources: the new text shows which code ran. */
async function editUsage(dir: string, marker: string): Promise<void> {
  const file = path.join(dir, "src/main.ts");
  const source = await readFile(file, "utf8");
  expect(source).toContain(USAGE_LINE);
  await writeFile(file, source.replace(USAGE_LINE, `start the API (${marker})`));
}

const copies: string[] = [];
const project = async (opts?: { esbuild: boolean }) => {
  const dir = await copyProject(opts);
  copies.push(dir);
  return dir;
};

afterEach(async () => {
  await killLeftovers();
  await Promise.all(copies.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("the compiled start (bin/scenariolab.js runs dist/)", { timeout: TIMEOUT }, () => {
  it("builds dist/ first when there is no build, then runs it", async () => {
    const dir = await project();
    const res = await scenariolab(dir, "help");
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/there is no build in dist\/; rebuilding dist\//);
    expect(res.stdout).toContain(USAGE_LINE);
    // Nothing of the build on stdout, where the CLI prints its JSON lines.
    expect(res.stdout).not.toMatch(/built dist/);
    for (const file of ["main.js", "main.js.map", "simulation.worker.js", "build-info.json"])
      expect((await stat(path.join(dir, "dist", file))).size).toBeGreaterThan(0);
  });

  it("runs the new code after a source changed, never the old build", async () => {
    const dir = await project();
    await build(dir);
    await editUsage(dir, "edited after the build");
    const first = await scenariolab(dir, "help");
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/src\/main\.ts changed since the last build; rebuilding dist\//);
    expect(first.stdout).toContain("start the API (edited after the build)");
    expect(first.stdout).not.toContain(USAGE_LINE);
    // Built once: the next start runs it as it is.
    const second = await scenariolab(dir, "help");
    expect(second.stderr).toBe("");
    expect(second.stdout).toContain("start the API (edited after the build)");
  });

  it("does not run the old build when a source it was made from is gone and the rebuild fails", async () => {
    const dir = await project();
    await build(dir);
    // paths.ts is bundled; main.ts reaches it only through other modules, which now import it in vain.
    await rm(path.join(dir, "src/paths.ts"));
    const res = await scenariolab(dir, "help");
    expect(res.stderr).toMatch(/src\/paths\.ts is gone since the last build; rebuilding dist\//);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/could not be rebuilt; run `npm run build`/);
    expect(res.stdout).toBe("");
  });

  it("does not rebuild for a file whose time changed but not its content", async () => {
    const dir = await project();
    await build(dir);
    const later = new Date(Date.now() + 60_000);
    await utimes(path.join(dir, "src/main.ts"), later, later);
    const res = await scenariolab(dir, "help");
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe("");
    expect(res.stdout).toContain(USAGE_LINE);
  });

  it("without esbuild, refuses a stale or missing build with exit code 1 and runs nothing", async () => {
    const dir = await project();
    await build(dir);
    await linkDependencies(dir, { esbuild: false });
    // The current build still runs without esbuild.
    const current = await scenariolab(dir, "help");
    expect(current.code, current.stderr).toBe(0);
    expect(current.stdout).toContain(USAGE_LINE);

    await editUsage(dir, "edited, never built");
    const stale = await scenariolab(dir, "help");
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/src\/main\.ts changed since the last build/);
    expect(stale.stderr).toMatch(/esbuild \(a devDependency\) is not installed/);
    expect(stale.stderr).toMatch(/could not be rebuilt; run `npm run build`/);
    expect(stale.stdout).toBe("");

    await rm(path.join(dir, "dist"), { recursive: true });
    const missing = await scenariolab(dir, "help");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/there is no build in dist\/.*\n[\s\S]*run `npm run build`/);
    expect(missing.stdout).toBe("");
  });

  it("the built simulation worker (dist/simulation.worker.js, made before the tests) runs replications", async () => {
    const pool = new ThreadPool({
      size: 2,
      workerUrl: pathToFileURL(path.join(ROOT, "dist/simulation.worker.js")),
    });
    try {
      const model = mm1(0.8, 1, { runTime: 2_000 });
      const opts = { replications: 4, seed: 11, timePeriod: "hourly" as const };
      expect(await pool.runReplications(model, opts)).toEqual(await simulate(model, opts));
    } finally {
      await pool.close();
    }
  });

  it("serves /metrics with the event-loop delay (p50, p99, max in seconds)", async () => {
    const token = "compiled-start-metrics";
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "scenariolab-metrics-"));
    copies.push(dataDir);
    const server = await startServe(
      { DATA_DIR: dataDir, DATABASE_URL: "", METRICS_TOKEN: token },
      TIMEOUT - 30_000,
    );
    const res = await fetch(new URL("/metrics", server.url), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const name of [
      "nodejs_eventloop_lag_p50_seconds",
      "nodejs_eventloop_lag_p99_seconds",
      "nodejs_eventloop_lag_max_seconds",
    ]) {
      expect(text).toContain(`# TYPE ${name} gauge`);
      const value = new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1];
      expect(Number.isFinite(Number(value)), `${name} = ${value}`).toBe(true);
      expect(Number(value)).toBeGreaterThanOrEqual(0);
    }
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });
});
