/**
 * The engine's validation and result types. The wire format's types live in
 * `model/wire.ts` and are re-exported here, so `types.js` stays the one
 * import for both.
 */
import type { StateDataType, TimeUnit } from "./model/wire.js";

export type * from "./model/wire.js";

export interface ValidationIssue {
  /** Path into the checked value, e.g. `activities[2].actions[0].duration.scale`. */
  path: string;
  message: string;
}

/**
 * A checked value, or every problem found. `warnings` (present only when
 * there are some) name legal but suspicious constructs, e.g. a generator
 * with several outgoing connectors, of which only the first is used.
 */
export type Validated<T> =
  { ok: true; value: T; warnings?: ValidationIssue[] } | { ok: false; issues: ValidationIssue[] };

// ---------------------------------------------------------------------------
// Results

export type TimePeriod = "hourly" | "daily" | "monthly";

/** One replication's activity figures (times in the model's timeUnit, after warm-up). */
export interface ActivityRepResult {
  activityId: string;
  /** Entities that left the activity after warm-up (count). */
  throughput: number;
  /** Time-averaged occupied capacity / capacity (occupied = in process, waiting for a resource, or blocked in place). */
  utilization: number;
  /** Mean over entities leaving after warm-up of the time spent waiting here: inbound queue + waiting for resources. */
  averageWaitTime: number;
  /** Of averageWaitTime, the part spent waiting for resources (seize, delay_with_resource) while holding a capacity slot. */
  averageTimeWaitingForResource: number;
  /** Time-averaged number of entities at the activity (inbound queue + capacity + outbound queue). */
  averageContents: number;
  /** Maximum number of entities at the activity after warm-up. */
  maxContents: number;
  /** Entity-time spent blocked here after warm-up: finished, but the next activity had no room. */
  timeBlocked: number;
  /** Mean time from arrival to departure for entities leaving after warm-up. */
  averageTimeInActivity: number;
  /** Time-averaged inbound queue length. */
  averageQueueLength: number;
  /** Time the activity was failed (from a failure to the end of its repair) after warm-up; 0 when it has no failures. */
  timeInFailure: number;
}

export interface ResourceRepResult {
  resourceId: string;
  /** Time-averaged busy units / capacity (0 when capacity is 0). */
  utilization: number;
  /** Mean over requests granted after warm-up of request-to-grant time (zero waits included). */
  averageWaitTime: number;
  /** Maximum number of waiting requests after warm-up. */
  maxQueueLength: number;
  /** Time-averaged number of waiting requests. */
  averageQueueLength: number;
  /** Requests granted after warm-up. */
  grants: number;
  /** Fraction of those requests that had to wait (wait > 0). */
  waitProbability: number;
}

export interface EntityRepResult {
  entityId: string;
  /** Entities created after warm-up: by generators and by split, create and join actions. */
  createdCount: number;
  /** Entities that left the system after warm-up (exits and disposals). */
  completedCount: number;
  /** Mean creation-to-exit time of completed entities. */
  averageTimeInSystem: number;
  /** Mean time completed entities were not in a delay or travelling: queues, resource waits, blocking. */
  averageTimeWaiting: number;
  /** Of createdCount, the entities made by create actions. */
  createdByActionCount: number;
  /** Of createdCount, the pieces made by split actions. */
  splitCount: number;
  /** Of createdCount, the combined entities made by join actions. */
  joinedCount: number;
  /** Of completedCount, the entities ended by a dispose action. */
  disposedCount: number;
}

export interface TimeBucket {
  start: number;
  end: number;
  /** Entities leaving the system during the bucket. */
  throughput: number;
  /** Time-averaged number of entities in the system during the bucket. */
  wip: number;
  /** Calendar mode: the bucket's start as an ISO date-time in the model's offset. */
  startDateTime?: string;
}

