/**
 * What-if overrides: a scenario's item profiles applied to a base model give
 * the effective model that is run. One override sets (or multiplies) one
 * property of one object; every rule about which properties can be changed
 * and what values they take lives here. (Over 400 lines on purpose: one
 * table of overridable properties per object type, and their readers and
 * writers, read best side by side.)
 */
import { distributionOf, scaleDuration, validateDuration } from "./durations.js";
import { MAX_JOIN_COUNT, MAX_LOOP_COUNT, MAX_SPLIT_COUNT } from "./model/actions.js";
import { ACTIVITY_COST_FIELDS, activityRateDefault, RESOURCE_COST_FIELDS } from "./model/costs.js";
import { canBePositive } from "./model/failures.js";
import { isObject } from "./model/issues.js";
import { WEIGHT_LENGTHS } from "./model/validate-arrivals.js";
import { actionId, nestedActionLists, stateInitialValue } from "./model/normalize.js";
import { type StateInfo, valueProblem } from "./model/states.js";
import type {
  Action,
  ArrivalPattern,
  Duration,
  QuodsiModel,
  RequirementClause,
  ResourceRequest,
  StateDeclaration,
  ValidationIssue,
  Validated,
} from "./types.js";
import { validateModel } from "./validate.js";

/** Kinds of model object an override can target; the GraphQL enum TargetObjectType is built from this list. */
export const TARGET_OBJECT_TYPES = [
  "MODEL",
  "ACTIVITY",
  "RESOURCE",
  "GENERATOR",
  "ENTITY",
  "CONNECTOR",
  "RESOURCE_REQUIREMENT",
  "STATE",
] as const;
export type TargetObjectType = (typeof TARGET_OBJECT_TYPES)[number];

/** How an override combines with the base value; the GraphQL enum OverrideOperation is built from this list. */
export const OVERRIDE_OPERATIONS = ["SET", "MULTIPLY"] as const;
export type OverrideOperation = (typeof OVERRIDE_OPERATIONS)[number];

export interface ModelOverride {
  targetObjectType: TargetObjectType;
  targetObjectId: string;
  propertyName: string;
  propertyValue: unknown;
  /** SET (default) replaces the value; MULTIPLY scales it by propertyValue (a number > 0). */
  operation?: OverrideOperation;
}

/** Overridable property names per target type (patterns in angle brackets). */
export const OVERRIDABLE_PROPERTIES: Record<TargetObjectType, readonly string[]> = {
  MODEL: [
    "seed",
    "runTime",
    "warmupTime",
    "arrivalPatterns.<patternId>.seasonWeights",
    "arrivalPatterns.<patternId>.dayOfWeekWeights",
    "arrivalPatterns.<patternId>.hourWeights",
    "arrivalPatterns.<patternId>.<seasonWeights|dayOfWeekWeights|hourWeights>.<index>",
  ],
  ACTIVITY: [
    "capacity",
    "inboundCapacity",
    "outboundCapacity",
    "actions.<actionId or index>.duration",
    "actions.<actionId or index>.count",
    "actions.<actionId or index>.joinCount",
    "failureProperties.mtbfDuration",
    "failureProperties.mttrDuration",
    "financialProperties.enabled",
    ...ACTIVITY_COST_FIELDS.map((f) => `financialProperties.${f}`),
  ],
  RESOURCE: [
    "capacity",
    "financialProperties.enabled",
    ...RESOURCE_COST_FIELDS.map((f) => `financialProperties.${f}`),
  ],
  GENERATOR: ["interarrivalTime", "startDelay", "batchSize", "maxEntities", "volume"],
  ENTITY: [],
  CONNECTOR: ["weight"],
  RESOURCE_REQUIREMENT: ["requests.<resourceId>.quantity"],
  STATE: ["initialValue"],
};

type Kind =
  | { type: "int"; min: number; nullable: boolean; max?: number }
  | { type: "number"; min: number; positive?: boolean }
  /** A pattern's weight list: one of `lengths` values (or none: uniform), >= 0, not all 0. */
  | { type: "weights"; lengths: readonly number[] }
  | { type: "seed" }
  | { type: "boolean" }
  /** `positive`: the Duration must be able to give a time above 0 (an up time between failures). */
  | { type: "duration"; constant: boolean; positive?: boolean }
  /** A state's value: its type and categories, as validateModel checks an initialValue. */
  | { type: "state"; state: StateInfo };

