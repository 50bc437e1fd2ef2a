/**
 * The keys of the clean wire format (model/wire.ts, wire-duration.ts) that a
 * stored definition keeps: every key the validator or the engine reads,
 * including the known-but-unsupported ones it reports (resource
 * failureProperties, work schedules, connectType, connector stateCondition/stateModifications),
 * the authoring `levers` of the model and its objects (read by model/levers.ts),
 * and Quodsi's `metadata` block (timestamp, version). Anything else (layout,
 * padding, typos) is dropped with a warning, so a stored definition is the
 * normalised document the engine reads and nothing more.
 */
import type { ValidationIssue } from "../types.js";
import { isObject } from "./issues.js";

/** What a key holds: a value kept as it is, an object of known keys, or a list of them. */
type Shape = "value" | Keys | { list: Keys };
interface Keys {
  readonly [key: string]: Shape;
}

const list = (keys: Keys): Shape => ({ list: keys });

const DURATION: Keys = {
  unit: "value",
  distribution: "value",
  value: "value",
  min: "value",
  max: "value",
  mode: "value",
  mean: "value",
  std: "value",
  scale: "value",
  sigma: "value",
  shape: "value",
  k: "value",
  alpha: "value",
  beta: "value",
  values: "value",
  probabilities: "value",
};

const CONDITION: Keys = { stateId: "value", comparison: "value", value: "value" };

const SAMPLE: Keys = {
  distribution: "value",
  value: "value",
  min: "value",
  mode: "value",
  max: "value",
  mean: "value",
  std: "value",
  scale: "value",
  p: "value",
  // Keys are the state's categories.
  probabilities: "value",
};

const MODIFICATION: Keys = {
  stateId: "value",
  operation: "value",
  componentId: "value",
  targetComponentType: "value",
  value: "value",
  expression: "value",
  sample: SAMPLE,
};

/** Every action type's keys together (model/actions.ts reads each type's own). */
const ACTION: Record<string, Shape> = {
  id: "value",
  name: "value",
  type: "value",
  condition: CONDITION,
  modifications: list(MODIFICATION),
  resourceRequirementId: "value",
  priority: "value",
  duration: DURATION,
  keepResource: "value",
  count: "value",
  destinationId: "value",
  entityTemplateId: "value",
  inheritStates: "value",
  splitIndexState: "value",
  matchState: "value",
  joinCount: "value",
  combinedTemplateId: "value",
  joinCountState: "value",
  source: "value",
  languageVersion: "value",
};
ACTION.actions = list(ACTION);
ACTION.ifTrue = list(ACTION);
ACTION.ifFalse = list(ACTION);

const GENERATOR_CORE: Keys = {
  entityId: "value",
  mode: "value",
  interarrivalTime: DURATION,
  batchSize: "value",
  startDelay: DURATION,
  maxEntities: "value",
  maxCycles: "value",
  initialStates: list(MODIFICATION),
  arrivalPatternId: "value",
  volume: "value",
  arrivalScheduleId: "value",
};

const REQUEST: Keys = { resourceId: "value", quantity: "value", priority: "value", keepResource: "value" };
const CLAUSE: Record<string, Shape> = { id: "value", mode: "value", requests: list(REQUEST) };
CLAUSE.clauses = list(CLAUSE);

const RESOURCE_FINANCIAL: Keys = {
  enabled: "value",
  costPerSeize: "value",
  costPerHourUtilized: "value",
  costPerHourIdle: "value",
};
const ACTIVITY_FINANCIAL: Keys = {
  enabled: "value",
  fixedCost: "value",
  costPerEntityProcessed: "value",
  costPerHourActive: "value",
  costPerHourIdle: "value",
  resourceCostMultiplier: "value",
};

