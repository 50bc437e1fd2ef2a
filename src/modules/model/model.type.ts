import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import type { Model as ModelRow } from "../../generated/prisma/client.js";
import {
  MODEL_FORMATS,
  type ModelFormat as ImportFormat,
  type ModelSource as ImportSource,
} from "../../import/index.js";
import type {
  ModelLever as EngineLever,
  OverrideValueType as EngineValueType,
} from "../../simulation/index.js";
import { connectionType } from "../common/connection.js";
import { enumFromList, TargetObjectType } from "../common/enums.js";
import { DateTimeScalar, JSONScalar } from "../common/scalars.js";

export const ModelFormat = enumFromList(MODEL_FORMATS);
export type ModelFormat = ImportFormat;
registerEnumType(ModelFormat, {
  name: "ModelFormat",
  description:
    "The format of a model document: QUODSI_JSON (clean wire, or the legacy verbose format, which is up-converted) or DRAWIO (a draw.io XML document holding a Quodsi model)",
});

/** GraphQL names (upper case) of the engine's value types (their internal values). */
export const OverrideValueType = {
  INTEGER: "integer",
  NUMBER: "number",
  DURATION: "duration",
  STATE: "state",
  BOOLEAN: "boolean",
  WEIGHTS: "weights",
} as const satisfies Record<string, EngineValueType>;
export type OverrideValueType = EngineValueType;
registerEnumType(OverrideValueType, {
  name: "OverrideValueType",
  description:
    "What an override's propertyValue is: an integer, a number, a Duration, a state's value, a boolean, or a list of relative weights (numbers >= 0)",
});

@ObjectType({ description: "Where a model's definition came from" })
export class ModelSource implements ImportSource {
  @Field(() => ModelFormat, { description: "The format the definition was given in" })
  format!: ModelFormat;

  @Field(() => String, {
    nullable: true,
    description: "The version the document was written in (its schemaVersion, or draw.io's quodsiVersion)",
  })
  schemaVersion!: string | null;

  @Field(() => Boolean, {
    description:
      "True when the document was in Quodsi's legacy verbose format and was up-converted to clean wire",
  })
  upConverted!: boolean;
}

@ObjectType({ description: "The range a lever's author suggests" })
export class LeverRange {
  @Field(() => Float, { description: "Lowest suggested value" })
  min!: number;

  @Field(() => Float, { description: "Highest suggested value" })
  max!: number;

  @Field(() => Float, {
    nullable: true,
    description: "Step between suggested values; null: any value in range",
  })
  step!: number | null;
}

@ObjectType({
  description: "The item-profile override that changes a lever's property (overrideScenarioItem input)",
})
export class LeverOverride {
  @Field(() => TargetObjectType, { description: "targetObjectType of the override" })
  targetObjectType!: TargetObjectType;

  @Field(() => String, { description: "targetObjectId of the override" })
  targetObjectId!: string;

  @Field(() => String, {
    description: "propertyName of the override, e.g. `capacity`, `actions.<id>.duration`",
  })
  propertyName!: string;
}

@ObjectType({
  description:
    "A what-if parameter the model's author suggests (Quodsi `levers[]`), mapped to the override that changes it. A lever whose property no override can change is listed with override null and unsupportedReason",
})
export class ModelLever {
  @Field(() => String, { description: "The lever's id in the definition (generated when it has none)" })
  leverId!: string;

  @Field(() => String, { nullable: true, description: "The author's label" })
  label!: string | null;

  @Field(() => Boolean, { description: "Whether the author enabled the lever (absent on the wire: true)" })
  enabled!: boolean;

  @Field(() => TargetObjectType, {
    description: "Type of the object the lever is on (MODEL for the model root)",
  })
  objectType!: TargetObjectType;

  @Field(() => String, { description: 'Id of the object the lever is on ("model" for the model root)' })
  objectId!: string;

  @Field(() => String, { nullable: true, description: "Name of the object the lever is on" })
  objectName!: string | null;

  @Field(() => String, {
    description: "The lever's property as written in the definition, e.g. CAPACITY, DURATION",
  })
  propertyName!: string;

  @Field(() => String, { nullable: true, description: "For an action's DURATION lever: the action's id" })
  actionId!: string | null;

  @Field(() => LeverRange, { nullable: true, description: "Suggested range; null when the lever has none" })
  range!: LeverRange | null;

  @Field(() => LeverOverride, {
    nullable: true,
    description: "The override that changes this property; null when none can (see unsupportedReason)",
  })
  override!: LeverOverride | null;

  @Field(() => OverrideValueType, {
    nullable: true,
    description:
      "What the override's propertyValue is. For DURATION, a range value v stands for the constant Duration {unit: <currentValue's unit>, value: v}",
  })
  valueType!: OverrideValueType | null;

  @Field(() => JSONScalar, {
    nullable: true,
    description: "The property's value in the model now (defaults filled in: capacity 1, null for unlimited)",
  })
  currentValue!: unknown;

  @Field(() => String, {
    nullable: true,
    description: "Why no override changes this property (override null)",
  })
  unsupportedReason!: string | null;

  @Field(() => String, { description: "Where the lever is in the definition, e.g. `resources[2].levers[0]`" })
  path!: string;
}

/** Engine lever → GraphQL object (the same shape). */
export const toModelLever = (l: EngineLever): ModelLever => ({ ...l });

@ObjectType({ description: "A remark about a definition that was accepted: where, and what was done" })
export class DefinitionWarning {
  @Field(() => String, { description: "Path in the definition, e.g. `activities[0].layout`" })
  path!: string;

  @Field(() => String, { description: "What was done, e.g. `unknown key, dropped`" })
  message!: string;
}

@ObjectType({
  description: "A process model: a Quodsi wire-format definition, versioned on every definition change",
})
export class Model {
  @Field(() => ID, { description: "Model id" })
  id!: string;

  @Field(() => String, { description: "Display name" })
  name!: string;

  @Field(() => String, { nullable: true, description: "Free-text description" })
  description!: string | null;

  @Field(() => JSONScalar, { description: "The Quodsi clean wire-format model document" })
  definition!: unknown;

  @Field(() => ModelSource, {
    nullable: true,
    description:
      "Where the current definition came from (format, original version, up-converted or not); null for models stored before this was recorded",
  })
  source!: ModelSource | null;

  @Field(() => Int, { description: "Starts at 1; incremented whenever the definition changes" })
  version!: number;

  @Field(() => DateTimeScalar, { description: "When the model was created" })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: "When the model was last changed" })
  updatedAt!: Date;

  @Field(() => [DefinitionWarning], {
    description:
      "What createModel or updateModel changed in the definition it was given (unknown keys dropped: a definition is stored with the known keys of the wire format only); empty on reads",
  })
  definitionWarnings!: DefinitionWarning[];

  createdByUserId!: string;
}

export const ModelConnection = connectionType(Model, "Model");

/** Row → GraphQL object. */
export function toModel(row: ModelRow): Model {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    definition: row.definition,
    source: toModelSource(row.source),
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    createdByUserId: row.createdByUserId,
    definitionWarnings: [],
  };
}

/** The stored `source` column (JSON) → ModelSource; anything unrecognised reads as null. */
export function toModelSource(value: unknown): ModelSource | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!MODEL_FORMATS.includes(v.format as ModelFormat)) return null;
  return {
    format: v.format as ModelFormat,
    schemaVersion: typeof v.schemaVersion === "string" ? v.schemaVersion : null,
    upConverted: v.upConverted === true,
  };
}
