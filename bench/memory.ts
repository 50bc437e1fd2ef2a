/**
 * Start-up and memory benchmark: starts the service as a user does (`npm start`
 * in a project checkout), waits until it is ready, and reports the time to ready
 * and the resident memory (RSS, from /proc) of every process of the start: the
 * service (the process listening on the port) and the wrappers beside it (npm,
 * the shell npm runs the script in, a launcher, a compiler service), once at
 * ready and again after IDLE_SECONDS (default 8) of idling. Besides the wall-clock
 * time to ready, the CPU time the processes used until then (/proc/<pid>/stat), a
 * figure that other work on a busy machine disturbs much less.
 *
 * Modes, each with a fresh database and started twice (first start: migrations
 * and the demo seed; second start: an existing database):
 *   embedded  PGlite in a fresh DATA_DIR
 *   postgres  a fresh database on the server of DATABASE_URL (dropped afterwards);
 *             only when DATABASE_URL is set
 *
 * The second start of each mode then carries a load: LOAD_RUNS (default 100)
 * short runs (M/M/1, 1 replication of 1 000 minutes, one after the other) and
 * LOAD_SUBSCRIBERS (default 1 000) graphql-ws subscribers that connect, get their
 * first progress event and disconnect; RSS once more after IDLE_SECONDS. Back within
 * about 10 % of the idle figure: nothing of the load stays behind. LOAD_RUNS=0 and
 * LOAD_SUBSCRIBERS=0 skip it. The rate limits are off (one key does all of this).
 *
 * Env: BENCH_ROOT  the checkout to start (default: this one; another checkout
 *                  measures another commit with this bench)
 *      START       "npm" (`npm start`, default) or "bin" (`node bin/scenariolab.js serve`)
 *      MODES       comma-separated, default "embedded,postgres"
 *      IDLE_SECONDS 8
 *      READY_LIMIT_SECONDS 600 (a start that takes longer fails the bench)
 *
 * Linux only (/proc). Usage: npm run bench:memory
 * Last line: {"bench":"memory","start":…,"results":[{"mode","start","readyMs","service":{"rssMb",…},"wrappers":[…]}]}
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "graphql-ws";
import pg from "pg";
import WebSocket from "ws";
import { ScenarioState, scenarioStateOf, TERMINAL } from "../src/lifecycle/states.js";
import {
  GqlClient,
  ROOT,
  UNLIMITED_ENV,
  createAnalysis,
  createScenario,
  envInt,
  machineLine,
  metricSum,
  mm1,
  readMetrics,
  runBench,
  sleep,
  waitForState,
} from "./lib.js";

const BENCH_ROOT = path.resolve(process.env.BENCH_ROOT || ROOT);
const START = process.env.START || "npm";
const MODES = (process.env.MODES || "embedded,postgres").split(",").map((m) => m.trim());
const IDLE_SECONDS = envInt("IDLE_SECONDS", 8, 0, 600);
const READY_LIMIT_MS = envInt("READY_LIMIT_SECONDS", 600, 10, 3600) * 1000;
const STOP_GRACE_MS = 15_000;
const LOAD_RUNS = envInt("LOAD_RUNS", 100, 0, 10_000);
const LOAD_SUBSCRIBERS = envInt("LOAD_SUBSCRIBERS", 1000, 0, 20_000);
const CONNECT_BATCH = 50;

if (START !== "npm" && START !== "bin") throw new Error(`START must be "npm" or "bin", got "${START}"`);
for (const mode of MODES)
  if (mode !== "embedded" && mode !== "postgres")
    throw new Error(`MODES: unknown mode "${mode}" (embedded, postgres)`);

// ------------------------------------------------------------------ /proc

interface ProcessInfo {
  pid: number;
  ppid: number;
  command: string;
  rssMb: number;
  /** Peak RSS (VmHWM) so far. */
  peakMb: number;
  /** CPU time (user + system, all threads) so far. */
  cpuMs: number;
}

const mb = (kb: number) => Math.round(kb / 1024);
const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of /proc/<pid>/stat (fields 14 and 15; the command in field 2 may hold spaces). */
function cpuMsOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    const cpuMs = cpuMsOf(readFileSync(`/proc/${pid}/stat`, "utf8"));
    return {
      pid,
      ppid: field("PPid"),
      command,
      rssMb: mb(field("VmRSS")),
      peakMb: mb(field("VmHWM")),
      cpuMs,
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** The process and all its descendants. */
function processTree(root: number): ProcessInfo[] {
  const all = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== undefined);
  const tree: ProcessInfo[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    const p = all.find((q) => q.pid === pid);
    if (!p) continue;
    tree.push(p);
    for (const child of all) if (child.ppid === pid) queue.push(child.pid);
  }
  return tree;
}

