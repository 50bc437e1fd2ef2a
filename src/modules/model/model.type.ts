import { Field, ID, Int, ObjectType } from "type-graphql";
import type { Model as ModelRow } from "../../generated/prisma/client.js";
import { connectionType } from "../common/connection.js";
import { DateTimeScalar, JSONScalar } from "../common/scalars.js";

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
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    createdByUserId: row.createdByUserId,
    definitionWarnings: [],
  };
}
