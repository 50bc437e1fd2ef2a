/**
 * The Quodsi clean wire format (schemaVersion 2026.11.01 / 2026.12.01) as
 * this engine reads it (ENGINE-SEMANTICS §2). `validateModel` guarantees a
 * value of these types; the runtime reads them without re-checking.
 *
 * Reading rules, for every optional field below:
 * - absent, `null` and (for lists) `[]` mean the same thing: the default.
 *   Serializers omit defaults; readers accept them written out (§2.8).
 * - Wire objects keep unknown extra properties (layout, levers, metadata…);
 *   the index signatures say so. Only the fields listed here affect a run.
 * - Enumerations new with states and logic (`componentType`, `dataType`,
 *   `operation`, `comparison`, sample `distribution`, queue `order`) are
 *   read exactly as the clean wire writes them, in lower case. Older ones
 *   (`timeUnit`, generator `mode`, clause `mode`, activity `routing`) are
 *   read case-insensitively, as they always were; read `routing` through
 *   `routingMode` (model/normalize.ts).
 */

import type { Duration, TimeUnit } from "./wire-duration.js";

export type * from "./wire-duration.js";

interface WireObject {
  id: string;
  name?: string;
  [extra: string]: unknown;
}

export type Entity = WireObject;

export interface Resource extends WireObject {
  /** Units available; default 1. */
  capacity?: number;
  /** Cost rates (§5.9, model/costs.ts); absent, null or not `enabled`: the resource costs nothing. */
  financialProperties?: ResourceFinancialProperties | null;
}

/**
 * A resource's cost rates (§2.5, §5.9), each absent = 0. Hourly rates are per
 * hour of simulated time and per unit of capacity, whatever the model's
 * timeUnit. Costs apply only when `enabled` is true.
 */
export interface ResourceFinancialProperties {
  enabled?: boolean | null;
  /** Per seize granted (a request that takes several units of the resource counts once). */
  costPerSeize?: number | null;
  /** Per busy unit-hour. */
  costPerHourUtilized?: number | null;
  /** Per idle unit-hour. */
  costPerHourIdle?: number | null;
}

/**
 * An activity's cost rates (§2.7, §5.9), each absent = 0 (the multiplier 1).
 * Costs apply only when `enabled` is true.
 */
export interface ActivityFinancialProperties {
  enabled?: boolean | null;
  /** Once per replication. */
  fixedCost?: number | null;
  /** Per entity that left the activity. */
  costPerEntityProcessed?: number | null;
  /** Per occupied capacity-hour. */
  costPerHourActive?: number | null;
  /** Per unoccupied capacity-hour. */
  costPerHourIdle?: number | null;
  /** Scales the seize and busy costs of the resources seized by this activity's actions; default 1. */
  resourceCostMultiplier?: number | null;
}

export type RequirementMode = "REQUIRE_ALL" | "REQUIRE_ANY";

