import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsEmail, IsOptional, MaxLength } from "class-validator";
import type { ApiKey as ApiKeyRow } from "../../generated/prisma/client.js";
import { DateTimeScalar } from "../common/scalars.js";
import { roleFromDb, Role } from "./principal.js";

@ObjectType({ description: "An API key (the key itself is only shown when created)" })
export class ApiKey {
  @Field(() => ID, { description: "Key id" })
  id!: string;

  @Field(() => String, { description: "First characters of the key, to recognise it" })
  prefix!: string;

  @Field(() => Role, { description: "What the key may do" })
  role!: Role;

  @Field(() => Boolean, { description: "True once revoked; a revoked key is refused" })
  revoked!: boolean;

  @Field(() => DateTimeScalar, { description: "When the key was created" })
  createdAt!: Date;

  userId!: string;
}

export const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  prefix: row.keyPrefix,
  role: roleFromDb(row.role),
  revoked: row.isDeleted,
  createdAt: row.createdAt,
  userId: row.userId,
});

@ObjectType({ description: "A new API key: keep `apiKey`, it is not shown again" })
export class CreatedApiKey {
  @Field(() => String, { description: "The secret key, for the x-api-key header" })
  apiKey!: string;

  @Field(() => ApiKey, { description: "The stored key" })
  key!: ApiKey;
}

@InputType({ description: "A key for a user of the caller's tenant, created when missing" })
export class CreateApiKeyInput {
  @Field(() => String, { description: "The user's email" })
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @Field(() => Role, { description: "What the key may do" })
  role!: Role;

  @Field(() => String, { nullable: true, description: "Display name of a new user" })
  @IsOptional()
  @MaxLength(200)
  displayName?: string;
}
