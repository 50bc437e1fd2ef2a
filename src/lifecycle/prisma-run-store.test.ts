import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, createTestDatabase, type TestDatabase } from "../../test/helpers/backends.js";
import { seedAnalysis } from "../../test/helpers/seed.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { SimulationSummary } from "../simulation/index.js";
import { PrismaRunStore } from "./prisma-run-store.js";
import type { ClaimedRun } from "./run-store.js";
import { RunState, runStateOf, ScenarioState, scenarioStateOf, toDbState } from "./states.js";

const S = ScenarioState;
const R = RunState;
/** When the seeded RUNNING runs were claimed: the fencing token of `claimed()`. */
const STARTED = new Date("2026-01-01T00:00:00.123Z");

/** A tenant with one scenario whose latest run is in the given states; ids of both. */
async function seed(
  prisma: PrismaClient,
  states: { scenario: ScenarioState; run: RunState; priority?: number; latest?: boolean },
): Promise<{ scenarioId: string; runId: string; analysisId: string; tenantId: string }> {
  const { tenantId, userId, analysisId } = await seedAnalysis(prisma);
  const scenario = await prisma.scenario.create({
    data: {
      tenantId,
      analysisId,
      name: "S",
      reps: 3,
      state: toDbState(states.scenario),
      createdByUserId: userId,
    },
  });
  const run = await prisma.scenarioRun.create({
    data: {
      tenantId,
      scenarioId: scenario.id,
      state: toDbState(states.run),
      startedAt: states.run === R.RUNNING ? STARTED : null,
      attempt: 1,
      seed: 7,
      reps: 3,
      timePeriod: "hourly",
      priority: states.priority ?? 0,
      modelHash: "0".repeat(64),
      effectiveModel: { replications: 3 },
      createdByUserId: userId,
    },
  });
  if (states.latest !== false)
    await prisma.scenario.update({ where: { id: scenario.id }, data: { latestRunId: run.id } });
  return { scenarioId: scenario.id, runId: run.id, analysisId, tenantId };
}

async function rows(prisma: PrismaClient, ids: { scenarioId: string; runId: string }) {
  const scenario = await prisma.scenario.findUniqueOrThrow({ where: { id: ids.scenarioId } });
  const run = await prisma.scenarioRun.findUniqueOrThrow({ where: { id: ids.runId } });
  return {
    scenario: { ...scenario, state: scenarioStateOf(scenario.state) },
    run: { ...run, state: runStateOf(run.state) },
  };
}

const claimed = (ids: { scenarioId: string; runId: string; analysisId: string }): ClaimedRun => ({
  id: ids.runId,
  tenantId: "unused",
  scenarioId: ids.scenarioId,
  analysisId: ids.analysisId,
  reps: 3,
  seed: 7,
  timePeriod: "hourly",
  timeoutSeconds: null,
  effectiveModel: {},
  startedAt: STARTED,
});

/** The same run as seen by an execution that lost it to a later claim. */
const stale = (ids: { scenarioId: string; runId: string; analysisId: string }): ClaimedRun => ({
  ...claimed(ids),
  startedAt: new Date(STARTED.getTime() - 60_000),
});

const timing = { completedAt: new Date("2026-01-01T00:00:10Z"), executionTimeMs: 10_000 };
const summary = { reps: 3 } as unknown as SimulationSummary;

