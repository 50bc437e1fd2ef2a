import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../context.js";
import { ApiKey, CreateApiKeyInput, CreatedApiKey } from "./api-key.type.js";
import { Role } from "./principal.js";
import { User } from "./user.type.js";

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Authorized(Role.ADMIN)
  @Query(() => [User], { description: "The tenant's users (ADMIN)" })
  users(@Ctx() ctx: AppContext) {
    return ctx.services.apiKeys.users();
  }

  @Authorized(Role.ADMIN)
  @Query(() => [ApiKey], { description: "The tenant's API keys, revoked ones included (ADMIN)" })
  apiKeys(@Ctx() ctx: AppContext) {
    return ctx.services.apiKeys.keys();
  }

  @FieldResolver(() => User, { description: "The key's user" })
  user(@Root() key: ApiKey, @Ctx() ctx: AppContext) {
    return ctx.services.users.byId(key.userId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CreatedApiKey, {
    description: "Creates a key for a user of the tenant, creating the user when missing (ADMIN)",
  })
  createApiKey(@Arg("input", () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() ctx: AppContext) {
    return ctx.services.apiKeys.create(input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean, { description: "Revokes a key at once (ADMIN); a key cannot revoke itself" })
  revokeApiKey(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext) {
    return ctx.services.apiKeys.revoke(id);
  }
}
