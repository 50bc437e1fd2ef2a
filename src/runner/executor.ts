import type { PrismaClient, Prisma } from "../generated/prisma/client.js";
import { coerceError } from "../errors.js";
import type { Logger } from "../logger.js";
import { publishProgress, type AppPubSub, type ProgressEvent } from "../pubsub/pubsub.js";
import type { QuodsiModel, SimulationSummary, TimePeriod } from "../simulation/index.js";
import type { AbortReason, QueuedRun } from "./driver.js";
import type { ResultsStore } from "./results-store.js";
import { withRetry } from "./retry.js";
import type { ThreadPool } from "./thread-pool.js";

/** Minimum time between two published progress events of one run. */
export const PUBLISH_INTERVAL_MS = 250;
/** Minimum time between two progress writes to the database. */
const PERSIST_INTERVAL_MS = 1000;

export interface ExecutorDeps {
  prisma: PrismaClient;
  pool: ThreadPool;
  pubsub: AppPubSub;
  results: ResultsStore;
  logger: Logger;
}

interface RunRow {
  id: string;
  tenantId: string;
  scenarioId: string;
  reps: number;
  seed: number;
  timePeriod: string;
  timeoutSeconds: number | null;
  effectiveModel: unknown;
}

/** Terminal outcome of one execution. */
type Outcome =
  | { kind: "succeeded"; summary: SimulationSummary }
  | { kind: "cancelled" }
  | { kind: "requeued" }
  | { kind: "failed"; message: string; details: string | null; stack: string | null };

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Executes runs: claims a QUEUED run, simulates it in the thread pool while
 * persisting and publishing progress, then writes results and the final state.
 * Scenario columns are written only while the run is the scenario's latest.
 */
export class RunExecutor {
  constructor(private readonly deps: ExecutorDeps) {}

  async execute(runId: string, signal: AbortSignal): Promise<void> {
    const { prisma, logger } = this.deps;
    const startedAt = new Date();
    const claimed = await withRetry(() =>
      prisma.scenarioRun.updateMany({
        where: { id: runId, state: "queued" },
        data: { state: "running", startedAt, currentRep: 0, progressPercentage: 0 },
      }),
    );
    if (claimed.count === 0) return; // cancelled or taken meanwhile
    const run = (await prisma.scenarioRun.findUniqueOrThrow({
      where: { id: runId },
      select: {
        id: true,
        tenantId: true,
        scenarioId: true,
        reps: true,
        seed: true,
        timePeriod: true,
        timeoutSeconds: true,
        effectiveModel: true,
      },
    })) as RunRow;
    const log = logger.child({ runId, tenantId: run.tenantId, scenarioId: run.scenarioId });
    const scenario = await prisma.scenario.findUniqueOrThrow({
      where: { id: run.scenarioId },
      select: { analysisId: true },
    });
    // A cancel that arrived while queued moved the scenario to CANCELLING.
    const moved = await this.updateScenario(
      run,
      {
        state: "is_running",
        startedAt,
        completedAt: null,
        currentRep: 1,
        totalReps: run.reps,
        progressPercentage: 0,
      },
      ["queued"],
    );
    if (!moved) {
      await this.finish(run, scenario.analysisId, { kind: "cancelled" }, startedAt, log);
      return;
    }
    const progress = new ProgressTracker(run, scenario.analysisId, this.deps, signal, log);
    progress.emit("is_running", 0, 0, "Run started");

    const timeout = run.timeoutSeconds ? AbortSignal.timeout(run.timeoutSeconds * 1000) : undefined;
    const combined = timeout ? AbortSignal.any([signal, timeout]) : signal;
    let outcome: Outcome;
    try {
      const summary = await this.deps.pool.runReplications(run.effectiveModel as QuodsiModel, {
        replications: run.reps,
        seed: run.seed,
        timePeriod: run.timePeriod as TimePeriod,
        signal: combined,
        onProgress: (p) => progress.update(p.completedReps, p.currentRepFraction),
      });
      outcome = { kind: "succeeded", summary };
    } catch (thrown) {
      const err = coerceError(thrown);
      if (err.name === "AbortError" || combined.aborted) {
        const reason: AbortReason = signal.aborted
          ? (signal.reason as AbortReason)
          : { kind: "timeout", seconds: run.timeoutSeconds ?? 0 };
        outcome =
          reason.kind === "cancel"
            ? { kind: "cancelled" }
            : reason.kind === "shutdown"
              ? { kind: "requeued" }
              : {
                  kind: "failed",
                  message: `Run timed out after ${reason.seconds} s`,
                  details: null,
                  stack: null,
                };
      } else {
        const details = (err as { issues?: unknown }).issues;
        outcome = {
          kind: "failed",
          message: err.message,
          details: details ? JSON.stringify(details) : null,
          stack: err.stack ?? null,
        };
      }
    }
    progress.stop();
    await this.finish(run, scenario.analysisId, outcome, startedAt, log, progress.last);
  }

