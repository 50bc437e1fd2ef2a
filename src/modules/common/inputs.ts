import { Field, InputType } from "type-graphql";
import { DescriptionRules } from "./validators.js";

/** Base of every input with an optional free-text description. */
@InputType()
export abstract class DescribedInput {
  @Field(() => String, { nullable: true, description: "Free-text description" })
  @DescriptionRules()
  description?: string;
}
