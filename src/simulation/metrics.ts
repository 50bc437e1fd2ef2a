/**
 * The metrics of activities, resources and entities, named once. Summarising
 * replications, the CSV tables and the scenario comparison all walk them with
 * forEachMetric, so a metric added to a replication result reaches every one
 * of them (and the lists below fail to compile until it is named here).
 */
import { summarizeMetric } from "./stats.js";
import type {
  ActivityCostRepResult,
  ActivityRepResult,
  EntityRepResult,
  MetricSummary,
  QuodsiModel,
  ReplicationResult,
  ResourceCostRepResult,
  ResourceRepResult,
  ScenarioCostRepResult,
  SimulationSummary,
  StateScope,
  StatesSummary,
  StateValueSummary,
} from "./types.js";

export type ActivityMetric = Exclude<keyof ActivityRepResult, "activityId">;
export type ResourceMetric = Exclude<keyof ResourceRepResult, "resourceId">;
export type EntityMetric = Exclude<keyof EntityRepResult, "entityId">;
export type MetricName = ActivityMetric | ResourceMetric | EntityMetric;
export type ResourceCostMetric = Exclude<keyof ResourceCostRepResult, "resourceId">;
export type ActivityCostMetric = Exclude<keyof ActivityCostRepResult, "activityId">;
export type ScenarioCostMetric = keyof ScenarioCostRepResult;
export type CostMetric = ResourceCostMetric | ActivityCostMetric | ScenarioCostMetric;
/** Cost results: one resource's, one activity's, or the scenario's totals (objectId "scenario"). */
export type CostObjectType = "resourceCost" | "activityCost" | "scenarioCost";
/** State results: a model state, an entity type's state at exit, one resource's or activity's state. */
export type StateObjectType = "modelState" | "entityState" | "resourceState" | "activityState";
export type MetricObjectType = "activity" | "resource" | "entity";
/**
 * The figures of a state: number and boolean states have finalValue,
 * timeAverage, min and max (entity states: atExit); a string or category
 * state has one `finalShare:<value>` per final value.
 */
export type StateMetric = "finalValue" | "timeAverage" | "min" | "max" | "atExit" | `finalShare:${string}`;

// Records rather than arrays: a metric missing here, or one the result types lack, fails tsc.
// Key order is the order of CSV columns and comparison rows.
const ACTIVITY: Record<ActivityMetric, true> = {
  throughput: true,
  utilization: true,
  averageWaitTime: true,
  averageTimeWaitingForResource: true,
  averageContents: true,
  maxContents: true,
  timeBlocked: true,
  averageTimeInActivity: true,
  averageQueueLength: true,
  timeInFailure: true,
};
const RESOURCE: Record<ResourceMetric, true> = {
  utilization: true,
  averageWaitTime: true,
  maxQueueLength: true,
  averageQueueLength: true,
  grants: true,
  waitProbability: true,
};
const ENTITY: Record<EntityMetric, true> = {
  createdCount: true,
  completedCount: true,
  averageTimeInSystem: true,
  averageTimeWaiting: true,
  createdByActionCount: true,
  splitCount: true,
  joinedCount: true,
  disposedCount: true,
};

const RESOURCE_COST: Record<ResourceCostMetric, true> = {
  seizeCost: true,
  utilizationCost: true,
  idleCost: true,
  totalCost: true,
};
const ACTIVITY_COST: Record<ActivityCostMetric, true> = {
  fixedCost: true,
  processingCost: true,
  operationalCost: true,
  totalCost: true,
};
const SCENARIO_COST: Record<ScenarioCostMetric, true> = {
  totalActivityCost: true,
  totalResourceCost: true,
  totalCost: true,
};

/** Every cost metric name per cost object type, in column order. */
export const COST_METRICS: {
  readonly resourceCost: readonly ResourceCostMetric[];
  readonly activityCost: readonly ActivityCostMetric[];
  readonly scenarioCost: readonly ScenarioCostMetric[];
} = {
  resourceCost: Object.keys(RESOURCE_COST) as ResourceCostMetric[],
  activityCost: Object.keys(ACTIVITY_COST) as ActivityCostMetric[],
  scenarioCost: Object.keys(SCENARIO_COST) as ScenarioCostMetric[],
};

/** The objectId (and name) of the scenario totals among the cost metrics. */
export const SCENARIO_COST_ID = "scenario";

/**
 * The cost tables forEachMetric walks, with values of type V: a replication's
 * CostsRepResult (numbers) and a CostsSummary (MetricSummary) both are.
 */