  private async finish(
    run: RunRow,
    analysisId: string,
    outcome: Outcome,
    startedAt: Date,
    log: Logger,
    last = { currentRep: 0, percentage: 0 },
  ): Promise<void> {
    const { prisma, results } = this.deps;
    const completedAt = new Date();
    const executionTimeMs = completedAt.getTime() - startedAt.getTime();
    let folder: string | null = null;
    try {
      if (outcome.kind === "succeeded")
        folder = await results.write(run.tenantId, run.scenarioId, run.id, outcome.summary);
      await withRetry(() =>
        prisma.$transaction(async (tx) =>
          this.writeOutcome(tx, run, outcome, { completedAt, executionTimeMs, folder }),
        ),
      );
    } catch (thrown) {
      // Results could not be saved: the run must still end in a true state.
      const err = coerceError(thrown);
      log.error({ err }, "could not save the run's outcome");
      if (folder) await results.remove(folder).catch(() => undefined);
      outcome = {
        kind: "failed",
        message: `Results could not be saved: ${err.message}`,
        details: null,
        stack: err.stack ?? null,
      };
      await withRetry(() =>
        prisma.$transaction(async (tx) =>
          this.writeOutcome(tx, run, outcome, { completedAt, executionTimeMs, folder: null }),
        ),
      );
    }
    const scenarioState = {
      succeeded: "ran_success",
      cancelled: "cancelled",
      requeued: "queued",
      failed: "ran_with_errors",
    }[outcome.kind];
    const done = outcome.kind === "succeeded";
    const requeued = outcome.kind === "requeued";
    publishProgress(this.deps.pubsub, {
      tenantId: run.tenantId,
      scenarioId: run.scenarioId,
      analysisId,
      runId: run.id,
      state: scenarioState.toUpperCase(),
      currentRep: done ? run.reps : requeued ? 0 : last.currentRep,
      totalReps: run.reps,
      progressPercentage: done ? 100 : requeued ? 0 : last.percentage,
      message:
        outcome.kind === "failed"
          ? outcome.message
          : outcome.kind === "requeued"
            ? "Requeued: the service is shutting down"
            : null,
      emittedAt: new Date().toISOString(),
    });
    log.info({ outcome: outcome.kind, executionTimeMs }, "run finished");
  }

  private async writeOutcome(
    tx: Prisma.TransactionClient,
    run: RunRow,
    outcome: Outcome,
    t: { completedAt: Date; executionTimeMs: number; folder: string | null },
  ): Promise<void> {
    const where = { id: run.scenarioId, latestRunId: run.id };
    switch (outcome.kind) {
      case "succeeded":
        await tx.scenarioRun.update({
          where: { id: run.id },
          data: {
            state: "succeeded",
            results: outcome.summary as unknown as Prisma.InputJsonValue,
            completedAt: t.completedAt,
            executionTimeMs: t.executionTimeMs,
            blobStoragePath: t.folder,
            currentRep: run.reps,
            progressPercentage: 100,
          },
        });
        await tx.scenario.updateMany({
          where,
          data: {
            state: "ran_success",
            completedAt: t.completedAt,
            executionTimeMs: t.executionTimeMs,
            blobStoragePath: t.folder,
            currentRep: run.reps,
            totalReps: run.reps,
            progressPercentage: 100,
            resultsStale: false,
            errorMessage: null,
            errorDetails: null,
            errorStackTrace: null,
          },
        });
        return;
      case "cancelled":
        await tx.scenarioRun.update({
          where: { id: run.id },
          data: { state: "cancelled", completedAt: t.completedAt, executionTimeMs: t.executionTimeMs },
        });
        await tx.scenario.updateMany({
          where,
          data: { state: "cancelled", completedAt: t.completedAt, executionTimeMs: t.executionTimeMs },
        });
        return;
      case "requeued":
        await tx.scenarioRun.update({
          where: { id: run.id },
          data: { state: "queued", startedAt: null, currentRep: 0, progressPercentage: 0 },
        });
        // A scenario whose cancel was requested meanwhile ends cancelled instead.
        await tx.scenario.updateMany({
          where: { ...where, state: "is_running" },
          data: { state: "queued", startedAt: null, currentRep: 0, progressPercentage: 0 },
        });
        return;
      case "failed":
        await tx.scenarioRun.update({
          where: { id: run.id },
          data: {
            state: "failed",
            completedAt: t.completedAt,
            executionTimeMs: t.executionTimeMs,
            errorMessage: outcome.message,
            errorDetails: outcome.details,
            errorStackTrace: outcome.stack,
          },
        });
        await tx.scenario.updateMany({
          where,
          data: {
            state: "ran_with_errors",
            completedAt: t.completedAt,
            executionTimeMs: t.executionTimeMs,
            errorMessage: outcome.message,
            errorDetails: outcome.details,
            errorStackTrace: outcome.stack,
          },
        });
        return;
    }
  }