/** A resolved override target: how to read and write the property on a model. */
interface Slot {
  kind: Kind;
  read(m: QuodsiModel): unknown;
  write(m: QuodsiModel, v: unknown): void;
}

type Result<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };
const fail = (path: string, message: string): Result<never> => ({ ok: false, issues: [{ path, message }] });

const intKind = (min: number, nullable = false, max?: number): Kind => ({ type: "int", min, nullable, max });

/** Steps from an activity to one of its actions: the list field and the index, nested lists included. */
type ActionPath = Array<[list: string, index: number]>;

/**
 * An action of `actions` by id (authored or generated, nested lists
 * included, document order) or, for a top-level action, by index.
 */
function locateAction(actions: Action[], ref: string): ActionPath | undefined {
  const byId = (
    list: Action[],
    field: string,
    parent?: { id: string; list: string },
  ): ActionPath | undefined => {
    for (let j = 0; j < list.length; j++) {
      const id = actionId(list[j], j, parent);
      if (id === ref) return [[field, j]];
      for (const [f, nested] of nestedActionLists(list[j])) {
        const inner = byId(nested, f, { id, list: f });
        if (inner) return [[field, j], ...inner];
      }
    }
    return undefined;
  };
  const found = byId(actions, "actions");
  if (found) return found;
  if (/^\d+$/.test(ref) && Number(ref) < actions.length) return [["actions", Number(ref)]];
  return undefined;
}

function actionAt(holder: { actions?: Action[] | null }, path: ActionPath): Action & Record<string, unknown> {
  let cur: Record<string, unknown> = holder;
  for (const [field, j] of path) cur = (cur[field] as Array<Record<string, unknown>>)[j];
  return cur as Action & Record<string, unknown>;
}

/** The numeric action properties an override can set, by action type: [default, kind]. */
const ACTION_COUNTS: Record<string, Partial<Record<Action["type"], [number, Kind]>>> = {
  count: { loop: [1, intKind(1, false, MAX_LOOP_COUNT)], split: [1, intKind(1, false, MAX_SPLIT_COUNT)] },
  joinCount: { join: [2, intKind(2, false, MAX_JOIN_COUNT)] },
};

const stateInfo = (s: StateDeclaration, i: number): StateInfo => ({
  id: s.id,
  name: s.name,
  scope: s.componentType,
  type: s.dataType,
  categories: s.categoryValues ?? [],
  path: `states[${i}]`,
});

function findIndex<T extends { id: string }>(list: T[] | undefined, id: string): number {
  return (list ?? []).findIndex((o) => o.id === id);
}

const FINANCIAL = "financialProperties.";

/**
 * `financialProperties.<field>` of element `i` of resources or activities
 * (the names mirror the wire). Reads the default (0; the multiplier 1;
 * enabled false) when absent. Writing a rate into an object without a
 * financialProperties block creates the block with `enabled: true`: a rate
 * given for an object that has none means it costs that. A block that is
 * there keeps its `enabled` (a disabled block stays disabled until
 * `financialProperties.enabled` is set to true).
 */
function financialSlot(
  coll: "resources" | "activities",
  i: number,
  field: string,
  fields: readonly string[],
): Slot | undefined {
  const isRate = fields.includes(field);
  if (!isRate && field !== "enabled") return undefined;
  const dflt = field === "enabled" ? false : coll === "activities" ? activityRateDefault(field as never) : 0;
  const holder = (m: QuodsiModel) => (m[coll] as unknown as Array<Record<string, unknown>>)[i];
  const block = (m: QuodsiModel) => {
    const fp = holder(m).financialProperties;
    return typeof fp === "object" && fp !== null ? (fp as Record<string, unknown>) : undefined;
  };
  return {
    kind: isRate ? { type: "number", min: 0 } : { type: "boolean" },
    read: (m) => block(m)?.[field] ?? dflt,
    write: (m, v) => {
      const fp = block(m);
      if (fp) fp[field] = v;
      else
        holder(m).financialProperties = field === "enabled" ? { enabled: v } : { enabled: true, [field]: v };
    },
  };
}

