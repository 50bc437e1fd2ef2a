/**
 * Subscription fan-out benchmark: S WebSocket subscribers (each its own
 * graphql-ws client and connection) watch one scenario while it runs.
 *
 * Black box: starts `node bin/scenariolab.js serve` on a fresh data directory
 * (embedded database, in-memory pub/sub) and talks graphql-ws to it on
 * ws://127.0.0.1:<port>/graphql, connectionParams { apiKey }.
 *
 * Steps:
 *   1. Calibration: short M/M/1 runs (no subscribers; a warm-up, then the best
 *      of two) measure how many simulated minutes per second the engine does
 *      right now, so that the measured run lasts about RUN_SECONDS (default 15 s).
 *   2. RSS of the service (process_resident_memory_bytes from GET /metrics).
 *   3. S subscribers to
 *        subscription($id: ID) { scenarioProgress(scenarioId: $id) { state progressPercentage emittedAt } }
 *      connected in batches; wait until each has its first event (the current state).
 *   4. RSS with the subscribers connected.
 *   5. runScenario; the service publishes progress about 4 times a second.
 *      Every received event: delivery latency = Date.now() at receipt - emittedAt
 *      (same machine clock, 1 ms resolution). Wait for RAN_SUCCESS on all.
 *      Meanwhile GET /healthz every 50 ms: slow answers show event-loop stalls.
 *
 * The subscribers run in this one Node process on the same 2-core machine as
 * the service (and its simulation thread): the figures include the client's
 * own event-loop time for the S copies of every event.
 *
 * Usage: npm run bench:fanout   (env SUBSCRIBERS=1000 RUNNER_CONCURRENCY=1 RUN_SECONDS=15 CONNECT_BATCH=50)
 * Last line: {"bench":"fanout","subscribers":…,"deliveries":…,"p50Ms":…,"p99Ms":…,"rssIdleMb":…,"rssSubscribedMb":…,"allGotTerminal":…}
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { isTerminal, ScenarioState, scenarioStateOf, TERMINAL } from "../src/lifecycle/states.js";
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
  sleep,
  startService,
  summarize,
  waitForState,
  type Service,
  UNLIMITED_ENV,
  runBench,
} from "./lib.js";

const SUBSCRIBERS = envInt("SUBSCRIBERS", 1000, 1, 20_000);
const CONCURRENCY = envInt("RUNNER_CONCURRENCY", 1, 1, 16);
const RUN_SECONDS = envInt("RUN_SECONDS", 15, 2, 60);
const CONNECT_BATCH = envInt("CONNECT_BATCH", 50, 1, 1000);
const CONNECT_LIMIT_MS = 60_000;
const TERMINAL_LIMIT_MS = (RUN_SECONDS + 45) * 1000;
const TARGET_P99_MS = 100;

const SUBSCRIPTION = `subscription($id: ID) { scenarioProgress(scenarioId: $id) { state progressPercentage emittedAt } }`;

installSafetyNet(170_000);

interface Received {
  state: string;
  pct: number;
  emittedAt: string;
  /** Date.now() at receipt minus emittedAt, ms. */
  latencyMs: number;
  /** performance.now() at receipt. */
  at: number;
}

interface Subscriber {
  client: Client;
  events: Received[];
  errors: string[];
  first: Promise<void>;
  terminal: Promise<void>;
  gotTerminal: boolean;
  closed: boolean;
}

