import type { SimulationSummary, TimePeriod } from "../simulation/index.js";
import type { RunState, ScenarioState } from "./states.js";

/**
 * A run waiting to execute: taken fairly across tenants, then higher priority
 * first, then first come first served (src/runner/fair-share.ts).
 */
export interface QueuedRun {
  runId: string;
  tenantId: string;
  priority: number;
  queuedAt: Date;
  /** The run's own time limit, when the queue must know it (a job outlives it only a little). */
  timeoutSeconds?: number | null;
}

/** What a runner needs of a claimed run: its inputs snapshot and where to report. */
export interface ClaimedRun {
  id: string;
  tenantId: string;
  scenarioId: string;
  analysisId: string;
  reps: number;
  seed: number;
  timePeriod: TimePeriod;
  timeoutSeconds: number | null;
  effectiveModel: unknown;
  /**
   * When this execution claimed the run: its fencing token. Every later write of
   * the execution is guarded on it, so an execution that lost the run to another
   * worker (queue mode) writes nothing.
   */
  startedAt: Date;
}

/** Which scenario a run belongs to, and the state it was left in. */
export interface AbandonedRun {
  tenantId: string;
  scenarioId: string;
  analysisId: string;
  reps: number;
  state: ScenarioState;
}

/** How an execution ended, with what the final write needs. */
export type RunResult =
  | { kind: RunState.SUCCEEDED; summary: SimulationSummary; folder: string | null }
  | { kind: RunState.CANCELLED }
  | { kind: RunState.FAILED; message: string; details: string | null; stack: string | null };

/** Wall-clock facts of an execution, written with its final state. */
export interface RunTiming {
  completedAt: Date;
  executionTimeMs: number;
}

/**
 * Every write a runner makes to scenario and run rows, each one a named
 * transition of the lifecycle guarded on the states it may start from, so the
 * inline driver, recovery after a restart and a worker process share them.
 * Scenario columns are written only while the run is the scenario's latest.
 * Implementations do not retry; callers wrap transient failures.
 */
export interface RunStore {
  /** `claim`: the run row QUEUED → RUNNING; its inputs, or null when it was cancelled or taken meanwhile. */
  claim(runId: string, startedAt: Date): Promise<ClaimedRun | null>;
  /** `markRunning`: the scenario QUEUED → IS_RUNNING; false when a cancel (or a newer run) got there first. */
  markRunning(run: ClaimedRun, startedAt: Date): Promise<boolean>;
  /** Progress of a run still executing (a sample; losing one is harmless). */
  saveProgress(run: ClaimedRun, point: { currentRep: number; progressPercentage: number }): Promise<void>;
  /** `finish(outcome)`: the run row and its scenario end, in one transaction. */
  finish(run: ClaimedRun, result: RunResult, timing: RunTiming): Promise<void>;
  /**
   * `requeue`: a run interrupted by a shutdown waits again (a scenario being cancelled stays so).
   * Returns the state its scenario is in afterwards (QUEUED, or CANCELLING), null when the
   * scenario no longer follows this run.
   */
  requeue(run: ClaimedRun): Promise<ScenarioState | null>;
  /**
   * `recover`: after a crash, runs left RUNNING end failed and queued runs whose
   * scenario no longer waits for them end cancelled; returns the queued runs
   * that still wait, oldest first within a priority.
   */
  recover(): Promise<QueuedRun[]>;
  /**
   * `release` (queue mode): a run left RUNNING by an execution that lost it waits
   * again, for the worker that now holds its job. A no-op for a run already queued.
   */
  release(runId: string): Promise<void>;
  /**
   * `abandon` (queue mode): a run interrupted too often ends failed with `message`
   * (cancelled when its scenario was being cancelled). Null when it had already ended.
   */
  abandon(runId: string, message: string): Promise<AbandonedRun | null>;
}
