import { Field, InputType } from "type-graphql";
import { IsOptional, Length, Matches, MaxLength } from "class-validator";
import { TargetObjectType } from "../common/enums.js";
import { JSONScalar } from "../common/scalars.js";
import { DescriptionRules } from "../common/validators.js";
import { OverrideOperation } from "./item-profile.type.js";

/** The notes every override input may carry. */
@InputType()
abstract class OverrideNotesInput {
  @Field(() => String, { nullable: true, description: "What the override represents" })
  @DescriptionRules()
  description?: string;

  @Field(() => String, { nullable: true, description: "Why the override was made" })
  @IsOptional()
  @MaxLength(10_000)
  changeReason?: string;
}

@InputType({
  description: "One override of one model property; upserted on (scenario, targetObjectId, propertyName)",
})
export class OverrideItemInput extends OverrideNotesInput {
  @Field(() => TargetObjectType, { description: "Kind of the overridden object" })
  targetObjectType!: TargetObjectType;

  @Field(() => String, { description: 'Id of the object in the model ("model" for MODEL properties)' })
  @Length(1, 200)
  targetObjectId!: string;

  @Field(() => String, {
    description:
      "ACTIVITY: capacity, inboundCapacity, outboundCapacity, actions.<actionId or index>.duration, " +
      "actions.<actionId or index>.count (loop, split), actions.<actionId or index>.joinCount (join); " +
      "RESOURCE: capacity; GENERATOR: interarrivalTime, startDelay, batchSize, maxEntities, volume (pattern); " +
      "CONNECTOR: weight; RESOURCE_REQUIREMENT: requests.<resourceId>.quantity; STATE: initialValue; " +
      "MODEL: seed, runTime, warmupTime, arrivalPatterns.<patternId>.<seasonWeights|dayOfWeekWeights|hourWeights>[.<index>]",
  })
  @Length(1, 200)
  @Matches(/^\S+$/, { message: "propertyName must not contain white space" })
  propertyName!: string;

  @Field(() => JSONScalar, { description: "The new value (SET), or the factor > 0 (MULTIPLY)" })
  propertyValue!: unknown;

  @Field(() => OverrideOperation, { nullable: true, description: "SET (default) or MULTIPLY" })
  operation?: OverrideOperation;
}

@InputType({ description: "Changes to an override; its target and property stay" })
export class UpdateItemProfileInput extends OverrideNotesInput {
  @Field(() => JSONScalar, {
    nullable: true,
    description: "The new value (SET), or the factor > 0 (MULTIPLY)",
  })
  propertyValue?: unknown;

  @Field(() => OverrideOperation, { nullable: true, description: "SET or MULTIPLY" })
  operation?: OverrideOperation;
}
