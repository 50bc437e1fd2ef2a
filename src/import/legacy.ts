/**
 * Up-conversion of Quodsi's legacy verbose wire format (2026.08.20 and the
 * older per-shape 2026.07.27 shape) to the clean wire format, following the
 * mapping table of ENGINE-SEMANTICS §4. Pure: takes parsed JSON, returns a
 * clean document (not yet validated: the model service validates it like any
 * clean definition) and every conversion problem with its path.
 *
 * Choices where §4 is silent: the numpy parameter names of a normal
 * distribution (`loc`, `scale`) become `mean`, `std`; a legacy queue capacity
 * of 999999 or more means unlimited; connectors nested in activities or
 * generators (before 2026.08.20) are hoisted to the top-level list with their
 * owner as source; a connector's `stateModifications` become one `assign`
 * action; time-distributed generators and the 2025 `operationSteps` are
 * refused (their clean mapping is not published).
 */
import { isObject, type Obj } from "../simulation/model/issues.js";
import type { ValidationIssue } from "../simulation/index.js";

/** The schema version a converted document is stamped with (the first clean-wire version). */
export const CLEAN_SCHEMA_VERSION = "2026.11.01";

const UNLIMITED_QUEUE = 999_999;

/** `YYYY.MM.DD` strings compare as dates. */
const VERSION = /^\d{4}\.\d{2}\.\d{2}$/;

/**
 * Whether a parsed JSON document is in the legacy verbose format: a schema
 * version before the clean era (2026.11.01), or no version with a nested
 * `model` block and no clean `runTime`.
 */
export function isLegacyDocument(doc: unknown): boolean {
  if (!isObject(doc)) return false;
  const sv = doc.schemaVersion;
  if (typeof sv === "string" && VERSION.test(sv)) return sv < CLEAN_SCHEMA_VERSION;
  return sv === undefined && isObject(doc.model) && doc.runTime === undefined;
}

const lower = (v: unknown): unknown => (typeof v === "string" ? v.toLowerCase() : v);
/** `WALL_CLOCK`, `Wall_Clock`, `wallClock`, `StateCondition` → `wall_clock`, `state_condition`. */
const snake = (v: unknown): unknown =>
  typeof v === "string" ? v.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase() : v;

class Converter {
  readonly issues: ValidationIssue[] = [];
  /** State name → id, for legacy conditions and modifications that name their state. */
  stateIds = new Map<string, string>();
  /** Connectors found nested in activities or generators (pre-2026.08.20). */
  readonly nestedConnectors: Obj[] = [];

  issue(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** Copies every key but the ones given (legacy class tags and keys handled by the caller). */
  rest(src: Obj, skip: readonly string[]): Obj {
    const out: Obj = {};
    for (const [k, v] of Object.entries(src)) if (k !== "type" && !skip.includes(k)) out[k] = v;
    return out;
  }

  list<T>(value: unknown, path: string, item: (o: Obj, p: string) => T): T[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.issue(path, "must be a list");
      return undefined;
    }
    const out: T[] = [];
    value.forEach((v, i) => {
      if (isObject(v)) out.push(item(v, `${path}[${i}]`));
      else this.issue(`${path}[${i}]`, "must be an object");
    });
    return out;
  }

  /** Legacy `{durationPeriodUnit, distribution:{distributionType, parameters}}` → clean Duration; clean ones pass. */
  duration(d: unknown, path: string): unknown {
    if (!isObject(d) || !("durationPeriodUnit" in d)) return d; // clean already (validation checks it)
    const unit = lower(d.durationPeriodUnit);
    const dist = d.distribution;
    if (!isObject(dist)) {
      this.issue(`${path}.distribution`, "must be an object with distributionType and parameters");
      return { unit };
    }
    const type = lower(dist.distributionType);
    const params = isObject(dist.parameters) ? dist.parameters : {};
    if (typeof type !== "string") {
      this.issue(`${path}.distribution.distributionType`, "must be a string");
      return { unit };
    }
    if (type === "constant") return { unit, value: params.value };
    return { unit, distribution: type, ...this.parameters(type, params) };
  }

  /** Legacy parameter names → clean: low/left → min, high/right → max; normal loc/scale → mean/std. */
  parameters(type: string, params: Obj): Obj {
    const out: Obj = {};
    for (const [k, v] of Object.entries(params)) {
      const key =
        k === "low" || k === "left"
          ? "min"
          : k === "high" || k === "right"
            ? "max"
            : type === "normal" && k === "loc"
              ? "mean"
              : type === "normal" && k === "scale"
                ? "std"
                : k;
      out[key] = v;
    }
    return out;
  }

