/**
 * The metrics of activities, resources and entities, named once. Summarising
 * replications, the CSV tables and the scenario comparison all walk them with
 * forEachMetric, so a metric added to a replication result reaches every one
 * of them (and the lists below fail to compile until it is named here).
 */
import { summarizeMetric } from "./stats.js";
import type {
  ActivityRepResult,
  EntityRepResult,
  MetricSummary,
  QuodsiModel,
  ReplicationResult,
  ResourceRepResult,
  SimulationSummary,
} from "./types.js";

export type ActivityMetric = Exclude<keyof ActivityRepResult, "activityId">;
export type ResourceMetric = Exclude<keyof ResourceRepResult, "resourceId">;
export type EntityMetric = Exclude<keyof EntityRepResult, "entityId">;
export type MetricName = ActivityMetric | ResourceMetric | EntityMetric;
export type MetricObjectType = "activity" | "resource" | "entity";

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
}

/** One metric of one object. */
export interface MetricVisit<V> {
  objectType: MetricObjectType;
  objectId: string;
  /** The object's name; its id when the table has no names (a replication result). */
  name: string;
  /** Position of the object in its table. */
  index: number;
  metric: MetricName;
  value: V;
}

function walk<V, M extends MetricName, I extends { name?: string } & Record<M, V>>(
  objectType: MetricObjectType,
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
 * order and METRICS order. The one walk over result metrics: summaries,
 * CSV tables and comparisons use it instead of guessing metrics from keys.
 */
export function forEachMetric<V>(tables: MetricTables<V>, visit: (m: MetricVisit<V>) => void): void {
  walk("activity", tables.activities, (a) => a.activityId, METRICS.activity, visit);
  walk("resource", tables.resources, (r) => r.resourceId, METRICS.resource, visit);
  walk("entity", tables.entities, (e) => e.entityId, METRICS.entity, visit);
}

/** A key naming one metric of one object by position, stable across the replications of a run. */
const slotKey = (objectType: MetricObjectType, index: number, metric: MetricName) =>
  `${objectType}/${index}/${metric}`;

/**
 * The per-object part of a SimulationSummary: each metric of each object over
 * replications (same objects in the same order in every replication, as one
 * model gives), named from the model.
 */
export function summariseReplications(
  model: QuodsiModel,
  reps: readonly ReplicationResult[],
): Pick<SimulationSummary, "activities" | "resources" | "entities"> {
  const samples = new Map<string, number[]>();
  for (const rep of reps)
    forEachMetric(rep, (m) => {
      const key = slotKey(m.objectType, m.index, m.metric);
      const values = samples.get(key);
      if (values) values.push(m.value);
      else samples.set(key, [m.value]);
    });
  const summaries = <M extends MetricName>(
    objectType: MetricObjectType,
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
  };
}
