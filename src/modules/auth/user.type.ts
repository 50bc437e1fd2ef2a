import { Field, ID, ObjectType } from "type-graphql";
import type { Tenant as TenantRow, User as UserRow } from "../../generated/prisma/client.js";
import { roleFromDb, Role } from "./principal.js";

@ObjectType({ description: "A tenant: an isolated workspace of users, models and scenarios" })
export class Tenant {
  @Field(() => ID, { description: "Tenant id" })
  id!: string;

  @Field(() => String, { description: "Display name" })
  name!: string;

  @Field(() => String, { description: "URL-safe unique short name" })
  slug!: string;
}

@ObjectType({ description: "A user of a tenant" })
export class User {
  @Field(() => ID, { description: "User id" })
  id!: string;

  @Field(() => String, { description: "Email address, unique within the tenant" })
  email!: string;

  @Field(() => String, { nullable: true, description: "Display name" })
  displayName!: string | null;

  @Field(() => Role, { description: "The user's role" })
  role!: Role;

  tenantId!: string;
}

export const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  displayName: row.displayName,
  role: roleFromDb(row.role),
  tenantId: row.tenantId,
});

export const toTenant = (row: TenantRow): Tenant => ({ id: row.id, name: row.name, slug: row.slug });
