import { isConstantDuration, validateDuration } from "./durations.js";
import { ACTION_TYPES, ACTIONS, actionRunIssues, FEATURES } from "./model/actions.js";
import { ACTIVITY_COST_FIELDS, checkFinancialProperties, RESOURCE_COST_FIELDS } from "./model/costs.js";
import { checkFailureProperties, repairSharingWarnings } from "./model/failures.js";
import { Issues, isAbsent, isFiniteNumber, isInt, isObject, type Obj } from "./model/issues.js";
import { routingMode, type RoutingMode } from "./model/normalize.js";
import { readStates } from "./model/states.js";
import { checkArrivalPatterns, checkArrivalSchedules, checkClockMode } from "./model/validate-arrivals.js";
import {
  checkActivityLogic,
  checkConnectorLogic,
  checkGenerator,
  type ModelRefs,
  routingWarnings,
} from "./model/validate-logic.js";
import type { QuodsiModel, RequirementClause, ValidationIssue, Validated } from "./types.js";
import { TIME_UNITS, convertTime, parseTimeUnit } from "./units.js";

export const SUPPORTED_SCHEMA_VERSIONS = ["2026.11.01", "2026.12.01"] as const;
const LEGACY_SCHEMA_VERSIONS = ["2026.08.20"];

/** Action types the engine runs in an activity (from the action registry, model/actions.ts). */
export const RUNNABLE_ACTION_TYPES = ACTION_TYPES.filter((t) => ACTIONS[t].runnable);
/** Quodsi action types that are well-formed wire but not run by this engine. */
export const KNOWN_UNSUPPORTED_ACTION_TYPES = ACTION_TYPES.filter((t) => !ACTIONS[t].runnable);
const REQUIREMENT_MODES = ["REQUIRE_ALL", "REQUIRE_ANY"];

/**
 * Shape + references of a clean-wire Quodsi model: JSON object, required
 * fields, types, ids unique, references to existing objects, capacities,
 * durations, states and the entity logic that uses them (actions through
 * the registry in model/actions.ts, expressions and scripts compiled against
 * the states). Returns every issue at once, and, on success, `warnings` for
 * legal constructs that do not do what they seem to (only when there are
 * some). Well-formed but unsupported features (branch, state routing, ...)
 * pass here; `checkRunnable` reports them.
 *
 * Id rules: ids are unique across entities, resources, activities,
 * generators and connectors; resource requirements form their own namespace
 * (Quodsi's Lucid serializer names a requirement after its resource), and
 * so do states. Action ids are unique within their activity or connector,
 * nested actions included; a missing one is generated (`actionId`).
 */