const MODEL: Keys = {
  schemaVersion: "value",
  name: "value",
  replications: "value",
  seed: "value",
  timeUnit: "value",
  runTime: DURATION,
  warmupTime: DURATION,
  timeMode: "value",
  startDateTime: "value",
  arrivalPatterns: list({
    id: "value",
    name: "value",
    cycle: "value",
    seasonMode: "value",
    seasonWeights: "value",
    dayOfWeekWeights: "value",
    hourWeights: "value",
    countMode: "value",
    withinHourOffset: DURATION,
  }),
  arrivalSchedules: list({
    id: "value",
    name: "value",
    timeUnit: "value",
    arrivals: list({ time: "value", entityId: "value", quantity: "value", stateValues: "value" }),
  }),
  metadata: { timestamp: "value", version: "value" },
  levers: "value",
  entities: list({ id: "value", name: "value" }),
  states: list({
    id: "value",
    name: "value",
    componentType: "value",
    dataType: "value",
    initialValue: "value",
    categoryValues: "value",
    description: "value",
    collectStatistics: "value",
  }),
  resources: list({
    id: "value",
    name: "value",
    capacity: "value",
    financialProperties: RESOURCE_FINANCIAL,
    levers: "value",
    failureProperties: "value",
    workSchedule: "value",
    workScheduleId: "value",
    schedule: "value",
    shifts: "value",
  }),
  resourceRequirements: list({ id: "value", name: "value", rootClause: CLAUSE }),
  activities: list({
    id: "value",
    name: "value",
    capacity: "value",
    inboundCapacity: "value",
    outboundCapacity: "value",
    actions: list(ACTION),
    routing: "value",
    connectType: "value",
    queueRanking: { stateId: "value", order: "value" },
    sourceConfig: GENERATOR_CORE,
    financialProperties: ACTIVITY_FINANCIAL,
    failureProperties: {
      enabled: "value",
      mtbfDuration: DURATION,
      mttrDuration: DURATION,
      failureClockMode: "value",
      repairResourceRequirementId: "value",
    },
    levers: "value",
  }),
  generators: list({ ...GENERATOR_CORE, id: "value", name: "value", routing: "value", levers: "value" }),
  connectors: list({
    id: "value",
    name: "value",
    sourceId: "value",
    targetId: "value",
    weight: "value",
    entityId: "value",
    condition: CONDITION,
    priority: "value",
    actions: list(ACTION),
    stateCondition: "value",
    stateModifications: "value",
    levers: "value",
  }),
};

/** At most this many dropped keys are named one by one. */
const MAX_WARNINGS = 50;

/**
 * The definition with only the known keys of the clean wire format, and one
 * warning per dropped key. Values of the wrong kind (a string where an object
 * belongs) are kept as they are: validation reports them. Walks the
 * definition once; recursion follows the wire format's own nesting, which the
 * caller has bounded (INPUT_MAX_JSON_DEPTH).
 */
export function knownKeysOnly(definition: unknown): { value: unknown; warnings: ValidationIssue[] } {
  const warnings: ValidationIssue[] = [];
  let dropped = 0;
  const drop = (path: string) => {
    if (++dropped <= MAX_WARNINGS) warnings.push({ path, message: "unknown key, dropped" });
  };
  const pathOf = (base: string, key: string) => (base ? `${base}.${key}` : key);
  const walk = (value: unknown, shape: Shape, path: string): unknown => {
    if (shape === "value") return value;
    if ("list" in shape && typeof shape.list === "object") {
      const keys = shape.list as Keys;
      return Array.isArray(value) ? value.map((item, i) => walk(item, keys, `${path}[${i}]`)) : value;
    }
    if (!isObject(value)) return value;
    const keys = shape as Keys;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const sub = Object.hasOwn(keys, key) ? keys[key] : undefined;
      if (sub === undefined) drop(pathOf(path, key));
      else out[key] = walk(item, sub, pathOf(path, key));
    }
    return out;
  };
  const value = walk(definition, MODEL, "");
  if (dropped > MAX_WARNINGS)
    warnings.push({ path: "", message: `${dropped - MAX_WARNINGS} more unknown keys dropped` });
  return { value, warnings };
}
