/**
 * Scenario Lab simulation engine: a pure library (no database, GraphQL or
 * HTTP). Consumes the Quodsi clean wire format, runs seeded replications and
 * summarises them with confidence intervals.
 */
export type {
  Action,
  ActionType,
  Activity,
  ActivityCostRepResult,
  ActivityCostSummary,
  ActivityRepResult,
  ActivitySummary,
  CostsRepResult,
  CostsSummary,
  ResourceCostRepResult,
  ResourceCostSummary,
  ScenarioCostRepResult,
  ScenarioCostSummary,
  Connector,
  DistributionName,
  Duration,
  EntityRepResult,
  EntitySummary,
  EntityStatesAtExit,
  EntityStatesSummary,
  FailureProperties,
  ModelStateResult,
  ModelStateSummary,
  ComponentStateResults,
  ComponentStatesSummary,
  EntityStateSummary,
  StateValueShare,
  StateValueSummary,
  StatesSummary,
  MetricSummary,
  QuodsiModel,
  ReplicationResult,
  ResourceRepResult,
  ResourceSummary,
  SimulationSummary,
  StateCondition,
  StateDataType,
  StateScope,
  StateDeclaration,
  StateModification,
  StateSample,
  TimeBucket,
  TimePeriod,
  TimeSeries,
  TimeUnit,
  Validated,
  ValidationIssue,
} from "./types.js";
export { validateDuration, scaleDuration, DISTRIBUTIONS } from "./durations.js";
export { validateModel, checkRunnable, SUPPORTED_SCHEMA_VERSIONS } from "./validate.js";
export { knownKeysOnly } from "./model/known-keys.js";
export { InvalidModelError } from "./compile.js";
export { ModelRuntimeError } from "./runtime/errors.js";
export { MAX_ENTITIES_IN_SYSTEM } from "./runtime/entities.js";
export { MAX_GENERATOR_ENTITIES } from "./model/validate-logic.js";
export { checkBounds, type ModelBounds } from "./bounds.js";
export { runReplication, simulate, summarize, abortError } from "./simulate.js";
export type { SimulateOptions, ReplicationOptions } from "./simulate.js";
export { summarizeMetric, studentTQuantile, studentTCdf } from "./stats.js";
export {
  forEachMetric,
  METRICS,
  METRIC_ID_KEYS,
  COST_METRICS,
  SCENARIO_COST_ID,
  summariseReplications,
} from "./metrics.js";
export type {
  ActivityCostMetric,
  CostMetric,
  CostObjectType,
  CostTables,
  ResourceCostMetric,
  ScenarioCostMetric,
  ActivityMetric,
  EntityMetric,
  MetricName,
  MetricObjectType,
  MetricTables,
  MetricVisit,
  ResourceMetric,
  StateMetric,
  StateObjectType,
  StateRef,
} from "./metrics.js";
export {
  validateOverride,
  applyOverrides,
  OVERRIDABLE_PROPERTIES,
  OVERRIDE_OPERATIONS,
  TARGET_OBJECT_TYPES,
} from "./overrides.js";
export type { ModelOverride, OverrideOperation, OverrideValueType, TargetObjectType } from "./overrides.js";
export { readOverrideTarget } from "./overrides.js";
export { leverIssues, readLevers } from "./model/levers.js";
export type { LeverOverrideTarget, LeverRange, ModelLever } from "./model/levers.js";