function resolveSlot(base: QuodsiModel, o: ModelOverride): Result<Slot> {
  const type = o.targetObjectType;
  if (!TARGET_OBJECT_TYPES.includes(type))
    return fail(
      "targetObjectType",
      `must be one of ${TARGET_OBJECT_TYPES.join(", ")} (got ${JSON.stringify(type)})`,
    );
  if (typeof o.propertyName !== "string" || o.propertyName === "")
    return fail(
      "propertyName",
      `is required; allowed for ${type}: ${OVERRIDABLE_PROPERTIES[type].join(", ") || "none"}`,
    );
  const unknownProperty = () =>
    type === "ENTITY"
      ? fail("propertyName", "entities have no overridable property (an ENTITY cannot be overridden)")
      : fail(
          "propertyName",
          `${JSON.stringify(o.propertyName)} is not overridable on ${type}; allowed: ${OVERRIDABLE_PROPERTIES[type].join(", ")}`,
        );
  const name = o.propertyName;
  const id = o.targetObjectId;
  const notFound = (what: string) =>
    fail("targetObjectId", `no ${what} with id ${JSON.stringify(id)} in the model`);
  /** A property `key` of element `i` of collection `coll`, with a default when absent. */
  const field = (
    coll: "activities" | "resources" | "generators" | "connectors",
    i: number,
    key: string,
    kind: Kind,
    dflt: unknown,
  ): Slot => ({
    kind,
    read: (m) => {
      const v = ((m[coll] as unknown as Array<Record<string, unknown>>)[i] ?? {})[key];
      return v === undefined ? dflt : v;
    },
    write: (m, v) => {
      (m[coll] as unknown as Array<Record<string, unknown>>)[i][key] = v;
    },
  });

  switch (type) {
    case "MODEL": {
      if (id !== "model") return fail("targetObjectId", 'must be "model" for targetObjectType MODEL');
      if (name === "seed")
        return {
          ok: true,
          value: {
            kind: { type: "seed" },
            read: (m) => m.seed ?? null,
            write: (m, v) => void (m.seed = v as number),
          },
        };
      if (name === "runTime" || name === "warmupTime") {
        const key = name;
        return {
          ok: true,
          value: {
            kind: { type: "duration", constant: true },
            read: (m) => m[key] ?? (key === "warmupTime" ? { unit: m.timeUnit, value: 0 } : null),
            write: (m, v) => void (m[key] = v as Duration),
          },
        };
      }
      const mPattern =
        /^arrivalPatterns\.(.+)\.(seasonWeights|dayOfWeekWeights|hourWeights)(?:\.(\d+))?$/.exec(name);
      if (mPattern) return patternWeights(base, mPattern[1], mPattern[2] as WeightKey, mPattern[3]);
      return unknownProperty();
    }
    case "ENTITY":
      if (findIndex(base.entities, id) < 0) return notFound("entity");
      return unknownProperty();
    case "ACTIVITY": {
      const i = findIndex(base.activities, id);
      if (i < 0) return notFound("activity");
      if (name === "capacity") return { ok: true, value: field("activities", i, "capacity", intKind(1), 1) };
      if (name.startsWith(FINANCIAL)) {
        const slot = financialSlot("activities", i, name.slice(FINANCIAL.length), ACTIVITY_COST_FIELDS);
        return slot ? { ok: true, value: slot } : unknownProperty();
      }
      if (name === "inboundCapacity" || name === "outboundCapacity")
        return { ok: true, value: field("activities", i, name, intKind(0, true), null) };
      if (name === "failureProperties.mtbfDuration" || name === "failureProperties.mttrDuration") {
        // Only an activity set up for failures: an override changes their timing, it does not add them.
        if (!isObject(base.activities![i].failureProperties))
          return fail(
            "propertyName",
            `activity ${JSON.stringify(id)} has no failureProperties; set up its failures (enabled, mtbfDuration, mttrDuration) in the model first`,
          );
        const key = name === "failureProperties.mtbfDuration" ? "mtbfDuration" : "mttrDuration";
        const fpOf = (m: QuodsiModel) => m.activities![i].failureProperties!;
        return {
          ok: true,
          value: {
            kind: { type: "duration", constant: false, positive: key === "mtbfDuration" },
            read: (m) => fpOf(m)[key] ?? null,
            write: (m, v) => void (fpOf(m)[key] = v as Duration),
          },
        };
      }
      const mAction = /^actions\.([^.]+)\.(duration|count|joinCount)$/.exec(name);
      if (!mAction) return unknownProperty();
      const [, ref, prop] = mAction;
      const path = locateAction(base.activities![i].actions ?? [], ref);
      if (!path)
        return fail(
          "propertyName",
          `activity ${JSON.stringify(id)} has no action with id or index ${JSON.stringify(ref)}`,
        );
      const action = actionAt(base.activities![i], path);
      const at = (m: QuodsiModel) => actionAt(m.activities![i], path);
      if (prop === "duration") {
        if (action.type !== "delay" && action.type !== "delay_with_resource")
          return fail(
            "propertyName",
            `action ${JSON.stringify(ref)} (${action.type}) of activity ${JSON.stringify(id)} has no duration`,
          );
        return {
          ok: true,
          value: {
            kind: { type: "duration", constant: false },
            read: (m) => at(m).duration ?? null,
            write: (m, v) => void (at(m).duration = v as Duration),
          },
        };
      }
      const spec = ACTION_COUNTS[prop][action.type];
      if (!spec)
        return fail(
          "propertyName",
          `action ${JSON.stringify(ref)} (${action.type}) of activity ${JSON.stringify(id)} has no ${prop}; ${prop} is a property of ${Object.keys(ACTION_COUNTS[prop]).join(" and ")} actions`,
        );
      const [dflt, kind] = spec;
      return {
        ok: true,
        value: {
          kind,
          read: (m) => at(m)[prop] ?? dflt,
          write: (m, v) => void (at(m)[prop] = v),
        },
      };
    }
    case "RESOURCE": {
      const i = findIndex(base.resources, id);
      if (i < 0) return notFound("resource");
      if (name === "capacity") return { ok: true, value: field("resources", i, "capacity", intKind(0), 1) };
      if (name.startsWith(FINANCIAL)) {
        const slot = financialSlot("resources", i, name.slice(FINANCIAL.length), RESOURCE_COST_FIELDS);
        return slot ? { ok: true, value: slot } : unknownProperty();
      }
      return unknownProperty();
    }
    case "GENERATOR": {
      const i = findIndex(base.generators, id);
      if (i < 0) return notFound("generator");
      if (name === "interarrivalTime")
        return { ok: true, value: field("generators", i, name, { type: "duration", constant: false }, null) };
      if (name === "startDelay")
        return {
          ok: true,
          value: field(
            "generators",
            i,
            name,
            { type: "duration", constant: false },
            { unit: base.timeUnit, value: 0 },
          ),
        };
      if (name === "batchSize") return { ok: true, value: field("generators", i, name, intKind(1), 1) };
      if (name === "maxEntities")
        return { ok: true, value: field("generators", i, name, intKind(0, true), null) };
      if (name === "volume") {
        const mode = base.generators![i].mode;
        if (typeof mode !== "string" || mode.toLowerCase() !== "pattern")
          return fail(
            "propertyName",
            `volume applies to pattern generators; generator ${JSON.stringify(id)} is ${typeof mode === "string" ? mode.toLowerCase() : "frequency"}`,
          );
        return {
          ok: true,
          value: field("generators", i, name, { type: "number", min: 0, positive: true }, null),
        };
      }
      return unknownProperty();
    }
    case "CONNECTOR": {
      const i = findIndex(base.connectors, id);
      if (i < 0) return notFound("connector");
      if (name === "weight")
        return { ok: true, value: field("connectors", i, "weight", { type: "number", min: 0 }, 1) };
      return unknownProperty();
    }
    case "RESOURCE_REQUIREMENT": {
      const i = findIndex(base.resourceRequirements, id);
      if (i < 0) return notFound("resource requirement");
      const mReq = /^requests\.(.+)\.quantity$/.exec(name);
      if (!mReq) return unknownProperty();
      const resourceId = mReq[1];
      const requestsOf = (m: QuodsiModel) => {
        const out: ResourceRequest[] = [];
        const walk = (c: RequirementClause | undefined) => {
          if (!c) return;
          for (const r of c.requests ?? []) if (r.resourceId === resourceId) out.push(r);
          for (const k of c.clauses ?? []) walk(k);
        };
        walk(m.resourceRequirements![i].rootClause);
        return out;
      };
      if (requestsOf(base).length === 0)
        return fail(
          "propertyName",
          `resource requirement ${JSON.stringify(id)} has no request for resource ${JSON.stringify(resourceId)}`,
        );
      return {
        ok: true,
        value: {
          kind: intKind(1),
          read: (m) => requestsOf(m)[0]?.quantity ?? 1,
          // Every request for that resource in the clause tree gets the new quantity.
          write: (m, v) => requestsOf(m).forEach((r) => void (r.quantity = v as number)),
        },
      };
    }
    case "STATE": {
      const i = findIndex(base.states ?? undefined, id);
      if (i < 0) return notFound("state");
      if (name !== "initialValue") return unknownProperty();
      const state = stateInfo(base.states![i], i);
      return {
        ok: true,
        value: {
          kind: { type: "state", state },
          read: (m) => stateInitialValue(m.states![i]),
          write: (m, v) => void (m.states![i].initialValue = v as StateDeclaration["initialValue"]),
        },
      };
    }
  }
}

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

