import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../context.js";
import { Role } from "../auth/principal.js";
import { User } from "../auth/user.type.js";
import { Model } from "../model/model.type.js";
import { AnalysisScenariosArgs } from "../scenario/scenario.input.js";
import { ScenarioConnection } from "../scenario/scenario.type.js";
import { AnalysesArgs, CreateAnalysisInput, UpdateAnalysisInput } from "./analysis.input.js";
import { Analysis, AnalysisConnection } from "./analysis.type.js";

@Resolver(() => Analysis)
export class AnalysisResolver {
  @Query(() => AnalysisConnection, { description: "The tenant's analyses in creation order" })
  analyses(@Args(() => AnalysesArgs) args: AnalysesArgs, @Ctx() ctx: AppContext) {
    return ctx.services.analyses.list(args);
  }

  @Query(() => Analysis, {
    nullable: true,
    description: "An analysis by id; null when missing or not the tenant's",
  })
  analysis(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext) {
    return ctx.services.analyses.get(id);
  }

  @FieldResolver(() => Model, { description: "The analysed model" })
  model(@Root() analysis: Analysis, @Ctx() ctx: AppContext) {
    return ctx.services.models.ref(analysis.modelId);
  }

  @FieldResolver(() => ScenarioConnection, { description: "The analysis's live scenarios in creation order" })
  scenarios(
    @Root() analysis: Analysis,
    @Args(() => AnalysisScenariosArgs) args: AnalysisScenariosArgs,
    @Ctx() ctx: AppContext,
  ) {
    return ctx.services.scenarios.forAnalysis(analysis.id, args);
  }

  @FieldResolver(() => User, { description: "Who created the analysis" })
  createdBy(@Root() analysis: Analysis, @Ctx() ctx: AppContext) {
    return ctx.services.users.byId(analysis.createdByUserId);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Analysis, { description: "Creates an analysis of a model" })
  createAnalysis(
    @Arg("input", () => CreateAnalysisInput) input: CreateAnalysisInput,
    @Ctx() ctx: AppContext,
  ) {
    return ctx.services.analyses.create(input);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Analysis, { description: "Changes an analysis" })
  updateAnalysis(
    @Arg("id", () => ID) id: string,
    @Arg("input", () => UpdateAnalysisInput) input: UpdateAnalysisInput,
    @Ctx() ctx: AppContext,
  ) {
    return ctx.services.analyses.update(id, input);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Boolean, { description: "Soft-deletes an analysis with its scenarios" })
  deleteAnalysis(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext) {
    return ctx.services.analyses.delete(id);
  }
}
