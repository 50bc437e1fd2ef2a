import { ArgsType, Field, InputType } from "type-graphql";
import { IsOptional, MaxLength } from "class-validator";
import { PageArgs } from "../common/pagination.js";
import { JSONScalar } from "../common/scalars.js";
import { DescribedInput } from "../common/inputs.js";
import { NameRules } from "../common/validators.js";
import { ModelFormat } from "./model.type.js";

@InputType({ description: "A new model" })
export class CreateModelInput extends DescribedInput {
  @Field(() => String, { description: "Display name, 1 to 200 characters" })
  @NameRules()
  name!: string;

  @Field(() => JSONScalar, {
    description:
      "The model document: Quodsi JSON (clean wire, or the legacy verbose format, up-converted and stored as clean wire), or with format DRAWIO the draw.io XML document as a JSON string; validated for shape and references",
  })
  definition!: unknown;

  @Field(() => ModelFormat, {
    nullable: true,
    description: "The format of definition; detected when absent (a string starting with `<` is DRAWIO)",
  })
  @IsOptional()
  format?: ModelFormat;
}

@InputType({ description: "Changes to a model; a new definition bumps its version" })
export class UpdateModelInput extends DescribedInput {
  @Field(() => String, { nullable: true, description: "Display name, 1 to 200 characters" })
  @IsOptional()
  @NameRules()
  name?: string;

  @Field(() => JSONScalar, {
    nullable: true,
    description: "New definition, in any format createModel accepts (see CreateModelInput.definition)",
  })
  definition?: unknown;

  @Field(() => ModelFormat, {
    nullable: true,
    description: "The format of definition; detected when absent",
  })
  @IsOptional()
  format?: ModelFormat;
}

@ArgsType()
export class ModelsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "Case-insensitive substring of the name" })
  @IsOptional()
  @MaxLength(200)
  nameContains?: string;
}