describe.each(backends())("PrismaRunStore on $name", (backend) => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let store: PrismaRunStore;
  beforeAll(async () => {
    db = await createTestDatabase(backend);
    prisma = db.database.prisma;
    store = new PrismaRunStore(prisma);
  });
  afterAll(() => db.dispose());

  it("claims a queued run once, with its inputs and its scenario's analysis", async () => {
    const ids = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED });
    const startedAt = new Date("2026-01-01T00:00:00Z");
    const run = await store.claim(ids.runId, startedAt);
    expect(run).toMatchObject({ id: ids.runId, analysisId: ids.analysisId, reps: 3, timePeriod: "hourly" });
    expect((await rows(prisma, ids)).run).toMatchObject({ state: R.RUNNING, startedAt });
    expect(await store.claim(ids.runId, startedAt)).toBeNull();
  });

  it("marks the scenario running only while it waits for this very run", async () => {
    const waiting = await seed(prisma, { scenario: S.QUEUED, run: R.RUNNING });
    expect(await store.markRunning(claimed(waiting), new Date())).toBe(true);
    expect((await rows(prisma, waiting)).scenario).toMatchObject({
      state: S.IS_RUNNING,
      currentRep: 1,
      totalReps: 3,
    });
    const cancelled = await seed(prisma, { scenario: S.CANCELLED, run: R.RUNNING });
    expect(await store.markRunning(claimed(cancelled), new Date())).toBe(false);
    expect((await rows(prisma, cancelled)).scenario.state).toBe(S.CANCELLED);
    const replaced = await seed(prisma, { scenario: S.QUEUED, run: R.RUNNING, latest: false });
    expect(await store.markRunning(claimed(replaced), new Date())).toBe(false);
    expect((await rows(prisma, replaced)).scenario.state).toBe(S.QUEUED);
  });

  it("finishes a successful run: results on the run, a fresh RAN_SUCCESS scenario", async () => {
    const ids = await seed(prisma, { scenario: S.IS_RUNNING, run: R.RUNNING });
    await prisma.scenario.update({
      where: { id: ids.scenarioId },
      data: { resultsStale: true, errorMessage: "old" },
    });
    await store.finish(claimed(ids), { kind: R.SUCCEEDED, summary, folder: "/r/1" }, timing);
    const after = await rows(prisma, ids);
    expect(after.run).toMatchObject({ state: R.SUCCEEDED, results: summary, blobStoragePath: "/r/1" });
    expect(after.scenario).toMatchObject({
      state: S.RAN_SUCCESS,
      resultsStale: false,
      errorMessage: null,
      blobStoragePath: "/r/1",
      completedAt: timing.completedAt,
    });
  });

  it("finishes a failed run of a scenario being cancelled as RAN_WITH_ERRORS with the error", async () => {
    const ids = await seed(prisma, { scenario: S.CANCELLING, run: R.RUNNING });
    await store.finish(
      claimed(ids),
      { kind: R.FAILED, message: "boom", details: "[]", stack: "at x" },
      timing,
    );
    const after = await rows(prisma, ids);
    expect(after.run).toMatchObject({ state: R.FAILED, errorMessage: "boom", errorStackTrace: "at x" });
    expect(after.scenario).toMatchObject({ state: S.RAN_WITH_ERRORS, errorMessage: "boom" });
  });

  it("gives a scenario cancelled before its run started the run's end time", async () => {
    const ids = await seed(prisma, { scenario: S.CANCELLED, run: R.RUNNING });
    await store.finish(claimed(ids), { kind: R.CANCELLED }, timing);
    const after = await rows(prisma, ids);
    expect(after.run).toMatchObject({ state: R.CANCELLED, executionTimeMs: 10_000 });
    expect(after.scenario).toMatchObject({ state: S.CANCELLED, completedAt: timing.completedAt });
  });

  it("leaves a scenario alone once a newer run replaced the finishing one", async () => {
    const ids = await seed(prisma, { scenario: S.IS_RUNNING, run: R.RUNNING, latest: false });
    await store.finish(claimed(ids), { kind: R.SUCCEEDED, summary, folder: null }, timing);
    const after = await rows(prisma, ids);
    expect(after.run.state).toBe(R.SUCCEEDED);
    expect(after.scenario).toMatchObject({ state: S.IS_RUNNING, completedAt: null });
  });

  it("requeues an interrupted run; a scenario being cancelled stays cancelling", async () => {
    const running = await seed(prisma, { scenario: S.IS_RUNNING, run: R.RUNNING });
    expect(await store.requeue(claimed(running))).toBe(S.QUEUED);
    expect(await rows(prisma, running)).toMatchObject({
      scenario: { state: S.QUEUED, startedAt: null },
      run: { state: R.QUEUED, startedAt: null },
    });
    const cancelling = await seed(prisma, { scenario: S.CANCELLING, run: R.RUNNING });
    expect(await store.requeue(claimed(cancelling))).toBe(S.CANCELLING);
    expect(await rows(prisma, cancelling)).toMatchObject({
      scenario: { state: S.CANCELLING },
      run: { state: R.QUEUED },
    });
  });

  it("records progress only while the run executes", async () => {
    const ids = await seed(prisma, { scenario: S.IS_RUNNING, run: R.RUNNING });
    await store.saveProgress(claimed(ids), { currentRep: 2, progressPercentage: 40.5 });
    let after = await rows(prisma, ids);
    expect([after.run.currentRep, Number(after.run.progressPercentage)]).toEqual([2, 40.5]);
    expect([after.scenario.currentRep, Number(after.scenario.progressPercentage)]).toEqual([2, 40.5]);
    await store.finish(claimed(ids), { kind: R.CANCELLED }, timing);
    await store.saveProgress(claimed(ids), { currentRep: 3, progressPercentage: 90 });
    after = await rows(prisma, ids);
    expect([after.run.currentRep, after.scenario.currentRep]).toEqual([2, 2]);
  });
});