function subscribe(wsUrl: string, apiKey: string, scenarioId: string): Subscriber {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { apiKey },
    retryAttempts: 0,
    lazy: true,
    keepAlive: 0,
  });
  let firstResolve!: () => void;
  let terminalResolve!: () => void;
  const sub: Subscriber = {
    client,
    events: [],
    errors: [],
    first: new Promise<void>((r) => (firstResolve = r)),
    terminal: new Promise<void>((r) => (terminalResolve = r)),
    gotTerminal: false,
    closed: false,
  };
  client.subscribe<{ scenarioProgress: { state: string; progressPercentage: number; emittedAt: string } }>(
    { query: SUBSCRIPTION, variables: { id: scenarioId } },
    {
      next: (msg) => {
        const now = Date.now();
        const at = performance.now();
        if (msg.errors?.length) sub.errors.push(...msg.errors.map((e) => e.message));
        const e = msg.data?.scenarioProgress;
        if (!e) return;
        sub.events.push({
          state: e.state,
          pct: e.progressPercentage,
          emittedAt: e.emittedAt,
          latencyMs: now - Date.parse(e.emittedAt),
          at,
        });
        if (sub.events.length === 1) firstResolve();
        if (isTerminal(e.state)) {
          sub.gotTerminal = scenarioStateOf(e.state) === ScenarioState.RAN_SUCCESS;
          terminalResolve();
        }
      },
      error: (err) => {
        sub.errors.push(
          err instanceof Error
            ? err.message
            : `closed: ${JSON.stringify((err as { code?: number; reason?: string })?.code ?? err)}`,
        );
        sub.closed = true;
        firstResolve();
        terminalResolve();
      },
      complete: () => {
        sub.closed = true;
        firstResolve();
        terminalResolve();
      },
    },
  );
  return sub;
}

/** Resolves when `p` does or after `ms`, whichever is first; true when `p` settled. */
const within = (p: Promise<unknown>, ms: number) => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
  ]).finally(() => clearTimeout(timer));
};

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

