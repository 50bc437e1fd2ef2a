import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import type { Scenario as ScenarioRow } from "../../generated/prisma/client.js";
import { connectionType } from "../common/connection.js";
import { scenarioStateOf } from "../../lifecycle/states.js";
import { fromDbEnum, ScenarioState, TimePeriod } from "../common/enums.js";
import { DateTimeScalar } from "../common/scalars.js";
import { projectRelativeStack } from "../../errors.js";

@ObjectType({
  description: "One what-if variant of an analysis's model: overrides, replications and its latest run",
})
export class Scenario {
  @Field(() => ID, { description: "Scenario id" })
  id!: string;

  @Field(() => String, { description: "Display name, unique among the analysis's live scenarios" })
  name!: string;

  @Field(() => String, { nullable: true, description: "Free-text description" })
  description!: string | null;

  @Field(() => Int, { description: "Replications per run, 1 to 10 000" })
  reps!: number;

  @Field(() => TimePeriod, { description: "Bucket size of result time series" })
  timePeriod!: TimePeriod;

  @Field(() => ScenarioState, { description: "Lifecycle state" })
  state!: ScenarioState;

  @Field(() => String, { nullable: true, description: "Why the scenario is NOT_READY_TO_RUN, when known" })
  stateReason!: string | null;

  @Field(() => Int, { nullable: true, description: "Replication in progress (1-based) of the latest run" })
  currentRep!: number | null;

  @Field(() => Int, { nullable: true, description: "Replications of the latest run" })
  totalReps!: number | null;

  @Field(() => Float, { nullable: true, description: "Progress of the latest run, 0 to 100" })
  progressPercentage!: number | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the latest run started executing" })
  startedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the latest run ended" })
  completedAt!: Date | null;

  @Field(() => Float, {
    nullable: true,
    description: "Wall-clock execution time of the latest run, in milliseconds",
  })
  executionTimeMs!: number | null;

  @Field(() => String, { nullable: true, description: "Why the latest run failed" })
  errorMessage!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Details of the failure (e.g. validation problems as JSON lines)",
  })
  errorDetails!: string | null;

  @Field(() => String, { nullable: true, description: "Stack trace of an unexpected failure" })
  errorStackTrace!: string | null;

  @Field(() => String, { nullable: true, description: "Folder with the latest run's result files" })
  blobStoragePath!: string | null;

  @Field(() => Boolean, {
    description:
      "True when inputs changed after the latest successful run; its results no longer describe the scenario",
  })
  resultsStale!: boolean;

  @Field(() => Boolean, {
    description: "True when the scenario is soft-deleted (restore with restoreScenario)",
  })
  isDeleted!: boolean;

  @Field(() => DateTimeScalar, { description: "When the scenario was created" })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: "When the scenario was last changed" })
  updatedAt!: Date;

  analysisId!: string;
  createdByUserId!: string;
  latestRunId!: string | null;
}

export const ScenarioConnection = connectionType(Scenario, "Scenario");

export function toScenario(row: ScenarioRow): Scenario {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    reps: row.reps,
    timePeriod: fromDbEnum<TimePeriod>(row.timePeriod),
    state: scenarioStateOf(row.state),
    stateReason: row.stateReason,
    currentRep: row.currentRep,
    totalReps: row.totalReps,
    progressPercentage: row.progressPercentage === null ? null : Number(row.progressPercentage),
    startedAt: row.startedAt,
    completedAt: row.completedAt,
    executionTimeMs: row.executionTimeMs,
    errorMessage: row.errorMessage,
    errorDetails: row.errorDetails,
    // Rows stored before traces were made relative.
    errorStackTrace: row.errorStackTrace && projectRelativeStack(row.errorStackTrace),
    blobStoragePath: row.blobStoragePath,
    resultsStale: row.resultsStale,
    isDeleted: row.isDeleted,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    analysisId: row.analysisId,
    createdByUserId: row.createdByUserId,
    latestRunId: row.latestRunId,
  };
}
