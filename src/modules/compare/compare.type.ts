import { Field, Float, ID, ObjectType } from "type-graphql";
import { MetricSummary, SimulationResults } from "../run/results.type.js";
import { Scenario } from "../scenario/scenario.type.js";

@ObjectType({ description: "One metric of one object, in a scenario and in the baseline" })
export class MetricComparison {
  @Field(() => String, {
    description:
      "activity, resource or entity; for state results modelState, entityState, resourceState or activityState; for costs resourceCost, activityCost or scenarioCost",
  })
  objectType!: string;

  @Field(() => String, {
    description:
      'Id of the activity, resource or entity in the model; for a model state its state id, for another state <entity, resource or activity id>/<state id>; for the scenario\'s cost totals "scenario"',
  })
  objectId!: string;

  @Field(() => String, {
    description:
      "Name of the object; for a state its name, or <entity, resource or activity name>.<state name>",
  })
  name!: string;

  @Field(() => String, {
    description:
      "Metric name as in SimulationResults (e.g. utilization); for states finalValue, timeAverage, min, max, atExit, or finalShare:<value> (the share of replications ending on a value); for costs the field of CostResults (e.g. totalCost)",
  })
  metric!: string;

  @Field(() => MetricSummary, { description: "The metric in this scenario" })
  value!: MetricSummary;

  @Field(() => MetricSummary, {
    nullable: true,
    description: "The metric in the baseline; null when the baseline lacks the object",
  })
  baseline!: MetricSummary | null;

  @Field(() => Float, { nullable: true, description: "value.mean − baseline.mean" })
  difference!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: "difference / |baseline.mean|; null when the baseline mean is 0",
  })
  relativeDifference!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: "Two-sided p-value of Welch's t-test over replication values",
  })
  pValue!: number | null;

  @Field(() => Boolean, { description: "True when the difference is significant at 95% (Welch's t-test)" })
  significant!: boolean;
}

@ObjectType({ description: "One scenario of a comparison" })
export class ComparedScenario {
  @Field(() => Scenario, { description: "The scenario" })
  scenario!: Scenario;

  @Field(() => ID, {
    nullable: true,
    description: "The run whose results are compared (the scenario's latest run, when it succeeded)",
  })
  runId!: string | null;

  @Field(() => SimulationResults, { nullable: true, description: "Its results; null when it has none yet" })
  results!: SimulationResults | null;

  @Field(() => [MetricComparison], {
    description: "Every metric against the baseline (empty without results)",
  })
  metrics!: MetricComparison[];
}

@ObjectType({ description: "Scenarios side by side against a baseline" })
export class ScenarioComparison {
  @Field(() => Scenario, { description: "The baseline scenario" })
  baseline!: Scenario;

  @Field(() => [ComparedScenario], {
    description: "The compared scenarios in the requested order, baseline included",
  })
  scenarios!: ComparedScenario[];
}
