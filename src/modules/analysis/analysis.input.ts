import { ArgsType, Field, ID, InputType, Int } from "type-graphql";
import { IsOptional, IsUUID, MaxLength } from "class-validator";
import { TimePeriod } from "../common/enums.js";
import { PageArgs } from "../common/pagination.js";
import { RepsRules } from "../common/reps.js";
import { DescriptionRules, NameRules } from "../common/validators.js";

@InputType({ description: "A new analysis of a model" })
export class CreateAnalysisInput {
  @Field(() => ID, { description: "The model to analyse" })
  modelId!: string;

  @Field(() => String, { description: "Display name, 1 to 200 characters, unique per model" })
  @NameRules()
  name!: string;

  @Field(() => String, { nullable: true, description: "Free-text description" })
  @DescriptionRules()
  description?: string;

  @Field(() => Int, { nullable: true, description: "Default replications, 1 to 10 000 (default: the model's `replications`, else 1)" })
  @RepsRules()
  defaultReps?: number;

  @Field(() => TimePeriod, { nullable: true, description: "Default time-series period (default DAILY)" })
  defaultTimePeriod?: TimePeriod;
}

@InputType({ description: "Changes to an analysis" })
export class UpdateAnalysisInput {
  @Field(() => String, { nullable: true, description: "Display name, 1 to 200 characters, unique per model" })
  @IsOptional()
  @NameRules()
  name?: string;

  @Field(() => String, { nullable: true, description: "Free-text description" })
  @DescriptionRules()
  description?: string;

  @Field(() => Int, { nullable: true, description: "Default replications for new scenarios, 1 to 10 000" })
  @RepsRules()
  defaultReps?: number;

  @Field(() => TimePeriod, { nullable: true, description: "Default time-series period for new scenarios" })
  defaultTimePeriod?: TimePeriod;
}

@ArgsType()
export class AnalysesArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: "Only analyses of this model" })
  @IsOptional()
  @IsUUID("all", { message: "modelId must be an id" })
  modelId?: string;

  @Field(() => String, { nullable: true, description: "Case-insensitive substring of the name" })
  @IsOptional()
  @MaxLength(200)
  nameContains?: string;
}
