import { Field, Float, ID, InputType, Int, ObjectType } from "type-graphql";
import { IsInt, IsOptional, Max, Min } from "class-validator";
import { PRIORITY_RANGE, TIMEOUT_SECONDS_CEILING } from "../../config.js";
import type { ScenarioRun as RunRow } from "../../generated/prisma/client.js";
import type { ProgressEvent } from "../../pubsub/pubsub.js";
import type { SimulationSummary } from "../../simulation/index.js";
import { runStateOf } from "../../lifecycle/states.js";
import { RunState, ScenarioState } from "../common/enums.js";
import { DateTimeScalar } from "../common/scalars.js";

@ObjectType({ description: "One attempt to run a scenario, with the inputs it ran and its results" })
export class ScenarioRun {
  @Field(() => ID, { description: "Run id" })
  id!: string;

  @Field(() => RunState, { description: "State of this attempt" })
  state!: RunState;

  @Field(() => Int, { description: "1 for the scenario's first run, then 2, 3, …" })
  attempt!: number;

  @Field(() => Int, { description: "Base seed; the same seed and inputs give identical results" })
  seed!: number;

  @Field(() => Int, { description: "Replications" })
  reps!: number;

  @Field(() => Int, { description: "Queue priority among the tenant's own runs (higher runs first)" })
  priority!: number;

  @Field(() => Int, {
    nullable: true,
    description: "Wall-clock limit in seconds (the service's default when the run asked for none)",
  })
  timeoutSeconds!: number | null;

  @Field(() => String, { description: "SHA-256 of the effective model this run executed" })
  modelHash!: string;

  @Field(() => Int, { description: "Replication in progress (1-based), or the last one when finished" })
  currentRep!: number;

  @Field(() => Float, { description: "Progress, 0 to 100" })
  progressPercentage!: number;

  @Field(() => DateTimeScalar, { description: "When the run was requested" })
  queuedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: "When it started executing" })
  startedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When it ended" })
  completedAt!: Date | null;

  @Field(() => Float, { nullable: true, description: "Wall-clock execution time in milliseconds" })
  executionTimeMs!: number | null;

  @Field(() => String, { nullable: true, description: "Why the run failed" })
  errorMessage!: string | null;

  @Field(() => String, { nullable: true, description: "Details of the failure" })
  errorDetails!: string | null;

  @Field(() => String, { nullable: true, description: "Folder of the run's result files" })
  blobStoragePath!: string | null;

  scenarioId!: string;
  summary!: SimulationSummary | null;
}

export function toRun(row: Omit<RunRow, "effectiveModel">): ScenarioRun {
  return {
    id: row.id,
    state: runStateOf(row.state),
    attempt: row.attempt,
    seed: row.seed,
    reps: row.reps,
    priority: row.priority,
    timeoutSeconds: row.timeoutSeconds,
    modelHash: row.modelHash,
    currentRep: row.currentRep,
    progressPercentage: Number(row.progressPercentage),
    queuedAt: row.queuedAt,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
    executionTimeMs: row.executionTimeMs,
    errorMessage: row.errorMessage,
    errorDetails: row.errorDetails,
    blobStoragePath: row.blobStoragePath,
    scenarioId: row.scenarioId,
    summary: storedSummary(row.results),
  };
}

/**
 * A stored summary as served. State results written before they took their
 * typed shape (maps by value and name, without ids or resource and activity
 * rows) cannot be served or compared: they are left out, as for a model
 * without states; the run's other results stand.
 */
export function storedSummary(results: unknown): SimulationSummary | null {
  const summary = (results as SimulationSummary | null) ?? null;
  if (!summary?.states || Array.isArray((summary.states as { resources?: unknown }).resources))
    return summary;
  const { states: _legacy, ...rest } = summary;
  return rest;
}

@InputType({ description: "How to run" })
export class RunOptionsInput {
  @Field(() => Int, { nullable: true, description: "Base seed, 0 to 2^31-1 (default: the model's seed)" })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  seed?: number;

  @Field(() => Int, {
    nullable: true,
    description:
      "End the run as RAN_WITH_ERRORS after this many seconds: 1 to the service's maximum (RUN_MAX_TIMEOUT_SECONDS, default 86 400); absent: RUN_DEFAULT_TIMEOUT_SECONDS (default 3 600)",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(TIMEOUT_SECONDS_CEILING)
  timeoutSeconds?: number;

  @Field(() => Int, {
    nullable: true,
    description:
      "Queue priority among the tenant's own waiting runs, -100 to 100 (default 0); higher runs first. Above RUN_MAX_PRIORITY_WITHOUT_ADMIN (default 10) needs the ADMIN role. Tenants take turns whatever their runs' priorities",
  })
  @IsOptional()
  @IsInt()
  @Min(PRIORITY_RANGE.min)
  @Max(PRIORITY_RANGE.max)
  priority?: number;
}

@ObjectType({ description: "A progress event of a scenario's run" })
export class ScenarioProgress {
  @Field(() => ID, { description: "The scenario" })
  scenarioId!: string;

  @Field(() => ID, { description: "The scenario's analysis" })
  analysisId!: string;

  @Field(() => ID, { nullable: true, description: "The run, when there is one" })
  runId!: string | null;

  @Field(() => ScenarioState, { description: "Scenario state at this event" })
  state!: ScenarioState;

  @Field(() => Int, { description: "Replication in progress (1-based); equals totalReps at the end" })
  currentRep!: number;

  @Field(() => Int, { description: "Replications of the run" })
  totalReps!: number;

  @Field(() => Float, { description: "0 to 100; never decreases within a run" })
  progressPercentage!: number;

  @Field(() => String, { nullable: true, description: "What happened (e.g. the error of a failed run)" })
  message!: string | null;

  @Field(() => DateTimeScalar, { description: "When the event was emitted" })
  emittedAt!: Date;
}

export const toProgress = (event: ProgressEvent): ScenarioProgress => ({
  scenarioId: event.scenarioId,
  analysisId: event.analysisId,
  runId: event.runId,
  state: event.state,
  currentRep: event.currentRep,
  totalReps: event.totalReps,
  progressPercentage: event.progressPercentage,
  message: event.message,
  emittedAt: new Date(event.emittedAt),
});