  stateRef(src: Obj, path: string): unknown {
    if (typeof src.stateUniqueId === "string" && src.stateUniqueId) return src.stateUniqueId;
    if (typeof src.stateId === "string") return src.stateId;
    if (typeof src.stateName === "string") {
      const id = this.stateIds.get(src.stateName);
      if (id === undefined) this.issue(`${path}.stateName`, `no state is named "${src.stateName}"`);
      return id ?? src.stateName;
    }
    this.issue(path, "names no state (stateUniqueId or stateName)");
    return undefined;
  }

  condition(c: unknown, path: string): unknown {
    if (!isObject(c)) return c;
    if (!("stateName" in c) && !("stateUniqueId" in c)) return c; // clean already
    return {
      stateId: this.stateRef(c, path),
      comparison: COMPARISONS[String(c.comparison)] ?? snake(c.comparison),
      value: c.value,
    };
  }

  modification(m: Obj, path: string): Obj {
    if (!("stateUniqueId" in m) && !("stateName" in m)) return m; // clean already
    const operation = OPERATIONS[String(m.operation)] ?? snake(m.operation);
    const out: Obj = { stateId: this.stateRef(m, path), operation };
    if (typeof m.valueExpression === "string" && m.valueExpression.trim()) out.expression = m.valueExpression;
    else if (operation === "sample") out.sample = this.sample(m, path);
    else out.value = m.value;
    if (typeof m.componentUniqueId === "string" && m.componentUniqueId) out.componentId = m.componentUniqueId;
    if (typeof m.targetComponentType === "string" && m.targetComponentType)
      out.targetComponentType = lower(m.targetComponentType);
    return out;
  }

  /** Legacy SAMPLE operand (`distributionType` + `distributionParameters`, numpy names) → clean StateSample. */
  sample(m: Obj, path: string): Obj | undefined {
    const type = lower(m.distributionType);
    const params = isObject(m.distributionParameters) ? m.distributionParameters : {};
    if (type === "sample_multinomial_one" || type === "categorical")
      return { distribution: "categorical", probabilities: params.probabilities };
    if (type === "constant" || type === undefined || type === null) return { value: params.value ?? m.value };
    if (typeof type !== "string") {
      this.issue(`${path}.distributionType`, "must be a string");
      return undefined;
    }
    return { distribution: type, ...this.parameters(type, params) };
  }

  modifications(v: unknown, path: string): Obj[] | undefined {
    return this.list(v, path, (m, p) => this.modification(m, p));
  }

  action(a: Obj, path: string): Obj {
    const out = this.rest(a, [
      "actionType",
      "stateCondition",
      "stateModifications",
      "duration",
      "actions",
      "ifTrue",
      "ifFalse",
      "condition",
      "modifications",
      "resourceRequirementId",
      "keepResource",
    ]);
    const type = a.type ?? lower(a.actionType);
    if (typeof type !== "string") this.issue(`${path}.actionType`, "is required (the action's type)");
    const result: Obj = { ...(a.id !== undefined ? { id: a.id } : {}), type, ...out };
    const condition = a.condition ?? a.stateCondition;
    if (condition !== undefined && condition !== null)
      result.condition = this.condition(
        condition,
        `${path}.${"condition" in a ? "condition" : "stateCondition"}`,
      );
    const mods = a.modifications ?? a.stateModifications;
    const modsKey = "modifications" in a ? "modifications" : "stateModifications";
    const converted = this.modifications(mods, `${path}.${modsKey}`);
    if (converted?.length) result.modifications = converted;
    if (a.duration !== undefined) result.duration = this.duration(a.duration, `${path}.duration`);
    if (typeof a.resourceRequirementId === "string" && a.resourceRequirementId)
      result.resourceRequirementId = a.resourceRequirementId;
    if (a.keepResource === true) result.keepResource = true;
    for (const key of ["actions", "ifTrue", "ifFalse"] as const) {
      const nested = this.actions(a[key], `${path}.${key}`);
      if (nested) result[key] = nested;
    }
    return result;
  }

  actions(v: unknown, path: string): Obj[] | undefined {
    return this.list(v, path, (a, p) => this.action(a, p));
  }

  queueCapacity(v: unknown): unknown {
    return typeof v === "number" && v >= UNLIMITED_QUEUE ? undefined : (v ?? undefined);
  }

