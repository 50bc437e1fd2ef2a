/**
 * Shared helpers of the black-box API benchmarks (bench/api-latency.ts,
 * bench/fanout.ts): start the real service as a child process on a fresh
 * data directory, talk GraphQL over HTTP to it, read its Prometheus metrics,
 * and always stop it and remove the directory again (also on failure).
 *
 * Traffic goes to 127.0.0.1 only (the service's default host).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BIN = fileURLToPath(new URL("../bin/scenariolab.js", import.meta.url));

/**
 * Environment of benches that play many clients with one API key from one
 * address (api-latency, fanout): the rate limits and the sockets-per-key bound
 * are off, so they measure the service, not its budgets.
 */
export const UNLIMITED_ENV: Readonly<Record<string, string>> = {
  RATE_LIMIT_REQUESTS_PER_MINUTE: "0",
  RATE_LIMIT_ADDRESS_REQUESTS_PER_MINUTE: "0",
  RATE_LIMIT_EXPENSIVE_PER_MINUTE: "0",
  WS_MAX_CONNECTIONS_PER_KEY: "1000000",
};

/** After SIGTERM (every run already ended), how long the service may take before it is killed. */
const STOP_GRACE_MS = 8_000;

export interface StopOutcome {
  /** The service exited by itself after SIGTERM (false: it had to be killed, or had exited before). */
  clean: boolean;
  /** ms from SIGTERM to exit (or to SIGKILL). */
  ms: number;
}

export interface Service {
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  /** ws://127.0.0.1:<port>/graphql */
  wsUrl: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  apiKey: string;
  child: ChildProcess;
  dataDir: string;
  /** Everything the service printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, wait (then SIGKILL), remove the data directory. Idempotent. Resolves with whether SIGTERM alone ended it. */
  stop(): Promise<StopOutcome>;
}

/** Reads an integer from the environment (with bounds), or the fallback. */
export function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  return n;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const services = new Set<Service>();

/**
 * Stops every service still running when the bench is interrupted or fails
 * outside a try/finally, and kills the bench after `limitMs` in any case.
 */