export interface TimeSeries {
  period: TimePeriod;
  /** Bucket length in the model's timeUnit (in calendar mode nominal: 30 days for months, and the first bucket may be short). */
  bucketSize: number;
  buckets: TimeBucket[];
  /** Calendar mode: the date and time of t = 0 (the buckets then follow calendar hours, days or months). */
  startDateTime?: string;
}

export interface ReplicationResult {
  repIndex: number;
  seed: number;
  timeUnit: TimeUnit;
  runTime: number;
  warmupTime: number;
  /** Events processed in this replication (whole run, warm-up included). */
  eventCount: number;
  /** Entities that left the system during the whole run (warm-up included). */
  exitsTotal: number;
  activities: ActivityRepResult[];
  resources: ResourceRepResult[];
  entities: EntityRepResult[];
  timeSeries: TimeSeries;
  /** Model states at the end of the run (only when the model declares states). */
  modelStates?: ModelStateResult[];
  /** Per entity type (model order): each entity number/boolean state averaged over the entities that exited (only when the model declares entity states). */
  entityStates?: EntityStatesAtExit[];
  /** Per resource (model order): its resource-scoped states (only when the model declares resource states). */
  resourceStates?: ComponentStateResults[];
  /** Per activity (model order): its activity-scoped states (only when the model declares activity states). */
  activityStates?: ComponentStateResults[];
  /** Costs (only when some resource or activity has enabled financialProperties). */
  costs?: CostsRepResult;
}

/**
 * One resource's costs in one replication (the currency of the model's rates;
 * ENGINE-SEMANTICS §5.9, decisions in model/costs.ts).
 */
export interface ResourceCostRepResult {
  resourceId: string;
  /** costPerSeize × seizes granted after warm-up (× the seizing activity's resourceCostMultiplier). */
  seizeCost: number;
  /** costPerHourUtilized × busy unit-hours after warm-up (× the seizing activity's resourceCostMultiplier). */
  utilizationCost: number;
  /** costPerHourIdle × idle unit-hours after warm-up. */
  idleCost: number;
  /** seizeCost + utilizationCost + idleCost. */
  totalCost: number;
}

/** One activity's costs in one replication. */
export interface ActivityCostRepResult {
  activityId: string;
  /** fixedCost, once per replication. */
  fixedCost: number;
  /** costPerEntityProcessed × entities that left the activity after warm-up. */
  processingCost: number;
  /** costPerHourActive × occupied capacity-hours + costPerHourIdle × unoccupied capacity-hours, after warm-up. */
  operationalCost: number;
  /** fixedCost + processingCost + operationalCost. */
  totalCost: number;
}

/** The scenario's costs in one replication. */
export interface ScenarioCostRepResult {
  /** Sum of the activities' totalCost. */
  totalActivityCost: number;
  /** Sum of the resources' totalCost. */
  totalResourceCost: number;
  /** totalActivityCost + totalResourceCost. */
  totalCost: number;
}

/** Costs of one replication: one row per resource and activity whose costs are enabled, and the scenario totals. */
export interface CostsRepResult {
  resources: ResourceCostRepResult[];
  activities: ActivityCostRepResult[];
  scenario: ScenarioCostRepResult;
}

/** The states of one resource or activity in one replication. */
export interface ComponentStateResults {
  componentId: string;
  states: ModelStateResult[];
}

/** One model state (or resource or activity state) in one replication. Numbers and booleans (1/0) also carry time-weighted statistics. */
export interface ModelStateResult {
  name: string;
  finalValue: number | string;
  /** Time-weighted average over the measured period (numbers and booleans only). */
  timeAverage?: number;
  min?: number;
  max?: number;
}

/** Entity states at exit for one entity type: state name -> average value (null when no entity exited). */
export interface EntityStatesAtExit {
  entityId: string;
  values: Record<string, number | null>;
}