  activity(a: Obj, path: string): Obj {
    const out = this.rest(a, [
      "inboundQueueCapacity",
      "outboundQueueCapacity",
      "connectType",
      "actions",
      "connectors",
      "failureProperties",
      "operationSteps",
      "inboundCapacity",
      "outboundCapacity",
    ]);
    const inbound = this.queueCapacity(a.inboundCapacity ?? a.inboundQueueCapacity);
    const outbound = this.queueCapacity(a.outboundCapacity ?? a.outboundQueueCapacity);
    if (inbound !== undefined) out.inboundCapacity = inbound;
    if (outbound !== undefined) out.outboundCapacity = outbound;
    if (typeof a.connectType === "string" && out.routing === undefined)
      out.routing = ROUTINGS[a.connectType.toLowerCase()] ?? snake(a.connectType);
    else if (a.connectType !== undefined && out.routing === undefined)
      this.issue(`${path}.connectType`, "must be a string (Probability, StateCondition or EntityTemplate)");
    omitDefaults(out, { capacity: 1, routing: "probability" });
    if (Array.isArray(a.operationSteps) && a.operationSteps.length)
      this.issue(
        `${path}.operationSteps`,
        "operation steps (format 1.0, 2025) are not converted: re-save the model in a newer Quodsi",
      );
    const actions = this.actions(a.actions, `${path}.actions`);
    if (actions) out.actions = actions;
    if (isObject(a.failureProperties))
      out.failureProperties = this.failure(a.failureProperties, `${path}.failureProperties`);
    this.hoist(a, path);
    return out;
  }

  failure(f: Obj, path: string): Obj {
    const out = this.rest(f, ["mtbfDuration", "mttrDuration", "failureClockMode"]);
    if (f.mtbfDuration !== undefined)
      out.mtbfDuration = this.duration(f.mtbfDuration, `${path}.mtbfDuration`);
    if (f.mttrDuration !== undefined)
      out.mttrDuration = this.duration(f.mttrDuration, `${path}.mttrDuration`);
    if (f.failureClockMode !== undefined) out.failureClockMode = snake(f.failureClockMode);
    return out;
  }

  /** Connectors nested in an activity or generator (before 2026.08.20) join the top-level list. */
  hoist(owner: Obj, path: string): void {
    const nested = this.list(owner.connectors, `${path}.connectors`, (c, p) => ({ c, p }));
    for (const { c, p } of nested ?? [])
      this.nestedConnectors.push(this.connector({ sourceId: owner.id, ...c }, p));
  }

  connector(c: Obj, path: string): Obj {
    const out = this.rest(c, [
      "entityTemplateUniqueId",
      "stateCondition",
      "destinationPriority",
      "destinationUniqueId",
      "stateModifications",
      "x",
      "y",
      "description",
      "condition",
      "actions",
    ]);
    if (out.targetId === undefined && c.destinationUniqueId !== undefined)
      out.targetId = c.destinationUniqueId;
    if (
      typeof c.entityTemplateUniqueId === "string" &&
      c.entityTemplateUniqueId &&
      out.entityId === undefined
    )
      out.entityId = c.entityTemplateUniqueId;
    if (c.destinationPriority !== undefined && c.destinationPriority !== null && out.priority === undefined)
      out.priority = c.destinationPriority;
    const condition = c.condition ?? c.stateCondition;
    if (condition !== undefined && condition !== null)
      out.condition = this.condition(
        condition,
        `${path}.${"condition" in c ? "condition" : "stateCondition"}`,
      );
    const actions = this.actions(c.actions, `${path}.actions`) ?? [];
    const mods = this.modifications(c.stateModifications, `${path}.stateModifications`);
    if (mods?.length) actions.push({ id: `${String(c.id)}-assign`, type: "assign", modifications: mods });
    if (actions.length) out.actions = actions;
    return out;
  }

