/**
 * Levers (ENGINE-SEMANTICS §2.14): the what-if parameters a model's author
 * suggests, written as `levers[]` on the model root and on resources,
 * activities, generators and connectors:
 * `{ leverId, propertyName, enabled, label, range: {min, max, step}, actionId? }`.
 * Each is mapped to the override (item profile) that changes it, so a client
 * can offer a lever without knowing the wire format. A lever whose property
 * has no override is still listed, with `override` null and the reason.
 */
import type { QuodsiModel, ValidationIssue } from "../types.js";
import { readOverrideTarget, type OverrideValueType, type TargetObjectType } from "../overrides.js";
import { isFiniteNumber, isObject, type Obj } from "./issues.js";

export interface LeverRange {
  min: number;
  max: number;
  /** Absent on the wire: any value in [min, max]. */
  step: number | null;
}

export interface LeverOverrideTarget {
  targetObjectType: TargetObjectType;
  targetObjectId: string;
  propertyName: string;
}

export interface ModelLever {
  leverId: string;
  label: string | null;
  enabled: boolean;
  objectType: TargetObjectType;
  objectId: string;
  objectName: string | null;
  /** The lever's property as written on the wire (`CAPACITY`, `DURATION`, …). */
  propertyName: string;
  actionId: string | null;
  range: LeverRange | null;
  /** The override that changes this property; null when none exists (see `unsupportedReason`). */
  override: LeverOverrideTarget | null;
  /** What the override's propertyValue is: an integer, a number or a Duration (null without override). */
  valueType: OverrideValueType | null;
  /** The property's value in the model now (defaults filled in), null without override. */
  currentValue: unknown;
  unsupportedReason: string | null;
  /** Where the lever is in the definition, e.g. `resources[2].levers[0]`. */
  path: string;
}

type Mapping = { property: string | ((lever: Obj) => string | undefined) } | { reason: string };

/** Wire lever property (upper case) → overridable property, per object type; or why there is none. */
const MAPPINGS: Readonly<Partial<Record<TargetObjectType, Readonly<Record<string, Mapping>>>>> = {
  MODEL: {
    SEED: { property: "seed" },
    RUN_PERIOD: { property: "runTime" },
    REPS: { reason: "replications are the scenario's reps (Scenario.reps), not an override" },
  },
  RESOURCE: { CAPACITY: { property: "capacity" } },
  ACTIVITY: {
    ACTIVITY_CAPACITY: { property: "capacity" },
    INBOUND_QUEUE_CAPACITY: { property: "inboundCapacity" },
    OUTBOUND_QUEUE_CAPACITY: { property: "outboundCapacity" },
    DURATION: {
      property: (l) =>
        typeof l.actionId === "string" && l.actionId ? `actions.${l.actionId}.duration` : undefined,
    },
    RESOURCE_REQUIREMENT: { reason: "which resource requirement an action uses cannot be overridden" },
  },
  GENERATOR: {
    INTERARRIVAL_TIMING: { property: "interarrivalTime" },
    MAX_ENTITIES: { property: "maxEntities" },
    ENTITIES_PER_CREATION: { property: "batchSize" },
  },
  CONNECTOR: { WEIGHT: { property: "weight" } },
};

/** Collections whose objects may carry levers, with the object type of their overrides. */
const HOLDERS = [
  ["resources", "RESOURCE"],
  ["activities", "ACTIVITY"],
  ["generators", "GENERATOR"],
  ["connectors", "CONNECTOR"],
] as const;

