import { Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../context.js";
import { Tenant, User } from "./user.type.js";

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { description: "The caller: the user owning the API key" })
  me(@Ctx() ctx: AppContext): Promise<User> {
    return ctx.services.users.me();
  }

  @FieldResolver(() => Tenant, { description: "The user's tenant" })
  tenant(@Root() _user: User, @Ctx() ctx: AppContext): Promise<Tenant> {
    return ctx.services.users.tenant();
  }
}