describe.each(backends())("PrismaRunStore leases (queue mode) on $name", (backend) => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let store: PrismaRunStore;
  beforeAll(async () => {
    db = await createTestDatabase(backend);
    prisma = db.database.prisma;
    store = new PrismaRunStore(prisma);
  });
  afterAll(() => db.dispose());

  it("writes nothing for an execution whose claim was replaced (fenced on its start time)", async () => {
    const ids = await seed(prisma, { scenario: S.IS_RUNNING, run: R.RUNNING });
    await store.saveProgress(stale(ids), { currentRep: 2, progressPercentage: 50 });
    await store.finish(stale(ids), { kind: R.SUCCEEDED, summary, folder: "/r/x" }, timing);
    expect(await store.requeue(stale(ids))).toBeNull();
    expect(await rows(prisma, ids)).toMatchObject({
      run: { state: R.RUNNING, currentRep: 0, results: null, startedAt: STARTED },
      scenario: { state: S.IS_RUNNING, currentRep: null, completedAt: null },
    });
    // The execution holding the claim still writes.
    await store.finish(claimed(ids), { kind: R.SUCCEEDED, summary, folder: "/r/1" }, timing);
    expect(await rows(prisma, ids)).toMatchObject({
      run: { state: R.SUCCEEDED, blobStoragePath: "/r/1" },
      scenario: { state: S.RAN_SUCCESS },
    });
  });

  it("releases a run a lost worker left running, for the new holder to claim", async () => {
    const running = await seed(prisma, { scenario: S.IS_RUNNING, run: R.RUNNING });
    await store.release(running.runId);
    expect(await rows(prisma, running)).toMatchObject({
      run: { state: R.QUEUED, startedAt: null },
      scenario: { state: S.QUEUED, startedAt: null },
    });
    const next = await store.claim(running.runId, new Date());
    expect(next?.id).toBe(running.runId);
    const cancelling = await seed(prisma, { scenario: S.CANCELLING, run: R.RUNNING });
    await store.release(cancelling.runId);
    expect(await rows(prisma, cancelling)).toMatchObject({
      run: { state: R.QUEUED },
      scenario: { state: S.CANCELLING },
    });
    // A run already waiting (requeued by a shutdown) or ended stays as it is.
    const ended = await seed(prisma, { scenario: S.RAN_SUCCESS, run: R.SUCCEEDED });
    await store.release(ended.runId);
    expect(await rows(prisma, ended)).toMatchObject({
      run: { state: R.SUCCEEDED },
      scenario: { state: S.RAN_SUCCESS },
    });
  });

  it("abandons a run interrupted too often: failed with the message, or cancelled when asked to", async () => {
    const running = await seed(prisma, { scenario: S.IS_RUNNING, run: R.RUNNING });
    expect(await store.abandon(running.runId, "gave up")).toMatchObject({
      scenarioId: running.scenarioId,
      analysisId: running.analysisId,
      state: S.RAN_WITH_ERRORS,
    });
    expect(await rows(prisma, running)).toMatchObject({
      run: { state: R.FAILED, errorMessage: "gave up" },
      scenario: { state: S.RAN_WITH_ERRORS, errorMessage: "gave up" },
    });
    const requeued = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED });
    expect((await store.abandon(requeued.runId, "gave up"))?.state).toBe(S.RAN_WITH_ERRORS);
    expect((await rows(prisma, requeued)).run.state).toBe(R.FAILED);
    const cancelling = await seed(prisma, { scenario: S.CANCELLING, run: R.RUNNING });
    expect((await store.abandon(cancelling.runId, "gave up"))?.state).toBe(S.CANCELLED);
    expect((await rows(prisma, cancelling)).scenario).toMatchObject({
      state: S.CANCELLED,
      errorMessage: null,
    });
    const ended = await seed(prisma, { scenario: S.RAN_SUCCESS, run: R.SUCCEEDED });
    expect(await store.abandon(ended.runId, "gave up")).toBeNull();
    expect((await rows(prisma, ended)).scenario.state).toBe(S.RAN_SUCCESS);
  });
});

describe.each(backends())("PrismaRunStore.recover on $name", (backend) => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  beforeAll(async () => {
    db = await createTestDatabase(backend);
    prisma = db.database.prisma;
  });
  afterAll(() => db.dispose());

  it("ends what a dead process left behind and hands back the runs that still wait", async () => {
    const running = await seed(prisma, { scenario: S.IS_RUNNING, run: R.RUNNING });
    const cancelling = await seed(prisma, { scenario: S.CANCELLING, run: R.RUNNING });
    const low = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED, priority: 0 });
    const high = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED, priority: 5 });
    const abandoned = await seed(prisma, { scenario: S.CANCELLING, run: R.QUEUED });

    const waiting = await new PrismaRunStore(prisma).recover();

    expect(waiting.map((w) => [w.runId, w.tenantId])).toEqual([
      [high.runId, high.tenantId],
      [low.runId, low.tenantId],
    ]);
    expect(await rows(prisma, running)).toMatchObject({
      run: { state: R.FAILED, errorMessage: expect.stringMatching(/restart/) as unknown },
      scenario: { state: S.RAN_WITH_ERRORS, errorMessage: expect.stringMatching(/restart/) as unknown },
    });
    expect(await rows(prisma, cancelling)).toMatchObject({
      run: { state: R.FAILED },
      scenario: { state: S.CANCELLED, errorMessage: null },
    });
    expect(await rows(prisma, abandoned)).toMatchObject({
      run: { state: R.CANCELLED },
      scenario: { state: S.CANCELLED },
    });
    expect((await rows(prisma, low)).scenario.state).toBe(S.QUEUED);
  });
});
