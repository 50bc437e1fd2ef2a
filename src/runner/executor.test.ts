import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, createTestDatabase, type TestDatabase } from "../../test/helpers/backends.js";
import { seedAnalysis } from "../../test/helpers/seed.js";
import { defaultRunLimits } from "../config.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PrismaRunStore } from "../lifecycle/prisma-run-store.js";
import type {
  AbandonedRun,
  ClaimedRun,
  QueuedRun,
  RunResult,
  RunStore,
  RunTiming,
} from "../lifecycle/run-store.js";
import { RunState, runStateOf, ScenarioState, scenarioStateOf, toDbState } from "../lifecycle/states.js";
import { pino } from "pino";
import { createAppPubSub, type AppPubSub, type ProgressEvent } from "../pubsub/pubsub.js";
import { simulate, type QuodsiModel } from "../simulation/index.js";
import { mm1 } from "../simulation/testing/models.js";
import type { AbortReason } from "./driver.js";
import { RunExecutor } from "./executor.js";
import { ResultsStore } from "./results-store.js";
import { createRunner } from "./runtime.js";
import { ThreadPool } from "./thread-pool.js";

const S = ScenarioState;
const R = RunState;
/** What the runner logged, one object per line. */
const logLines: Record<string, unknown>[] = [];
const logger = pino(
  { level: "info" },
  { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
);
const logsOf = (runId: string) => logLines.filter((l) => l.runId === runId);
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A short model (results to compare with `simulate`) and one that runs until it is stopped. */
const quick = mm1(0.8, 1, { runTime: 500 });
/** Replications long enough that progress is reported between them (one worker runs them in turn). */
const steady = mm1(0.8, 1, { runTime: 20_000 });
const endless = mm1(0.9, 1, { runTime: 1e9 });

interface Seeded {
  tenantId: string;
  scenarioId: string;
  analysisId: string;
  runId: string;
}

/** A tenant with a scenario and its latest run in the given states. */
async function seed(
  prisma: PrismaClient,
  opts: {
    scenario: ScenarioState;
    run: RunState;
    model?: unknown;
    reps?: number;
    timeoutSeconds?: number;
  },
): Promise<Seeded> {
  const { tenantId, userId, analysisId } = await seedAnalysis(prisma);
  const reps = opts.reps ?? 3;
  const scenario = await prisma.scenario.create({
    data: {
      tenantId,
      analysisId,
      name: "S",
      reps,
      state: toDbState(opts.scenario),
      createdByUserId: userId,
    },
  });
  const run = await prisma.scenarioRun.create({
    data: {
      tenantId,
      scenarioId: scenario.id,
      state: toDbState(opts.run),
      attempt: 1,
      seed: 5,
      reps,
      timePeriod: "hourly",
      timeoutSeconds: opts.timeoutSeconds ?? null,
      modelHash: "0".repeat(64),
      effectiveModel: opts.model ?? quick,
      createdByUserId: userId,
    },
  });
  await prisma.scenario.update({ where: { id: scenario.id }, data: { latestRunId: run.id } });
  return { tenantId, scenarioId: scenario.id, analysisId, runId: run.id };
}

async function rows(prisma: PrismaClient, ids: Seeded) {
  const scenario = await prisma.scenario.findUniqueOrThrow({ where: { id: ids.scenarioId } });
  const run = await prisma.scenarioRun.findUniqueOrThrow({ where: { id: ids.runId } });
  return {
    scenario: {
      ...scenario,
      state: scenarioStateOf(scenario.state),
      progressPercentage: Number(scenario.progressPercentage),
    },
    run: { ...run, state: runStateOf(run.state), progressPercentage: Number(run.progressPercentage) },
  };
}

/** Every event published about one scenario, in order. */
async function listen(pubsub: AppPubSub, scenarioId: string) {
  const events: ProgressEvent[] = [];
  const iterator = pubsub.subscribe("scenario-progress", scenarioId)[Symbol.asyncIterator]();
  const pump = (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      events.push(next.value);
    }
  })();
  await tick();
  return {
    events,
    async stop() {
      await tick();
      await iterator.return?.();
      await pump;
    },
  };
}

/**
 * The real store, with a record of what the runner asked of it, a hook on
 * progress writes, and failures injected on request.
 */
class RecordingStore implements RunStore {
  readonly calls: string[] = [];
  readonly progress: { currentRep: number; progressPercentage: number }[] = [];
  readonly finished: RunResult[] = [];
  onProgress?: () => void;
  /** Errors thrown by the next calls of a method, one per call. */
  readonly failures = new Map<keyof RunStore, Error[]>();