type WeightKey = "seasonWeights" | "dayOfWeekWeights" | "hourWeights";

/** Allowed lengths of a pattern's weight list (the season list's follows its seasonMode). */
function weightLengths(p: ArrivalPattern, key: WeightKey): readonly number[] {
  if (key === "dayOfWeekWeights") return [WEIGHT_LENGTHS.dayOfWeekWeights];
  if (key === "hourWeights") return [WEIGHT_LENGTHS.hourWeights, 24];
  return [
    String(p.seasonMode ?? "week").toLowerCase() === "month" ? WEIGHT_LENGTHS.month : WEIGHT_LENGTHS.week,
  ];
}

/**
 * MODEL `arrivalPatterns.<id>.<list>`: a whole weight list; with `.<index>`,
 * one weight of it (a number >= 0). Writing one weight of an empty (uniform)
 * list writes the full list of 1s first, of the list's first allowed length.
 */
function patternWeights(
  base: QuodsiModel,
  patternId: string,
  key: WeightKey,
  index: string | undefined,
): Result<Slot> {
  const i = findIndex(base.arrivalPatterns ?? undefined, patternId);
  if (i < 0)
    return fail("propertyName", `the model has no arrival pattern with id ${JSON.stringify(patternId)}`);
  const pattern = (m: QuodsiModel) => m.arrivalPatterns![i];
  const lengths = weightLengths(base.arrivalPatterns![i], key);
  if (index === undefined)
    return {
      ok: true,
      value: {
        kind: { type: "weights", lengths },
        read: (m) => pattern(m)[key] ?? [],
        write: (m, v) => void (pattern(m)[key] = v as number[]),
      },
    };
  const j = Number(index);
  const current = base.arrivalPatterns![i][key];
  const length = current && current.length ? current.length : lengths[0];
  if (j >= length)
    return fail(
      "propertyName",
      `${key} of arrival pattern ${JSON.stringify(patternId)} has ${length} values (index 0 to ${length - 1})`,
    );
  return {
    ok: true,
    value: {
      kind: { type: "number", min: 0 },
      read: (m) => (pattern(m)[key]?.length ? pattern(m)[key]![j] : 1),
      write: (m, v) => {
        const p = pattern(m);
        const list = p[key]?.length ? [...p[key]] : new Array<number>(length).fill(1);
        list[j] = v as number;
        p[key] = list;
      },
    },
  };
}