export interface CostTables<V> {
  resources: ReadonlyArray<{ resourceId: string; name?: string } & Record<ResourceCostMetric, V>>;
  activities: ReadonlyArray<{ activityId: string; name?: string } & Record<ActivityCostMetric, V>>;
  scenario: Record<ScenarioCostMetric, V>;
}

/** Every metric name per object type, in column order. */
export const METRICS: {
  readonly activity: readonly ActivityMetric[];
  readonly resource: readonly ResourceMetric[];
  readonly entity: readonly EntityMetric[];
} = {
  activity: Object.keys(ACTIVITY) as ActivityMetric[],
  resource: Object.keys(RESOURCE) as ResourceMetric[],
  entity: Object.keys(ENTITY) as EntityMetric[],
};

/** The id column of each object type's table. */
export const METRIC_ID_KEYS = { activity: "activityId", resource: "resourceId", entity: "entityId" } as const;

/**
 * The per-object tables forEachMetric walks, with values of type V: a
 * ReplicationResult (numbers) and a SimulationSummary (MetricSummary) both are.
 */
export interface MetricTables<V> {
  activities: ReadonlyArray<{ activityId: string; name?: string } & Record<ActivityMetric, V>>;
  resources: ReadonlyArray<{ resourceId: string; name?: string } & Record<ResourceMetric, V>>;
  entities: ReadonlyArray<{ entityId: string; name?: string } & Record<EntityMetric, V>>;
  /** State results (summaries only; a replication keeps its states apart). */
  states?: V extends MetricSummary ? StatesSummary : undefined;
  /** Cost results, when the model has costs. */
  costs?: CostTables<V>;
}

/** Which state a state metric is about. */
export interface StateRef {
  scope: StateScope;
  /** The entity type, resource or activity; null for a model state. */
  ownerId: string | null;
  ownerName: string | null;
  stateId: string;
  stateName: string;
  /** For a `finalShare:<value>` metric: the value. */
  shareOf?: string;
}

/** One metric of one object. */
export interface MetricVisit<V> {
  objectType: MetricObjectType | StateObjectType | CostObjectType;
  objectId: string;
  /** The object's name; its id when the table has no names (a replication result). */
  name: string;
  /** Position of the object in its table (state metrics: of the state in the states of its object type). */
  index: number;
  metric: MetricName | StateMetric | CostMetric;
  value: V;
  /** Set on state metrics: objectId is then the state id (model states) or `<owner id>/<state id>`, name the state name or `<owner name>.<state name>`. */
  state?: StateRef;
}

function walk<V, M extends MetricName | CostMetric, I extends { name?: string } & Record<M, V>>(
  objectType: MetricObjectType | CostObjectType,
  items: ReadonlyArray<I>,
  idOf: (item: I) => string,
  metrics: readonly M[],
  visit: (m: MetricVisit<V>) => void,
): void {
  items.forEach((item, index) => {
    const objectId = idOf(item);
    const name = item.name ?? objectId;
    for (const metric of metrics) visit({ objectType, objectId, name, index, metric, value: item[metric] });
  });
}

/**
 * Visits every metric of every activity, then resource, then entity, in table
 * order and METRICS order, then the state results, then the costs (each
 * resource's, each activity's, then the scenario totals, in COST_METRICS
 * order). The one walk over result metrics: summaries, CSV tables and
 * comparisons use it instead of guessing metrics from keys.
 */
export function forEachMetric<V>(tables: MetricTables<V>, visit: (m: MetricVisit<V>) => void): void {
  walk("activity", tables.activities, (a) => a.activityId, METRICS.activity, visit);
  walk("resource", tables.resources, (r) => r.resourceId, METRICS.resource, visit);
  walk("entity", tables.entities, (e) => e.entityId, METRICS.entity, visit);
  if (tables.states) walkStates(tables.states, visit as unknown as (m: MetricVisit<MetricSummary>) => void);
  const costs = tables.costs;
  if (costs) {
    walk("resourceCost", costs.resources, (r) => r.resourceId, COST_METRICS.resourceCost, visit);
    walk("activityCost", costs.activities, (a) => a.activityId, COST_METRICS.activityCost, visit);
    walk(
      "scenarioCost",
      [{ ...costs.scenario, name: SCENARIO_COST_ID }],
      () => SCENARIO_COST_ID,
      COST_METRICS.scenarioCost,
      visit,
    );
  }
}

const STATE_STATS = ["finalValue", "timeAverage", "min", "max"] as const;

/**
 * The state metrics, after the object metrics: model states, entity states
 * at exit, then resource and activity states, each in table order.
 */
