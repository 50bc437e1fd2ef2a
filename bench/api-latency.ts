/**
 * API latency benchmark: does GraphQL stay responsive while simulations run?
 *
 * Black box: starts `node bin/scenariolab.js serve` on a fresh data directory
 * (embedded database, RUNNER_CONCURRENCY from the environment, default 2) and
 * talks to it over HTTP POST /graphql on one keep-alive connection.
 *
 * Setup: an M/M/1 model with runTime 1e9 minutes (a run lasts far longer
 * than the bench), an analysis and RUNNER_CONCURRENCY one-replication
 * scenarios. Then
 *   warm-up: WARMUP (100) requests, not recorded;
 *   idle:    N (1000) sequential requests of
 *            query($id: ID!) { scenario(id: $id) { id name state progressPercentage } }
 *   busy:    runScenario on every scenario, wait until all are IS_RUNNING,
 *            the same N requests; then cancelScenario on each.
 * Latency = performance.now() around each request (client overhead included).
 * Target: p99 busy / p99 idle <= 2.
 *
 * Usage: npm run bench:latency   (env RUNNER_CONCURRENCY=2 REQUESTS=1000 WARMUP=100)
 * Last line: {"bench":"api-latency","concurrency":…,"requests":…,"idle":{…},"busy":{…},"p99Ratio":…}
 */
import os from "node:os";
import { ScenarioState, scenarioStateOf } from "../src/lifecycle/states.js";
import {
  GqlClient,
  createAnalysis,
  createScenario,
  envInt,
  installSafetyNet,
  machineLine,
  metricSum,
  mm1,
  readMetrics,
  scenarioStatus,
  startService,
  summarize,
  waitForState,
  type Service,
  UNLIMITED_ENV,
  type Summary,
  runBench,
} from "./lib.js";

const CONCURRENCY = envInt("RUNNER_CONCURRENCY", 2, 1, 16);
const N = envInt("REQUESTS", 1000, 10, 20_000);
const WARMUP = envInt("WARMUP", 100, 0, 10_000);
const PHASE_LIMIT_MS = 40_000; // each measured phase stops early (and says so) past this

const QUERY = `query($id: ID!) { scenario(id: $id) { id name state progressPercentage } }`;

installSafetyNet(150_000);

interface PhaseResult {
  latencies: number[];
  seconds: number;
  truncated: boolean;
  /** Mean server-side GraphQL duration (scenariolab_graphql_duration_seconds), ms. */
  serverMeanMs: number;
  /** Largest event-loop delay of the service during the phase (prom-client), ms. */
  loopLagMaxMs: number;
  /** Time the service spent in GC during the phase, ms. */
  gcMs: number;
  /** The five slowest requests: [ms since phase start, latency ms]. */
  slowest: Array<[number, number]>;
}

