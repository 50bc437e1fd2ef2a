import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../context.js";
import { Role } from "../auth/principal.js";
import { JSONScalar } from "../common/scalars.js";
import { Scenario } from "../scenario/scenario.type.js";
import { SimulationResults, toSimulationResults } from "./results.type.js";
import { RunOptionsInput, ScenarioRun } from "./run.type.js";

@Resolver(() => ScenarioRun)
export class RunResolver {
  @Query(() => ScenarioRun, {
    nullable: true,
    description: "A run by id; null when missing or not the tenant's",
  })
  scenarioRun(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext) {
    return ctx.services.runs.get(id);
  }

  @FieldResolver(() => Scenario, { description: "The scenario this run belongs to" })
  scenario(@Root() run: ScenarioRun, @Ctx() ctx: AppContext) {
    return ctx.services.scenarios.ref(run.scenarioId);
  }

  @FieldResolver(() => JSONScalar, {
    description: "The effective model this run executed (its inputs snapshot)",
  })
  effectiveModel(@Root() run: ScenarioRun, @Ctx() ctx: AppContext) {
    return ctx.services.runs.inputsOf(run.id);
  }

  @FieldResolver(() => SimulationResults, { nullable: true, description: "Results, once the run succeeded" })
  results(@Root() run: ScenarioRun) {
    return run.summary ? toSimulationResults(run.summary) : null;
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Scenario, {
    description:
      "Validates the scenario's effective model: READY_TO_RUN, or BAD_USER_INPUT with every problem",
  })
  prepareScenario(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext) {
    return ctx.services.runs.prepare(id);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Scenario, { description: "Validates (when needed) and queues a new run of the scenario" })
  runScenario(
    @Arg("id", () => ID) id: string,
    @Arg("options", () => RunOptionsInput, { nullable: true }) options: RunOptionsInput | undefined,
    @Ctx() ctx: AppContext,
  ) {
    return ctx.services.runs.run(id, options);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => [Scenario], {
    description:
      "Runs every scenario of the analysis that can run; returns all of them (invalid ones NOT_READY_TO_RUN with stateReason)",
  })
  runAnalysis(
    @Arg("id", () => ID) id: string,
    @Arg("options", () => RunOptionsInput, { nullable: true }) options: RunOptionsInput | undefined,
    @Ctx() ctx: AppContext,
  ) {
    return ctx.services.runs.runAnalysis(id, options);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Scenario, {
    description: "Cancels a queued or running scenario; a no-op when already cancelling or cancelled",
  })
  cancelScenario(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext) {
    return ctx.services.runs.cancel(id);
  }
}