/** Statistics of one metric across replications. */
export interface MetricSummary {
  mean: number;
  /** Sample standard deviation (n-1); 0 with one replication. */
  stdDev: number;
  /** Half-width of the 95% confidence interval for the mean (Student's t, n-1 df); 0 with one replication. */
  ciHalfWidth: number;
  min: number;
  max: number;
  /** Per-replication values, in repIndex order. */
  values: number[];
}

type Summarised<T, Keep extends keyof T> = { [K in keyof T]: K extends Keep ? T[K] : MetricSummary };

export type ActivitySummary = Summarised<ActivityRepResult, "activityId"> & { name: string };
export type ResourceSummary = Summarised<ResourceRepResult, "resourceId"> & { name: string };
export type EntitySummary = Summarised<EntityRepResult, "entityId"> & { name: string };
export type ResourceCostSummary = Summarised<ResourceCostRepResult, "resourceId"> & { name: string };
export type ActivityCostSummary = Summarised<ActivityCostRepResult, "activityId"> & { name: string };
export type ScenarioCostSummary = Summarised<ScenarioCostRepResult, never>;

/** Costs across replications, each figure a MetricSummary. */
export interface CostsSummary {
  /** One row per resource whose costs are enabled, in model order. */
  resources: ResourceCostSummary[];
  /** One row per activity whose costs are enabled, in model order. */
  activities: ActivityCostSummary[];
  scenario: ScenarioCostSummary;
}

export interface SimulationSummary {
  reps: number;
  seed: number;
  timeUnit: TimeUnit;
  runTime: number;
  warmupTime: number;
  /** Events processed, summed over all replications. */
  eventCount: number;
  /** Entities that left the system during the whole runs (warm-up included), summed over replications. */
  exitsTotal: number;
  activities: ActivitySummary[];
  resources: ResourceSummary[];
  entities: EntitySummary[];
  /** Buckets of simulated time from 0 to runTime; values are means over replications. */
  timeSeries: TimeSeries;
  /** State results across replications; only when the model declares states. */
  states?: StatesSummary;
  /** Cost results across replications; only when some resource or activity has enabled financialProperties. */
  costs?: CostsSummary;
}

/**
 * One state's value over a run, across replications: a model state, or a
 * resource or activity state of one resource or activity.
 */
export interface StateValueSummary {
  stateId: string;
  name: string;
  dataType: StateDataType;
  /** Number and boolean (1/0) states: final value, time-average, min and max across replications. */
  finalValue?: MetricSummary;
  timeAverage?: MetricSummary;
  min?: MetricSummary;
  max?: MetricSummary;
  /**
   * String and category states: for each final value (every category, in
   * declaration order; the strings seen, in order of first appearance), the
   * share of replications ending on it (per replication 1 or 0).
   */
  finalDistribution?: StateValueShare[];
}

/** The share of replications whose final value of a string or category state is `value`. */
export interface StateValueShare {
  value: string;
  /** Per replication 1 (ended on `value`) or 0; the mean is the share. */
  share: MetricSummary;
}

/** A model state across replications. */
export type ModelStateSummary = StateValueSummary;

/** One entity number/boolean state at exit: the per-replication averages over the entities that exited (replications where none exited are left out). */
export interface EntityStateSummary {
  stateId: string;
  name: string;
  dataType: StateDataType;
  atExit: MetricSummary;
}

/** Entity number/boolean states at exit for one entity type. */
export interface EntityStatesSummary {
  entityId: string;
  /** The entity type's name. */
  name: string;
  states: EntityStateSummary[];
}

/** The resource- or activity-scoped states of one resource or activity. */
export interface ComponentStatesSummary {
  /** The resource or activity id. */
  componentId: string;
  /** Its name. */
  name: string;
  states: StateValueSummary[];
}

export interface StatesSummary {
  model: ModelStateSummary[];
  entities: EntityStatesSummary[];
  /** One row per resource when the model declares resource states (else empty). */
  resources: ComponentStatesSummary[];
  /** One row per activity when the model declares activity states (else empty). */
  activities: ComponentStatesSummary[];
}
