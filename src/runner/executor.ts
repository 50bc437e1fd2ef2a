import { coerceError, projectRelativeStack } from "../errors.js";
import {
  finishing,
  moveScenario,
  RunState,
  ScenarioState,
  type ClaimedRun,
  type QueuedRun,
  type RunResult,
  type RunStore,
} from "../lifecycle/index.js";
import type { Logger } from "../logger.js";
import { progressEvent, publishProgress, type AppPubSub } from "../pubsub/pubsub.js";
import type { QuodsiModel } from "../simulation/index.js";
import type { AbortReason } from "./driver.js";
import type { ResultsStore } from "./results-store.js";
import { withRetry } from "./retry.js";
import type { ThreadPool } from "./thread-pool.js";

/** Minimum time between two published progress events of one run. */
export const PUBLISH_INTERVAL_MS = 250;
/** Minimum time between two progress writes to the database. */
const PERSIST_INTERVAL_MS = 1000;

export interface ExecutorDeps {
  store: RunStore;
  pool: ThreadPool;
  pubsub: AppPubSub;
  results: ResultsStore;
  logger: Logger;
}

/**
 * How one execution ended: a result to write, back to the queue (shutdown), or
 * lost to another worker (queue mode: nothing of it is written).
 */
type Outcome = RunResult | { kind: "requeued" } | { kind: "lost" };

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Which scenario and run a claimed run's events are about. */
const scopeOf = (run: ClaimedRun) => ({
  tenantId: run.tenantId,
  scenarioId: run.scenarioId,
  analysisId: run.analysisId,
  runId: run.id,
});

/** The state a running scenario ends in, for the final event (DESIGN.md's table, not a second copy). */
const finalState = (outcome: RunResult): ScenarioState =>
  moveScenario(finishing(outcome.kind), ScenarioState.IS_RUNNING);

/**
 * Executes runs: claims a QUEUED run, simulates it in the thread pool while
 * persisting and publishing progress, then writes results and the final state.
 * Every row write goes through the RunStore.
 */
export class RunExecutor {
  constructor(private readonly deps: ExecutorDeps) {}

  async execute(runId: string, signal: AbortSignal): Promise<void> {
    const { store, logger } = this.deps;
    const startedAt = new Date();
    const run = await withRetry(() => store.claim(runId, startedAt));
    if (!run) return; // cancelled or taken meanwhile
    const log = logger.child({ runId, tenantId: run.tenantId, scenarioId: run.scenarioId });
    // A cancel that reached the scenario after the claim ends the run before it starts.
    if (!(await withRetry(() => store.markRunning(run, startedAt)))) {
      await this.finish(run, { kind: RunState.CANCELLED }, startedAt, log);
      return;
    }
    const progress = new ProgressTracker(run, this.deps, signal, log);
    progress.emit(0, 0, "Run started");

    const timeout = run.timeoutSeconds ? AbortSignal.timeout(run.timeoutSeconds * 1000) : undefined;
    const combined = timeout ? AbortSignal.any([signal, timeout]) : signal;
    let outcome: Outcome;
    try {
      const summary = await this.deps.pool.runReplications(run.effectiveModel as QuodsiModel, {
        replications: run.reps,
        seed: run.seed,
        timePeriod: run.timePeriod,
        signal: combined,
        onProgress: (p) => progress.update(p.completedReps, p.currentRepFraction),
      });
      outcome = { kind: RunState.SUCCEEDED, summary, folder: null };
    } catch (thrown) {
      const err = coerceError(thrown);
      // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: the pool rejects with an AbortError only once the signal aborted
      if (err.name === "AbortError" || combined.aborted) {
        const reason: AbortReason = signal.aborted
          ? (signal.reason as AbortReason)
          : // Stryker disable next-line StringLiteral: any kind but cancel and shutdown is the timeout
            { kind: "timeout", seconds: run.timeoutSeconds ?? 0 };
        outcome =
          reason.kind === "cancel"
            ? { kind: RunState.CANCELLED }
            : reason.kind === "shutdown"
              ? { kind: "requeued" }
              : reason.kind === "lease"
                ? { kind: "lost" }
                : {
                    kind: RunState.FAILED,
                    message: `Run timed out after ${reason.seconds} s`,
                    details: null,
                    stack: null,
                  };
      } else {
        const details = (err as { issues?: unknown }).issues;
        outcome = {
          kind: RunState.FAILED,
          message: err.message,
          details: details ? JSON.stringify(details) : null,
          stack: err.stack ? projectRelativeStack(err.stack) : null,
        };
      }
    }
    progress.stop();
    await this.finish(run, outcome, startedAt, log, progress.last);
  }

