import { summarizeMetric } from "../stats.js";
import type { ModelStateSummary, ReplicationResult, StatesSummary } from "../types.js";

/**
 * State results across replications (reps sorted by repIndex), or undefined
 * when the model declares no states. Model number states: final value,
 * time-average, min and max summarised like any metric; string and category
 * states: the share of replications ending on each value. Entity states: the
 * per-replication averages at exit, summarised per entity type.
 */
export function summariseStates(reps: readonly ReplicationResult[]): StatesSummary | undefined {
  const first = reps[0];
  if (!first?.modelStates) return undefined;
  const model: ModelStateSummary[] = first.modelStates.map((s, k) => {
    const all = reps.map((r) => r.modelStates![k]);
    if (typeof s.finalValue === "number") {
      const pick = (f: (x: (typeof all)[number]) => number | undefined) =>
        summarizeMetric(all.map((x) => f(x) ?? 0));
      return {
        name: s.name,
        finalValue: pick((x) => x.finalValue as number),
        timeAverage: pick((x) => x.timeAverage),
        min: pick((x) => x.min),
        max: pick((x) => x.max),
      };
    }
    const finalDistribution: Record<string, number> = {};
    for (const x of all) {
      const v = String(x.finalValue);
      finalDistribution[v] = (finalDistribution[v] ?? 0) + 1 / all.length;
    }
    return { name: s.name, finalDistribution };
  });
  const entities = (first.entityStates ?? []).map((e, t) => {
    const states: StatesSummary["entities"][number]["states"] = {};
    for (const name of Object.keys(e.values)) {
      const values: number[] = [];
      for (const r of reps) {
        const v = r.entityStates![t].values[name];
        if (v !== null && v !== undefined) values.push(v);
      }
      states[name] = summarizeMetric(values);
    }
    return { entityId: e.entityId, states };
  });
  return { model, entities };
}