/** Shape problems of the levers in a definition (not a list, range not numbers, min > max, step ≤ 0…). */
export function leverIssues(definition: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  forEachLeverList(definition, (list, path) => {
    if (!Array.isArray(list)) return void issues.push({ path, message: "must be a list of levers" });
    list.forEach((l, i) => {
      const p = `${path}[${i}]`;
      if (!isObject(l)) return void issues.push({ path: p, message: "must be an object" });
      if (typeof l.propertyName !== "string" || !l.propertyName)
        issues.push({ path: `${p}.propertyName`, message: "is required (e.g. CAPACITY)" });
      for (const key of ["leverId", "label", "actionId"])
        if (l[key] !== undefined && l[key] !== null && typeof l[key] !== "string")
          issues.push({ path: `${p}.${key}`, message: "must be a string" });
      if (l.enabled !== undefined && typeof l.enabled !== "boolean")
        issues.push({ path: `${p}.enabled`, message: "must be true or false" });
      if (l.range === undefined || l.range === null) return;
      if (!isObject(l.range))
        return void issues.push({ path: `${p}.range`, message: "must be {min, max, step}" });
      const { min, max, step } = l.range;
      if (!isFiniteNumber(min)) issues.push({ path: `${p}.range.min`, message: "must be a number" });
      if (!isFiniteNumber(max)) issues.push({ path: `${p}.range.max`, message: "must be a number" });
      if (isFiniteNumber(min) && isFiniteNumber(max) && min > max)
        issues.push({ path: `${p}.range`, message: `min ${min} is greater than max ${max}` });
      if (step !== undefined && step !== null && !(isFiniteNumber(step) && step > 0))
        issues.push({ path: `${p}.range.step`, message: "must be a number > 0" });
    });
  });
  return issues;
}

function forEachLeverList(
  definition: unknown,
  visit: (list: unknown, path: string, holder: Obj, type: TargetObjectType) => void,
) {
  if (!isObject(definition)) return;
  if (definition.levers !== undefined && definition.levers !== null)
    visit(definition.levers, "levers", definition, "MODEL");
  for (const [collection, type] of HOLDERS) {
    const list = definition[collection];
    if (!Array.isArray(list)) continue;
    list.forEach((o, i) => {
      if (isObject(o) && o.levers !== undefined && o.levers !== null)
        visit(o.levers, `${collection}[${i}].levers`, o, type);
    });
  }
}

/**
 * The levers of a valid model, in document order (model root first), each
 * mapped to its override. `definition` is the stored document (levers are
 * authoring metadata the engine's types do not carry); `model` its validated
 * form, against which each override target is resolved.
 */
export function readLevers(definition: unknown, model: QuodsiModel): ModelLever[] {
  const out: ModelLever[] = [];
  forEachLeverList(definition, (list, path, holder, objectType) => {
    if (!Array.isArray(list)) return;
    const objectId = objectType === "MODEL" ? "model" : String(holder.id);
    const objectName = typeof holder.name === "string" ? holder.name : null;
    list.forEach((l, i) => {
      if (!isObject(l) || typeof l.propertyName !== "string") return;
      const wireName = l.propertyName;
      const mapping = MAPPINGS[objectType]?.[wireName.toUpperCase()];
      let override: LeverOverrideTarget | null = null;
      let reason: string | null = null;
      let valueType: OverrideValueType | null = null;
      let currentValue: unknown = null;
      if (!mapping) reason = `no override changes ${wireName} of an object of type ${objectType}`;
      else if ("reason" in mapping) reason = mapping.reason;
      else {
        const property = typeof mapping.property === "string" ? mapping.property : mapping.property(l);
        if (!property) reason = `a ${wireName} lever needs the actionId of the action it changes`;
        else {
          const target = { targetObjectType: objectType, targetObjectId: objectId, propertyName: property };
          const resolved = readOverrideTarget(model, target);
          if (resolved.ok) {
            override = target;
            valueType = resolved.value.valueType;
            currentValue = resolved.value.currentValue;
          } else reason = resolved.issues.map((x) => x.message).join("; ");
        }
      }
      const range = isObject(l.range)
        ? {
            min: l.range.min as number,
            max: l.range.max as number,
            step: isFiniteNumber(l.range.step) ? l.range.step : null,
          }
        : null;
      out.push({
        leverId: typeof l.leverId === "string" && l.leverId ? l.leverId : `${objectId}:${wireName}:${i}`,
        label: typeof l.label === "string" ? l.label : null,
        enabled: l.enabled !== false,
        objectType,
        objectId,
        objectName,
        propertyName: wireName,
        actionId: typeof l.actionId === "string" && l.actionId ? l.actionId : null,
        range,
        override,
        valueType,
        currentValue,
        unsupportedReason: reason,
        path: `${path}[${i}]`,
      });
    });
  });
  return out;
}
