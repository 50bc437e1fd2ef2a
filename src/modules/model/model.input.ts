import { ArgsType, Field, InputType } from "type-graphql";
import { IsOptional, MaxLength } from "class-validator";
import { PageArgs } from "../common/pagination.js";
import { JSONScalar } from "../common/scalars.js";
import { DescribedInput } from "../common/inputs.js";
import { NameRules } from "../common/validators.js";

@InputType({ description: "A new model" })
export class CreateModelInput extends DescribedInput {
  @Field(() => String, { description: "Display name, 1 to 200 characters" })
  @NameRules()
  name!: string;

  @Field(() => JSONScalar, {
    description: "Quodsi clean wire-format model document; validated for shape and references",
  })
  definition!: unknown;
}

@InputType({ description: "Changes to a model; a new definition bumps its version" })
export class UpdateModelInput extends DescribedInput {
  @Field(() => String, { nullable: true, description: "Display name, 1 to 200 characters" })
  @IsOptional()
  @NameRules()
  name?: string;

  @Field(() => JSONScalar, { nullable: true, description: "New Quodsi wire-format definition" })
  definition?: unknown;
}

@ArgsType()
export class ModelsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "Case-insensitive substring of the name" })
  @IsOptional()
  @MaxLength(200)
  nameContains?: string;
}