  constructor(private readonly real: RunStore) {}

  private fail(method: keyof RunStore): void {
    this.calls.push(method);
    const err = this.failures.get(method)?.shift();
    if (err) throw err;
  }

  async claim(runId: string, startedAt: Date): Promise<ClaimedRun | null> {
    this.fail("claim");
    return this.real.claim(runId, startedAt);
  }
  async markRunning(run: ClaimedRun, startedAt: Date): Promise<boolean> {
    this.fail("markRunning");
    return this.real.markRunning(run, startedAt);
  }
  async saveProgress(run: ClaimedRun, point: { currentRep: number; progressPercentage: number }) {
    this.fail("saveProgress");
    this.progress.push(point);
    this.onProgress?.();
    return this.real.saveProgress(run, point);
  }
  async finish(run: ClaimedRun, result: RunResult, timing: RunTiming): Promise<void> {
    this.fail("finish");
    this.finished.push(result);
    return this.real.finish(run, result, timing);
  }
  async requeue(run: ClaimedRun): Promise<ScenarioState | null> {
    this.fail("requeue");
    return this.real.requeue(run);
  }
  async recover(): Promise<QueuedRun[]> {
    this.fail("recover");
    return this.real.recover();
  }
  async release(runId: string): Promise<void> {
    this.fail("release");
    return this.real.release(runId);
  }
  async abandon(runId: string, message: string): Promise<AbandonedRun | null> {
    this.fail("abandon");
    return this.real.abandon(runId, message);
  }
}