  generator(g: Obj, path: string): Obj {
    const cfg = g.generationConfig;
    const out = this.rest(g, ["generationConfig", "connectors"]);
    this.hoist(g, path);
    if (!isObject(cfg)) return out; // clean already
    const p = `${path}.generationConfig`;
    const type = lower(cfg.generatorType);
    if (type !== undefined && type !== "frequency") {
      this.issue(
        `${p}.generatorType`,
        `generator type ${JSON.stringify(cfg.generatorType)} is not converted (only FREQUENCY has a published clean mapping)`,
      );
    }
    out.entityId = cfg.entityId;
    if (cfg.periodIntervalDuration !== undefined)
      out.interarrivalTime = this.duration(cfg.periodIntervalDuration, `${p}.periodIntervalDuration`);
    if (cfg.entitiesPerCreation !== undefined && cfg.entitiesPerCreation !== 1)
      out.batchSize = cfg.entitiesPerCreation;
    if (cfg.periodicOccurrences !== undefined && cfg.periodicOccurrences !== null)
      out.maxCycles = cfg.periodicOccurrences;
    const start = this.duration(cfg.periodicStartDuration, `${p}.periodicStartDuration`);
    if (
      start !== undefined &&
      start !== null &&
      !(isObject(start) && start.value === 0 && !start.distribution)
    )
      out.startDelay = start;
    if (cfg.maxEntities !== undefined && cfg.maxEntities !== null) out.maxEntities = cfg.maxEntities;
    const initial = this.modifications(cfg.initialStateModifications, `${p}.initialStateModifications`);
    if (initial?.length) out.initialStates = initial;
    return out;
  }

  clause(c: Obj, path: string): Obj {
    const out: Obj = {};
    out.id = c.id ?? c.clauseId;
    if (c.mode !== undefined && lower(c.mode) !== "require_all") out.mode = lower(c.mode);
    const requests = this.list(c.requests, `${path}.requests`, (r) =>
      omitDefaults(this.rest(r, []), { quantity: 1, priority: 1, keepResource: false }),
    );
    if (requests?.length) out.requests = requests;
    const sub = this.list(
      c.clauses ?? c.subClauses,
      `${path}.${"clauses" in c ? "clauses" : "subClauses"}`,
      (s, p) => this.clause(s, p),
    );
    if (sub?.length) out.clauses = sub;
    return out;
  }

  requirement(r: Obj, path: string): Obj {
    const out = this.rest(r, ["rootClauses", "rootClause"]);
    if (isObject(r.rootClause)) out.rootClause = this.clause(r.rootClause, `${path}.rootClause`);
    else if (Array.isArray(r.rootClauses)) {
      if (r.rootClauses.length !== 1)
        this.issue(
          `${path}.rootClauses`,
          `has ${r.rootClauses.length} root clauses; the clean format has exactly one`,
        );
      else if (isObject(r.rootClauses[0]))
        out.rootClause = this.clause(r.rootClauses[0], `${path}.rootClauses[0]`);
      else this.issue(`${path}.rootClauses[0]`, "must be an object");
    }
    return out;
  }

  state(s: Obj): Obj {
    const out = this.rest(s, []);
    if (s.componentType !== undefined) out.componentType = lower(s.componentType);
    if (s.dataType !== undefined) out.dataType = lower(s.dataType);
    return out;
  }

  arrivalPattern(a: Obj): Obj {
    const out = this.rest(a, ["subHourDistribution"]);
    for (const k of ["cycle", "seasonMode", "countMode"]) if (a[k] !== undefined) out[k] = lower(a[k]);
    if (a.subHourDistribution !== undefined && out.withinHourOffset === undefined)
      out.withinHourOffset = a.subHourDistribution;
    return out;
  }

  arrivalSchedule(a: Obj): Obj {
    const out = this.rest(a, ["source"]);
    if (a.timeUnit !== undefined) out.timeUnit = lower(a.timeUnit);
    return out;
  }
}

const COMPARISONS: Readonly<Record<string, string>> = {
  "==": "equal",
  "!=": "not_equal",
  ">": "greater_than",
  ">=": "greater_equal",
  "<": "less_than",
  "<=": "less_equal",
};
const OPERATIONS: Readonly<Record<string, string>> = {
  "=": "assign",
  "+=": "add",
  "-=": "subtract",
  "*=": "multiply",
  "/=": "divide",
};
/** Legacy `connectType` (any case) → clean `routing`; entity-template routing per §12 Q1. */
const ROUTINGS: Readonly<Record<string, string>> = {
  probability: "probability",
  statecondition: "state_condition",
  state_condition: "state_condition",
  entitytemplate: "entity_type",
  entity_template: "entity_type",
};