/** The new value of a slot, validated (SET) or computed and range-checked (MULTIPLY). */
function newValue(slot: Slot, current: unknown, o: ModelOverride): Result<unknown> {
  const op = o.operation ?? "SET";
  const k = slot.kind;
  if (!OVERRIDE_OPERATIONS.includes(op))
    return fail("operation", `must be ${OVERRIDE_OPERATIONS.join(" or ")} (got ${JSON.stringify(op)})`);
  const v = o.propertyValue;
  if (op === "SET") {
    switch (k.type) {
      case "int":
        if (v === null && k.nullable) return { ok: true, value: null };
        if (!(isNumber(v) && Number.isInteger(v) && v >= k.min))
          return fail(
            "propertyValue",
            `must be an integer >= ${k.min}${k.nullable ? " (or null for unlimited)" : ""}`,
          );
        if (k.max !== undefined && v > k.max) return fail("propertyValue", `must be at most ${k.max}`);
        return { ok: true, value: v };
      case "number":
        if (k.positive && !(isNumber(v) && v > k.min))
          return fail("propertyValue", `must be a finite number > ${k.min}`);
        if (!(isNumber(v) && v >= k.min)) return fail("propertyValue", `must be a finite number >= ${k.min}`);
        return { ok: true, value: v };
      case "weights": {
        if (!Array.isArray(v))
          return fail(
            "propertyValue",
            `must be a list of ${k.lengths.join(" or ")} weights (or [] for uniform)`,
          );
        if (v.length > 0 && !k.lengths.includes(v.length))
          return fail(
            "propertyValue",
            `must have ${k.lengths.join(" or ")} values (got ${v.length}); [] means uniform`,
          );
        const bad = v.findIndex((w) => !(isNumber(w) && w >= 0));
        if (bad >= 0) return fail(`propertyValue[${bad}]`, "must be a finite number >= 0");
        if (v.length > 0 && v.every((w) => w === 0))
          return fail("propertyValue", "all weights are 0: the pattern would never create anything");
        return { ok: true, value: v };
      }
      case "seed":
        if (!(isNumber(v) && Number.isSafeInteger(v)))
          return fail("propertyValue", "must be a (safe) integer");
        return { ok: true, value: v };
      case "boolean":
        if (typeof v !== "boolean") return fail("propertyValue", "must be true or false");
        return { ok: true, value: v };
      case "duration": {
        const issues = validateDuration(v, "propertyValue");
        if (issues.length) return { ok: false, issues };
        if (k.constant && distributionOf(v as Duration) !== "constant")
          return fail(
            "propertyValue.distribution",
            `${o.propertyName} must be a constant Duration (no distribution)`,
          );
        if (k.positive && !canBePositive(v as Duration))
          return fail(
            "propertyValue",
            `${o.propertyName} must be able to give a time above 0 (a constant 0 would fail the activity for ever)`,
          );
        return { ok: true, value: v };
      }
      case "state": {
        const bad =
          v === null || v === undefined
            ? "is required (a value of the state's type)"
            : valueProblem(k.state, v, "literal");
        return bad ? fail("propertyValue", bad) : { ok: true, value: v };
      }
    }
  }
  // MULTIPLY
  if (!(isNumber(v) && v > 0)) return fail("propertyValue", "MULTIPLY needs a factor: a finite number > 0");
  switch (k.type) {
    case "seed":
      return fail("operation", "seed cannot be multiplied; use SET");
    case "boolean":
      return fail("operation", `${o.propertyName} is true or false and cannot be multiplied; use SET`);
    case "weights":
      return fail(
        "operation",
        "a weight list cannot be multiplied (weights are relative, so it would change nothing); use SET, or MULTIPLY one weight (…<index>)",
      );
    case "int": {
      if (current === null || current === undefined)
        return fail(
          "operation",
          `${o.propertyName} is unlimited in the model and cannot be multiplied; use SET`,
        );
      const r = Math.round((current as number) * v);
      if (r < k.min)
        return fail(
          "propertyValue",
          `${current as number} × ${v} rounds to ${r}, below the minimum ${k.min}`,
        );
      if (k.max !== undefined && r > k.max)
        return fail(
          "propertyValue",
          `${current as number} × ${v} rounds to ${r}, above the maximum ${k.max}`,
        );
      return { ok: true, value: r };
    }
    case "number":
      return { ok: true, value: (current as number) * v };
    case "state": {
      if (k.state.type !== "number")
        return fail(
          "operation",
          `only a number state's initialValue can be multiplied; "${k.state.name}" is a ${k.state.type} state: use SET`,
        );
      const r = (current as number) * v;
      return Number.isFinite(r)
        ? { ok: true, value: r }
        : fail("propertyValue", `${current as number} × ${v} is not finite`);
    }
    case "duration": {
      if (current === null || current === undefined)
        return fail("operation", `${o.propertyName} is not set in the model; use SET`);
      return { ok: true, value: scaleDuration(current as Duration, v) };
    }
  }
}