export interface ResourceRequest {
  resourceId: string;
  /** Units; default 1. */
  quantity?: number | null;
  /** Order among waiting requests, lower first (decision Q3); default 1. */
  priority?: number | null;
  /** Keep this request's units after a delay_with_resource (decision Q3); default false. */
  keepResource?: boolean | null;
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

// ---------------------------------------------------------------------------
// States (§2.4), modifications (§2.9) and conditions (§2.10)

/** Where a state lives: once per run (model), per entity, per resource or per activity. */
export type StateScope = "model" | "entity" | "resource" | "activity";
export type StateDataType = "number" | "string" | "boolean" | "category";
export type StateValue = number | string | boolean;

/**
 * A declared state. `name` is how expressions, scripts and the split/join/
 * create fields refer to it; `id` is how modifications, conditions and
 * queue ranking do.
 */
export interface StateDeclaration {
  id: string;
  /** An identifier (see `isStateName`), unique within its scope. */
  name: string;
  componentType: StateScope;
  dataType: StateDataType;
  /**
   * The value every new instance starts with. Absent or null: 0, "", false,
   * or the first category (`stateInitialValue` in model/normalize.ts).
   */
  initialValue?: StateValue | null;
  /** The allowed values of a `category` state (required, non-empty, distinct); ignored otherwise. */
  categoryValues?: string[] | null;
  description?: string | null;
  /** Default true. */
  collectStatistics?: boolean | null;
  [extra: string]: unknown;
}

export type StateOperation = "assign" | "add" | "subtract" | "multiply" | "divide" | "sample";
/** The operations that need a number state. */
export type ArithmeticOperation = "add" | "subtract" | "multiply" | "divide";

/** `{value}`: always this value (of the state's type). */
export interface ConstantSample {
  distribution?: "constant" | null;
  value: StateValue;
}
export interface UniformSample {
  distribution: "uniform";
  min: number;
  max: number;
}
export interface TriangularSample {
  distribution: "triangular";
  min: number;
  mode: number;
  max: number;
}
export interface NormalSample {
  distribution: "normal";
  mean: number;
  std: number;
}
export interface ExponentialSample {
  distribution: "exponential";
  scale: number;
}
/** True with probability `p` (boolean states only). */
export interface BernoulliSample {
  distribution: "bernoulli";
  p: number;
}
/** One of the keys, with its probability (category and string states; the probabilities sum to 1). */
export interface CategoricalSample {
  distribution: "categorical";
  probabilities: Record<string, number>;
}
/** The seven sample shapes of a StateModification (`sample` operand). */
export type StateSample =
  | ConstantSample
  | UniformSample
  | TriangularSample
  | NormalSample
  | ExponentialSample
  | BernoulliSample
  | CategoricalSample;
export type SampleDistribution = NonNullable<StateSample["distribution"]>;

interface ModificationBase {
  /** The state written. */
  stateId: string;
  operation: StateOperation;
  /** Cross-component targeting: the resource or activity whose state is written. */
  componentId?: string | null;
  targetComponentType?: "resource" | "activity" | null;
  [extra: string]: unknown;
}

/**
 * One state change. Exactly one operand: a `value` (a literal of the
 * state's type), an `expression` (number and boolean states) or a `sample`
 * (with, and only with, operation `sample`). Read the operand through
 * `modificationOperand` (model/normalize.ts).
 */
export type StateModification = ModificationBase &
  (
    | { value: StateValue; expression?: null; sample?: null }
    | { expression: string; value?: null; sample?: null }
    | { operation: "sample"; sample: StateSample; value?: null; expression?: null }
  );

export type StateComparison =
  "equal" | "not_equal" | "greater_than" | "greater_equal" | "less_than" | "less_equal";

/**
 * `state <comparison> value`. The ordering comparisons need a number
 * state. `value` has the state's type; numeric strings and "true"/"false"
 * are accepted for number and boolean states (`conditionValue` in
 * model/states.ts reads them).
 */
export interface StateCondition {
  stateId: string;
  comparison: StateComparison;
  value: StateValue;
  /** Scenario Lab: the resource or activity whose resource or activity state is compared (absent: an activity state of the entity's activity). */
  componentId?: string | null;
  [extra: string]: unknown;
}

// ---------------------------------------------------------------------------
// Actions (§2.8)

interface ActionBase {
  /** Unique within its activity or connector (nested actions included); generated when absent (`withActionIds`). */
  id?: string;
  name?: string | null;
  [extra: string]: unknown;
}
/** Every action type but branch and script may be guarded: when false, the action is skipped. */
interface Guarded {
  condition?: StateCondition | null;
}

export interface AssignAction extends ActionBase, Guarded {
  type: "assign";
  /** Applied in order; a later one sees the earlier ones. */
  modifications?: StateModification[] | null;
}
export interface SeizeAction extends ActionBase, Guarded {
  type: "seize";
  resourceRequirementId: string;
  /** Order among waiting seizes, lower first (decision Q3); default 1. */
  priority?: number | null;
}
export interface ReleaseAction extends ActionBase, Guarded {
  type: "release";
  /** Absent, null or "": release everything the entity holds. */
  resourceRequirementId?: string | null;
}
export interface DelayAction extends ActionBase, Guarded {
  type: "delay";
  duration: Duration;
}
export interface DelayWithResourceAction extends ActionBase, Guarded {
  type: "delay_with_resource";
  /** Absent, null or "": a plain delay. */
  resourceRequirementId?: string | null;
  duration: Duration;
  /** Keep the seized resources after the delay (released by a later `release`); default false. */
  keepResource?: boolean | null;
  /** Order among waiting seizes, lower first (decision Q3); default 1. */
  priority?: number | null;
  /** Applied after the delay (Inferred, §5.6). */
  modifications?: StateModification[] | null;
}
export interface SplitAction extends ActionBase, Guarded {
  type: "split";
  /** New entities replacing the original; default 1. */
  count?: number | null;
  /** An activity other than the one the split runs in. */
  destinationId: string;
  /** Type of the new entities; absent, null or "": the original's type. */
  entityTemplateId?: string | null;
  /** Entity state names copied from the original. */
  inheritStates?: string[] | null;
  modifications?: StateModification[] | null;
  /** Entity number state name receiving the 0-based piece index. */
  splitIndexState?: string | null;
}
export interface CreateAction extends ActionBase, Guarded {
  type: "create";
  entityTemplateId: string;
  destinationId: string;
  inheritStates?: string[] | null;
  modifications?: StateModification[] | null;
}
export interface DisposeAction extends ActionBase, Guarded {
  type: "dispose";
}
export interface JoinAction extends ActionBase, Guarded {
  type: "join";
  /** Entity state name whose value groups the arrivals. */
  matchState: string;
  /** Group size; default 2. */
  joinCount?: number | null;
  destinationId: string;
  /** Type of the combined entity; absent, null or "": the first arrival's type. */
  combinedTemplateId?: string | null;
  /** Entity state names copied from the first arrival. */
  inheritStates?: string[] | null;
  modifications?: StateModification[] | null;
  /** Entity number state name receiving the group size. */
  joinCountState?: string | null;
}
export interface LoopAction extends ActionBase, Guarded {
  type: "loop";
  /** Repetitions; default 1. */
  count?: number | null;
  actions?: Action[] | null;
}
export interface BranchAction extends ActionBase {
  type: "branch";
  /** The selector (not a guard). */
  condition: StateCondition;
  ifTrue?: Action[] | null;
  ifFalse?: Action[] | null;
}
export interface ScriptAction extends ActionBase {
  type: "script";
  /** The script (expression language, decision Q10). */
  source: string;
  languageVersion?: number | null;
}

export type Action =
  | DelayAction
  | DelayWithResourceAction
  | SeizeAction
  | ReleaseAction
  | AssignAction
  | BranchAction
  | LoopAction
  | SplitAction
  | JoinAction
  | CreateAction
  | DisposeAction
  | ScriptAction;
export type ActionType = Action["type"];

// ---------------------------------------------------------------------------
// Activities, generators, connectors

/**
 * Activity routing as written on the wire (case-insensitive). `probabilistic`
 * is read as `probability`; `entity_template` and `entity` as `entity_type`
 * (decision Q1).
 */
export type ActivityRouting =
  "probability" | "probabilistic" | "state_condition" | "entity_type" | "entity_template" | "entity";

/** Orders an activity's waiting queue by an entity number state (absent: FIFO). */
export interface QueueRanking {
  stateId: string;
  /** Default ascending. */
  order?: "ascending" | "descending" | null;
  [extra: string]: unknown;
}

export type GeneratorMode = "FREQUENCY" | "PATTERN" | "SCHEDULED";

/** Fields shared by generators and activity `sourceConfig` (§2.11, §5.3). */
export interface GeneratorCore {
  entityId: string;
  /** Default FREQUENCY; the wire also uses lower case. */
  mode?: GeneratorMode | Lowercase<GeneratorMode> | null;
  interarrivalTime?: Duration;
  /** Entities per arrival, 1..1000; default 1. */
  batchSize?: number;
  /** Time of the first arrival; default 0. */
  startDelay?: Duration;
  /** Total entities this generator creates, at most 1 000 000; absent/null = unlimited. */
  maxEntities?: number | null;
  /** Number of arrivals (batches); absent/null = unlimited. */
  maxCycles?: number | null;
  /** Applied in order to each new entity, after every entity state got its initial value. */
  initialStates?: StateModification[] | null;
  /** PATTERN mode: the arrival pattern (required). */
  arrivalPatternId?: string | null;
  /** PATTERN mode: expected arrivals per pattern cycle (required, > 0). */
  volume?: number | null;
  /** SCHEDULED mode: the arrival schedule (required). */
  arrivalScheduleId?: string | null;
}

/**
 * Activity failures (§5.8): the activity breaks down after an `mtbfDuration`
 * sample of up time and is repaired after an `mttrDuration` sample
 * (runtime/failures.ts has the semantics).
 */
export interface FailureProperties {
  /** Absent = false (Quodsi's default): the other fields are then ignored. */
  enabled?: boolean | null;
  /** Up time before a failure; required when enabled. */
  mtbfDuration?: Duration | null;
  /** Repair time; required when enabled. */
  mttrDuration?: Duration | null;
  /** `wall_clock` (default; any case): up time runs continuously; `active_time`: only while the activity works. */
  failureClockMode?: "wall_clock" | "active_time" | "WALL_CLOCK" | "ACTIVE_TIME" | null;
  /** Requirement seized for each repair; absent, null or "" = none. */
  repairResourceRequirementId?: string | null;
}

/**
 * A non-homogeneous arrival profile (§2.13, decision Q5), shared by the
 * PATTERN generators that name it. Every weight list is relative (only
 * ratios matter); empty or absent means uniform.
 */
export interface ArrivalPattern extends WireObject {
  /** The period `volume` counts over: `day`, `week` (default) or `year`; case-insensitive. */
  cycle?: "day" | "week" | "year" | "DAY" | "WEEK" | "YEAR" | null;
  /** What `seasonWeights` index: `week` of the year (52 values, default) or `month` (12). */
  seasonMode?: "week" | "month" | "WEEK" | "MONTH" | null;
  seasonWeights?: number[] | null;
  /** Monday first, 7 values. */
  dayOfWeekWeights?: number[] | null;
  /** 168 values, Monday 00:00-01:00 first (index weekday × 24 + hour), or 24 (the same every day). */
  hourWeights?: number[] | null;
  /** Only `poisson` (the default). */
  countMode?: "poisson" | "POISSON" | null;
  /** The minute within the hour of each arrival, a unitless sample in minutes; default uniform 0-60. */
  withinHourOffset?: Record<string, unknown> | null;
}

/** One row of an arrival schedule: `quantity` entities of `entityId` at `time`. */
export interface ScheduledArrival {
  /** An offset from t = 0 in the schedule's timeUnit, or (calendar mode) an ISO date-time. */
  time: number | string;
  /** Default: the generator's entity. */
  entityId?: string | null;
  /** Default 1. */
  quantity?: number | null;
  /** Entity states set on each new entity, keyed by state id or name (decision Q12). */
  stateValues?: Record<string, StateValue> | null;
  [extra: string]: unknown;
}

/** A list of timed arrivals (§2.13), used by the SCHEDULED generators that name it. */
export interface ArrivalSchedule extends WireObject {
  /** Unit of numeric row times; default minutes. */
  timeUnit?: TimeUnit | null;
  arrivals?: ScheduledArrival[] | null;
}

export interface Activity extends WireObject {
  /** Entities processed at once; default 1. */
  capacity?: number;
  /** Waiting room in front of the activity; absent/null = unlimited. */
  inboundCapacity?: number | null;
  /** Room for finished entities that cannot move on yet; absent/null = unlimited. */
  outboundCapacity?: number | null;
  actions?: Action[] | null;
  /** Default probability. */
  routing?: ActivityRouting | null;
  /** Absent, null or "FIFO": first come, first served. */
  queueRanking?: QueueRanking | "FIFO" | "fifo" | null;
  /** The activity generates entities itself (§5.4). */
  sourceConfig?: GeneratorCore | null;
  /** Cost rates (§5.9, model/costs.ts); absent, null or not `enabled`: the activity costs nothing. */
  financialProperties?: ActivityFinancialProperties | null;
  /** Breakdowns and repairs (§5.8). */
  failureProperties?: FailureProperties | null;
}

export interface Generator extends WireObject, GeneratorCore {
  /** Accepted but not used: a generator sends every entity through its first connector (decision Q4). */
  routing?: ActivityRouting | null;
}

export interface Connector extends WireObject {
  sourceId: string;
  targetId: string;
  /** Relative routing weight among the source's outgoing connectors; default 1. */
  weight?: number | null;
  /** Entity type this connector accepts (entity-type and state-condition routing). */
  entityId?: string | null;
  /** State-condition routing: the connector is taken when this holds. */
  condition?: StateCondition | null;
  /** Among several matching connectors, the lowest first (decision Q2); absent = after every numbered one. */
  priority?: number | null;
  /** Run while the entity moves along the connector (e.g. a walking `delay`). */
  actions?: Action[] | null;
}

export interface QuodsiModel {
  schemaVersion?: string;
  name?: string;
  replications?: number;
  seed?: number;
  timeUnit: TimeUnit;
  runTime: Duration;
  warmupTime?: Duration;
  /** `clock` (default) or `calendar`: time 0 is `startDateTime` and schedules may use ISO date-times. */
  timeMode?: "clock" | "calendar" | "CLOCK" | "CALENDAR" | null;
  /** Calendar mode: the date and time of t = 0 (required there), an ISO date-time. */
  startDateTime?: string | null;
  arrivalPatterns?: ArrivalPattern[] | null;
  arrivalSchedules?: ArrivalSchedule[] | null;
  entities?: Entity[];
  states?: StateDeclaration[] | null;
  resources?: Resource[];
  resourceRequirements?: ResourceRequirement[];
  activities?: Activity[];
  generators?: Generator[];
  connectors?: Connector[];
  [extra: string]: unknown;
}
