import { ArgsType, Field, ID, InputType, Int } from "type-graphql";
import { IsOptional, IsUUID, MaxLength } from "class-validator";
import { TimePeriod } from "../common/enums.js";
import { PageArgs } from "../common/pagination.js";
import { RepsRules } from "../common/reps.js";
import { DescribedInput } from "../common/inputs.js";
import { NameRules } from "../common/validators.js";

/** What an analysis's create and update inputs share. */
@InputType()
abstract class AnalysisSettingsInput extends DescribedInput {
  @Field(() => Int, {
    nullable: true,
    description:
      "Default replications for new scenarios, 1 to 10 000 (on create: the model's `replications`, else 1)",
  })
  @RepsRules()
  defaultReps?: number;

  @Field(() => TimePeriod, {
    nullable: true,
    description: "Default time-series period for new scenarios (on create: DAILY)",
  })
  defaultTimePeriod?: TimePeriod;
}

@InputType({ description: "A new analysis of a model" })
export class CreateAnalysisInput extends AnalysisSettingsInput {
  @Field(() => ID, { description: "The model to analyse" })
  modelId!: string;

  @Field(() => String, { description: "Display name, 1 to 200 characters, unique per model" })
  @NameRules()
  name!: string;
}

@InputType({ description: "Changes to an analysis" })
export class UpdateAnalysisInput extends AnalysisSettingsInput {
  @Field(() => String, { nullable: true, description: "Display name, 1 to 200 characters, unique per model" })
  @IsOptional()
  @NameRules()
  name?: string;
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