/**
 * Validate one override against a base model: the target exists with that
 * type, the property is overridable for the type, the value has the right
 * shape and range (Durations through validateDuration). Returns the current
 * value read from the base model (defaults filled in: capacity 1, weight 1,
 * null for unlimited).
 */
export function validateOverride(base: QuodsiModel, o: ModelOverride): Validated<{ originalValue: unknown }> {
  const slot = resolveSlot(base, o);
  if (!slot.ok) return slot;
  const originalValue = slot.value.read(base);
  const nv = newValue(slot.value, originalValue, o);
  if (!nv.ok) return nv;
  return {
    ok: true,
    value: { originalValue: originalValue === undefined ? null : structuredClone(originalValue) },
  };
}

/** The kind of value an override target takes (for clients that offer it, e.g. a lever). */
export type OverrideValueType = "integer" | "number" | "duration" | "state" | "boolean" | "weights";

/**
 * Where an override would land, without changing anything: the target's
 * current value (defaults filled in, as `originalValue`) and the kind of
 * value it takes; or why the target does not resolve (no such object,
 * property not overridable).
 */
export function readOverrideTarget(
  base: QuodsiModel,
  target: Pick<ModelOverride, "targetObjectType" | "targetObjectId" | "propertyName">,
): Validated<{ currentValue: unknown; valueType: OverrideValueType }> {
  const slot = resolveSlot(base, { ...target, propertyValue: null });
  if (!slot.ok) return slot;
  const k = slot.value.kind.type;
  const valueType: OverrideValueType = k === "int" || k === "seed" ? "integer" : k;
  const current = slot.value.read(base);
  return {
    ok: true,
    value: { currentValue: current === undefined ? null : structuredClone(current), valueType },
  };
}

