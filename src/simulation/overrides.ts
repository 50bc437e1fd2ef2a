/**
 * What-if overrides: a scenario's item profiles applied to a base model give
 * the effective model that is run. One override sets (or multiplies) one
 * property of one object; every rule about which properties can be changed
 * and what values they take lives here.
 */
import { distributionOf, scaleDuration, validateDuration } from "./durations.js";
import type {
  Action,
  Duration,
  QuodsiModel,
  RequirementClause,
  ResourceRequest,
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
  MODEL: ["seed", "runTime", "warmupTime"],
  ACTIVITY: ["capacity", "inboundCapacity", "outboundCapacity", "actions.<actionId or index>.duration"],
  RESOURCE: ["capacity"],
  GENERATOR: ["interarrivalTime", "startDelay", "batchSize", "maxEntities"],
  ENTITY: [],
  CONNECTOR: ["weight"],
  RESOURCE_REQUIREMENT: ["requests.<resourceId>.quantity"],
};

type Kind =
  | { type: "int"; min: number; nullable: boolean }
  | { type: "number"; min: number }
  | { type: "seed" }
  | { type: "duration"; constant: boolean };

/** A resolved override target: how to read and write the property on a model. */
interface Slot {
  kind: Kind;
  read(m: QuodsiModel): unknown;
  write(m: QuodsiModel, v: unknown): void;
}

type Result<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };
const fail = (path: string, message: string): Result<never> => ({ ok: false, issues: [{ path, message }] });

const intKind = (min: number, nullable = false): Kind => ({ type: "int", min, nullable });

function findIndex<T extends { id: string }>(list: T[] | undefined, id: string): number {
  return (list ?? []).findIndex((o) => o.id === id);
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
      return unknownProperty();
    }
    case "ENTITY":
      if (findIndex(base.entities, id) < 0) return notFound("entity");
      return unknownProperty();
    case "ACTIVITY": {
      const i = findIndex(base.activities, id);
      if (i < 0) return notFound("activity");
      if (name === "capacity") return { ok: true, value: field("activities", i, "capacity", intKind(1), 1) };
      if (name === "inboundCapacity" || name === "outboundCapacity")
        return { ok: true, value: field("activities", i, name, intKind(0, true), null) };
      const mAction = /^actions\.([^.]+)\.duration$/.exec(name);
      if (!mAction) return unknownProperty();
      const actions = base.activities![i].actions ?? [];
      const ref = mAction[1];
      let j = actions.findIndex((a) => a.id === ref);
      if (j < 0 && /^\d+$/.test(ref) && Number(ref) < actions.length) j = Number(ref);
      if (j < 0)
        return fail(
          "propertyName",
          `activity ${JSON.stringify(id)} has no action with id or index ${JSON.stringify(ref)}`,
        );
      const action = actions[j];
      if (action.type !== "delay" && action.type !== "delay_with_resource")
        return fail(
          "propertyName",
          `action ${JSON.stringify(ref)} (${action.type}) of activity ${JSON.stringify(id)} has no duration`,
        );
      return {
        ok: true,
        value: {
          kind: { type: "duration", constant: false },
          read: (m) => (m.activities![i].actions![j] as { duration?: unknown }).duration ?? null,
          write: (m, v) =>
            void ((m.activities![i].actions![j] as Action & { duration: Duration }).duration = v as Duration),
        },
      };
    }
    case "RESOURCE": {
      const i = findIndex(base.resources, id);
      if (i < 0) return notFound("resource");
      if (name === "capacity") return { ok: true, value: field("resources", i, "capacity", intKind(0), 1) };
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
  }
}

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

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
        return { ok: true, value: v };
      case "number":
        if (!(isNumber(v) && v >= k.min)) return fail("propertyValue", `must be a finite number >= ${k.min}`);
        return { ok: true, value: v };
      case "seed":
        if (!(isNumber(v) && Number.isSafeInteger(v)))
          return fail("propertyValue", "must be a (safe) integer");
        return { ok: true, value: v };
      case "duration": {
        const issues = validateDuration(v, "propertyValue");
        if (issues.length) return { ok: false, issues };
        if (k.constant && distributionOf(v as Duration) !== "constant")
          return fail(
            "propertyValue.distribution",
            `${o.propertyName} must be a constant Duration (no distribution)`,
          );
        return { ok: true, value: v };
      }
    }
  }
  // MULTIPLY
  if (!(isNumber(v) && v > 0)) return fail("propertyValue", "MULTIPLY needs a factor: a finite number > 0");
  switch (k.type) {
    case "seed":
      return fail("operation", "seed cannot be multiplied; use SET");
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
      return { ok: true, value: r };
    }
    case "number":
      return { ok: true, value: (current as number) * v };
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