async function main(): Promise<Record<string, unknown>> {
  let result: Record<string, unknown> = {};
  console.log(machineLine());
  console.log(
    `NOTE: the ${SUBSCRIBERS} subscribers run in this single Node process on the same 2-core machine as the service; delivery latency includes this process's own time to handle ${SUBSCRIBERS} copies of each event`,
  );
  let service: Service | undefined;
  let gql: GqlClient | undefined;
  const subscribers: Subscriber[] = [];
  try {
    service = await startService({ concurrency: CONCURRENCY, env: { ...UNLIMITED_ENV } });
    console.log(
      `service: ${service.url} (RUNNER_CONCURRENCY=${CONCURRENCY}, embedded PGlite, in-memory pub/sub)`,
    );
    gql = new GqlClient(service.url, service.apiKey);

    // 1. Calibrate the run length on this machine, now.
    const calMinutes = 2e6;
    const calAnalysis = await createAnalysis(
      gql,
      "calibration",
      mm1({ name: "M/M/1 calibration", replications: 1, runTime: { unit: "minutes", value: calMinutes } }),
    );
    const calScenario = await createScenario(gql, calAnalysis, "calibration", 1);
    let bestMs = Infinity;
    for (let round = 0; round < 3; round++) {
      // Round 1 also warms up the simulation thread's JIT; the fastest later round is the least disturbed one.
      await gql.request(`mutation($id: ID!) { runScenario(id: $id) { id } }`, { id: calScenario });
      await waitForState(gql, calScenario, [ScenarioState.IS_RUNNING, ...TERMINAL], 30_000);
      const cal = await waitForState(gql, calScenario, [...TERMINAL], 60_000);
      if (scenarioStateOf(cal.state) !== ScenarioState.RAN_SUCCESS || !cal.executionTimeMs)
        throw new Error(`calibration run ended ${cal.state}: ${cal.errorMessage}`);
      if (round > 0) bestMs = Math.min(bestMs, cal.executionTimeMs);
    }
    const runMinutes = Math.round(((calMinutes / bestMs) * RUN_SECONDS * 1000) / 1e5) * 1e5;
    console.log(
      `calibration: ${calMinutes} simulated minutes in ${bestMs} ms (best of 2 after a warm-up run) -> measured run: 1 replication of ${runMinutes} minutes (~${RUN_SECONDS} s)`,
    );

    const analysisId = await createAnalysis(
      gql,
      "fanout",
      mm1({ name: "M/M/1 fan-out", replications: 1, runTime: { unit: "minutes", value: runMinutes } }),
    );
    const scenarioId = await createScenario(gql, analysisId, "fanout", 1);

    // 2. RSS before subscribers.
    await sleep(1000);
    const idleMetrics = await readMetrics(service.origin);
    const rssIdle = metricSum(idleMetrics, "process_resident_memory_bytes");
    const heapIdle = metricSum(idleMetrics, "nodejs_heap_size_used_bytes");
    const externalIdle = metricSum(idleMetrics, "nodejs_external_memory_bytes");

    // 3. Connect the subscribers in batches; each waits for its first event.
    const tConnect = performance.now();
    const connectDeadline = Date.now() + CONNECT_LIMIT_MS;
    for (let i = 0; i < SUBSCRIBERS && Date.now() < connectDeadline; i += CONNECT_BATCH) {
      const batch: Subscriber[] = [];
      for (let j = i; j < Math.min(SUBSCRIBERS, i + CONNECT_BATCH); j++)
        batch.push(subscribe(service.wsUrl, service.apiKey, scenarioId));
      subscribers.push(...batch);
      await within(Promise.all(batch.map((s) => s.first)), Math.max(1, connectDeadline - Date.now()));
    }
    const connectSeconds = (performance.now() - tConnect) / 1000;
    const connected = subscribers.filter((s) => s.events.length > 0 && !s.closed).length;
    const failedConnect = subscribers.filter((s) => s.events.length === 0 || s.closed);
    console.log(
      `subscribers: ${connected}/${SUBSCRIBERS} connected and got their first event in ${connectSeconds.toFixed(1)} s (batches of ${CONNECT_BATCH})` +
        (failedConnect.length
          ? `; ${failedConnect.length} failed, e.g. ${JSON.stringify(failedConnect[0]?.errors)}`
          : ""),
    );
    const initial = summarize(subscribers.flatMap((s) => s.events.slice(0, 1).map((e) => e.latencyMs)));
    console.log(
      `first event (current state, built per subscriber at subscribe time): emittedAt -> receipt p50 ${initial.p50} ms, p99 ${initial.p99} ms`,
    );

    // 4. RSS with the subscribers.
    await sleep(1000);
    const subscribedMetrics = await readMetrics(service.origin);
    const rssSubscribed = metricSum(subscribedMetrics, "process_resident_memory_bytes");
    const heapSubscribed = metricSum(subscribedMetrics, "nodejs_heap_size_used_bytes");
    const externalSubscribed = metricSum(subscribedMetrics, "nodejs_external_memory_bytes");
    const perSubscriberKb = (bytes: number) => Math.round((bytes / Math.max(1, connected) / 1024) * 10) / 10;
    // RSS also holds the embedded database's WebAssembly memory and other external buffers, which
    // V8 frees in large steps (hundreds of MB) whenever it gets to it; RSS - external is steadier.
    const rssNetDelta = rssSubscribed - externalSubscribed - (rssIdle - externalIdle);
    console.log(
      `RSS of the service: ${mb(rssIdle)} MB without subscribers, ${mb(rssSubscribed)} MB with ${connected} (raw difference ${perSubscriberKb(rssSubscribed - rssIdle)} KB per subscriber)`,
    );
    console.log(
      `  of which external (ArrayBuffers incl. the embedded database's WebAssembly memory): ${mb(externalIdle)} MB -> ${mb(externalSubscribed)} MB; ` +
        `RSS - external: ${mb(rssIdle - externalIdle)} MB -> ${mb(rssSubscribed - externalSubscribed)} MB = ${perSubscriberKb(rssNetDelta)} KB per subscriber`,
    );
    console.log(
      `  JS heap used: ${mb(heapIdle)} MB -> ${mb(heapSubscribed)} MB = ${perSubscriberKb(heapSubscribed - heapIdle)} KB per subscriber`,
    );

    // 5. Run the scenario and wait for the terminal event everywhere.
    const before = await readMetrics(service.origin); // also resets the service's event-loop-lag histogram
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const tRun = performance.now();
    const runStart = subscribers.map((s) => s.events.length);
    // Stall probe: GET /healthz every 50 ms during the run; a slow answer means the service's event loop was blocked.
    const probes: Array<[number, number]> = []; // [ms since runScenario, response ms]
    let probing = true;
    const probeLoop = (async () => {
      while (probing && performance.now() - tRun < TERMINAL_LIMIT_MS) {
        const t0 = performance.now();
        await fetch(`${service.origin}/healthz`, { signal: AbortSignal.timeout(10_000) }).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        );
        probes.push([Math.round(t0 - tRun), Math.round(performance.now() - t0)]);
        await sleep(50);
      }
    })();
    await gql.request(`mutation($id: ID!) { runScenario(id: $id) { id state } }`, { id: scenarioId });
    const allTerminal = await within(Promise.all(subscribers.map((s) => s.terminal)), TERMINAL_LIMIT_MS);
    const tTerminal = performance.now() - tRun;
    probing = false;
    await probeLoop;
    const runSeconds = (performance.now() - tRun) / 1000;
    const elu = performance.eventLoopUtilization(elu0);
    const cpu = process.cpuUsage(cpu0);
    const after = await readMetrics(service.origin);
    const rssAfter = metricSum(after, "process_resident_memory_bytes");
    const serverCpuS =
      metricSum(after, "process_cpu_seconds_total") - metricSum(before, "process_cpu_seconds_total");
    const serverLoopLagMaxMs = metricSum(after, "nodejs_eventloop_lag_max_seconds") * 1000;
    const serverGcMs =
      (metricSum(after, "nodejs_gc_duration_seconds_sum") -
        metricSum(before, "nodejs_gc_duration_seconds_sum")) *
      1000;
    const scenario = await waitForState(gql, scenarioId, [...TERMINAL], 30_000);

    // Figures.
    const live = subscribers.map((s, i) => s.events.slice(runStart[i]));
    const latencies = live.flatMap((evs) => evs.map((e) => e.latencyMs));
    const lat = summarize(latencies);
    const counts = live.map((evs) => evs.length).sort((a, b) => a - b);
    const distinct = new Map<string, number[]>(); // event key -> receipt times over subscribers
    for (const evs of live)
      for (const e of evs) {
        const key = `${e.emittedAt}|${e.state}|${e.pct}`;
        const list = distinct.get(key) ?? [];
        list.push(e.at);
        distinct.set(key, list);
      }
    const spans = [...distinct.values()].map((times) => Math.max(...times) - Math.min(...times));
    const span = summarize(spans);
    // Per event: latency of its first receipt (before any fan-out cost), and latencies by kind of event.
    const firstReceipt = new Map<string, number>();
    const byKind = new Map<string, number[]>();
    for (const evs of live)
      for (const e of evs) {
        const key = `${e.emittedAt}|${e.state}|${e.pct}`;
        firstReceipt.set(key, Math.min(firstReceipt.get(key) ?? Infinity, e.latencyMs));
        const kind = isTerminal(e.state)
          ? "terminal"
          : scenarioStateOf(e.state) === ScenarioState.IS_RUNNING && e.pct > 0
            ? "progress"
            : "start";
        const list = byKind.get(kind) ?? [];
        list.push(e.latencyMs);
        byKind.set(kind, list);
      }
    const first = summarize([...firstReceipt.values()]);
    const gotTerminal = subscribers.filter((s) => s.gotTerminal).length;
    const monotone = subscribers.every((s) =>
      s.events.every((e, i) => i === 0 || e.pct >= s.events[i - 1].pct),
    );
    const nothingAfterTerminal = subscribers.every(
      (s) => s.events.findIndex((e) => isTerminal(e.state)) === s.events.length - 1 || !s.gotTerminal,
    );
    const complete = live.filter((evs) => evs.length === distinct.size).length;
    const errors = subscribers.reduce((n, s) => n + s.errors.length, 0);
    const deliveries = latencies.length;

    console.log(
      `run: ${scenario.state} in ${scenario.executionTimeMs} ms (service), terminal on all subscribers after ${runSeconds.toFixed(1)} s`,
    );
    console.log(
      `events: ${distinct.size} distinct events published during the run; per subscriber min ${counts[0]} / median ${counts[counts.length >> 1]} / max ${counts[counts.length - 1]}; ${complete}/${subscribers.length} subscribers got every one`,
    );
    console.log(`deliveries: ${deliveries} (${Math.round(deliveries / runSeconds)}/s)`);
    console.log(
      `delivery latency (receipt - emittedAt): p50 ${lat.p50} ms, p90 ${lat.p90} ms, p99 ${lat.p99} ms, max ${lat.max} ms, mean ${lat.mean} ms (target p99 <= ${TARGET_P99_MS} ms: ${lat.p99 <= TARGET_P99_MS ? "met" : "NOT met"})`,
    );
    console.log(
      `fan-out span (first to last subscriber receiving the same event): p50 ${span.p50} ms, max ${span.max} ms; first receipt of each event: p50 ${first.p50} ms, max ${first.max} ms after emittedAt`,
    );
    for (const [kind, values] of byKind) {
      const k = summarize(values);
      console.log(
        `  ${kind.padEnd(8)} events (${values.length / subscribers.length} per subscriber): p50 ${k.p50} ms, p99 ${k.p99} ms, max ${k.max} ms`,
      );
    }
    console.log(
      `terminal RAN_SUCCESS on ${gotTerminal}/${subscribers.length} subscribers; non-decreasing progress on every subscriber: ${monotone}; nothing after the terminal event: ${nothingAfterTerminal}; subscription errors: ${errors}`,
    );
    const stalls = probes.filter(([, ms]) => ms >= 100).sort((a, b) => b[1] - a[1]);
    console.log(
      `stall probe (GET /healthz every 50 ms, ${probes.length} probes): median ${summarize(probes.map(([, ms]) => ms)).p50} ms; ${stalls.length} took >= 100 ms` +
        (stalls.length
          ? `, longest [ms after runScenario, response ms]: ${JSON.stringify(stalls.slice(0, 5))} (terminal event at ${Math.round(tTerminal)} ms)`
          : ""),
    );
    console.log(`RSS of the service after the run: ${mb(rssAfter)} MB`);
    console.log(
      `during the run: client process event-loop utilisation ${(elu.utilization * 100).toFixed(0)}% (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s); ` +
        `service CPU ${serverCpuS.toFixed(1)} s in ${runSeconds.toFixed(1)} s (main thread + ${CONCURRENCY} simulation thread(s)), max event-loop delay ${serverLoopLagMaxMs.toFixed(1)} ms, GC ${serverGcMs.toFixed(0)} ms`,
    );
    console.log(
      `load average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );

    result = {
      bench: "fanout",
      subscribers: SUBSCRIBERS,
      connected,
      concurrency: CONCURRENCY,
      runSeconds: Math.round(runSeconds * 10) / 10,
      eventsPerSubscriber: counts[counts.length >> 1],
      deliveries,
      p50Ms: lat.p50,
      p90Ms: lat.p90,
      p99Ms: lat.p99,
      maxMs: lat.max,
      rssIdleMb: mb(rssIdle),
      rssSubscribedMb: mb(rssSubscribed),
      perSubscriberKb: perSubscriberKb(rssNetDelta),
      heapPerSubscriberKb: perSubscriberKb(heapSubscribed - heapIdle),
      allGotTerminal: allTerminal && gotTerminal === SUBSCRIBERS,
      monotone,
      clientElu: Math.round(elu.utilization * 100) / 100,
    };
  } finally {
    // Close every connection (bounded), then stop the service.
    await within(
      Promise.all(subscribers.map((s) => Promise.resolve(s.client.dispose()).catch(() => undefined))),
      10_000,
    );
    gql?.close();
    const stopped = await service?.stop();
    result.cleanShutdown = stopped?.clean ?? false;
  }
  return result;
}

runBench("fanout", main);
