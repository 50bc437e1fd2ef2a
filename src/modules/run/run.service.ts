import { createHash, randomInt } from "node:crypto";
import { AppError, badInput, conflict, ErrorCode, invalidState } from "../../errors.js";
import { Role, roleAtLeast } from "../auth/principal.js";
import type { Prisma } from "../../generated/prisma/client.js";
import {
  cancel,
  enqueue,
  invalidate,
  isActive,
  prepare,
  RunState,
  ScenarioState,
  storedScenarioSources,
  toDbState,
  TRANSITIONS,
} from "../../lifecycle/index.js";
import {
  progressEvent,
  publishProgress,
  type ProgressEvent,
  type ProgressPoint,
} from "../../pubsub/pubsub.js";
import type { EnqueueTx } from "../../runner/driver.js";
import type { QuodsiModel } from "../../simulation/index.js";
import type { AnalysisService } from "../analysis/analysis.service.js";
import { toDbEnum } from "../common/enums.js";
import type { ServiceDeps } from "../deps.js";
import type { ItemProfileService } from "../item-profile/item-profile.service.js";
import { boundProblems, runProblems } from "../scenario/effective-model.js";
import type { ScenarioService } from "../scenario/scenario.service.js";
import type { Scenario } from "../scenario/scenario.type.js";
import { toRun, type RunOptionsInput, type ScenarioRun } from "./run.type.js";

