import { Field, Float, Int, ObjectType } from "type-graphql";
import type * as engine from "../../simulation/index.js";

// Every class below `implements` the engine's summary type it is served from, and
// toSimulationResults returns the summary as the class: a metric or field added to
// the engine without a field here (or one here the engine lacks) fails tsc.

@ObjectType({ description: "One metric over replications: mean, spread and 95% confidence interval" })
export class MetricSummary implements engine.MetricSummary {
  @Field(() => Float, { description: "Mean over replications" })
  mean!: number;

  @Field(() => Float, { description: "Sample standard deviation over replications (0 with one replication)" })
  stdDev!: number;

  @Field(() => Float, { description: "Half-width of the 95% confidence interval of the mean (Student's t)" })
  ciHalfWidth!: number;

  @Field(() => Float, { description: "Smallest replication value" })
  min!: number;

  @Field(() => Float, { description: "Largest replication value" })
  max!: number;

  @Field(() => [Float], { description: "Per-replication values in replication order" })
  values!: number[];
}

@ObjectType({ description: "Figures of one activity (times in the model's time unit, after warm-up)" })
export class ActivityResult implements engine.ActivitySummary {
  @Field(() => String, { description: "Activity id in the model" })
  activityId!: string;

  @Field(() => String, { description: "Activity name" })
  name!: string;

  @Field(() => MetricSummary, { description: "Entities that left the activity after warm-up" })
  throughput!: MetricSummary;

  @Field(() => MetricSummary, { description: "Time-averaged occupied capacity / capacity" })
  utilization!: MetricSummary;

  @Field(() => MetricSummary, {
    description: "Mean time an entity waited here (inbound queue and resources)",
  })
  averageWaitTime!: MetricSummary;

  @Field(() => MetricSummary, {
    description:
      "Mean time an entity waited here for resources while holding a capacity slot (part of averageWaitTime, queue wait excluded)",
  })
  averageTimeWaitingForResource!: MetricSummary;

  @Field(() => MetricSummary, { description: "Time-averaged number of entities at the activity" })
  averageContents!: MetricSummary;

  @Field(() => MetricSummary, { description: "Most entities at the activity at once" })
  maxContents!: MetricSummary;

  @Field(() => MetricSummary, {
    description: "Entity-time spent blocked: finished, but the next activity had no room",
  })
  timeBlocked!: MetricSummary;

  @Field(() => MetricSummary, { description: "Mean time from arrival to departure of an entity" })
  averageTimeInActivity!: MetricSummary;

  @Field(() => MetricSummary, { description: "Time-averaged number of entities in the inbound queue" })
  averageQueueLength!: MetricSummary;

  @Field(() => MetricSummary, {
    description:
      "Time the activity was failed, from each failure to the end of its repair (failureProperties); 0 when it never fails",
  })
  timeInFailure!: MetricSummary;
}

@ObjectType({ description: "Figures of one resource" })
export class ResourceResult implements engine.ResourceSummary {
  @Field(() => String, { description: "Resource id in the model" })
  resourceId!: string;

  @Field(() => String, { description: "Resource name" })
  name!: string;

  @Field(() => MetricSummary, { description: "Time-averaged busy units / capacity" })
  utilization!: MetricSummary;

  @Field(() => MetricSummary, { description: "Mean time from request to grant" })
  averageWaitTime!: MetricSummary;

  @Field(() => MetricSummary, { description: "Most requests waiting at once" })
  maxQueueLength!: MetricSummary;

  @Field(() => MetricSummary, { description: "Time-averaged number of waiting requests" })
  averageQueueLength!: MetricSummary;

  @Field(() => MetricSummary, { description: "Requests granted after warm-up" })
  grants!: MetricSummary;

  @Field(() => MetricSummary, { description: "Fraction of granted requests that had to wait" })
  waitProbability!: MetricSummary;
}

@ObjectType({ description: "Figures of one entity type" })
export class EntityResult implements engine.EntitySummary {
  @Field(() => String, { description: "Entity id in the model" })
  entityId!: string;