describe.each(backends())("RunExecutor on $name", (backend) => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let pool: ThreadPool;
  let dataDir: string;
  let pubsub: AppPubSub;

  beforeAll(async () => {
    db = await createTestDatabase(backend);
    prisma = db.database.prisma;
    pool = new ThreadPool({ size: 1 });
    dataDir = mkdtempSync(join(tmpdir(), "sl-executor-"));
    pubsub = createAppPubSub().pubsub;
  });
  afterAll(async () => {
    await pool.close();
    await db.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function executor(opts: { results?: ResultsStore } = {}) {
    const store = new RecordingStore(new PrismaRunStore(prisma));
    const results = opts.results ?? new ResultsStore(dataDir);
    return { store, results, executor: new RunExecutor({ store, pool, pubsub, results, logger }) };
  }

  /** Executes the run with the given signal; returns its events once it ended. */
  async function execute(run: RunExecutor, ids: Seeded, signal = new AbortController().signal) {
    const listener = await listen(pubsub, ids.scenarioId);
    await run.execute(ids.runId, signal);
    await listener.stop();
    return listener.events;
  }

  it("runs a queued run to success: the results written, both rows final, events from start to 100 %", async () => {
    const ids = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED });
    const { executor: ex, store, results } = executor();
    // A lost connection on the claim is retried.
    store.failures.set("claim", [Object.assign(new Error("lost"), { code: "P1001" })]);
    // A progress write that fails is logged and the run goes on.
    store.failures.set("saveProgress", [new Error("db busy")]);
    const events = await execute(ex, ids);

    const expected = await simulate(quick, { replications: 3, seed: 5, timePeriod: "hourly" });
    const folder = results.folder(ids.tenantId, ids.scenarioId, ids.runId);
    const after = await rows(prisma, ids);
    expect(after.run).toMatchObject({
      state: R.SUCCEEDED,
      results: JSON.parse(JSON.stringify(expected)) as unknown,
      blobStoragePath: folder,
      currentRep: 3,
      progressPercentage: 100,
      errorMessage: null,
    });
    expect(after.run.executionTimeMs).toBeGreaterThanOrEqual(0);
    expect(after.run.completedAt!.getTime() - after.run.startedAt!.getTime()).toBe(
      Math.round(after.run.executionTimeMs!),
    );
    expect(after.scenario).toMatchObject({
      state: S.RAN_SUCCESS,
      blobStoragePath: folder,
      currentRep: 3,
      progressPercentage: 100,
    });
    expect(JSON.parse(readFileSync(join(folder, "results.json"), "utf8"))).toEqual(
      JSON.parse(JSON.stringify(expected)),
    );
    expect((await results.read(folder, "results")).split("\n")[0]).toMatch(/^section,objectId,/);
    expect(store.calls.slice(0, 3)).toEqual(["claim", "claim", "markRunning"]);
    expect(store.calls.at(-1)).toBe("finish");
    expect(logsOf(ids.runId)).toContainEqual(
      expect.objectContaining({
        msg: "could not persist progress",
        err: expect.objectContaining({ message: "db busy" }),
      }),
    );
    expect(logsOf(ids.runId).at(-1)).toMatchObject({
      msg: "run finished",
      outcome: R.SUCCEEDED,
      tenantId: ids.tenantId,
      scenarioId: ids.scenarioId,
      executionTimeMs: after.run.executionTimeMs,
    });

    const scope = { tenantId: ids.tenantId, scenarioId: ids.scenarioId, analysisId: ids.analysisId };
    expect(events[0]).toMatchObject({
      ...scope,
      runId: ids.runId,
      state: S.IS_RUNNING,
      currentRep: 0,
      totalReps: 3,
      progressPercentage: 0,
      message: "Run started",
    });
    expect(events.at(-1)).toMatchObject({
      ...scope,
      runId: ids.runId,
      state: S.RAN_SUCCESS,
      currentRep: 3,
      totalReps: 3,
      progressPercentage: 100,
      message: null,
    });
    for (const e of events.slice(1, -1))
      expect(e).toMatchObject({ state: S.IS_RUNNING, totalReps: 3, message: null });
  });

  it("reports progress as monotone percentages below 100 and persists it while the run executes", async () => {
    const ids = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED, model: endless, reps: 4 });
    const { executor: ex, store } = executor();
    const controller = new AbortController();
    // Stopped (as a cancel) at the second progress write, a second after the first.
    store.onProgress = () => {
      if (store.progress.length === 2) controller.abort({ kind: "cancel" } satisfies AbortReason);
    };
    const events = await execute(ex, ids, controller.signal);

    expect(store.progress).toHaveLength(2);
    const [first, second] = store.progress;
    expect(first.progressPercentage).toBeGreaterThan(0);
    expect(second.progressPercentage).toBeGreaterThan(first.progressPercentage);
    expect(second.progressPercentage).toBeLessThan(25); // still in the first of 4 replications
    expect([first.currentRep, second.currentRep]).toEqual([1, 1]);
    // The percentage has two decimals.
    expect(Number(second.progressPercentage.toFixed(2))).toBe(second.progressPercentage);

    const running = events.slice(1, -1);
    expect(running.length).toBeGreaterThanOrEqual(1);
    let previous = 0;
    for (const e of running) {
      expect(e).toMatchObject({ state: S.IS_RUNNING, currentRep: 1, totalReps: 4, message: null });
      expect(e.progressPercentage).toBeGreaterThan(previous);
      previous = e.progressPercentage;
    }
    expect(previous).toBeLessThanOrEqual(second.progressPercentage);
    // A cancel mid-run ends both rows cancelled; the final event keeps where the run got to.
    expect(events.at(-1)).toMatchObject({
      state: S.CANCELLED,
      currentRep: 1,
      totalReps: 4,
      progressPercentage: second.progressPercentage,
      message: null,
    });
    const after = await rows(prisma, ids);
    expect(after.run.state).toBe(R.CANCELLED);
    expect(after.scenario.state).toBe(S.CANCELLED);
    expect(store.finished).toEqual([{ kind: R.CANCELLED }]);
  });

  it("persists progress that matches the replication it names", async () => {
    const ids = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED, model: steady, reps: 3 });
    const { executor: ex, store } = executor();
    await execute(ex, ids);
    // The first write comes at the latest when the first replication is done.
    expect(store.progress.length).toBeGreaterThanOrEqual(1);
    for (const { currentRep, progressPercentage } of store.progress) {
      expect(currentRep).toBeGreaterThanOrEqual(1);
      expect(currentRep).toBeLessThanOrEqual(3);
      expect(progressPercentage).toBeGreaterThanOrEqual(Math.floor(((currentRep - 1) / 3) * 10_000) / 100);
      expect(progressPercentage).toBeLessThan((currentRep / 3) * 100);
    }
    expect((await rows(prisma, ids)).run.state).toBe(R.SUCCEEDED);
  });

  it("leaves a run that is no longer waiting alone", async () => {
    const ids = await seed(prisma, { scenario: S.CANCELLED, run: R.CANCELLED });
    const { executor: ex, store } = executor();
    const before = await rows(prisma, ids);
    const events = await execute(ex, ids);
    expect(events).toEqual([]);
    expect(store.calls).toEqual(["claim"]);
    expect(await rows(prisma, ids)).toEqual(before);
  });

  it("ends a run whose scenario was cancelled before it started, without simulating", async () => {
    const ids = await seed(prisma, { scenario: S.CANCELLED, run: R.QUEUED });
    const { executor: ex, store } = executor();
    const events = await execute(ex, ids);
    expect(store.calls).toEqual(["claim", "markRunning", "finish"]);
    expect(store.finished).toEqual([{ kind: R.CANCELLED }]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      state: S.CANCELLED,
      currentRep: 0,
      totalReps: 3,
      progressPercentage: 0,
      message: null,
    });
    const after = await rows(prisma, ids);
    expect(after.run).toMatchObject({ state: R.CANCELLED, results: null });
    expect(after.scenario.state).toBe(S.CANCELLED);
    expect(after.scenario.completedAt).toEqual(after.run.completedAt);
  });

  it("requeues a run interrupted by a shutdown", async () => {
    const ids = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED, model: endless });
    const { executor: ex, store } = executor();
    const controller = new AbortController();
    store.onProgress = () => controller.abort({ kind: "shutdown" } satisfies AbortReason);
    const events = await execute(ex, ids, controller.signal);
    expect(store.calls.at(-1)).toBe("requeue");
    expect(store.finished).toEqual([]);
    expect(events.at(-1)).toMatchObject({
      state: S.QUEUED,
      currentRep: 0,
      totalReps: 3,
      progressPercentage: 0,
      message: "Requeued: the service is shutting down",
    });
    const after = await rows(prisma, ids);
    expect(after.run).toMatchObject({ state: R.QUEUED, startedAt: null, completedAt: null });
    expect(after.scenario.state).toBe(S.QUEUED);
    // Its endless run must not wait for a later test's runner.
    await prisma.scenarioRun.update({ where: { id: ids.runId }, data: { state: toDbState(R.CANCELLED) } });
    await prisma.scenario.update({ where: { id: ids.scenarioId }, data: { state: toDbState(S.CANCELLED) } });
  });

  it("stops a run whose lease was lost (queue mode) and writes nothing of it", async () => {
    const ids = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED, model: endless });
    const { executor: ex, store } = executor();
    const controller = new AbortController();
    store.onProgress = () => controller.abort({ kind: "lease" } satisfies AbortReason);
    const events = await execute(ex, ids, controller.signal);
    expect(store.finished).toEqual([]);
    expect(store.calls).not.toContain("requeue");
    // No final event either: the run's new holder reports it.
    expect(events.every((e) => e.state === S.IS_RUNNING)).toBe(true);
    const after = await rows(prisma, ids);
    expect(after.run).toMatchObject({ state: R.RUNNING, completedAt: null });
    expect(after.scenario.state).toBe(S.IS_RUNNING);
    await prisma.scenarioRun.update({ where: { id: ids.runId }, data: { state: toDbState(R.CANCELLED) } });
    await prisma.scenario.update({ where: { id: ids.scenarioId }, data: { state: toDbState(S.CANCELLED) } });
  });

  it("releases a run for its new holder, and abandons one interrupted too often with a final event", async () => {
    const lost = await seed(prisma, { scenario: S.IS_RUNNING, run: R.RUNNING });
    const { executor: ex, store } = executor();
    await ex.release(lost.runId);
    expect((await rows(prisma, lost)).run.state).toBe(R.QUEUED);
    const listener = await listen(pubsub, lost.scenarioId);
    await ex.abandon(lost.runId, "The run was interrupted 2 times");
    await listener.stop();
    expect(store.calls).toEqual(["release", "abandon"]);
    expect(listener.events.at(-1)).toMatchObject({
      runId: lost.runId,
      state: S.RAN_WITH_ERRORS,
      message: "The run was interrupted 2 times",
    });
    expect((await rows(prisma, lost)).scenario).toMatchObject({
      state: S.RAN_WITH_ERRORS,
      errorMessage: "The run was interrupted 2 times",
    });
  });

  it("fails a run that exceeds its timeout", async () => {
    const ids = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED, model: endless, timeoutSeconds: 1 });
    const { executor: ex, store } = executor();
    const events = await execute(ex, ids);
    const message = "Run timed out after 1 s";
    expect(store.finished).toEqual([{ kind: R.FAILED, message, details: null, stack: null }]);
    expect(events.at(-1)).toMatchObject({ state: S.RAN_WITH_ERRORS, message });
    const after = await rows(prisma, ids);
    expect(after.run).toMatchObject({ state: R.FAILED, errorMessage: message });
    expect(after.scenario).toMatchObject({ state: S.RAN_WITH_ERRORS, errorMessage: message });
  });

  it("fails a run whose model does not validate, with the issues as details", async () => {
    const bad = structuredClone<QuodsiModel>(quick);
    bad.activities![0].capacity = -1;
    const ids = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED, model: bad });
    const { executor: ex } = executor();
    const events = await execute(ex, ids);
    const after = await rows(prisma, ids);
    expect(after.run.state).toBe(R.FAILED);
    expect(after.run.errorMessage).toMatch(/^model is not runnable: activities\[0\]\.capacity/);
    expect(JSON.parse(after.run.errorDetails!)).toEqual([
      { path: "activities[0].capacity", message: "must be an integer >= 1" },
    ]);
    expect(after.run.errorStackTrace).toMatch(/^InvalidModelError/);
    expect(after.scenario).toMatchObject({
      state: S.RAN_WITH_ERRORS,
      errorMessage: after.run.errorMessage,
    });
    // Nothing ran: the final event is on the first replication at 0 %.
    expect(events.at(-1)).toMatchObject({
      state: S.RAN_WITH_ERRORS,
      currentRep: 1,
      progressPercentage: 0,
      message: after.run.errorMessage,
    });
  });

  it("fails a run whose results cannot be written", async () => {
    const notADirectory = join(dataDir, "file");
    writeFileSync(notADirectory, "");
    const ids = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED });
    const { executor: ex, store } = executor({ results: new ResultsStore(notADirectory) });
    const events = await execute(ex, ids);
    const after = await rows(prisma, ids);
    expect(after.run.state).toBe(R.FAILED);
    expect(after.run.errorMessage).toMatch(/^Results could not be saved: .*ENOTDIR/);
    expect(after.run.errorStackTrace).toMatch(/ENOTDIR/);
    expect(after.run.results).toBeNull();
    expect(after.scenario.state).toBe(S.RAN_WITH_ERRORS);
    expect(store.finished.map((f) => f.kind)).toEqual([R.FAILED]);
    expect(events.at(-1)).toMatchObject({ state: S.RAN_WITH_ERRORS, message: after.run.errorMessage });
  });

  it("fails a run whose outcome cannot be recorded and removes the results it wrote", async () => {
    const ids = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED });
    const { executor: ex, store, results } = executor();
    store.failures.set("finish", [new Error("disk full")]);
    await execute(ex, ids);
    const after = await rows(prisma, ids);
    expect(store.finished.map((f) => f.kind)).toEqual([R.FAILED]);
    expect(after.run).toMatchObject({
      state: R.FAILED,
      errorMessage: "Results could not be saved: disk full",
      blobStoragePath: null,
    });
    expect(existsSync(results.folder(ids.tenantId, ids.scenarioId, ids.runId))).toBe(false);
    expect(logsOf(ids.runId)).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: "could not save the run's outcome",
        tenantId: ids.tenantId,
        scenarioId: ids.scenarioId,
        err: expect.objectContaining({ message: "disk full" }),
      }),
    );
    expect(logsOf(ids.runId).at(-1)).toMatchObject({ msg: "run finished", outcome: R.FAILED });
  });

  it("recovers through the store: runs that still wait are handed back", async () => {
    const ids = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED });
    const { executor: ex, store } = executor();
    const waiting = await ex.recover();
    expect(store.calls).toEqual(["recover"]);
    expect(waiting.map((w) => w.runId)).toContain(ids.runId);
  });

  it("createRunner: recovers, executes an enqueued run once committed, and stops", async () => {
    // Recovery at start ends every run earlier tests left queued; this one is enqueued afterwards.
    const runner = createRunner({
      prisma,
      pubsub,
      dataDir,
      concurrency: 1,
      limits: defaultRunLimits(1),
      logger,
    });
    try {
      expect(runner.consumer).toBe(runner.driver);
      expect(runner.pubsub).toBe(pubsub);
      await runner.start();
      const ids = await seed(prisma, { scenario: S.QUEUED, run: R.QUEUED });
      const listener = await listen(pubsub, ids.scenarioId);
      const committed: (() => void)[] = [];
      await runner.driver.enqueue(
        { runId: ids.runId, tenantId: ids.tenantId, priority: 0, queuedAt: new Date() },
        { query: () => Promise.resolve([]), afterCommit: (fn) => committed.push(fn) },
      );
      const ended = new Promise<void>((resolve) => {
        const poll = () =>
          listener.events.at(-1)?.state === S.RAN_SUCCESS ? resolve() : setTimeout(poll, 20);
        poll();
      });
      for (const fn of committed) fn();
      await ended;
      await listener.stop();
      const after = await rows(prisma, ids);
      expect(after.run.state).toBe(R.SUCCEEDED);
      expect(after.run.blobStoragePath).toBe(runner.results.folder(ids.tenantId, ids.scenarioId, ids.runId));
    } finally {
      await runner.stop(1000);
    }
    expect(runner.consumer.active).toBe(0);
  });
});
