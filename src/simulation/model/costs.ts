/**
 * Cost rates (`financialProperties`, ENGINE-SEMANTICS §2.5, §2.7, §5.9): the
 * fields of each object type, their validation, and the rates a model uses.
 *
 * Decisions where the sources are silent (pinned in stats/costs.test.ts):
 * - Costs apply only when `enabled` is true; rates written without it are a
 *   warning, not an error, and cost nothing.
 * - Hourly rates are per hour of simulated time, whatever the model's
 *   timeUnit, and per unit of capacity: a resource's busy and idle unit-hours,
 *   an activity's occupied and unoccupied capacity-hours ("active" = a slot
 *   holds an entity: in process, waiting for a resource or blocked in place,
 *   the time behind activity utilization).
 * - `costPerSeize` is per seize granted: a request taking two units of a
 *   resource is one seize of it.
 * - `costPerEntityProcessed` is per entity that left the activity (its
 *   throughput); `fixedCost` is charged once per replication, warm-up or not.
 * - Everything else is measured after warm-up, like every other figure.
 * - `resourceCostMultiplier` scales the seize and busy (utilized) costs of
 *   the resources seized by the activity's actions, for as long as that seize
 *   holds them (even past the activity); idle time belongs to no activity and
 *   is never scaled. Seizes on connectors are not scaled. The scaled amounts
 *   are the resource's costs (they are not added to the activity's, so the
 *   scenario total counts them once).
 */
import type { QuodsiModel } from "../types.js";
import { type Issues, isAbsent, isFiniteNumber, isObject } from "./issues.js";

/** The rate fields of a resource's financialProperties, in wire order. */
export const RESOURCE_COST_FIELDS = ["costPerSeize", "costPerHourUtilized", "costPerHourIdle"] as const;
/** The rate fields of an activity's financialProperties, in wire order. */
export const ACTIVITY_COST_FIELDS = [
  "fixedCost",
  "costPerEntityProcessed",
  "costPerHourActive",
  "costPerHourIdle",
  "resourceCostMultiplier",
] as const;
export type ResourceCostField = (typeof RESOURCE_COST_FIELDS)[number];
export type ActivityCostField = (typeof ACTIVITY_COST_FIELDS)[number];

/** Default of an absent activity rate (the multiplier is 1, every other rate 0). */
export const activityRateDefault = (f: ActivityCostField): number => (f === "resourceCostMultiplier" ? 1 : 0);

/**
 * Checks one object's `financialProperties` (path `p` is the object's):
 * an object (or null), `enabled` a boolean, every rate a finite number >= 0.
 * Rates without `enabled: true` are a warning: they cost nothing.
 */
export function checkFinancialProperties(
  is: Issues,
  o: Record<string, unknown>,
  p: string,
  fields: readonly string[],
): void {
  const fp = o.financialProperties;
  if (isAbsent(fp)) return;
  const fpp = `${p}.financialProperties`;
  if (!isObject(fp)) {
    is.add(fpp, `must be an object {enabled, ${fields.join(", ")}} (or null)`);
    return;
  }
  if (!isAbsent(fp.enabled) && typeof fp.enabled !== "boolean") is.add(`${fpp}.enabled`, "must be a boolean");
  let rated = false;
  for (const f of fields) {
    const v = fp[f];
    if (isAbsent(v)) continue;
    if (!(isFiniteNumber(v) && v >= 0))
      is.add(`${fpp}.${f}`, `must be a finite number >= 0 (got ${JSON.stringify(v)})`);
    else if (v !== (f === "resourceCostMultiplier" ? 1 : 0)) rated = true;
  }
  if (rated && fp.enabled !== true)
    is.warn(`${fpp}.enabled`, "cost rates are given but enabled is not true: they are not applied");
}

/** The rates of the objects with `enabled` costs; null when no object has any (the run reports no costs). */
export interface CostRates {
  /** Per resource (model order): its rates, null when its costs are not enabled. */
  resources: Array<Record<ResourceCostField, number> | null>;
  /** Per activity (model order): its rates, null when its costs are not enabled. */
  activities: Array<Record<ActivityCostField, number> | null>;
  /**
   * Some activity's multiplier is not 1 and some resource has a seize or busy
   * rate: resource use is then tracked per seizing activity (stats/costs.ts
   * SeizeLedger); otherwise the resource's own figures suffice.
   */
  byActivity: boolean;
}

const enabled = (o: { financialProperties?: unknown }): Record<string, unknown> | null => {
  const fp = o.financialProperties;
  return isObject(fp) && fp.enabled === true ? fp : null;
};

/** The cost rates of a validated model; null when no resource or activity enables costs. */
export function costRates(model: QuodsiModel): CostRates | null {
  const num = (fp: Record<string, unknown>, f: string, dflt: number) =>
    isFiniteNumber(fp[f]) ? fp[f] : dflt;
  const resources = (model.resources ?? []).map((r) => {
    const fp = enabled(r);
    if (!fp) return null;
    return Object.fromEntries(RESOURCE_COST_FIELDS.map((f) => [f, num(fp, f, 0)])) as Record<
      ResourceCostField,
      number
    >;
  });
  const activities = (model.activities ?? []).map((a) => {
    const fp = enabled(a);
    if (!fp) return null;
    return Object.fromEntries(
      ACTIVITY_COST_FIELDS.map((f) => [f, num(fp, f, activityRateDefault(f))]),
    ) as Record<ActivityCostField, number>;
  });
  if (resources.every((r) => r === null) && activities.every((a) => a === null)) return null;
  const byActivity =
    activities.some((a) => a !== null && a.resourceCostMultiplier !== 1) &&
    resources.some((r) => r !== null && (r.costPerSeize > 0 || r.costPerHourUtilized > 0));
  return { resources, activities, byActivity };
}