/** Canonical JSON (sorted keys) so equal models hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The scenario lifecycle: prepare, run, run a whole analysis, cancel; and run history. */
export class RunService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly scenarios: ScenarioService,
    private readonly analyses: AnalysisService,
    private readonly itemProfiles: ItemProfileService,
  ) {}

  /**
   * The effective model if it is valid, runnable and within the service's
   * bounds (MODEL_MAX_*); BAD_USER_INPUT with every problem otherwise.
   */
  private async validated(scenario: Scenario): Promise<QuodsiModel> {
    const effective = await this.itemProfiles.effective(scenario);
    const problems = [...runProblems(effective), ...boundProblems(effective, this.deps.runtime.limits.model)];
    if (problems.length || !effective.ok)
      throw badInput(
        "The scenario cannot run: its effective model is not valid or uses unsupported features",
        problems,
      );
    return effective.value;
  }

  async prepare(id: string): Promise<Scenario> {
    const scenario = await this.scenarios.require(id);
    const next = prepare(scenario.state, `Scenario ${id}`);
    await this.validated(scenario);
    if (next !== scenario.state)
      await this.deps.db.scenario.updateMany({
        where: { id, state: toDbState(scenario.state) },
        data: { state: toDbState(next), stateReason: null },
      });
    return this.scenarios.reload(id);
  }

  /**
   * The options a run starts with: the default timeout when none is asked
   * for; a timeout above RUN_MAX_TIMEOUT_SECONDS is BAD_USER_INPUT, a priority
   * above RUN_MAX_PRIORITY_WITHOUT_ADMIN needs ADMIN (FORBIDDEN).
   */
  private runOptions(options: RunOptionsInput): { timeoutSeconds: number; priority: number } {
    const { limits } = this.deps.runtime;
    const timeoutSeconds = options.timeoutSeconds ?? limits.defaultTimeoutSeconds;
    if (timeoutSeconds > limits.maxTimeoutSeconds)
      throw badInput("Input validation failed", [
        { path: "options.timeoutSeconds", message: `must not be greater than ${limits.maxTimeoutSeconds}` },
      ]);
    const priority = options.priority ?? 0;
    if (priority > limits.maxPriorityWithoutAdmin && !roleAtLeast(this.deps.principal.role, Role.ADMIN))
      throw new AppError(
        ErrorCode.FORBIDDEN,
        `A priority above ${limits.maxPriorityWithoutAdmin} requires the ADMIN role`,
        [{ path: "options.priority", message: `must not be greater than ${limits.maxPriorityWithoutAdmin}` }],
      );
    return { timeoutSeconds, priority };
  }

  async run(id: string, options: RunOptionsInput = {}): Promise<Scenario> {
    const { timeoutSeconds, priority } = this.runOptions(options);
    const scenario = await this.scenarios.require(id);
    const queued = enqueue(scenario.state, `Scenario ${id}`);
    const model = await this.validated(scenario);
    const seed =
      options.seed ??
      (Number.isInteger(model.seed) && (model.seed as number) >= 0
        ? (model.seed as number) % 2_147_483_648
        : randomInt(2_147_483_647));
    const modelJson = canonical(model);
    const { db, principal, runtime } = this.deps;
    const committed: (() => void)[] = [];
    const run = await db.$transaction(async (tx) => {
      // Guarded on state and on the version read above: of two concurrent calls exactly one gets here.
      const { count } = await tx.scenario.updateMany({
        where: {
          id,
          isDeleted: false,
          state: { in: storedScenarioSources(TRANSITIONS.enqueue) },
          updatedAt: scenario.updatedAt,
        },
        data: {
          state: toDbState(queued),
          stateReason: null,
          currentRep: 0,
          totalReps: scenario.reps,
          progressPercentage: 0,
          startedAt: null,
          completedAt: null,
          executionTimeMs: null,
          errorMessage: null,
          errorDetails: null,
          errorStackTrace: null,
          blobStoragePath: null,
        },
      });
      if (count === 0) throw invalidState(`Scenario ${id} changed or started running meanwhile; reload it`);
      const attempt = (await tx.scenarioRun.count({ where: { scenarioId: id } })) + 1;
      const row = await tx.scenarioRun.create({
        data: {
          tenantId: principal.tenantId,
          scenarioId: id,
          attempt,
          state: toDbState(RunState.QUEUED),
          seed,
          reps: scenario.reps,
          timePeriod: toDbEnum(scenario.timePeriod),
          priority,
          timeoutSeconds,
          modelHash: createHash("sha256").update(modelJson).digest("hex"),
          effectiveModel: JSON.parse(modelJson) as Prisma.InputJsonValue,
          createdByUserId: principal.userId,
        },
      });
      await tx.scenario.updateMany({ where: { id }, data: { latestRunId: row.id } });
      const enqueueTx: EnqueueTx = {
        query: (sql, values) => tx.$queryRawUnsafe<unknown[]>(sql, ...values),
        afterCommit: (fn) => committed.push(fn),
      };
      await runtime.driver.enqueue(
        {
          runId: row.id,
          tenantId: row.tenantId,
          priority: row.priority,
          queuedAt: row.queuedAt,
          timeoutSeconds: row.timeoutSeconds,
        },
        enqueueTx,
      );
      return row;
    });
    for (const fn of committed) fn();
    this.publish(
      scenario,
      run.id,
      queued,
      { currentRep: 0, totalReps: run.reps, progressPercentage: 0 },
      "Queued",
    );
    return this.scenarios.reload(id);
  }

  /**
   * Runs every scenario of the analysis that can run. Scenarios already running
   * are left alone; invalid ones move to NOT_READY_TO_RUN with the reason.
   */
  async runAnalysis(id: string, options: RunOptionsInput = {}): Promise<Scenario[]> {
    this.runOptions(options);
    await this.analyses.require(id);
    for (const row of await this.scenarios.listLive(id)) {
      if (isActive(row.state)) continue;
      try {
        await this.run(row.id, options);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        if (err.code === ErrorCode.BAD_USER_INPUT) {
          const reason = [err.message, ...(err.details ?? []).map((d) => `${d.path}: ${d.message}`)].join(
            "\n",
          );
          await this.deps.db.scenario.updateMany({
            where: {
              id: row.id,
              state: { in: storedScenarioSources(TRANSITIONS.invalidate) },
            },
            data: { state: toDbState(invalidate(row.state)), stateReason: reason },
          });
        } else if (err.code !== ErrorCode.INVALID_STATE) {
          throw err;
        }
      }
    }
    return this.scenarios.listLive(id);
  }

  /** Cancels a queued or running run; a no-op for one already cancelling or cancelled. */
  async cancel(id: string): Promise<Scenario> {
    await this.scenarios.require(id);
    const { db, runtime } = this.deps;
    // Each step is guarded on the state it read; a run that moved on meanwhile is looked at again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const scenario = await this.scenarios.reload(id);
      const runId = scenario.latestRunId;
      const from = scenario.state;
      const to = cancel(from, `Scenario ${id}`);
      if (to === from) return scenario; // already cancelling or cancelled
      const completedAt = to === ScenarioState.CANCELLED ? new Date() : undefined;
      const moved = await db.$transaction(async (tx) => {
        const { count } = await tx.scenario.updateMany({
          where: { id, state: toDbState(from) },
          data: { state: toDbState(to), ...(completedAt ? { completedAt } : {}) },
        });
        // A queued run ends with its scenario; a running one is ended by its runner.
        if (count > 0 && runId && completedAt)
          await tx.scenarioRun.updateMany({
            where: { id: runId, state: toDbState(RunState.QUEUED) },
            data: { state: toDbState(RunState.CANCELLED), completedAt },
          });
        return count > 0;
      });
      if (!moved) continue;
      if (runId) runtime.driver.cancel(runId);
      const queued = from === ScenarioState.QUEUED;
      this.publish(
        scenario,
        runId,
        to,
        {
          currentRep: queued ? 0 : (scenario.currentRep ?? 0),
          totalReps: scenario.totalReps ?? scenario.reps,
          progressPercentage: queued ? 0 : (scenario.progressPercentage ?? 0),
        },
        queued ? "Cancelled before it started" : "Cancelling",
      );
      return this.scenarios.reload(id);
    }
    throw conflict(`Scenario ${id} kept changing state; retry the cancel`);
  }

  async get(id: string): Promise<ScenarioRun | null> {
    const row = await this.deps.loaders.run.load(id);
    return row ? toRun(row) : null;
  }

  /** The effective model a run executed (kept out of the by-id loader: it can be large). */
  async inputsOf(runId: string): Promise<unknown> {
    const row = await this.deps.db.scenarioRun.findFirstOrThrow({
      where: { id: runId },
      select: { effectiveModel: true },
    });
    return row.effectiveModel;
  }

  async forScenario(scenarioId: string): Promise<ScenarioRun[]> {
    return (await this.deps.loaders.runsByScenario.load(scenarioId)).map(toRun);
  }

  async latest(scenario: Scenario): Promise<ScenarioRun | null> {
    return scenario.latestRunId ? this.get(scenario.latestRunId) : null;
  }

  /** Results shown on a scenario: those of its latest run, when it succeeded. */
  async resultsOf(scenario: Scenario) {
    const run = await this.latest(scenario);
    return run?.summary ?? null;
  }

  /** The scenario's current state as a progress event (sent first to new subscribers). */
  snapshot(scenario: Scenario): ProgressEvent {
    return progressEvent(
      this.scopeOf(scenario, scenario.latestRunId),
      scenario.state,
      {
        currentRep: scenario.currentRep ?? 0,
        totalReps: scenario.totalReps ?? scenario.reps,
        progressPercentage: scenario.progressPercentage ?? 0,
      },
      scenario.errorMessage,
    );
  }

  private scopeOf(scenario: Scenario, runId: string | null) {
    return {
      tenantId: this.deps.principal.tenantId,
      scenarioId: scenario.id,
      analysisId: scenario.analysisId,
      runId,
    };
  }

  private publish(
    scenario: Scenario,
    runId: string | null,
    state: ScenarioState,
    point: ProgressPoint,
    message: string,
  ): void {
    publishProgress(
      this.deps.runtime.pubsub,
      progressEvent(this.scopeOf(scenario, runId), state, point, message),
    );
  }
}
