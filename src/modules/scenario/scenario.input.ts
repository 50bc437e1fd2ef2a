import { ArgsType, Field, ID, InputType, Int } from "type-graphql";
import { IsOptional, IsUUID, MaxLength, ArrayMaxSize, ValidateNested } from "class-validator";
import { ScenarioState, TimePeriod } from "../common/enums.js";
import { PageArgs } from "../common/pagination.js";
import { RepsRules } from "../common/reps.js";
import { DateTimeScalar } from "../common/scalars.js";
import { DescribedInput } from "../common/inputs.js";
import { NameRules } from "../common/validators.js";

/** What a scenario's create and update inputs share. */
@InputType()
abstract class ScenarioSettingsInput extends DescribedInput {
  @Field(() => Int, { nullable: true, description: "Replications per run, 1 to 10 000" })
  @RepsRules()
  reps?: number;

  @Field(() => TimePeriod, { nullable: true, description: "Bucket size of result time series" })
  timePeriod?: TimePeriod;
}

@InputType({ description: "A new scenario; reps and timePeriod default to the analysis's defaults" })
export class CreateScenarioInput extends ScenarioSettingsInput {
  @Field(() => ID, { description: "The analysis the scenario belongs to" })
  analysisId!: string;

  @Field(() => String, { description: "Display name, 1 to 200 characters, unique within the analysis" })
  @NameRules()
  name!: string;
}

@InputType({
  description: "Changes to a scenario. Changing reps or timePeriod after a run makes its results stale",
})
export class UpdateScenarioInput extends ScenarioSettingsInput {
  @Field(() => String, {
    nullable: true,
    description: "Display name, 1 to 200 characters, unique within the analysis",
  })
  @IsOptional()
  @NameRules()
  name?: string;
}

@InputType({ description: "Filter for the scenarios query" })
export class ScenarioFilter {
  @Field(() => ID, { nullable: true, description: "Only scenarios of this analysis" })
  @IsOptional()
  @IsUUID("all", { message: "analysisId must be an id" })
  analysisId?: string;

  @Field(() => [ScenarioState], { nullable: true, description: "Only scenarios in one of these states" })
  @IsOptional()
  @ArrayMaxSize(8)
  states?: ScenarioState[];

  @Field(() => String, { nullable: true, description: "Case-insensitive substring of the name" })
  @IsOptional()
  @MaxLength(200)
  nameContains?: string;

  @Field(() => DateTimeScalar, { nullable: true, description: "Created at or after this instant" })
  createdAfter?: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: "Created before this instant" })
  createdBefore?: Date;

  @Field(() => Boolean, { nullable: true, description: "Include soft-deleted scenarios (default false)" })
  includeDeleted?: boolean;
}

@ArgsType()
export class ScenariosArgs extends PageArgs {
  @Field(() => ScenarioFilter, {
    nullable: true,
    description: "Filter; all scenarios of the tenant when omitted",
  })
  @IsOptional()
  @ValidateNested()
  filter?: ScenarioFilter;
}

@ArgsType()
export class AnalysisScenariosArgs extends PageArgs {
  @Field(() => [ScenarioState], { nullable: true, description: "Only scenarios in one of these states" })
  @IsOptional()
  @ArrayMaxSize(8)
  states?: ScenarioState[];
}