  /** Moves the scenario (when this run is its latest and it is in one of `from`); false when it was not. */
  private async updateScenario(
    run: RunRow,
    data: Prisma.ScenarioUpdateManyMutationInput,
    from: string[],
  ): Promise<boolean> {
    const { count } = await withRetry(() =>
      this.deps.prisma.scenario.updateMany({
        where: { id: run.scenarioId, latestRunId: run.id, state: { in: from } },
        data,
      }),
    );
    return count === 1;
  }

  /**
   * After a crash: runs left RUNNING by a dead process end as failed
   * ("interrupted by a restart"); QUEUED runs are returned to be enqueued again.
   */
  async recover(): Promise<QueuedRun[]> {
    const { prisma, logger } = this.deps;
    const orphans = await prisma.scenarioRun.findMany({
      where: { state: "running" },
      select: { id: true, scenarioId: true },
    });
    const message = "Interrupted by a restart of the service; run it again";
    for (const orphan of orphans) {
      const completedAt = new Date();
      await prisma.$transaction(async (tx) => {
        await tx.scenarioRun.update({
          where: { id: orphan.id },
          data: { state: "failed", completedAt, errorMessage: message },
        });
        await tx.scenario.updateMany({
          where: { id: orphan.scenarioId, latestRunId: orphan.id, state: "cancelling" },
          data: { state: "cancelled", completedAt },
        });
        await tx.scenario.updateMany({
          where: { id: orphan.scenarioId, latestRunId: orphan.id, state: { in: ["is_running", "queued"] } },
          data: { state: "ran_with_errors", completedAt, errorMessage: message },
        });
      });
    }
    if (orphans.length) logger.warn({ count: orphans.length }, "ended runs interrupted by a restart");
    // Queued runs of scenarios cancelled while the service was down end cancelled.
    const stale = await prisma.scenarioRun.findMany({
      where: { state: "queued" },
      select: { id: true, scenarioId: true, priority: true, queuedAt: true },
    });
    const queued: QueuedRun[] = [];
    for (const run of stale) {
      const scenario = await prisma.scenario.findUnique({
        where: { id: run.scenarioId },
        select: { state: true, latestRunId: true },
      });
      if (scenario?.latestRunId === run.id && scenario.state === "queued") {
        queued.push({ runId: run.id, priority: run.priority, queuedAt: run.queuedAt });
      } else {
        await prisma.scenarioRun.update({
          where: { id: run.id },
          data: { state: "cancelled", completedAt: new Date() },
        });
        if (scenario?.latestRunId === run.id)
          await prisma.scenario.updateMany({
            where: { id: run.scenarioId, latestRunId: run.id },
            data: { state: "cancelled" },
          });
      }
    }
    return queued;
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
    private readonly run: RunRow,
    private readonly analysisId: string,
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
    if (now - this.lastPublish >= PUBLISH_INTERVAL_MS) this.emit("is_running", this.currentRep, pct, null);
    if (now - this.lastPersist >= PERSIST_INTERVAL_MS) {
      this.lastPersist = now;
      const data = { currentRep: this.currentRep, progressPercentage: pct };
      // Writes are chained so they land in order; a failed write only loses one sample.
      this.persisting = this.persisting
        .then(() =>
          Promise.all([
            this.deps.prisma.scenarioRun.updateMany({ where: { id: this.run.id, state: "running" }, data }),
            this.deps.prisma.scenario.updateMany({
              where: {
                id: this.run.scenarioId,
                latestRunId: this.run.id,
                state: { in: ["is_running", "cancelling"] },
              },
              data,
            }),
          ]),
        )
        .catch((err: unknown) => this.log.warn({ err }, "could not persist progress"));
    }
  }

  emit(state: string, currentRep: number, progressPercentage: number, message: string | null): void {
    this.lastPublish = Date.now();
    const event: ProgressEvent = {
      tenantId: this.run.tenantId,
      scenarioId: this.run.scenarioId,
      analysisId: this.analysisId,
      runId: this.run.id,
      state: state.toUpperCase(),
      currentRep,
      totalReps: this.run.reps,
      progressPercentage,
      message,
      emittedAt: new Date().toISOString(),
    };
    publishProgress(this.deps.pubsub, event);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Where the run got to, for its final event. */
  get last(): { currentRep: number; percentage: number } {
    return { currentRep: this.currentRep, percentage: this.percentage };
  }
}
