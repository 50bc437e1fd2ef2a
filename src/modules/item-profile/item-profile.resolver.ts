import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../context.js";
import { Role } from "../auth/principal.js";
import { Scenario } from "../scenario/scenario.type.js";
import { OverrideItemInput, UpdateItemProfileInput } from "./item-profile.input.js";
import { ScenarioItemProfile } from "./item-profile.type.js";

@Resolver(() => ScenarioItemProfile)
export class ItemProfileResolver {
  @Query(() => ScenarioItemProfile, {
    nullable: true,
    description: "An override by id; null when missing or not the tenant's",
  })
  scenarioItemProfile(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext) {
    return ctx.services.itemProfiles.get(id);
  }

  @FieldResolver(() => Scenario, { description: "The scenario the override belongs to" })
  scenario(@Root() profile: ScenarioItemProfile, @Ctx() ctx: AppContext) {
    return ctx.services.scenarios.ref(profile.scenarioId);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => ScenarioItemProfile, {
    description:
      "Sets or replaces one override (upsert on scenario, targetObjectId, propertyName); refused when the effective model would not be valid",
  })
  overrideScenarioItem(
    @Arg("scenarioId", () => ID) scenarioId: string,
    @Arg("input", () => OverrideItemInput) input: OverrideItemInput,
    @Ctx() ctx: AppContext,
  ) {
    return ctx.services.itemProfiles.override(scenarioId, input);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => ScenarioItemProfile, { description: "Changes an override's value, operation or notes" })
  updateScenarioItemProfile(
    @Arg("id", () => ID) id: string,
    @Arg("input", () => UpdateItemProfileInput) input: UpdateItemProfileInput,
    @Ctx() ctx: AppContext,
  ) {
    return ctx.services.itemProfiles.update(id, input);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Boolean, { description: "Removes an override; the scenario runs the base value again" })
  removeScenarioItemProfile(@Arg("id", () => ID) id: string, @Ctx() ctx: AppContext) {
    return ctx.services.itemProfiles.remove(id);
  }
}
