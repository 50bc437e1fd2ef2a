/**
 * Typed shape of the Quodsi clean wire format (schemaVersion 2026.11.01 /
 * 2026.12.01) as far as this engine reads it, plus the engine's result types.
 *
 * Wire objects keep unknown extra properties (the format carries layout,
 * levers, metadata ...); the index signatures say so explicitly. Only the
 * fields listed here influence a simulation run.
 */

export interface ValidationIssue {
  /** Path into the checked value, e.g. `activities[2].actions[0].duration.scale`. */
  path: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/** Time units accepted on the wire (case-insensitive on input). */
export type TimeUnit = "seconds" | "minutes" | "hours" | "days";

interface DurationBase {
  unit: TimeUnit;
}

/** `{unit, value}` or `{unit, distribution: "constant", value}`. */
export interface ConstantDuration extends DurationBase {
  distribution?: "constant";
  value: number;
}
export interface UniformDuration extends DurationBase {
  distribution: "uniform";
  min: number;
  max: number;
}
export interface TriangularDuration extends DurationBase {
  distribution: "triangular";
  min: number;
  mode: number;
  max: number;
}
/** Normal(mean, std) truncated at 0 (negative draws are re-drawn). */
export interface NormalDuration extends DurationBase {
  distribution: "normal";
  mean: number;
  std: number;
}
/** Exponential with `scale` = mean. */
export interface ExponentialDuration extends DurationBase {
  distribution: "exponential";
  scale: number;
}
/**
 * Lognormal as numpy's `lognormal(mean, sigma)`: `mean` and `sigma` are the
 * mean and standard deviation of the underlying normal (log of the time in
 * `unit`), as in Quodsi's own distribution definitions.
 */
export interface LognormalDuration extends DurationBase {
  distribution: "lognormal";
  mean: number;
  sigma: number;
}
/** Gamma(shape k, scale θ): mean kθ. */
export interface GammaDuration extends DurationBase {
  distribution: "gamma";
  shape: number;
  scale: number;
}
/** Weibull(shape, scale); scale defaults to 1 (numpy's `weibull(a)`). */
export interface WeibullDuration extends DurationBase {
  distribution: "weibull";
  shape: number;
  scale?: number;
}
/** Erlang: sum of `k` exponentials, each with mean `scale` (total mean k·scale). */
export interface ErlangDuration extends DurationBase {
  distribution: "erlang";
  k: number;
  scale: number;
}
/** Beta(alpha, beta) scaled to [min, max] (defaults 0 and 1). */
export interface BetaDuration extends DurationBase {
  distribution: "beta";
  alpha: number;
  beta: number;
  min?: number;
  max?: number;
}
/** Discrete/empirical: `values[i]` with relative weight `probabilities[i]`. */
export interface DiscreteDuration extends DurationBase {
  distribution: "discrete" | "empirical";
  values: number[];
  probabilities: number[];
}

export type Duration =
  | ConstantDuration
  | UniformDuration
  | TriangularDuration
  | NormalDuration
  | ExponentialDuration
  | LognormalDuration
  | GammaDuration
  | WeibullDuration
  | ErlangDuration
  | BetaDuration
  | DiscreteDuration;

export type DistributionName = NonNullable<Duration["distribution"]>;

interface WireObject {
  id: string;
  name?: string;
  [extra: string]: unknown;
}

export type Entity = WireObject;

export interface Resource extends WireObject {
  /** Units available; default 1. */
  capacity?: number;
}

export type RequirementMode = "REQUIRE_ALL" | "REQUIRE_ANY";

export interface ResourceRequest {
  resourceId: string;
  /** Units; default 1. */
  quantity?: number;
  [extra: string]: unknown;
}

export interface RequirementClause {
  id?: string;
  /** Default REQUIRE_ALL; the wire also uses lower case. */
  mode?: RequirementMode | Lowercase<RequirementMode>;
  requests?: ResourceRequest[];
  clauses?: RequirementClause[];
  [extra: string]: unknown;
}

export interface ResourceRequirement extends WireObject {
  rootClause: RequirementClause;
}

export interface DelayAction {
  type: "delay";
  id?: string;
  duration: Duration;
  [extra: string]: unknown;
}
export interface DelayWithResourceAction {
  type: "delay_with_resource";
  id?: string;
  resourceRequirementId: string;
  duration: Duration;
  /** Keep the seized resources after the delay (released by a later `release`). */
  keepResource?: boolean;
  [extra: string]: unknown;
}
export interface SeizeAction {
  type: "seize";
  id?: string;
  resourceRequirementId: string;
  [extra: string]: unknown;
}
export interface ReleaseAction {
  type: "release";
  id?: string;
  resourceRequirementId: string;
  [extra: string]: unknown;
}
/** Quodsi action types this engine stores but does not run (checkRunnable names them). */
export type UnsupportedActionType =
  "assign" | "branch" | "loop" | "split" | "join" | "create" | "dispose" | "script";
export interface UnsupportedAction {
  type: UnsupportedActionType;
  id?: string;
  [extra: string]: unknown;
}

export type Action = DelayAction | DelayWithResourceAction | SeizeAction | ReleaseAction | UnsupportedAction;
export type ActionType = Action["type"];

export interface Activity extends WireObject {
  /** Entities processed at once; default 1. */
  capacity?: number;
  /** Waiting room in front of the activity; absent/null = unlimited. */
  inboundCapacity?: number | null;
  /** Room for finished entities that cannot move on yet; absent/null = unlimited. */
  outboundCapacity?: number | null;
  actions?: Action[];
}

export type GeneratorMode = "FREQUENCY" | "PATTERN" | "SCHEDULED";

export interface Generator extends WireObject {
  entityId: string;
  mode?: GeneratorMode;
  interarrivalTime?: Duration;
  /** Entities per arrival; default 1. */
  batchSize?: number;
  /** Time of the first arrival; default 0. */
  startDelay?: Duration;
  /** Total entities this generator creates; absent/null = unlimited. */
  maxEntities?: number | null;
  /** Number of arrivals (batches); absent/null = unlimited. */
  maxCycles?: number | null;
}

export interface ConnectorDelayAction {
  type: "delay";
  id?: string;
  duration: Duration;
  [extra: string]: unknown;
}

export interface Connector extends WireObject {
  sourceId: string;
  targetId: string;
  /** Relative routing weight among the source's outgoing connectors; default 1. */
  weight?: number;
  /** Travel: `delay` actions run in sequence while the entity moves. */
  actions?: Array<ConnectorDelayAction | UnsupportedAction>;
}

export interface QuodsiModel {
  schemaVersion?: string;
  name?: string;
  replications?: number;
  seed?: number;
  timeUnit: TimeUnit;
  runTime: Duration;
  warmupTime?: Duration;
  entities?: Entity[];
  resources?: Resource[];
  resourceRequirements?: ResourceRequirement[];
  activities?: Activity[];
  generators?: Generator[];
  connectors?: Connector[];
  [extra: string]: unknown;
}

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
  /** Entities created after warm-up. */
  createdCount: number;
  /** Entities that left the system after warm-up. */
  completedCount: number;
  /** Mean creation-to-exit time of completed entities. */
  averageTimeInSystem: number;
  /** Mean time completed entities were not in a delay or travelling: queues, resource waits, blocking. */
  averageTimeWaiting: number;
}

export interface TimeBucket {
  start: number;
  end: number;
  /** Entities leaving the system during the bucket. */
  throughput: number;
  /** Time-averaged number of entities in the system during the bucket. */
  wip: number;
}

export interface TimeSeries {
  period: TimePeriod;
  /** Bucket length in the model's timeUnit. */
  bucketSize: number;
  buckets: TimeBucket[];
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
}
