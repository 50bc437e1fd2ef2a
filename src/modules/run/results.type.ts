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
}

@ObjectType({ description: "Throughput and work in progress over simulated time" })
export class TimeSeries implements engine.TimeSeries {
  @Field(() => String, { description: "hourly, daily or monthly (30 days) of simulated time" })
  period!: engine.TimePeriod;

  @Field(() => Float, { description: "Bucket length in the model's time unit" })
  bucketSize!: number;

  @Field(() => [TimeBucket], { description: "Buckets from 0 to the run time" })
  buckets!: TimeBucket[];
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
}

/**
 * The one mapper from an engine summary to its GraphQL shape. The classes expose every
 * field of the summary, so it is the summary itself; the return type keeps it honest.
 */
export const toSimulationResults = (summary: engine.SimulationSummary): SimulationResults => summary;
