import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../context.js";
import { Analysis } from "../analysis/analysis.type.js";
import { Role } from "../auth/principal.js";
import { User } from "../auth/user.type.js";
import { JSONScalar } from "../common/scalars.js";
import { ScenarioItemProfile } from "../item-profile/item-profile.type.js";
import { SimulationResults, toSimulationResults } from "../run/results.type.js";
import { ScenarioRun } from "../run/run.type.js";
import { CreateScenarioInput, ScenariosArgs, UpdateScenarioInput } from "./scenario.input.js";
import { Scenario, ScenarioConnection } from "./scenario.type.js";

@Resolver(() => Scenario)
export class ScenarioResolver {
  @Query(() => ScenarioConnection, { description: "The tenant's scenarios in creation order, filtered" })
  scenarios(@Args(() => ScenariosArgs) args: ScenariosArgs, @Ctx() ctx: AppContext) {
    return ctx.services.scenarios.list(args);
  }

  @Query(() => Scenario, {
    nullable: true,
    description:
      "A scenario by id (soft-deleted ones too, with isDeleted); null when missing or not the tenant's",
  })
  scenario(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext) {
    return ctx.services.scenarios.get(id);
  }

  @FieldResolver(() => Analysis, { description: "The analysis the scenario belongs to" })
  analysis(@Root() scenario: Scenario, @Ctx() ctx: AppContext) {
    return ctx.services.analyses.ref(scenario.analysisId);
  }

  @FieldResolver(() => [ScenarioItemProfile], { description: "The scenario's overrides" })
  itemProfiles(@Root() scenario: Scenario, @Ctx() ctx: AppContext) {
    return ctx.services.itemProfiles.forScenario(scenario.id);
  }

  @FieldResolver(() => JSONScalar, {
    description: "The model as this scenario runs it: base definition + overrides, replications = reps",
  })
  effectiveModel(@Root() scenario: Scenario, @Ctx() ctx: AppContext) {
    return ctx.services.itemProfiles.effectiveModel(scenario);
  }

  @FieldResolver(() => ScenarioRun, { nullable: true, description: "The latest run attempt" })
  latestRun(@Root() scenario: Scenario, @Ctx() ctx: AppContext) {
    return ctx.services.runs.latest(scenario);
  }

  @FieldResolver(() => [ScenarioRun], { description: "Every run attempt, oldest first" })
  runs(@Root() scenario: Scenario, @Ctx() ctx: AppContext) {
    return ctx.services.runs.forScenario(scenario.id);
  }

  @FieldResolver(() => SimulationResults, {
    nullable: true,
    description: "Results of the latest run when it succeeded (see resultsStale)",
  })
  async results(@Root() scenario: Scenario, @Ctx() ctx: AppContext) {
    const summary = await ctx.services.runs.resultsOf(scenario);
    return summary ? toSimulationResults(summary) : null;
  }

  @FieldResolver(() => User, { description: "Who created the scenario" })
  createdBy(@Root() scenario: Scenario, @Ctx() ctx: AppContext) {
    return ctx.services.users.byId(scenario.createdByUserId);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Scenario, {
    description: "Creates a scenario; reps and timePeriod default to the analysis's",
  })
  createScenario(
    @Arg("input", () => CreateScenarioInput) input: CreateScenarioInput,
    @Ctx() ctx: AppContext,
  ) {
    return ctx.services.scenarios.create(input);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Scenario, {
    description: "Changes a scenario; input changes are refused while it runs and make earlier results stale",
  })
  updateScenario(
    @Arg("id", () => ID) id: string,
    @Arg("input", () => UpdateScenarioInput) input: UpdateScenarioInput,
    @Ctx() ctx: AppContext,
  ) {
    return ctx.services.scenarios.update(id, input);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Boolean, { description: "Soft-deletes a scenario with its overrides" })
  deleteScenario(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext) {
    return ctx.services.scenarios.delete(id);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Scenario, { description: "Restores a soft-deleted scenario with its overrides" })
  restoreScenario(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext) {
    return ctx.services.scenarios.restore(id);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Scenario, {
    description: 'Copies a scenario with its overrides; default name "<name> - Copy" (numbered when taken)',
  })
  duplicateScenario(
    @Arg("id", () => ID) id: string,
    @Arg("name", () => String, { nullable: true }) name: string | undefined,
    @Ctx() ctx: AppContext,
  ) {
    return ctx.services.scenarios.duplicate(id, name);
  }
}