async function phase(service: Service, gql: GqlClient, ids: string[], count: number): Promise<PhaseResult> {
  const before = await readMetrics(service.origin); // also resets the service's event-loop-lag histogram
  const latencies: number[] = [];
  const at: number[] = [];
  const t0 = performance.now();
  let truncated = false;
  for (let i = 0; i < count; i++) {
    const id = ids[i % ids.length];
    const start = performance.now();
    const data = await gql.request<{ scenario: { id: string } | null }>(QUERY, { id });
    latencies.push(performance.now() - start);
    at.push(start - t0);
    if (data.scenario?.id !== id)
      throw new Error(`unexpected answer for scenario ${id}: ${JSON.stringify(data)}`);
    if (performance.now() - t0 > PHASE_LIMIT_MS) {
      truncated = i + 1 < count;
      break;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const after = await readMetrics(service.origin);
  const delta = (name: string) => metricSum(after, name) - metricSum(before, name);
  const slowest = latencies
    .map((ms, i) => [Math.round(at[i]), Math.round(ms)] as [number, number])
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5);
  return {
    latencies,
    seconds,
    truncated,
    serverMeanMs:
      (delta("scenariolab_graphql_duration_seconds_sum") /
        delta("scenariolab_graphql_duration_seconds_count")) *
      1000,
    loopLagMaxMs: metricSum(after, "nodejs_eventloop_lag_max_seconds") * 1000,
    gcMs: delta("nodejs_gc_duration_seconds_sum") * 1000,
    slowest,
  };
}

function report(name: string, r: PhaseResult, s: Summary): void {
  console.log(
    `${name}: ${r.latencies.length} requests in ${r.seconds.toFixed(2)} s (${Math.round(r.latencies.length / r.seconds)} req/s)${r.truncated ? " [TRUNCATED: phase time limit]" : ""}`,
  );
  console.log(`${name}: ${fmt(s)}`);
  console.log(
    `${name}: service side: mean GraphQL duration ${r.serverMeanMs.toFixed(2)} ms, max event-loop delay ${r.loopLagMaxMs.toFixed(1)} ms, GC ${r.gcMs.toFixed(0)} ms; ` +
      `slowest [t ms, latency ms]: ${JSON.stringify(r.slowest)}`,
  );
}

const fmt = (s: Summary) =>
  `p50 ${s.p50.toFixed(2)} ms, p90 ${s.p90.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, max ${s.max.toFixed(2)} ms (mean ${s.mean.toFixed(2)} ms, n=${s.n})`;

async function main(): Promise<Record<string, unknown>> {
  let result: Record<string, unknown> = {};
  console.log(machineLine());
  console.log(
    `client and server share this machine; the client is one sequential HTTP/1.1 keep-alive connection`,
  );
  let service: Service | undefined;
  let gql: GqlClient | undefined;
  const running: string[] = [];
  try {
    service = await startService({ concurrency: CONCURRENCY, env: { ...UNLIMITED_ENV } });
    console.log(
      `service: ${service.url} (RUNNER_CONCURRENCY=${CONCURRENCY}, embedded PGlite, data dir ${service.dataDir})`,
    );
    gql = new GqlClient(service.url, service.apiKey);

    const analysisId = await createAnalysis(
      gql,
      "latency",
      mm1({ name: "M/M/1 long", replications: 1, runTime: { unit: "minutes", value: 1e9 } }),
    );
    const ids: string[] = [];
    for (let i = 0; i < CONCURRENCY; i++) ids.push(await createScenario(gql, analysisId, `long ${i + 1}`, 1));
    console.log(
      `created an M/M/1 model (runTime 1e9 min), an analysis and ${ids.length} scenario(s) of 1 replication`,
    );

    await phase(service, gql, ids, WARMUP);
    const idle = await phase(service, gql, ids, N);
    const idleS = summarize(idle.latencies);
    report("idle", idle, idleS);

    for (const id of ids) {
      await gql.request(`mutation($id: ID!) { runScenario(id: $id) { id state } }`, { id });
      running.push(id);
    }
    const tRun = performance.now();
    for (const id of ids) await waitForState(gql, id, [ScenarioState.IS_RUNNING], 30_000);
    console.log(
      `busy: ${ids.length} run(s) IS_RUNNING after ${Math.round(performance.now() - tRun)} ms; measuring`,
    );
    const busy = await phase(service, gql, ids, N);
    const busyS = summarize(busy.latencies);
    const states = await Promise.all(ids.map((id) => scenarioStatus(gql!, id)));
    const stillRunning = states.every((s) => scenarioStateOf(s.state) === ScenarioState.IS_RUNNING);
    report("busy", busy, busyS);
    console.log(
      `busy: runs still IS_RUNNING at the end of the phase: ${stillRunning} (progress ${states.map((s) => `${s.progressPercentage ?? 0}%`).join(", ")})`,
    );

    const tCancel = performance.now();
    for (const id of running)
      await gql.request(`mutation($id: ID!) { cancelScenario(id: $id) { id state } }`, { id });
    for (const id of running) await waitForState(gql, id, [ScenarioState.CANCELLED], 30_000);
    console.log(`cancelled ${running.length} run(s) in ${Math.round(performance.now() - tCancel)} ms`);
    running.length = 0;

    const ratio = Math.round((busyS.p99 / idleS.p99) * 100) / 100;
    console.log(
      `load average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    console.log(
      `p99 ratio busy/idle: ${ratio} (target <= 2: ${ratio <= 2 ? "met" : "NOT met"}); p50 ratio ${(busyS.p50 / idleS.p50).toFixed(2)}`,
    );
    const pick = (s: Summary) => ({ p50: s.p50, p90: s.p90, p99: s.p99, max: s.max });
    result = {
      bench: "api-latency",
      concurrency: CONCURRENCY,
      requests: N,
      idle: pick(idleS),
      busy: pick(busyS),
      p99Ratio: ratio,
      p50Ratio: Math.round((busyS.p50 / idleS.p50) * 100) / 100,
      runsStayedRunning: stillRunning,
      truncated: idle.truncated || busy.truncated,
    };
  } finally {
    if (gql && running.length) {
      for (const id of running)
        await gql
          .request(`mutation($id: ID!) { cancelScenario(id: $id) { id } }`, { id })
          .catch(() => undefined);
    }
    gql?.close();
    const stopped = await service?.stop();
    result.cleanShutdown = stopped?.clean ?? false;
  }
  return result;
}

runBench("latency", main);