  @Field(() => String, { description: "Entity name" })
  name!: string;

  @Field(() => MetricSummary, {
    description: "Entities created after warm-up, by generators and by split, create and join actions",
  })
  createdCount!: MetricSummary;

  @Field(() => MetricSummary, {
    description: "Entities that left the system after warm-up (exits and disposals)",
  })
  completedCount!: MetricSummary;

  @Field(() => MetricSummary, { description: "Mean time from creation to leaving the system" })
  averageTimeInSystem!: MetricSummary;

  @Field(() => MetricSummary, { description: "Mean time spent waiting (queues, resources, blocking)" })
  averageTimeWaiting!: MetricSummary;

  @Field(() => MetricSummary, { description: "Of createdCount, the entities made by create actions" })
  createdByActionCount!: MetricSummary;

  @Field(() => MetricSummary, { description: "Of createdCount, the pieces made by split actions" })
  splitCount!: MetricSummary;

  @Field(() => MetricSummary, { description: "Of createdCount, the combined entities made by join actions" })
  joinedCount!: MetricSummary;

  @Field(() => MetricSummary, {
    description: "Of completedCount, the entities ended by a dispose action (they count as completed)",
  })
  disposedCount!: MetricSummary;
}

@ObjectType({ description: "One bucket of simulated time; values are means over replications" })
export class TimeBucket implements engine.TimeBucket {
  @Field(() => Float, { description: "Bucket start, in the model's time unit" })
  start!: number;

  @Field(() => Float, { description: "Bucket end, in the model's time unit" })
  end!: number;

  @Field(() => Float, { description: "Entities leaving the system during the bucket" })
  throughput!: number;

  @Field(() => Float, { description: "Time-averaged entities in the system during the bucket" })
  wip!: number;

  @Field(() => String, {
    nullable: true,
    description: "Calendar-mode models: the bucket's start as an ISO date-time (null in clock mode)",
  })
  startDateTime?: string;
}

@ObjectType({ description: "Throughput and work in progress over simulated time" })
export class TimeSeries implements engine.TimeSeries {
  @Field(() => String, { description: "hourly, daily or monthly (30 days) of simulated time" })
  period!: engine.TimePeriod;

  @Field(() => Float, { description: "Bucket length in the model's time unit" })
  bucketSize!: number;

  @Field(() => [TimeBucket], {
    description:
      "Buckets from 0 to the run time; in calendar mode they end on calendar hours, midnights or month starts",
  })
  buckets!: TimeBucket[];

  @Field(() => String, {
    nullable: true,
    description: "Calendar-mode models: the date and time of t = 0 (null in clock mode)",
  })
  startDateTime?: string;
}

@ObjectType({
  description: "The share of replications in which a string or category state ended on one value",
})
export class StateValueShare implements engine.StateValueShare {
  @Field(() => String, { description: "The final value" })
  value!: string;

  @Field(() => MetricSummary, {
    description: "Per replication 1 when the state ended on the value, else 0; the mean is the share",
  })
  share!: MetricSummary;
}

@ObjectType({
  description:
    "One state over a run: a model state, or a resource or activity state of one resource or activity",
})
export class StateResult implements engine.StateValueSummary {
  @Field(() => String, { description: "State id in the model" })
  stateId!: string;

  @Field(() => String, { description: "State name" })
  name!: string;

  @Field(() => String, { description: "number, boolean, string or category" })
  dataType!: engine.StateDataType;

  @Field(() => MetricSummary, {
    nullable: true,
    description: "Number and boolean (1/0) states: the value at the end of the run; null for others",
  })
  finalValue?: MetricSummary;

  @Field(() => MetricSummary, {
    nullable: true,
    description: "Number and boolean (1/0) states: time-weighted average after warm-up; null for others",
  })
  timeAverage?: MetricSummary;

  @Field(() => MetricSummary, {
    nullable: true,
    description: "Number and boolean states: smallest value after warm-up; null for others",
  })
  min?: MetricSummary;

