import { summariseStates } from "./stats/state-summary.js";
import { compileModel } from "./compile.js";
import { summariseReplications } from "./metrics.js";
import { Simulation } from "./runtime/simulation.js";
import type { QuodsiModel, ReplicationResult, SimulationSummary, TimePeriod } from "./types.js";

export interface SimulateOptions {
  /** Number of replications (overrides the model's `replications`). */
  replications: number;
  /** Base seed; replication i draws from streams derived from (seed, i, source id). */
  seed: number;
  /** Bucket size of the time series: 1 hour, 1 day or 30 days of simulated time. */
  timePeriod: TimePeriod;
  signal?: AbortSignal;
  onProgress?: (p: { completedReps: number; totalReps: number; currentRepFraction: number }) => void;
}

export type ReplicationOptions = SimulateOptions & { onRepProgress?: (fraction: number) => void };

const TIME_PERIODS: readonly TimePeriod[] = ["hourly", "daily", "monthly"];

/** Events (or zero-time steps) between wall-clock checks: well under a millisecond of work. */
const CHUNK = 4096;
/** Yield to the event loop after this much wall time, so aborts and messages get through. */
const YIELD_MS = 15;
/** Minimum wall time between two progress callbacks. */
const PROGRESS_MS = 100;

/** The error thrown when a run is aborted through its AbortSignal. */
export function abortError(signal?: AbortSignal): Error {
  const err = new Error(
    "simulation aborted",
    signal?.reason !== undefined ? { cause: signal.reason } : undefined,
  );
  err.name = "AbortError";
  return err;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Run one replication. Async so it can yield to the event loop about every
 * 15 ms of wall time: an AbortSignal (also one fired by a message to a worker
 * thread) stops it within that time; it then rejects with an Error named
 * "AbortError". Throws InvalidModelError for a model that is not valid or not
 * runnable.
 */
export async function runReplication(
  model: QuodsiModel,
  repIndex: number,
  opts: ReplicationOptions,
): Promise<ReplicationResult> {
  const signal = opts.signal;
  if (signal?.aborted) throw abortError(signal);
  if (!TIME_PERIODS.includes(opts.timePeriod))
    throw new RangeError(`timePeriod must be one of ${TIME_PERIODS.join(", ")}`);
  if (!(Number.isInteger(repIndex) && repIndex >= 0))
    throw new RangeError("repIndex must be an integer >= 0");
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError("seed must be a safe integer");
  const sim = new Simulation(compileModel(model), opts.seed, repIndex, opts.timePeriod);
  let lastYield = performance.now();
  let lastProgress = lastYield;
  while (!sim.runChunk(CHUNK)) {
    const t = performance.now();
    if (t - lastYield >= YIELD_MS) {
      await yieldToEventLoop();
      if (signal?.aborted) throw abortError(signal);
      lastYield = performance.now();
      if (opts.onRepProgress && lastYield - lastProgress >= PROGRESS_MS) {
        lastProgress = lastYield;
        opts.onRepProgress(sim.fraction);
      }
    }
  }
  if (signal?.aborted) throw abortError(signal);
  opts.onRepProgress?.(1);
  return sim.result();
}

/** Run all replications one after the other, then summarise. */
export async function simulate(model: QuodsiModel, opts: SimulateOptions): Promise<SimulationSummary> {
  const reps: ReplicationResult[] = [];
  const total = opts.replications;
  if (!(Number.isInteger(total) && total >= 1)) throw new RangeError("replications must be an integer >= 1");
  for (let i = 0; i < total; i++) {
    const r = await runReplication(model, i, {
      ...opts,
      onRepProgress: (f) => opts.onProgress?.({ completedReps: i, totalReps: total, currentRepFraction: f }),
    });
    reps.push(r);
    opts.onProgress?.({ completedReps: i + 1, totalReps: total, currentRepFraction: 0 });
  }
  return summarize(model, reps, opts.timePeriod);
}

/**
 * Summarise replications (sorted by repIndex): every metric becomes a
 * MetricSummary (mean, sample std dev, 95% Student-t half-width, min, max,
 * values); time-series buckets are averaged over replications.
 *
 * Metric meanings (model timeUnit, measured after warm-up):
 * - activity `throughput`: entities that left the activity (count);
 *   `utilization`: time-averaged occupied capacity / capacity, where an
 *   occupied slot holds an entity in process, waiting for a resource or
 *   blocked in place; `averageWaitTime`: mean time an entity waited here
 *   (inbound queue + resource waits); `averageContents` / `maxContents`:
 *   entities at the activity (inbound queue + slots + outbound queue);
 *   `timeBlocked`: entity-time spent finished but unable to move on;
 *   `averageTimeInActivity`: mean arrival-to-departure time; `timeInFailure`:
 *   time the activity was failed, from each failure to the end of its repair
 *   (runtime/failures.ts), 0 for an activity that cannot fail.
 * - resource `utilization`: time-averaged busy units / capacity;
 *   `averageWaitTime`: mean request-to-grant time over granted requests.
 * - entity `averageTimeInSystem`: mean creation-to-exit time of entities
 *   leaving after warm-up; `averageTimeWaiting`: the part of it not spent in
 *   delays or travel (queues, resource waits, blocking). `createdCount`
 *   counts every origin (generators, split, create, join), of which
 *   `splitCount`, `createdByActionCount` and `joinedCount` the actions';
 *   `completedCount` counts exits and disposals, of which `disposedCount`
 *   the disposals. A split's original and a join's members end without
 *   completing.
 * Averages with no observation are 0.
 */
export function summarize(
  model: QuodsiModel,
  reps: ReplicationResult[],
  timePeriod: TimePeriod,
): SimulationSummary {
  const sorted = [...reps].sort((a, b) => a.repIndex - b.repIndex);
  const first = sorted[0];
  const ts = first?.timeSeries;
  const buckets = (ts?.buckets ?? []).map((b, i) => {
    let throughput = 0;
    let wip = 0;
    for (const r of sorted) {
      throughput += r.timeSeries.buckets[i]?.throughput ?? 0;
      wip += r.timeSeries.buckets[i]?.wip ?? 0;
    }
    const bucket = {
      start: b.start,
      end: b.end,
      throughput: throughput / sorted.length,
      wip: wip / sorted.length,
    };
    return b.startDateTime === undefined ? bucket : { ...bucket, startDateTime: b.startDateTime };
  });
  return {
    reps: sorted.length,
    seed: first?.seed ?? model.seed ?? 0,
    timeUnit: first?.timeUnit ?? model.timeUnit,
    runTime: first?.runTime ?? 0,
    warmupTime: first?.warmupTime ?? 0,
    eventCount: sorted.reduce((s, r) => s + r.eventCount, 0),
    exitsTotal: sorted.reduce((s, r) => s + r.exitsTotal, 0),
    ...summariseReplications(model, sorted),
    timeSeries: {
      period: ts?.period ?? timePeriod,
      bucketSize: ts?.bucketSize ?? 0,
      buckets,
      ...(ts?.startDateTime !== undefined ? { startDateTime: ts.startDateTime } : {}),
    },
    ...(first?.modelStates ? { states: summariseStates(model, sorted) } : {}),
  };
}