export function validateModel(input: unknown): Validated<QuodsiModel> {
  const is = new Issues();
  if (!isObject(input)) {
    return { ok: false, issues: [{ path: "", message: "a model must be a JSON object" }] };
  }
  const m = input;

  // --- schema version (legacy verbose format is rejected with one clear issue)
  const sv = m.schemaVersion;
  if (
    (typeof sv === "string" && LEGACY_SCHEMA_VERSIONS.includes(sv)) ||
    (sv !== undefined &&
      typeof sv === "string" &&
      !SUPPORTED_SCHEMA_VERSIONS.includes(sv as never) &&
      isObject(m.model)) ||
    (sv === undefined && isObject(m.model) && m.runTime === undefined)
  ) {
    return {
      ok: false,
      issues: [
        {
          path: "schemaVersion",
          message: `schemaVersion ${JSON.stringify(sv ?? null)} is the legacy verbose Quodsi wire format (nested "model" block, distributionType/parameters); only the clean wire format ${SUPPORTED_SCHEMA_VERSIONS.join(" / ")} is supported: re-export the model from Quodsi in the clean format`,
        },
      ],
    };
  }
  if (sv !== undefined && !(typeof sv === "string" && SUPPORTED_SCHEMA_VERSIONS.includes(sv as never)))
    is.add(
      "schemaVersion",
      `unsupported schemaVersion ${JSON.stringify(sv)}; supported: ${SUPPORTED_SCHEMA_VERSIONS.join(", ")}`,
    );

  if (m.name !== undefined && typeof m.name !== "string") is.add("name", "must be a string");
  if (m.replications !== undefined && !(isInt(m.replications) && m.replications >= 1))
    is.add("replications", "must be an integer >= 1");
  if (m.seed !== undefined && !(isInt(m.seed) && Number.isSafeInteger(m.seed)))
    is.add("seed", "must be a (safe) integer");

  // --- clock
  const timeUnit = parseTimeUnit(m.timeUnit);
  if (m.timeUnit === undefined) is.add("timeUnit", `is required (one of ${TIME_UNITS.join(", ")})`);
  else if (!timeUnit)
    is.add("timeUnit", `must be one of ${TIME_UNITS.join(", ")} (got ${JSON.stringify(m.timeUnit)})`);
  const clock = (key: "runTime" | "warmupTime", required: boolean): number | undefined => {
    const d = m[key];
    if (d === undefined) {
      if (required) is.add(key, 'is required (a constant Duration, e.g. {"unit": "minutes", "value": 480})');
      return undefined;
    }
    const di = validateDuration(d, key);
    if (di.length) {
      is.addAll(di);
      return undefined;
    }
    const dur = d as QuodsiModel["runTime"];
    if (!isConstantDuration(dur)) {
      is.add(`${key}.distribution`, "must be a constant Duration (no distribution)");
      return undefined;
    }
    const unit = parseTimeUnit(dur.unit)!;
    return timeUnit ? convertTime((dur as { value: number }).value, unit, timeUnit) : undefined;
  };
  const runTime = clock("runTime", true);
  const warmup = clock("warmupTime", false);
  if (runTime !== undefined && runTime <= 0) is.add("runTime.value", "must be > 0");
  if (runTime !== undefined && warmup !== undefined && warmup >= runTime)
    is.add("warmupTime.value", "must be less than runTime");

  // --- collections and ids
  const COLLECTIONS = [
    "entities",
    "states",
    "resources",
    "resourceRequirements",
    "activities",
    "generators",
    "connectors",
  ];
  for (const key of COLLECTIONS) {
    const v = m[key];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) is.add(key, "must be an array");
    else
      v.forEach((el, i) => {
        if (!isObject(el)) is.add(`${key}[${i}]`, "must be an object");
      });
  }
  const arr = (key: string): unknown[] => (Array.isArray(m[key]) ? (m[key] as unknown[]) : []);

  const mainIds = new Map<string, string>(); // id -> path of first owner
  const reqIds = new Set<string>();
  const idOf = (key: string, i: number, o: Obj, namespace: "main" | "req"): string | undefined => {
    const p = `${key}[${i}].id`;
    if (typeof o.id !== "string" || o.id.length === 0) {
      is.add(p, "is required (non-empty string)");
      return undefined;
    }
    if (namespace === "main") {
      const prev = mainIds.get(o.id);
      if (prev !== undefined) is.add(p, `duplicate id ${JSON.stringify(o.id)} (already used at ${prev})`);
      else mainIds.set(o.id, p.slice(0, -3));
    } else {
      if (reqIds.has(o.id)) is.add(p, `duplicate resource requirement id ${JSON.stringify(o.id)}`);
      reqIds.add(o.id);
    }
    if (o.name !== undefined && o.name !== null && typeof o.name !== "string")
      is.add(`${key}[${i}].name`, "must be a string");
    return o.id;
  };
  // Index into the original arrays so paths match the input even when some elements are not objects.
  const each = (key: string, fn: (o: Obj, i: number) => void) =>
    arr(key).forEach((o, i) => isObject(o) && fn(o, i));

  const entityIds = new Set<string>();
  each("entities", (o, i) => {
    const id = idOf("entities", i, o, "main");
    if (id) entityIds.add(id);
  });
  const resourceIds = new Set<string>();
  each("resources", (o, i) => {
    const id = idOf("resources", i, o, "main");
    if (id) resourceIds.add(id);
    if (o.capacity !== undefined && !(isInt(o.capacity) && o.capacity >= 0))
      is.add(`resources[${i}].capacity`, "must be an integer >= 0");
    checkFinancialProperties(is, o, `resources[${i}]`, RESOURCE_COST_FIELDS);
  });
  const requirementIds = new Set<string>();
  each("resourceRequirements", (o, i) => {
    const id = idOf("resourceRequirements", i, o, "req");
    if (id) requirementIds.add(id);
  });
  const activityIds = new Set<string>();
  each("activities", (o, i) => {
    const id = idOf("activities", i, o, "main");
    if (id) activityIds.add(id);
  });
  const generatorIds = new Set<string>();
  each("generators", (o, i) => {
    const id = idOf("generators", i, o, "main");
    if (id) generatorIds.add(id);
  });
  each("connectors", (o, i) => idOf("connectors", i, o, "main"));
  const states = readStates(m.states, is);
  const clockMode = checkClockMode(is, m);
  const refs: ModelRefs = {
    is,
    states,
    entityIds,
    resourceIds,
    requirementIds,
    activityIds,
    generatorIds,
    arrivals: {
      patternIds: checkArrivalPatterns(is, m),
      scheduleIds: checkArrivalSchedules(is, m, { entityIds, states }, clockMode),
    },
  };

  // --- resource requirements
  const checkClause = (c: unknown, p: string, depth: number): void => {
    if (!isObject(c)) {
      is.add(p, "must be a clause object {mode, requests, clauses}");
      return;
    }
    if (depth > 32) {
      is.add(p, "clauses are nested too deeply (max 32)");
      return;
    }
    if (
      c.mode !== undefined &&
      !(typeof c.mode === "string" && REQUIREMENT_MODES.includes(c.mode.toUpperCase()))
    )
      is.add(`${p}.mode`, `must be one of ${REQUIREMENT_MODES.join(", ")} (got ${JSON.stringify(c.mode)})`);
    if (c.requests !== undefined && c.requests !== null) {
      if (!Array.isArray(c.requests)) is.add(`${p}.requests`, "must be an array");
      else
        c.requests.forEach((r, j) => {
          const rp = `${p}.requests[${j}]`;
          if (!isObject(r)) return is.add(rp, "must be an object {resourceId, quantity}");
          if (typeof r.resourceId !== "string") is.add(`${rp}.resourceId`, "is required (string)");
          else if (!resourceIds.has(r.resourceId))
            is.add(`${rp}.resourceId`, `references unknown resource ${JSON.stringify(r.resourceId)}`);
          if (r.quantity !== undefined && !(isInt(r.quantity) && r.quantity >= 1))
            is.add(`${rp}.quantity`, "must be an integer >= 1");
          if (!isAbsent(r.priority) && !isFiniteNumber(r.priority))
            is.add(`${rp}.priority`, "must be a finite number");
          if (!isAbsent(r.keepResource) && typeof r.keepResource !== "boolean")
            is.add(`${rp}.keepResource`, "must be a boolean");
        });
    }
    if (c.clauses !== undefined && c.clauses !== null) {
      if (!Array.isArray(c.clauses)) is.add(`${p}.clauses`, "must be an array");
      else c.clauses.forEach((cc, j) => checkClause(cc, `${p}.clauses[${j}]`, depth + 1));
    }
  };
  each("resourceRequirements", (o, i) => {
    if (o.rootClause === undefined) is.add(`resourceRequirements[${i}].rootClause`, "is required");
    else checkClause(o.rootClause, `resourceRequirements[${i}].rootClause`, 0);
  });

  const optCount = (o: Obj, key: string, p: string, min: number, nullable: boolean) => {
    const v = o[key];
    if (v === undefined || (nullable && v === null)) return;
    if (!(isInt(v) && v >= min))
      is.add(`${p}.${key}`, `must be an integer >= ${min}${nullable ? " (or null for unlimited)" : ""}`);
  };

  // --- activities and their actions
  const routes = new Map<string, RoutingMode | undefined>();
  each("activities", (o, i) => {
    const p = `activities[${i}]`;
    optCount(o, "capacity", p, 1, false);
    optCount(o, "inboundCapacity", p, 0, true);
    optCount(o, "outboundCapacity", p, 0, true);
    checkFinancialProperties(is, o, p, ACTIVITY_COST_FIELDS);
    routes.set(typeof o.id === "string" ? o.id : "", checkActivityLogic(refs, o, p));
    checkFailureProperties(is, o.failureProperties, `${p}.failureProperties`, requirementIds);
  });

  // --- generators
  each("generators", (o, i) => checkGenerator(refs, o, `generators[${i}]`));

  // --- connectors
  each("connectors", (o, i) => {
    const p = `connectors[${i}]`;
    if (typeof o.sourceId !== "string") is.add(`${p}.sourceId`, "is required (string)");
    else if (!activityIds.has(o.sourceId) && !generatorIds.has(o.sourceId))
      is.add(`${p}.sourceId`, `references unknown activity or generator ${JSON.stringify(o.sourceId)}`);
    if (typeof o.targetId !== "string") is.add(`${p}.targetId`, "is required (string)");
    else if (!activityIds.has(o.targetId))
      is.add(
        `${p}.targetId`,
        generatorIds.has(o.targetId)
          ? `must reference an activity (${JSON.stringify(o.targetId)} is a generator)`
          : `references unknown activity ${JSON.stringify(o.targetId)}`,
      );
    if (
      o.weight !== undefined &&
      o.weight !== null &&
      !(typeof o.weight === "number" && Number.isFinite(o.weight) && o.weight >= 0)
    )
      is.add(`${p}.weight`, "must be a finite number >= 0");
    checkConnectorLogic(refs, o, p);
  });

  const generatorIndex = new Map<string, number>();
  each("generators", (o, i) => typeof o.id === "string" && generatorIndex.set(o.id, i));
  routingWarnings(is, arr("connectors"), routes, generatorIndex);

  if (is.list.length) return { ok: false, issues: is.list };
  const value = m as unknown as QuodsiModel;
  repairSharingWarnings(is, value);
  return is.warnings.length ? { ok: true, value, warnings: is.warnings } : { ok: true, value };
}