export function installSafetyNet(limitMs: number): void {
  const bail = (why: string, code: number) => {
    console.error(`bench: ${why}; stopping the service`);
    void Promise.all([...services].map((s) => s.stop())).finally(() => process.exit(code));
  };
  process.once("SIGINT", () => bail("interrupted", 130));
  process.once("SIGTERM", () => bail("terminated", 143));
  process.once("uncaughtException", (err) => bail(`uncaught exception: ${err.stack ?? String(err)}`, 1));
  process.once("unhandledRejection", (err) =>
    bail(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}`, 1),
  );
  setTimeout(() => bail(`time limit of ${limitMs / 1000} s exceeded`, 124), limitMs).unref();
  // Last resort: a synchronous kill if the process exits while a service still runs.
  process.once("exit", () => {
    for (const s of services) {
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
      try {
        rmSync(s.dataDir, { recursive: true, force: true });
      } catch {
        /* nothing more to do */
      }
    }
  });
}

/**
 * Starts `node bin/scenariolab.js serve` with PORT=0, a fresh DATA_DIR, the
 * embedded database (DATABASE_URL empty) and LOG_LEVEL=warn; waits for the
 * listening line, the demo API key and GET /readyz = 200.
 */
export async function startService(opts: {
  concurrency: number;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<Service> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "scenariolab-bench-"));
  // BENCH_NODE_ARGS: extra Node flags for the service only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, BIN, "serve"], {
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: "0",
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      REDIS_URL: "",
      LOG_LEVEL: "warn",
      RUNNER_CONCURRENCY: String(opts.concurrency),
      ...opts.env,
    },
    cwd: ROOT, // tsx reads tsconfig.json (decorators) from the working directory
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopped: Promise<StopOutcome> | undefined;
  const service: Service = {
    url: "",
    wsUrl: "",
    origin: "",
    apiKey: "",
    child,
    dataDir,
    output: () => out,
    stop: () =>
      (stopped ??= (async () => {
        const outcome: StopOutcome = { clean: false, ms: 0 };
        if (child.exitCode === null && child.signalCode === null) {
          const t0 = performance.now();
          child.kill("SIGTERM");
          const hung = await Promise.race([exited.then(() => false), sleep(STOP_GRACE_MS).then(() => true)]);
          outcome.ms = Math.round(performance.now() - t0);
          if (hung) {
            child.kill("SIGKILL");
            await Promise.race([exited, sleep(5_000)]);
            console.log(
              `service: did not exit within ${STOP_GRACE_MS / 1000} s of SIGTERM; killed with SIGKILL`,
            );
          } else {
            outcome.clean = child.exitCode === 0;
            console.log(
              `service: exited with ${child.exitCode ?? child.signalCode} ${outcome.ms} ms after SIGTERM`,
            );
          }
        } else {
          console.log(`service: had already exited (${child.exitCode ?? child.signalCode})`);
        }
        rmSync(dataDir, { recursive: true, force: true });
        services.delete(service);
        return outcome;
      })()),
  };
  services.add(service);
  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const listening = /Scenario Lab listening on (\S+)/.exec(out);
      const key = /Demo API key \(shown once\): (\S+)/.exec(out);
      if (listening && key) {
        const url = new URL(listening[1]);
        if (url.hostname !== "127.0.0.1")
          throw new Error(`service listens on ${url.host}, expected 127.0.0.1`);
        const origin = url.origin;
        const ready = await fetch(`${origin}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ready) {
          Object.assign(service, {
            url: url.href,
            wsUrl: url.href.replace(/^http/, "ws"),
            origin,
            apiKey: key[1],
          });
          return service;
        }
      }
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the service exited early:\n${out}`);
      if (Date.now() > deadline) throw new Error(`the service did not become ready:\n${out}`);
      await sleep(50);
    }
  } catch (err) {
    await service.stop();
    throw err;
  }
}

/** A minimal GraphQL-over-HTTP client on one keep-alive connection (low, steady client overhead). */
export class GqlClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly target: URL;

  constructor(
    url: string,
    private readonly apiKey: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.target = new URL(url);
  }

  /** POSTs the operation; resolves with `data`, throws on HTTP or GraphQL errors. */
  async request<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<T> {
    const body = JSON.stringify({ query, variables });
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: this.target.hostname,
          port: this.target.port,
          path: this.target.pathname,
          method: "POST",
          agent: this.agent,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            "x-api-key": this.apiKey,
          },
          timeout: this.timeoutMs,
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`request timed out after ${this.timeoutMs} ms`)));
      req.on("error", reject);
      req.end(body);
    });
    let parsed: { data?: T; errors?: Array<{ message: string }> };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new Error(`HTTP ${status}: ${text.slice(0, 300)}`);
    }
    if (parsed.errors?.length)
      throw new Error(`GraphQL error (HTTP ${status}): ${parsed.errors.map((e) => e.message).join("; ")}`);
    if (status !== 200 || !parsed.data) throw new Error(`HTTP ${status}: ${text.slice(0, 300)}`);
    return parsed.data;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** M/M/1 (λ = 0.8/min, μ = 1/min) wire JSON, with overrides: the same model the tests use. */
export { mm1 } from "../test/fixtures/models.js";

/** Creates a model over `definition` and an analysis of it; returns the analysis id. */
export async function createAnalysis(gql: GqlClient, name: string, definition: unknown): Promise<string> {
  const model = await gql.request<{ createModel: { id: string } }>(
    `mutation($input: CreateModelInput!) { createModel(input: $input) { id } }`,
    { input: { name: `Model ${name}`, definition } },
  );
  const analysis = await gql.request<{ createAnalysis: { id: string } }>(
    `mutation($input: CreateAnalysisInput!) { createAnalysis(input: $input) { id } }`,
    { input: { modelId: model.createModel.id, name: `Analysis ${name}` } },
  );
  return analysis.createAnalysis.id;
}

export async function createScenario(
  gql: GqlClient,
  analysisId: string,
  name: string,
  reps: number,
): Promise<string> {
  const created = await gql.request<{ createScenario: { id: string } }>(
    `mutation($input: CreateScenarioInput!) { createScenario(input: $input) { id } }`,
    { input: { analysisId, name, reps } },
  );
  return created.createScenario.id;
}

export interface ScenarioStatus {
  id: string;
  state: string;
  progressPercentage: number | null;
  executionTimeMs: number | null;
  errorMessage: string | null;
}

export async function scenarioStatus(gql: GqlClient, id: string): Promise<ScenarioStatus> {
  const res = await gql.request<{ scenario: ScenarioStatus | null }>(
    `query($id: ID!) { scenario(id: $id) { id state progressPercentage executionTimeMs errorMessage } }`,
    { id },
  );
  if (!res.scenario) throw new Error(`scenario ${id} not found`);
  return res.scenario;
}

/** Polls until the scenario is in one of `states` (bounded by timeoutMs). */
export async function waitForState(
  gql: GqlClient,
  id: string,
  states: string[],
  timeoutMs = 30_000,
): Promise<ScenarioStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await scenarioStatus(gql, id);
    if (states.includes(s.state)) return s;
    if (Date.now() > deadline)
      throw new Error(
        `scenario ${id} still ${s.state} after ${timeoutMs} ms (waiting for ${states.join("/")})`,
      );
    await sleep(50);
  }
}

/** GET /metrics parsed into `name{labels}` -> value (Prometheus text format, no timestamps). */
export async function readMetrics(origin: string): Promise<Map<string, number>> {
  const res = await fetch(`${origin}/metrics`);
  const text = await res.text();
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

/** Sum of every series of `name` (e.g. a histogram's _sum over all labels); NaN when absent. */
export function metricSum(metrics: Map<string, number>, name: string): number {
  let sum = NaN;
  for (const [key, value] of metrics) {
    if (key === name || key.startsWith(`${name}{`)) sum = (Number.isNaN(sum) ? 0 : sum) + value;
  }
  return sum;
}

/** GET /metrics and return one metric's value (summed over its series). */
export async function readMetric(origin: string, name: string): Promise<number> {
  const value = metricSum(await readMetrics(origin), name);
  if (Number.isNaN(value)) throw new Error(`metric ${name} not found in /metrics`);
  return value;
}

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** p50/p90/p99/max/mean of a sample, rounded to 0.01. */
export function summarize(values: number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const r = (x: number) => Math.round(x * 100) / 100;
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  return {
    n: values.length,
    p50: r(percentile(sorted, 50)),
    p90: r(percentile(sorted, 90)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted[sorted.length - 1] ?? NaN),
    mean: r(mean),
  };
}

/** One line describing the machine. */
export function machineLine(): string {
  const cpus = os.cpus();
  const gb = (n: number) => (n / 2 ** 30).toFixed(1);
  return `machine: ${os.availableParallelism()} cores (${cpus[0]?.model ?? "?"}), ${gb(os.totalmem())} GiB RAM (${gb(os.freemem())} free), Node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`;
}

/** Runs a bench's main: its figures as one JSON object on the last line, exit 1 with the stack on failure. */
export function runBench(name: string, main: () => Promise<object>): void {
  main().then(
    (result) => {
      console.log(JSON.stringify(result));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(`bench:${name} failed: ${(err as Error)?.stack ?? String(err)}`);
      process.exit(1);
    },
  );
}
