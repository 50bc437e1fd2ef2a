import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import type { ScenarioItemProfile as ProfileRow } from "../../generated/prisma/client.js";
import {
  OVERRIDE_OPERATIONS,
  type OverrideOperation as EngineOverrideOperation,
} from "../../simulation/index.js";
import { enumFromList, fromDbEnum, TargetObjectType } from "../common/enums.js";
import { DateTimeScalar, JSONScalar } from "../common/scalars.js";

/** How an override combines with the base value (the engine's list, as a GraphQL enum). */
export const OverrideOperation = enumFromList(OVERRIDE_OPERATIONS);
export type OverrideOperation = EngineOverrideOperation;
registerEnumType(OverrideOperation, {
  name: "OverrideOperation",
  description: "SET replaces the value; MULTIPLY scales a number or every time parameter of a Duration",
});

@ObjectType({ description: "One override of one model property in one scenario" })
export class ScenarioItemProfile {
  @Field(() => ID, { description: "Item profile id" })
  id!: string;

  @Field(() => String, {
    description: 'Id of the overridden model object ("model" for model-level properties)',
  })
  targetObjectId!: string;

  @Field(() => TargetObjectType, { description: "Kind of the overridden object" })
  targetObjectType!: TargetObjectType;

  @Field(() => String, { description: "Overridden property, e.g. capacity or actions.<actionId>.duration" })
  propertyName!: string;

  @Field(() => JSONScalar, { description: "The new value (SET) or the factor (MULTIPLY)" })
  propertyValue!: unknown;

  @Field(() => OverrideOperation, { description: "How propertyValue applies to the base value" })
  operation!: OverrideOperation;

  @Field(() => JSONScalar, {
    nullable: true,
    description: "The base model's value when the override was written",
  })
  originalValue!: unknown;

  @Field(() => String, { nullable: true, description: "What the override represents" })
  description!: string | null;

  @Field(() => String, { nullable: true, description: "Why the override was made" })
  changeReason!: string | null;

  @Field(() => DateTimeScalar, { description: "When the override was created" })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: "When the override was last changed" })
  updatedAt!: Date;

  scenarioId!: string;
}

export function toItemProfile(row: ProfileRow): ScenarioItemProfile {
  return {
    id: row.id,
    targetObjectId: row.targetObjectId,
    targetObjectType: fromDbEnum<TargetObjectType>(row.targetObjectType),
    propertyName: row.propertyName,
    propertyValue: row.propertyValue,
    operation: fromDbEnum<OverrideOperation>(row.operation),
    originalValue: row.originalValue,
    description: row.description,
    changeReason: row.changeReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    scenarioId: row.scenarioId,
  };
}