const present = (v: unknown): boolean =>
  v !== undefined &&
  v !== null &&
  v !== false &&
  !(Array.isArray(v) && v.length === 0) &&
  !(isObject(v) && Object.keys(v).length === 0);

/** Routing modes the engine runs, by the FEATURES flags. */
function runnableRouting(mode: RoutingMode | undefined): boolean {
  if (mode === "probability") return true;
  if (mode === "state_condition") return FEATURES.stateRouting.runnable;
  if (mode === "entity_type") return FEATURES.entityTypeRouting.runnable;
  return false;
}
const SUPPORTED_ROUTING = () =>
  [
    "probabilistic routing by connector weight",
    ...(FEATURES.stateRouting.runnable ? [FEATURES.stateRouting.message] : []),
    ...(FEATURES.entityTypeRouting.runnable ? [FEATURES.entityTypeRouting.message] : []),
  ].join(", ");

/**
 * Issues for well-formed features this engine does not implement, each
 * naming the feature and the object. Empty = runnable. Expects a model that
 * passed `validateModel`. Driven by the action registry and the FEATURES
 * table (model/actions.ts): a feature the runtime learns is one flag there.
 */
export function checkRunnable(model: QuodsiModel): ValidationIssue[] {
  const is = new Issues();
  const label = (kind: string, o: { id: string; name?: string | null }) =>
    `${kind} ${JSON.stringify(o.id)}${o.name && o.name !== o.id ? ` (${o.name})` : ""}`;
  const gate = (key: keyof typeof FEATURES, path: string, who: string) => {
    if (!FEATURES[key].runnable) is.add(path, `${who}: ${FEATURES[key].message}`);
  };

  (model.states ?? []).forEach((s, i) => {
    if (s.componentType === "resource" || s.componentType === "activity")
      gate("scopedStates", `states[${i}].componentType`, label("state", s));
  });

  (model.resourceRequirements ?? []).forEach((rq, i) => {
    const who = label("resource requirement", rq);
    const walk = (c: RequirementClause | undefined, p: string): void => {
      (c?.requests ?? []).forEach((r, j) => {
        if (!isAbsent(r.priority) && r.priority !== 1)
          gate("requestPriority", `${p}.requests[${j}].priority`, who);
        if (r.keepResource === true) gate("requestKeepResource", `${p}.requests[${j}].keepResource`, who);
      });
      (c?.clauses ?? []).forEach((k, j) => walk(k, `${p}.clauses[${j}]`));
    };
    walk(rq.rootClause, `resourceRequirements[${i}].rootClause`);
  });

  const routingOf = new Map<string, RoutingMode | undefined>();
  (model.activities ?? []).forEach((a, i) => {
    const p = `activities[${i}]`;
    const who = label("activity", a);
    actionRunIssues(a.actions, `${p}.actions`, "activity", who, is);
    const routing = a.routing ?? a.connectType;
    routingOf.set(a.id, routingMode(routing));
    if (present(routing) && !runnableRouting(routingMode(routing)))
      is.add(
        `${p}.${a.routing !== undefined ? "routing" : "connectType"}`,
        `${who}: routing ${JSON.stringify(routing)}${String(routing).toLowerCase().includes("state") ? " (state routing)" : ""} is not supported; only ${SUPPORTED_ROUTING()}`,
      );
    if (present(a.sourceConfig)) gate("sourceConfig", `${p}.sourceConfig`, who);
    if (
      present(a.queueRanking) &&
      !(typeof a.queueRanking === "string" && a.queueRanking.toUpperCase() === "FIFO")
    )
      gate("queueRanking", `${p}.queueRanking`, who);
  });

  (model.resources ?? []).forEach((r, i) => {
    const who = label("resource", r);
    if (present(r.failureProperties))
      is.add(`resources[${i}].failureProperties`, `${who}: failures (failureProperties) are not supported`);
    for (const key of ["workSchedule", "workScheduleId", "schedule", "shifts"])
      if (present(r[key]))
        is.add(
          `resources[${i}].${key}`,
          `${who}: work schedules (${key}) are not supported; resources are always available`,
        );
  });

  const generatorCore = (g: Record<string, unknown>, p: string, who: string) => {
    if (present(g.initialStates)) gate("initialStates", `${p}.initialStates`, who);
  };
  (model.generators ?? []).forEach((g, i) => generatorCore(g, `generators[${i}]`, label("generator", g)));
  (model.activities ?? []).forEach((a, i) => {
    if (present(a.sourceConfig) && isObject(a.sourceConfig))
      generatorCore(a.sourceConfig, `activities[${i}].sourceConfig`, label("activity", a));
  });

  const outgoing = new Map<string, number[]>();
  (model.connectors ?? []).forEach((c, i) => {
    const p = `connectors[${i}]`;
    const who = label("connector", c);
    if (present(c.condition)) gate("connectorCondition", `${p}.condition`, who);
    if (present(c.stateCondition)) gate("connectorCondition", `${p}.stateCondition`, who);
    if (present(c.entityId)) gate("connectorEntityId", `${p}.entityId`, who);
    // Priority only orders the matches of state-condition routing (Q2); elsewhere it changes nothing.
    const sourceRouting = routingOf.get(c.sourceId);
    if (!isAbsent(c.priority) && sourceRouting !== undefined && sourceRouting !== "probability")
      gate("connectorPriority", `${p}.priority`, who);
    if (present(c.stateModifications))
      is.add(`${p}.stateModifications`, `${who}: state modifications on connectors are not supported`);
    actionRunIssues(c.actions, `${p}.actions`, "connector", who, is);
    const list = outgoing.get(c.sourceId) ?? [];
    list.push(i);
    outgoing.set(c.sourceId, list);
  });
  for (const [source, idx] of outgoing) {
    if (idx.every((i) => (model.connectors![i].weight ?? 1) === 0))
      is.add(
        `connectors[${idx[0]}].weight`,
        `all outgoing connectors of ${JSON.stringify(source)} have weight 0; at least one needs a positive weight`,
      );
  }

  // Declared states are harmless on their own; the actions that would use them are reported above.
  return is.list;
}
