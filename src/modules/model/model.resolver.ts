import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../context.js";
import { Analysis } from "../analysis/analysis.type.js";
import { Role } from "../auth/principal.js";
import { User } from "../auth/user.type.js";
import { Scenario } from "../scenario/scenario.type.js";
import { CreateModelInput, ModelsArgs, UpdateModelInput } from "./model.input.js";
import { Model, ModelConnection, ModelLever } from "./model.type.js";

@Resolver(() => Model)
export class ModelResolver {
  @Query(() => ModelConnection, { description: "The tenant's models in creation order" })
  models(@Args(() => ModelsArgs) args: ModelsArgs, @Ctx() ctx: AppContext) {
    return ctx.services.models.list(args);
  }

  @Query(() => Model, { nullable: true, description: "A model by id; null when missing or not the tenant's" })
  model(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext) {
    return ctx.services.models.get(id);
  }

  @FieldResolver(() => [Analysis], { description: "The model's analyses" })
  analyses(@Root() model: Model, @Ctx() ctx: AppContext) {
    return ctx.services.analyses.forModel(model.id);
  }

  @FieldResolver(() => [Scenario], {
    description:
      "Live scenarios under this model that cannot run (NOT_READY_TO_RUN with a stateReason), e.g. after a definition change broke their overrides",
  })
  scenariosNeedingAttention(@Root() model: Model, @Ctx() ctx: AppContext) {
    return ctx.services.scenarios.needingAttention(model.id);
  }

  @FieldResolver(() => [ModelLever], {
    description:
      "The model's suggested what-if parameters (Quodsi levers on the model and its objects), each mapped to the override that changes it",
  })
  levers(@Root() model: Model, @Ctx() ctx: AppContext) {
    return ctx.services.models.levers(model);
  }

  @FieldResolver(() => User, { description: "Who created the model" })
  createdBy(@Root() model: Model, @Ctx() ctx: AppContext) {
    return ctx.services.users.byId(model.createdByUserId);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Model, {
    description:
      "Creates a model from a Quodsi definition (clean or legacy JSON, or a draw.io document; validated and stored as clean wire)",
  })
  createModel(@Arg("input", () => CreateModelInput) input: CreateModelInput, @Ctx() ctx: AppContext) {
    return ctx.services.models.create(input);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Model, { description: "Changes a model; a new definition bumps its version" })
  updateModel(
    @Arg("id", () => ID) id: string,
    @Arg("input", () => UpdateModelInput) input: UpdateModelInput,
    @Ctx() ctx: AppContext,
  ) {
    return ctx.services.models.update(id, input);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Boolean, { description: "Soft-deletes a model with its analyses and scenarios" })
  deleteModel(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext) {
    return ctx.services.models.delete(id);
  }
}