/**
 * Base model + overrides (+ replications) -> effective model. Overrides
 * apply in order (a MULTIPLY after a SET of the same property scales the set
 * value). Override problems come back with paths `overrides[i].<field>`; a
 * valid result is re-validated with validateModel (checkRunnable is the
 * caller's choice). Pure: `base` is not modified.
 */
export function applyOverrides(
  base: QuodsiModel,
  overrides: ModelOverride[],
  opts: { replications?: number } = {},
): Validated<QuodsiModel> {
  const model = structuredClone(base);
  const issues: ValidationIssue[] = [];
  overrides.forEach((o, i) => {
    const slot = resolveSlot(model, o);
    if (!slot.ok) {
      issues.push(...slot.issues.map((x) => ({ path: `overrides[${i}].${x.path}`, message: x.message })));
      return;
    }
    const nv = newValue(slot.value, slot.value.read(model), o);
    if (!nv.ok) {
      issues.push(...nv.issues.map((x) => ({ path: `overrides[${i}].${x.path}`, message: x.message })));
      return;
    }
    slot.value.write(model, structuredClone(nv.value));
  });
  if (opts.replications !== undefined) {
    if (!(Number.isInteger(opts.replications) && opts.replications >= 1))
      issues.push({ path: "replications", message: "must be an integer >= 1" });
    else model.replications = opts.replications;
  }
  if (issues.length) return { ok: false, issues };
  return validateModel(model);
}
