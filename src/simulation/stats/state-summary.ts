import { summarizeMetric } from "../stats.js";
import type {
  EntityStatesSummary,
  ModelStateResult,
  QuodsiModel,
  ReplicationResult,
  StateDeclaration,
  StatesSummary,
  StateValueShare,
  StateValueSummary,
} from "../types.js";

/**
 * State results across replications (reps sorted by repIndex), or undefined
 * when the run kept no state logic. Model number and boolean (1/0) states:
 * final value, time-average, min and max summarised like any metric; string
 * and category states: per final value, the share of replications ending on
 * it (a 0/1 value per replication, so that scenarios compare like any
 * metric). Entity states: the per-replication averages at exit, summarised
 * per entity type. Declarations are found by name within their scope
 * (names are unique there), for their ids and types; a state declared with
 * `collectStatistics: false` is left out.
 */
export function summariseStates(
  model: QuodsiModel,
  reps: readonly ReplicationResult[],
): StatesSummary | undefined {
  const first = reps[0];
  if (!first?.modelStates) return undefined;
  const declared = (scope: string) =>
    // Stryker disable next-line ArrayDeclaration: an element that is no declaration has no componentType and is filtered out
    new Map((model.states ?? []).filter((s) => s.componentType === scope).map((s) => [s.name, s]));
  const modelDecl = declared("model");
  const kept = (d: StateDeclaration | undefined) => d?.collectStatistics !== false;
  const model_ = first.modelStates.flatMap((s, k) =>
    kept(modelDecl.get(s.name))
      ? [
          valueSummary(
            modelDecl.get(s.name),
            s.name,
            reps.map((r) => r.modelStates![k]),
          ),
        ]
      : [],
  );
  const entityDecl = declared("entity");
  // Stryker disable next-line ArrayDeclaration: an element that is no entity adds an undefined key no entity id looks up
  const entityNames = new Map((model.entities ?? []).map((e) => [e.id, e.name ?? e.id]));
  const entities: EntityStatesSummary[] = (first.entityStates ?? []).map((e, t) => ({
    entityId: e.entityId,
    name: entityNames.get(e.entityId) ?? e.entityId,
    states: Object.keys(e.values)
      .filter((name) => kept(entityDecl.get(name)))
      .map((name) => {
        const values: number[] = [];
        for (const r of reps) {
          const v = r.entityStates![t].values[name];
          if (v !== null && v !== undefined) values.push(v);
        }
        const d = entityDecl.get(name);
        return {
          stateId: d?.id ?? name,
          name,
          dataType: d?.dataType ?? "number",
          atExit: summarizeMetric(values),
        };
      }),
  }));
  const components = (
    rows: ReplicationResult["resourceStates"],
    pick: (r: ReplicationResult) => ReplicationResult["resourceStates"],
    scope: "resource" | "activity",
    list: ReadonlyArray<{ id: string; name?: string | null }> | undefined,
  ) => {
    const decl = declared(scope);
    // Stryker disable next-line ArrayDeclaration: an element that is no component adds an undefined key no component id looks up
    const names = new Map((list ?? []).map((o) => [o.id, o.name ?? o.id]));
    return (rows ?? []).map((c, i) => ({
      componentId: c.componentId,
      name: names.get(c.componentId) ?? c.componentId,
      states: c.states.flatMap((s, k) =>
        kept(decl.get(s.name))
          ? [
              valueSummary(
                decl.get(s.name),
                s.name,
                reps.map((r) => pick(r)![i].states[k]),
              ),
            ]
          : [],
      ),
    }));
  };
  return {
    model: model_,
    entities,
    resources: components(first.resourceStates, (r) => r.resourceStates, "resource", model.resources),
    activities: components(first.activityStates, (r) => r.activityStates, "activity", model.activities),
  };
}

/** One state's per-replication results summarised (numbers and booleans: statistics; others: shares). */
function valueSummary(
  d: StateDeclaration | undefined,
  name: string,
  all: readonly ModelStateResult[],
): StateValueSummary {
  const stateId = d?.id ?? name;
  // Stryker disable next-line OptionalChaining: `all` holds one result per replication, never none
  if (typeof all[0]?.finalValue === "number") {
    const pick = (f: (x: ModelStateResult) => number | string | undefined) =>
      summarizeMetric(all.map((x) => Number(f(x) ?? 0)));
    return {
      stateId,
      name,
      dataType: d?.dataType ?? "number",
      finalValue: pick((x) => x.finalValue),
      timeAverage: pick((x) => x.timeAverage),
      min: pick((x) => x.min),
      max: pick((x) => x.max),
    };
  }
  // Every category in declaration order, then any other value seen (strings), in order of appearance.
  const values: string[] = d?.dataType === "category" ? [...(d.categoryValues ?? [])] : [];
  for (const x of all) if (!values.includes(String(x.finalValue))) values.push(String(x.finalValue));
  const finalDistribution: StateValueShare[] = values.map((value) => ({
    value,
    share: summarizeMetric(all.map((x) => (String(x.finalValue) === value ? 1 : 0))),
  }));
  return { stateId, name, dataType: d?.dataType ?? "string", finalDistribution };
}
