import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import type { AppContext } from "../context.js";
import { ScenarioComparison } from "./compare.type.js";

@Resolver()
export class CompareResolver {
  @Query(() => ScenarioComparison, {
    description:
      "Latest results of up to 50 scenarios against a baseline (default: the first id), with Welch's t-test at 95%",
  })
  compareScenarios(
    @Arg("ids", () => [ID]) ids: string[],
    @Arg("baselineId", () => ID, { nullable: true }) baselineId: string | undefined,
    @Ctx() ctx: AppContext,
  ) {
    return ctx.services.compare.compare(ids, baselineId);
  }
}