  @Field(() => MetricSummary, {
    nullable: true,
    description: "Number and boolean states: largest value after warm-up; null for others",
  })
  max?: MetricSummary;

  @Field(() => [StateValueShare], {
    nullable: true,
    description:
      "String and category states: per final value (every category; the strings seen), the share of replications ending on it; null for numbers and booleans",
  })
  finalDistribution?: StateValueShare[];
}

@ObjectType({ description: "One entity number or boolean state at exit" })
export class EntityStateResult implements engine.EntityStateSummary {
  @Field(() => String, { description: "State id in the model" })
  stateId!: string;

  @Field(() => String, { description: "State name" })
  name!: string;

  @Field(() => String, { description: "number or boolean (1/0)" })
  dataType!: engine.StateDataType;

  @Field(() => MetricSummary, {
    description:
      "Per replication, the average value over the entities of the type that left the system after warm-up (replications where none left are not counted)",
  })
  atExit!: MetricSummary;
}

@ObjectType({ description: "The entity states of one entity type at exit" })
export class EntityStatesResult implements engine.EntityStatesSummary {
  @Field(() => String, { description: "Entity id in the model" })
  entityId!: string;

  @Field(() => String, { description: "Entity name" })
  name!: string;

  @Field(() => [EntityStateResult], { description: "Its number and boolean states" })
  states!: EntityStateResult[];
}

@ObjectType({ description: "The resource- or activity-scoped states of one resource or activity" })
export class ComponentStatesResult implements engine.ComponentStatesSummary {
  @Field(() => String, { description: "Resource or activity id in the model" })
  componentId!: string;

  @Field(() => String, { description: "Resource or activity name" })
  name!: string;

  @Field(() => [StateResult], { description: "Its states" })
  states!: StateResult[];
}

@ObjectType({ description: "State results of a run" })
export class StatesResults implements engine.StatesSummary {
  @Field(() => [StateResult], { description: "Model states" })
  model!: StateResult[];

  @Field(() => [EntityStatesResult], { description: "Entity states at exit, per entity type" })
  entities!: EntityStatesResult[];

  @Field(() => [ComponentStatesResult], {
    description: "Resource states, per resource (empty when the model declares none)",
  })
  resources!: ComponentStatesResult[];

  @Field(() => [ComponentStatesResult], {
    description: "Activity states, per activity (empty when the model declares none)",
  })
  activities!: ComponentStatesResult[];
}

@ObjectType({
  description:
    "Costs of one resource (the currency of the model's rates; hourly rates are per hour of simulated time and unit of capacity)",
})
export class ResourceCostResult implements engine.ResourceCostSummary {
  @Field(() => String, { description: "Resource id in the model" })
  resourceId!: string;

  @Field(() => String, { description: "Resource name" })
  name!: string;

  @Field(() => MetricSummary, {
    description:
      "costPerSeize × seizes granted after warm-up, each scaled by the seizing activity's resourceCostMultiplier",
  })
  seizeCost!: MetricSummary;

  @Field(() => MetricSummary, {
    description:
      "costPerHourUtilized × busy unit-hours after warm-up, scaled by the seizing activity's resourceCostMultiplier",
  })
  utilizationCost!: MetricSummary;

  @Field(() => MetricSummary, { description: "costPerHourIdle × idle unit-hours after warm-up" })
  idleCost!: MetricSummary;

  @Field(() => MetricSummary, { description: "seizeCost + utilizationCost + idleCost" })
  totalCost!: MetricSummary;
}

@ObjectType({ description: "Costs of one activity (the currency of the model's rates)" })
export class ActivityCostResult implements engine.ActivityCostSummary {
  @Field(() => String, { description: "Activity id in the model" })
  activityId!: string;

  @Field(() => String, { description: "Activity name" })
  name!: string;

  @Field(() => MetricSummary, { description: "fixedCost, charged once per replication" })
  fixedCost!: MetricSummary;