  private async finish(
    run: ClaimedRun,
    outcome: Outcome,
    startedAt: Date,
    log: Logger,
    last = { currentRep: 0, percentage: 0 },
  ): Promise<void> {
    const { store, results } = this.deps;
    const completedAt = new Date();
    const timing = { completedAt, executionTimeMs: completedAt.getTime() - startedAt.getTime() };
    if (outcome.kind === "lost") {
      log.warn("run lost: its lease expired and another worker holds it now; nothing written");
      return;
    }
    if (outcome.kind === "requeued") {
      // The scenario's state as the requeue left it: QUEUED, or CANCELLING when a cancel got there first.
      const state = await withRetry(() => store.requeue(run));
      if (state)
        publishProgress(
          this.deps.pubsub,
          progressEvent(
            scopeOf(run),
            state,
            { currentRep: 0, totalReps: run.reps, progressPercentage: 0 },
            state === ScenarioState.QUEUED
              ? "Requeued: the service is shutting down"
              : "Interrupted: the service is shutting down",
          ),
        );
      log.info({ outcome: outcome.kind, scenarioState: state }, "run requeued");
      return;
    }
    let folder: string | null = null;
    try {
      if (outcome.kind === RunState.SUCCEEDED) {
        folder = await results.write(run.tenantId, run.scenarioId, run.id, outcome.summary);
        outcome = { ...outcome, folder };
      }
      const result = outcome;
      await withRetry(() => store.finish(run, result, timing));
    } catch (thrown) {
      // Results could not be saved: the run must still end in a true state.
      const err = coerceError(thrown);
      log.error({ err }, "could not save the run's outcome");
      // Stryker disable next-line ConditionalExpression: removing no folder fails, and that failure is ignored
      if (folder) await results.remove(folder).catch(() => undefined);
      const failed: RunResult = {
        kind: RunState.FAILED,
        message: `Results could not be saved: ${err.message}`,
        details: null,
        stack: err.stack ? projectRelativeStack(err.stack) : null,
      };
      outcome = failed;
      await withRetry(() => store.finish(run, failed, timing));
    }
    const done = outcome.kind === RunState.SUCCEEDED;
    publishProgress(
      this.deps.pubsub,
      progressEvent(
        scopeOf(run),
        finalState(outcome),
        {
          currentRep: done ? run.reps : last.currentRep,
          totalReps: run.reps,
          progressPercentage: done ? 100 : last.percentage,
        },
        outcome.kind === RunState.FAILED ? outcome.message : null,
      ),
    );
    log.info({ outcome: outcome.kind, executionTimeMs: timing.executionTimeMs }, "run finished");
  }

  /**
   * Queue mode, a job delivered again: the run an earlier holder left RUNNING waits
   * again, for `execute` to claim it (see RunStore.release).
   */
  release(runId: string): Promise<void> {
    return withRetry(() => this.deps.store.release(runId));
  }

  /** Queue mode: a run interrupted too often ends with `message` (RunStore.abandon), and says so. */
  async abandon(runId: string, message: string): Promise<void> {
    const ended = await withRetry(() => this.deps.store.abandon(runId, message));
    if (!ended) return;
    publishProgress(
      this.deps.pubsub,
      progressEvent(
        { tenantId: ended.tenantId, scenarioId: ended.scenarioId, analysisId: ended.analysisId, runId },
        ended.state,
        { currentRep: 0, totalReps: ended.reps, progressPercentage: 0 },
        message,
      ),
    );
    this.deps.logger.warn({ runId, scenarioState: ended.state }, "run abandoned");
  }

  /** After a crash: see RunStore.recover; the runs returned still wait to execute. */
  recover(): Promise<QueuedRun[]> {
    return withRetry(() => this.deps.store.recover());
  }
}

/**
 * Turns engine progress into monotone percentages, persists them at most once
 * a second and publishes them at most four times a second per run.
 */
class ProgressTracker {
  private percentage = 0;
  private currentRep = 1;
  private lastPublish = 0;
  private lastPersist = 0;
  private stopped = false;
  private persisting: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly run: ClaimedRun,
    private readonly deps: ExecutorDeps,
    /** Once aborted (cancel, shutdown) the run only reports its final state. */
    private readonly signal: AbortSignal,
    private readonly log: Logger,
  ) {}

  update(completedReps: number, fraction: number): void {
    if (this.stopped || this.signal.aborted) return;
    const pct = Math.min(
      99.99,
      round2(((completedReps + Math.min(1, Math.max(0, fraction))) / this.run.reps) * 100),
    );
    if (pct <= this.percentage) return;
    this.percentage = pct;
    this.currentRep = Math.min(this.run.reps, completedReps + 1);
    const now = Date.now();
    if (now - this.lastPublish >= PUBLISH_INTERVAL_MS) this.emit(this.currentRep, pct, null);
    if (now - this.lastPersist >= PERSIST_INTERVAL_MS) {
      this.lastPersist = now;
      const data = { currentRep: this.currentRep, progressPercentage: pct };
      // Writes are chained so they land in order; a failed write only loses one sample.
      this.persisting = this.persisting
        .then(() => this.deps.store.saveProgress(this.run, data))
        .catch((err: unknown) => this.log.warn({ err }, "could not persist progress"));
    }
  }

  /** Publishes where the running scenario got to (the rate limit is the caller's). */
  emit(currentRep: number, progressPercentage: number, message: string | null): void {
    this.lastPublish = Date.now();
    publishProgress(
      this.deps.pubsub,
      progressEvent(
        scopeOf(this.run),
        ScenarioState.IS_RUNNING,
        { currentRep, totalReps: this.run.reps, progressPercentage },
        message,
      ),
    );
  }

  stop(): void {
    this.stopped = true;
  }

  /** Where the run got to, for its final event. */
  get last(): { currentRep: number; percentage: number } {
    return { currentRep: this.currentRep, percentage: this.percentage };
  }
}
