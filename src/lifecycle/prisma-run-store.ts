import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import type { TimePeriod } from "../simulation/index.js";
import type { AbandonedRun, ClaimedRun, QueuedRun, RunResult, RunStore, RunTiming } from "./run-store.js";
import { RunState, ScenarioState, scenarioStateOf, toDbState } from "./states.js";
import { finishing, runMoves, scenarioMoves, TRANSITIONS, type Transition } from "./transitions.js";

type Tx = Prisma.TransactionClient;
type ScenarioData = Prisma.ScenarioUpdateManyMutationInput;
type RunData = Prisma.ScenarioRunUpdateManyMutationInput;

const INTERRUPTED = "Interrupted by a restart of the service; run it again";

/** Scenario states in which a run's progress is still worth recording. */
const EXECUTING = [ScenarioState.IS_RUNNING, ScenarioState.CANCELLING].map((s) => toDbState(s));

/**
 * Moves the run row through `t` (guarded on its sources, and on the claiming
 * execution's `startedAt` when given); the number of rows moved.
 */
async function moveRunRow(
  tx: Tx,
  runId: string,
  t: Transition,
  data: (to: RunState) => RunData,
  startedAt?: Date,
) {
  let moved = 0;
  for (const m of runMoves(t)) {
    const { count } = await tx.scenarioRun.updateMany({
      where: { id: runId, state: { in: m.from }, ...(startedAt ? { startedAt } : {}) },
      data: { ...data(m.to), state: toDbState(m.to) },
    });
    moved += count;
  }
  return moved;
}

/** Moves the scenario through `t` while `runId` is its latest run (guarded on the sources); rows moved. */
async function moveScenarioRow(
  tx: Tx,
  run: { id: string; scenarioId: string },
  t: Transition,
  data: (to: ScenarioState) => ScenarioData,
  opts: { identity?: boolean } = {},
) {
  let moved = 0;
  for (const m of scenarioMoves(t, opts)) {
    const { count } = await tx.scenario.updateMany({
      where: { id: run.scenarioId, latestRunId: run.id, state: { in: m.from } },
      data: { ...data(m.to), state: toDbState(m.to) },
    });
    moved += count;
  }
  return moved;
}

/** What the final write of each outcome records on the run row and on the scenario. */
function outcomeData(
  run: ClaimedRun,
  result: RunResult,
  t: RunTiming,
): { run: RunData; scenario: ScenarioData } {
  const ended = { completedAt: t.completedAt, executionTimeMs: t.executionTimeMs };
  switch (result.kind) {
    case RunState.SUCCEEDED:
      return {
        run: {
          ...ended,
          results: result.summary as unknown as Prisma.InputJsonValue,
          blobStoragePath: result.folder,
          currentRep: run.reps,
          progressPercentage: 100,
        },
        scenario: {
          ...ended,
          blobStoragePath: result.folder,
          currentRep: run.reps,
          totalReps: run.reps,
          progressPercentage: 100,
          resultsStale: false,
          errorMessage: null,
          errorDetails: null,
          errorStackTrace: null,
        },
      };
    case RunState.CANCELLED:
      return { run: ended, scenario: ended };
    case RunState.FAILED: {
      const error = {
        errorMessage: result.message,
        errorDetails: result.details,
        errorStackTrace: result.stack,
      };
      return { run: { ...ended, ...error }, scenario: { ...ended, ...error } };
    }
  }
}

/** The RunStore over Prisma (PGlite or PostgreSQL); the one place the runner writes rows. */
export class PrismaRunStore implements RunStore {
  constructor(private readonly prisma: PrismaClient) {}