  @Field(() => MetricSummary, {
    description: "costPerEntityProcessed × entities that left the activity after warm-up",
  })
  processingCost!: MetricSummary;

  @Field(() => MetricSummary, {
    description:
      "costPerHourActive × occupied capacity-hours + costPerHourIdle × unoccupied capacity-hours, after warm-up",
  })
  operationalCost!: MetricSummary;

  @Field(() => MetricSummary, { description: "fixedCost + processingCost + operationalCost" })
  totalCost!: MetricSummary;
}

@ObjectType({ description: "The scenario's cost totals" })
export class ScenarioCostResult implements engine.ScenarioCostSummary {
  @Field(() => MetricSummary, { description: "Sum of the activities' totalCost" })
  totalActivityCost!: MetricSummary;

  @Field(() => MetricSummary, { description: "Sum of the resources' totalCost" })
  totalResourceCost!: MetricSummary;

  @Field(() => MetricSummary, { description: "totalActivityCost + totalResourceCost" })
  totalCost!: MetricSummary;
}

@ObjectType({ description: "Cost results of a run (from the enabled financialProperties of the model)" })
export class CostResults implements engine.CostsSummary {
  @Field(() => [ResourceCostResult], { description: "One row per resource whose costs are enabled" })
  resources!: ResourceCostResult[];

  @Field(() => [ActivityCostResult], { description: "One row per activity whose costs are enabled" })
  activities!: ActivityCostResult[];

  @Field(() => ScenarioCostResult, { description: "The scenario's totals" })
  scenario!: ScenarioCostResult;
}

@ObjectType({ description: "Results of a run, summarised over its replications" })
export class SimulationResults implements engine.SimulationSummary {
  @Field(() => Int, { description: "Replications run" })
  reps!: number;

  @Field(() => Int, { description: "Base seed of the run" })
  seed!: number;

  @Field(() => String, { description: "Time unit of every time figure (seconds, minutes, hours or days)" })
  timeUnit!: engine.TimeUnit;

  @Field(() => Float, { description: "Simulated time per replication" })
  runTime!: number;

  @Field(() => Float, { description: "Warm-up excluded from statistics" })
  warmupTime!: number;

  @Field(() => Float, { description: "Simulation events processed over all replications" })
  eventCount!: number;

  @Field(() => Float, {
    description:
      "Entities that left the system over the whole runs (warm-up included), summed over replications",
  })
  exitsTotal!: number;

  @Field(() => [ActivityResult], { description: "Per-activity figures" })
  activities!: ActivityResult[];

  @Field(() => [ResourceResult], { description: "Per-resource figures" })
  resources!: ResourceResult[];

  @Field(() => [EntityResult], { description: "Per-entity-type figures" })
  entities!: EntityResult[];

  @Field(() => TimeSeries, { description: "Throughput and WIP by the scenario's time period" })
  timeSeries!: TimeSeries;

  @Field(() => StatesResults, {
    nullable: true,
    description: "State results; null when the model declares no states and uses no state logic",
  })
  states?: StatesResults;

  @Field(() => CostResults, {
    nullable: true,
    description:
      "Cost results; null when no resource or activity of the model has enabled financialProperties",
  })
  costs?: CostResults;
}

// `implements` does not notice an optional engine field missing here; these keys do.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : false;
export const RESULT_KEYS_MATCH: [
  SameKeys<engine.SimulationSummary, SimulationResults>,
  SameKeys<engine.StateValueSummary, StateResult>,
  SameKeys<engine.StatesSummary, StatesResults>,
  SameKeys<engine.EntityStateSummary, EntityStateResult>,
  SameKeys<engine.CostsSummary, CostResults>,
] = [true, true, true, true, true];

/**
 * The one mapper from an engine summary to its GraphQL shape. The classes expose every
 * field of the summary, so it is the summary itself; the return type keeps it honest.
 */
export const toSimulationResults = (summary: engine.SimulationSummary): SimulationResults => summary;