/** The clean root keys the converter writes from a legacy `model` block. */
function modelSettings(m: Obj, cv: Converter): Obj {
  const out: Obj = {};
  if (m.name !== undefined) out.name = m.name;
  if (m.description !== undefined) out.description = m.description;
  if (m.reps !== undefined) out.replications = m.reps;
  if (m.seed !== undefined && m.seed !== null) out.seed = m.seed;
  if (m.oneClockUnit !== undefined) out.timeUnit = lower(m.oneClockUnit);
  const mode = lower(m.simulationTimeType);
  if (mode === "calendardate" || mode === "calendar") out.timeMode = "calendar";
  else if (mode !== undefined && mode !== "clock")
    cv.issue(
      "model.simulationTimeType",
      `must be Clock or CalendarDate (got ${JSON.stringify(m.simulationTimeType)})`,
    );
  if (m.runClockPeriod !== undefined)
    out.runTime = { unit: lower(m.runClockPeriodUnit ?? m.oneClockUnit), value: m.runClockPeriod };
  if (typeof m.warmupClockPeriod === "number" && m.warmupClockPeriod > 0)
    out.warmupTime = { unit: lower(m.warmupClockPeriodUnit ?? m.oneClockUnit), value: m.warmupClockPeriod };
  if (typeof m.startDateTime === "string" && m.startDateTime) out.startDateTime = m.startDateTime;
  return out;
}

/** Root keys of a legacy document that the converter handles itself. */
const HANDLED = new Set([
  "schemaVersion",
  "formatVersion",
  "model",
  "entities",
  "states",
  "resources",
  "resourceRequirements",
  "activities",
  "generators",
  "connectors",
  "arrivalPatterns",
  "arrivalSchedules",
]);

/**
 * Converts a legacy verbose document (or the per-shape elements assembled
 * from a legacy draw.io file) to the clean wire format. Clean elements found
 * inside pass through unchanged, so a partly converted document is accepted.
 * `issues` lists what could not be converted (the document must then be refused).
 */
export function upConvertLegacy(doc: Obj): { value: Obj; issues: ValidationIssue[] } {
  const cv = new Converter();
  if (doc.formatVersion !== undefined)
    cv.issue(
      "formatVersion",
      "format 1.0 (2025, operation steps) is not converted: re-save the model in a newer Quodsi",
    );
  const states = cv.list(doc.states, "states", (s) => cv.state(s)) ?? [];
  for (const s of states)
    if (typeof s.name === "string" && typeof s.id === "string") cv.stateIds.set(s.name, s.id);

  const out: Obj = { schemaVersion: CLEAN_SCHEMA_VERSION };
  for (const [k, v] of Object.entries(doc)) if (!HANDLED.has(k)) out[k] = v; // clean root keys, metadata, ...
  if (isObject(doc.model)) Object.assign(out, modelSettings(doc.model, cv), stripUndefined(pickClean(doc)));
  else if (doc.model !== undefined) cv.issue("model", "must be an object (the model's run settings)");

  out.entities = (cv.list(doc.entities, "entities", (e) => cv.rest(e, [])) ?? []).map(stripUndefined);
  if (doc.states !== undefined) out.states = states;
  out.resources =
    cv.list(doc.resources, "resources", (r) => omitDefaults(cv.rest(r, []), { capacity: 1 })) ?? [];
  out.resourceRequirements =
    cv.list(doc.resourceRequirements, "resourceRequirements", (r, p) => cv.requirement(r, p)) ?? [];
  out.activities = (cv.list(doc.activities, "activities", (a, p) => cv.activity(a, p)) ?? []).map(
    stripUndefined,
  );
  out.generators = (cv.list(doc.generators, "generators", (g, p) => cv.generator(g, p)) ?? []).map(
    stripUndefined,
  );
  const connectors = cv.list(doc.connectors, "connectors", (c, p) => cv.connector(c, p)) ?? [];
  out.connectors = [...connectors, ...cv.nestedConnectors].map(stripUndefined);
  const patterns = cv.list(doc.arrivalPatterns, "arrivalPatterns", (a) => cv.arrivalPattern(a));
  if (patterns?.length) out.arrivalPatterns = patterns;
  const schedules = cv.list(doc.arrivalSchedules, "arrivalSchedules", (a) => cv.arrivalSchedule(a));
  if (schedules?.length) out.arrivalSchedules = schedules;
  return { value: out, issues: cv.issues };
}

/** Clean root settings written next to a legacy `model` block win over it (2026.12.01 draw.io roots carry both). */
function pickClean(doc: Obj): Obj {
  const keys = [
    "name",
    "replications",
    "seed",
    "timeUnit",
    "timeMode",
    "runTime",
    "warmupTime",
    "startDateTime",
  ];
  return Object.fromEntries(
    keys.filter((k) => doc[k] !== undefined && doc[k] !== null).map((k) => [k, doc[k]]),
  );
}

/** Sparse encoding (§1): a clean writer omits a field at its default. */
function omitDefaults(o: Obj, defaults: Obj): Obj {
  for (const [k, v] of Object.entries(defaults)) if (o[k] === v) delete o[k];
  return o;
}

function stripUndefined(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