  claim(runId: string, startedAt: Date): Promise<ClaimedRun | null> {
    return this.prisma.$transaction(async (tx) => {
      const claimed = await moveRunRow(tx, runId, TRANSITIONS.claim, () => ({
        startedAt,
        currentRep: 0,
        progressPercentage: 0,
      }));
      if (claimed === 0) return null;
      const row = await tx.scenarioRun.findUniqueOrThrow({
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
          scenario: { select: { analysisId: true } },
        },
      });
      const { scenario, timePeriod, ...rest } = row;
      return { ...rest, analysisId: scenario.analysisId, timePeriod: timePeriod as TimePeriod, startedAt };
    });
  }

  async markRunning(run: ClaimedRun, startedAt: Date): Promise<boolean> {
    const moved = await moveScenarioRow(this.prisma, run, TRANSITIONS.markRunning, () => ({
      startedAt,
      completedAt: null,
      currentRep: 1,
      totalReps: run.reps,
      progressPercentage: 0,
    }));
    return moved === 1;
  }

  async saveProgress(
    run: ClaimedRun,
    point: { currentRep: number; progressPercentage: number },
  ): Promise<void> {
    // The scenario follows only while this execution still holds the run.
    const { count } = await this.prisma.scenarioRun.updateMany({
      where: { id: run.id, state: toDbState(RunState.RUNNING), startedAt: run.startedAt },
      data: point,
    });
    if (count === 0) return;
    await this.prisma.scenario.updateMany({
      where: { id: run.scenarioId, latestRunId: run.id, state: { in: EXECUTING } },
      data: point,
    });
  }

  async finish(run: ClaimedRun, result: RunResult, timing: RunTiming): Promise<void> {
    const t = finishing(result.kind);
    const data = outcomeData(run, result, timing);
    await this.prisma.$transaction(async (tx) => {
      // Not moved: another execution holds the run now (queue mode); its scenario is that one's to write.
      if ((await moveRunRow(tx, run.id, t, () => data.run, run.startedAt)) === 0) return;
      // A cancelled scenario still gets its run's end time (identity move).
      await moveScenarioRow(tx, run, t, () => data.scenario, { identity: true });
    });
  }

  async requeue(run: ClaimedRun): Promise<ScenarioState | null> {
    const reset = { startedAt: null, currentRep: 0, progressPercentage: 0 };
    return this.prisma.$transaction(async (tx) => {
      if ((await moveRunRow(tx, run.id, TRANSITIONS.requeue, () => reset, run.startedAt)) === 0) return null;
      if ((await moveScenarioRow(tx, run, TRANSITIONS.requeue, () => reset)) > 0) return ScenarioState.QUEUED;
      // Not moved: a cancel got there first (it stays CANCELLING), or a newer run replaced this one.
      const scenario = await tx.scenario.findFirst({
        where: { id: run.scenarioId, latestRunId: run.id },
        select: { state: true },
      });
      return scenario ? scenarioStateOf(scenario.state) : null;
    });
  }

  async recover(): Promise<QueuedRun[]> {
    const { prisma } = this;
    const t = TRANSITIONS.recover;
    const ended = (completedAt: Date) => (to: ScenarioState) =>
      to === ScenarioState.RAN_WITH_ERRORS ? { completedAt, errorMessage: INTERRUPTED } : { completedAt };
    const orphans = await prisma.scenarioRun.findMany({
      where: { state: toDbState(RunState.RUNNING) },
      select: { id: true, scenarioId: true },
    });
    for (const orphan of orphans) {
      const completedAt = new Date();
      await prisma.$transaction(async (tx) => {
        await moveRunRow(tx, orphan.id, t, (to) =>
          to === RunState.FAILED ? { completedAt, errorMessage: INTERRUPTED } : { completedAt },
        );
        await moveScenarioRow(tx, orphan, t, ended(completedAt));
      });
    }
    const queued = await prisma.scenarioRun.findMany({
      where: { state: toDbState(RunState.QUEUED) },
      select: {
        id: true,
        tenantId: true,
        scenarioId: true,
        priority: true,
        queuedAt: true,
        scenario: { select: { state: true, latestRunId: true } },
      },
      orderBy: [{ priority: "desc" }, { queuedAt: "asc" }],
    });
    const waiting: QueuedRun[] = [];
    const stillQueued = toDbState(ScenarioState.QUEUED);
    for (const run of queued) {
      if (run.scenario.latestRunId === run.id && run.scenario.state === stillQueued) {
        waiting.push({
          runId: run.id,
          tenantId: run.tenantId,
          priority: run.priority,
          queuedAt: run.queuedAt,
        });
        continue;
      }
      // Its scenario was cancelled (or run again) while no runner was there.
      const completedAt = new Date();
      await prisma.$transaction(async (tx) => {
        await moveRunRow(tx, run.id, t, () => ({ completedAt }));
        await moveScenarioRow(tx, run, t, ended(completedAt), { identity: true });
      });
    }
    return waiting;
  }

  async release(runId: string): Promise<void> {
    const reset = { startedAt: null, currentRep: 0, progressPercentage: 0 };
    await this.prisma.$transaction(async (tx) => {
      const run = await tx.scenarioRun.findUnique({
        where: { id: runId },
        select: { id: true, scenarioId: true },
      });
      if (!run || (await moveRunRow(tx, runId, TRANSITIONS.release, () => reset)) === 0) return;
      await moveScenarioRow(tx, run, TRANSITIONS.release, () => reset);
    });
  }

  async abandon(runId: string, message: string): Promise<AbandonedRun | null> {
    const t = TRANSITIONS.abandon;
    const completedAt = new Date();
    return this.prisma.$transaction(async (tx) => {
      const run = await tx.scenarioRun.findUnique({
        where: { id: runId },
        select: {
          id: true,
          tenantId: true,
          scenarioId: true,
          reps: true,
          scenario: { select: { analysisId: true } },
        },
      });
      if (!run || (await moveRunRow(tx, runId, t, () => ({ completedAt, errorMessage: message }))) === 0)
        return null;
      await moveScenarioRow(tx, run, t, (to) =>
        to === ScenarioState.RAN_WITH_ERRORS
          ? { completedAt, errorMessage: message, errorDetails: null, errorStackTrace: null }
          : { completedAt },
      );
      const scenario = await tx.scenario.findFirst({
        where: { id: run.scenarioId, latestRunId: runId },
        select: { state: true },
      });
      return {
        tenantId: run.tenantId,
        scenarioId: run.scenarioId,
        analysisId: run.scenario.analysisId,
        reps: run.reps,
        state: scenario ? scenarioStateOf(scenario.state) : ScenarioState.RAN_WITH_ERRORS,
      };
    });
  }
}