/** Socket inodes listening on `port` (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const localPort = parseInt(cols[1].split(":")[1] ?? "", 16);
      if (localPort === port && cols[3] === "0A") inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** The process of the tree that holds the listening socket: the service. */
function servicePid(tree: ProcessInfo[], port: number): number {
  const inodes = listeningInodes(port);
  for (const p of tree) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${p.pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${p.pid}/fd/${fd}`));
        if (m && inodes.has(m[1])) return p.pid;
      } catch {
        /* closed meanwhile */
      }
    }
  }
  throw new Error(`no process of the start listens on port ${port}`);
}

/** A short name for a process of the start. */
function roleOf(p: ProcessInfo): string {
  const c = p.command;
  if (/npm-cli\.js|(^|\/)npm( |$)/.test(c)) return "npm";
  if (/^(\/\S+\/)?(sh|bash|dash) -c/.test(c)) return "sh -c";
  if (/esbuild/.test(c) && /--service/.test(c)) return "esbuild service";
  if (/tsx\/dist\/cli/.test(c) || /\.bin\/tsx /.test(c)) return "tsx launcher";
  return c.length > 80 ? `${c.slice(0, 77)}...` : c;
}

// ------------------------------------------------------------------ one start

interface StartResult {
  mode: string;
  start: "first" | "second";
  readyMs: number;
  /** CPU time of the service process until ready (less disturbed by other work on the machine than readyMs). */
  serviceCpuReadyMs: number;
  /** CPU time until ready of every process of the start still running then. */
  allCpuReadyMs: number;
  service: { pid: number; command: string; rssReadyMb: number; rssIdleMb: number; peakMb: number };
  wrappers: Array<{ role: string; rssIdleMb: number }>;
  totalIdleMb: number;
  /** The demo key printed by a first start. */
  apiKey?: string;
  load?: LoadResult;
  stopMs: number;
}

interface LoadResult {
  runs: number;
  subscribers: number;
  loadSeconds: number;
  /** Service RSS right after the load, and after IDLE_SECONDS more. */
  rssLoadedMb: number;
  rssAfterLoadIdleMb: number;
  /** rssAfterLoadIdleMb / the idle figure before the load. */
  ratioToIdle: number;
  /** V8 heap used (nodejs_heap_size_used_bytes of /metrics) before the load and after it, idle. */
  heapIdleMb: number;
  heapAfterLoadIdleMb: number;
}

/** V8 heap in use by the service, from its /metrics (open without METRICS_TOKEN outside production). */
async function heapUsedMb(origin: string): Promise<number> {
  try {
    return Math.round(metricSum(await readMetrics(origin), "nodejs_heap_size_used_bytes") / 2 ** 20);
  } catch {
    return NaN;
  }
}

// ------------------------------------------------------------------ load

async function shortRuns(gql: GqlClient, runs: number): Promise<void> {
  const model = mm1({
    name: "M/M/1 short",
    replications: 1,
    runTime: { unit: "minutes", value: 1000 },
    warmupTime: { unit: "minutes", value: 0 },
  });
  const analysisId = await createAnalysis(gql, `memory-${Date.now()}`, model);
  const scenarioId = await createScenario(gql, analysisId, "short runs", 1);
  for (let i = 0; i < runs; i++) {
    await gql.request(`mutation($id: ID!) { runScenario(id: $id) { id } }`, { id: scenarioId });
    await waitForState(gql, scenarioId, [ScenarioState.IS_RUNNING, ...TERMINAL], 120_000);
    const done = await waitForState(gql, scenarioId, [...TERMINAL], 120_000);
    if (scenarioStateOf(done.state) !== ScenarioState.RAN_SUCCESS)
      throw new Error(`short run ${i + 1} ended ${done.state}: ${done.errorMessage}`);
  }
}

/** S subscribers connect (in batches), each waits for its first event (the current state), then all disconnect. */
async function subscribers(wsUrl: string, apiKey: string, count: number): Promise<void> {
  const gql = new GqlClient(wsUrl.replace(/^ws/, "http"), apiKey);
  const analysisId = await createAnalysis(gql, `memory-subscribers-${Date.now()}`, mm1({ replications: 1 }));
  const scenarioId = await createScenario(gql, analysisId, "watched", 1);
  const query = `subscription($id: ID) { scenarioProgress(scenarioId: $id) { state progressPercentage emittedAt } }`;
  const clients: Array<ReturnType<typeof createClient>> = [];
  try {
    for (let start = 0; start < count; start += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, count - start) }, () => {
        const client = createClient({
          url: wsUrl,
          webSocketImpl: WebSocket,
          connectionParams: { apiKey },
          retryAttempts: 0,
          lazy: true,
          keepAlive: 0,
        });
        clients.push(client);
        return new Promise<void>((resolve, reject) => {
          client.subscribe<{ scenarioProgress: { state: string } }>(
            { query, variables: { id: scenarioId } },
            {
              next: (msg) => {
                if (msg.errors?.length) reject(new Error(msg.errors.map((e) => e.message).join("; ")));
                else if (msg.data?.scenarioProgress) resolve();
              },
              error: (err) =>
                reject(err instanceof Error ? err : new Error(`subscription closed: ${JSON.stringify(err)}`)),
              complete: () => resolve(),
            },
          );
        });
      });
      await Promise.all(batch);
    }
  } finally {
    await Promise.all(
      clients.map(async (c) => {
        await c.dispose();
      }),
    );
  }
}

async function carryLoad(origin: string, apiKey: string): Promise<{ runs: number; subscribers: number }> {
  const gql = new GqlClient(`${origin}/graphql`, apiKey);
  if (LOAD_RUNS > 0) await shortRuns(gql, LOAD_RUNS);
  if (LOAD_SUBSCRIBERS > 0)
    await subscribers(`${origin.replace(/^http/, "ws")}/graphql`, apiKey, LOAD_SUBSCRIBERS);
  return { runs: LOAD_RUNS, subscribers: LOAD_SUBSCRIBERS };
}

function commandLine(): { file: string; args: string[] } {
  return START === "npm"
    ? { file: "npm", args: ["start"] }
    : { file: process.execPath, args: [path.join(BENCH_ROOT, "bin/scenariolab.js"), "serve"] };
}

async function startOnce(
  mode: string,
  start: "first" | "second",
  env: Record<string, string>,
  loadWithKey?: string,
): Promise<StartResult> {
  const { file, args } = commandLine();
  const t0 = performance.now();
  const child: ChildProcess = spawn(file, args, {
    cwd: BENCH_ROOT,
    env: { ...process.env, ...UNLIMITED_ENV, HOST: "127.0.0.1", PORT: "0", REDIS_URL: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killTree = () => {
    for (const p of processTree(child.pid!).reverse()) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  };
  try {
    let origin = "";
    for (;;) {
      const listening = /Scenario Lab listening on (\S+)/.exec(out);
      if (listening) {
        origin = new URL(listening[1]).origin;
        const ready = await fetch(`${origin}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ready) break;
      }
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the service exited early:\n${out}`);
      if (performance.now() - t0 > READY_LIMIT_MS)
        throw new Error(`the service did not become ready:\n${out}`);
      await sleep(10);
    }
    const readyMs = Math.round(performance.now() - t0);
    const port = Number(new URL(origin).port);
    const atReady = processTree(child.pid!);
    const pid = servicePid(atReady, port);
    const serviceAtReady = atReady.find((p) => p.pid === pid)!;
    await sleep(IDLE_SECONDS * 1000);
    const idle = processTree(child.pid!);
    const service = idle.find((p) => p.pid === pid);
    if (!service) throw new Error("the service process is gone");
    const wrappers = idle.filter((p) => p.pid !== pid).map((p) => ({ role: roleOf(p), rssIdleMb: p.rssMb }));
    let load: LoadResult | undefined;
    if (loadWithKey && (LOAD_RUNS > 0 || LOAD_SUBSCRIBERS > 0)) {
      const heapIdleMb = await heapUsedMb(origin);
      const l0 = performance.now();
      const done = await carryLoad(origin, loadWithKey);
      const loadSeconds = Math.round((performance.now() - l0) / 100) / 10;
      const rssLoadedMb = readProcess(pid)?.rssMb ?? NaN;
      await sleep(IDLE_SECONDS * 1000);
      const rssAfterLoadIdleMb = readProcess(pid)?.rssMb ?? NaN;
      const heapAfterLoadIdleMb = await heapUsedMb(origin);
      load = {
        ...done,
        loadSeconds,
        rssLoadedMb,
        rssAfterLoadIdleMb,
        ratioToIdle: Math.round((rssAfterLoadIdleMb / service.rssMb) * 100) / 100,
        heapIdleMb,
        heapAfterLoadIdleMb,
      };
    }
    const t1 = performance.now();
    process.kill(pid, "SIGTERM");
    const hung = await Promise.race([exited.then(() => false), sleep(STOP_GRACE_MS).then(() => true)]);
    if (hung) {
      killTree();
      throw new Error(`the start did not exit within ${STOP_GRACE_MS / 1000} s of SIGTERM to the service`);
    }
    return {
      mode,
      start,
      readyMs,
      serviceCpuReadyMs: serviceAtReady.cpuMs,
      allCpuReadyMs: atReady.reduce((sum, p) => sum + p.cpuMs, 0),
      service: {
        pid,
        command: service.command,
        rssReadyMb: serviceAtReady.rssMb,
        rssIdleMb: service.rssMb,
        peakMb: service.peakMb,
      },
      wrappers,
      totalIdleMb: idle.reduce((sum, p) => sum + p.rssMb, 0),
      apiKey: /Demo API key \(shown once\): (\S+)/.exec(out)?.[1],
      load,
      stopMs: Math.round(performance.now() - t1),
    };
  } catch (err) {
    killTree();
    await Promise.race([exited, sleep(5_000)]);
    throw err;
  }
}

// ------------------------------------------------------------------ modes

async function embedded(): Promise<StartResult[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "scenariolab-bench-memory-"));
  try {
    const env = { DATA_DIR: dataDir, DATABASE_URL: "" };
    const first = await startOnce("embedded", "first", env);
    return [first, await startOnce("embedded", "second", env, first.apiKey)];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function postgres(serverUrl: string): Promise<StartResult[]> {
  const name = `scenariolab_bench_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // DATA_DIR still holds the result files of runs.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "scenariolab-bench-memory-"));
  try {
    const env = { DATA_DIR: dataDir, DATABASE_URL: url.toString() };
    const first = await startOnce("postgres", "first", env);
    return [first, await startOnce("postgres", "second", env, first.apiKey)];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

function report(r: StartResult): void {
  const wrappers = r.wrappers.length
    ? r.wrappers.map((w) => `${w.role} ${w.rssIdleMb} MB`).join(", ")
    : "none";
  console.log(
    `${r.mode.padEnd(8)} ${r.start.padEnd(6)} ready after ${(r.readyMs / 1000).toFixed(2)} s ` +
      `(CPU ${(r.serviceCpuReadyMs / 1000).toFixed(2)} s service, ${(r.allCpuReadyMs / 1000).toFixed(2)} s all); ` +
      `service RSS ${r.service.rssReadyMb} MB at ready, ${r.service.rssIdleMb} MB after ${IDLE_SECONDS} s idle ` +
      `(peak ${r.service.peakMb} MB); wrappers: ${wrappers}; all processes ${r.totalIdleMb} MB; ` +
      `stopped ${r.stopMs} ms after SIGTERM`,
  );
  if (r.load)
    console.log(
      `${r.mode.padEnd(8)} ${r.start.padEnd(6)} after ${r.load.runs} short runs and ${r.load.subscribers} subscribers ` +
        `connected and gone (${r.load.loadSeconds} s): service RSS ${r.load.rssLoadedMb} MB, ` +
        `${r.load.rssAfterLoadIdleMb} MB after ${IDLE_SECONDS} s idle (${r.load.ratioToIdle} × the idle figure); ` +
        `V8 heap used ${r.load.heapIdleMb} MB before the load, ${r.load.heapAfterLoadIdleMb} MB after`,
    );
}

runBench("memory", async () => {
  console.log(machineLine());
  const { file, args } = commandLine();
  console.log(`start: ${[file === process.execPath ? "node" : file, ...args].join(" ")} in ${BENCH_ROOT}`);
  const results: StartResult[] = [];
  for (const mode of MODES) {
    if (mode === "postgres") {
      const serverUrl = process.env.DATABASE_URL;
      if (!serverUrl) {
        console.log("postgres: skipped (DATABASE_URL is not set)");
        continue;
      }
      for (const r of await postgres(serverUrl)) {
        report(r);
        results.push(r);
      }
    } else {
      for (const r of await embedded()) {
        report(r);
        results.push(r);
      }
    }
  }
  const sample = results[0]?.service.command;
  if (sample) console.log(`service process: ${sample}`);
  return {
    bench: "memory",
    start: START,
    root: BENCH_ROOT,
    idleSeconds: IDLE_SECONDS,
    results: results.map(({ apiKey: _key, ...r }) => r),
  };
});