function walkStates(st: StatesSummary, visit: (m: MetricVisit<MetricSummary>) => void): void {
  const values = (
    objectType: StateObjectType,
    scope: StateScope,
    owner: { id: string; name: string } | null,
    s: StateValueSummary,
    index: number,
  ) => {
    const objectId = owner ? `${owner.id}/${s.stateId}` : s.stateId;
    const name = owner ? `${owner.name}.${s.name}` : s.name;
    const state: StateRef = {
      scope,
      ownerId: owner?.id ?? null,
      ownerName: owner?.name ?? null,
      stateId: s.stateId,
      stateName: s.name,
    };
    for (const metric of STATE_STATS) {
      const value = s[metric];
      if (value) visit({ objectType, objectId, name, index, metric, value, state });
    }
    for (const x of s.finalDistribution ?? [])
      visit({
        objectType,
        objectId,
        name,
        index,
        metric: `finalShare:${x.value}`,
        value: x.share,
        state: { ...state, shareOf: x.value },
      });
  };
  st.model.forEach((s, i) => values("modelState", "model", null, s, i));
  let index = 0;
  for (const e of st.entities)
    for (const s of e.states)
      visit({
        objectType: "entityState",
        objectId: `${e.entityId}/${s.stateId}`,
        name: `${e.name}.${s.name}`,
        index: index++,
        metric: "atExit",
        value: s.atExit,
        state: {
          scope: "entity",
          ownerId: e.entityId,
          ownerName: e.name,
          stateId: s.stateId,
          stateName: s.name,
        },
      });
  for (const [objectType, scope, rows] of [
    ["resourceState", "resource", st.resources],
    ["activityState", "activity", st.activities],
  ] as const) {
    index = 0;
    for (const c of rows)
      for (const s of c.states) values(objectType, scope, { id: c.componentId, name: c.name }, s, index++);
  }
}

/** A key naming one metric of one object by position, stable across the replications of a run. */
const slotKey = (
  objectType: MetricObjectType | StateObjectType | CostObjectType,
  index: number,
  metric: string,
) => `${objectType}/${index}/${metric}`;

/**
 * The per-object part of a SimulationSummary: each metric of each object over
 * replications (same objects in the same order in every replication, as one
 * model gives), named from the model, and the costs when the replications
 * carry them (absent otherwise: no empty cost tables for models without costs).
 */
export function summariseReplications(
  model: QuodsiModel,
  reps: readonly ReplicationResult[],
): Pick<SimulationSummary, "activities" | "resources" | "entities" | "costs"> {
  const samples = new Map<string, number[]>();
  for (const rep of reps)
    forEachMetric(rep, (m) => {
      const key = slotKey(m.objectType, m.index, m.metric);
      const values = samples.get(key);
      if (values) values.push(m.value);
      else samples.set(key, [m.value]);
    });
  const summaries = <M extends MetricName | CostMetric>(
    objectType: MetricObjectType | CostObjectType,
    index: number,
    metrics: readonly M[],
  ) =>
    Object.fromEntries(
      metrics.map((metric) => [
        metric,
        summarizeMetric(samples.get(slotKey(objectType, index, metric)) ?? []),
      ]),
    ) as Record<M, MetricSummary>;
  const names = (list: Array<{ id: string; name?: string }> | undefined) =>
    new Map((list ?? []).map((o) => [o.id, o.name ?? o.id]));
  const activityNames = names(model.activities);
  const resourceNames = names(model.resources);
  const entityNames = names(model.entities);
  const first = reps[0];
  return {
    activities: (first?.activities ?? []).map((a, i) => ({
      activityId: a.activityId,
      name: activityNames.get(a.activityId) ?? a.activityId,
      ...summaries("activity", i, METRICS.activity),
    })),
    resources: (first?.resources ?? []).map((r, i) => ({
      resourceId: r.resourceId,
      name: resourceNames.get(r.resourceId) ?? r.resourceId,
      ...summaries("resource", i, METRICS.resource),
    })),
    entities: (first?.entities ?? []).map((e, i) => ({
      entityId: e.entityId,
      name: entityNames.get(e.entityId) ?? e.entityId,
      ...summaries("entity", i, METRICS.entity),
    })),
    ...(first?.costs
      ? {
          costs: {
            resources: first.costs.resources.map((r, i) => ({
              resourceId: r.resourceId,
              name: resourceNames.get(r.resourceId) ?? r.resourceId,
              ...summaries("resourceCost", i, COST_METRICS.resourceCost),
            })),
            activities: first.costs.activities.map((a, i) => ({
              activityId: a.activityId,
              name: activityNames.get(a.activityId) ?? a.activityId,
              ...summaries("activityCost", i, COST_METRICS.activityCost),
            })),
            scenario: summaries("scenarioCost", 0, COST_METRICS.scenarioCost),
          },
        }
      : {}),
  };
}
