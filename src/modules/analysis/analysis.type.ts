import { Field, ID, Int, ObjectType } from "type-graphql";
import type { Analysis as AnalysisRow } from "../../generated/prisma/client.js";
import { connectionType } from "../common/connection.js";
import { fromDbEnum, TimePeriod } from "../common/enums.js";
import { DateTimeScalar } from "../common/scalars.js";

@ObjectType({ description: "A group of what-if scenarios over one model" })
export class Analysis {
  @Field(() => ID, { description: "Analysis id" })
  id!: string;

  @Field(() => String, { description: "Display name, unique among the model's analyses" })
  name!: string;

  @Field(() => String, { nullable: true, description: "Free-text description" })
  description!: string | null;

  @Field(() => Int, { description: "Replications a new scenario gets when it names none" })
  defaultReps!: number;

  @Field(() => TimePeriod, { description: "Time-series period a new scenario gets when it names none" })
  defaultTimePeriod!: TimePeriod;

  @Field(() => DateTimeScalar, { description: "When the analysis was created" })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: "When the analysis was last changed" })
  updatedAt!: Date;

  modelId!: string;
  createdByUserId!: string;
}

export const AnalysisConnection = connectionType(Analysis, "Analysis");

export function toAnalysis(row: AnalysisRow): Analysis {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    defaultReps: row.defaultReps,
    defaultTimePeriod: fromDbEnum<TimePeriod>(row.defaultTimePeriod),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    modelId: row.modelId,
    createdByUserId: row.createdByUserId,
  };
}
