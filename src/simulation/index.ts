/**
 * Scenario Lab simulation engine: a pure library (no database, GraphQL or
 * HTTP). Consumes the Quodsi clean wire format, runs seeded replications and
 * summarises them with confidence intervals.
 */
export type {
  Action,
  ActionType,
  Activity,
  ActivityRepResult,
  ActivitySummary,
  Connector,
  DistributionName,
  Duration,
  EntityRepResult,
  EntitySummary,
  EntityStatesAtExit,
  EntityStatesSummary,
  ModelStateResult,
  ModelStateSummary,
  StatesSummary,
  MetricSummary,
  QuodsiModel,
  ReplicationResult,
  ResourceRepResult,
  ResourceSummary,
  SimulationSummary,
  StateCondition,
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
export { runReplication, simulate, summarize, abortError } from "./simulate.js";
export type { SimulateOptions, ReplicationOptions } from "./simulate.js";
export { summarizeMetric, studentTQuantile, studentTCdf } from "./stats.js";
export { forEachMetric, METRICS, METRIC_ID_KEYS, summariseReplications } from "./metrics.js";
export type {
  ActivityMetric,
  EntityMetric,
  MetricName,
  MetricObjectType,
  MetricTables,
  MetricVisit,
  ResourceMetric,
} from "./metrics.js";
export {
  validateOverride,
  applyOverrides,
  OVERRIDABLE_PROPERTIES,
  OVERRIDE_OPERATIONS,
  TARGET_OBJECT_TYPES,
} from "./overrides.js";
export type { ModelOverride, OverrideOperation, TargetObjectType } from "./overrides.js";
