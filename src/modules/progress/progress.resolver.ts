import { Arg, ID, Resolver, Root, Subscription, type SubscribeResolverData } from "type-graphql";
import type { ProgressEvent } from "../../pubsub/pubsub.js";
import type { AppContext } from "../context.js";
import { ScenarioProgress, toProgress } from "../run/run.type.js";

type Args = { scenarioId?: string | null; analysisId?: string | null };

@Resolver()
export class ProgressResolver {
  @Subscription(() => ScenarioProgress, {
    description:
      "Live progress of one scenario, or of every scenario of an analysis (give exactly one id). The current state comes first.",
    subscribe: ({ args, context }: SubscribeResolverData<unknown, Args, AppContext>) =>
      context.services.progress.subscribe(args),
  })
  scenarioProgress(
    @Root() event: ProgressEvent,
    @Arg("scenarioId", () => ID, { nullable: true, description: "The scenario to watch" })
    _scenarioId?: string,
    @Arg("analysisId", () => ID, { nullable: true, description: "The analysis whose scenarios to watch" })
    _analysisId?: string,
  ): ScenarioProgress {
    return toProgress(event);
  }
}
