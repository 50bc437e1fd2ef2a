/**
 * The parts of `validateModel` for states and entity logic: actions (through
 * the registry), activity routing, queue ranking and `sourceConfig`, the
 * generator core shared by generators and sources, connector routing
 * fields, and the warnings for legal constructs that do not do what they
 * seem to (decision Q4 and its relatives).
 */
import { validateDuration } from "../durations.js";
import { type ActionContext, checkActions } from "./actions.js";
import { type Issues, type Obj, isAbsent, isFiniteNumber, isInt, isNoRef, isObject } from "./issues.js";
import { checkCondition, checkModifications, stateById } from "./modifications.js";
import { routingMode, type RoutingMode } from "./normalize.js";
import { describe, type StateTable } from "./states.js";
import { type ArrivalRefs, checkGeneratorArrivals } from "./validate-arrivals.js";

const GENERATOR_MODES = ["FREQUENCY", "PATTERN", "SCHEDULED"];
/** Entities per creation event (legacy `entitiesPerCreation`, validated 1..1000 by Quodsi). */
export const MAX_BATCH_SIZE = 1000;
/** Cap on a generator's `maxEntities` (Quodsi GEN-MVAL-007). */
export const MAX_GENERATOR_ENTITIES = 1_000_000;

/** The model's ids and states, as every logic check needs them. */
export interface ModelRefs {
  is: Issues;
  states: StateTable;
  entityIds: ReadonlySet<string>;
  resourceIds: ReadonlySet<string>;
  requirementIds: ReadonlySet<string>;
  activityIds: ReadonlySet<string>;
  generatorIds: ReadonlySet<string>;
  /** Arrival pattern and schedule ids (absent: none declared). */
  arrivals?: ArrivalRefs;
}

/** Written out rather than spread: a spread of the refs costs more than the rest of an activity's checks. */
const actionContext = (refs: ModelRefs, activityId?: string, activityCapacity?: number): ActionContext => ({
  is: refs.is,
  states: refs.states,
  entityIds: refs.entityIds,
  resourceIds: refs.resourceIds,
  requirementIds: refs.requirementIds,
  activityIds: refs.activityIds,
  activityId,
  activityCapacity,
});

const empty = (v: unknown): boolean => isAbsent(v) || (isObject(v) && Object.keys(v).length === 0);

function count(
  is: Issues,
  o: Obj,
  key: string,
  p: string,
  min: number,
  max: number,
  nullable: boolean,
): void {
  const v = o[key];
  if (v === undefined || (nullable && v === null)) return;
  const unlimited = nullable ? " (or null for unlimited)" : "";
  if (!(isInt(v) && v >= min)) is.add(`${p}.${key}`, `must be an integer >= ${min}${unlimited}`);
  else if (v > max) is.add(`${p}.${key}`, `must be at most ${max}${unlimited}`);
}

function duration(is: Issues, o: Obj, key: string, p: string, required: boolean): void {
  if (isAbsent(o[key])) {
    if (required) is.add(`${p}.${key}`, "is required (a Duration)");
    return;
  }
  is.addAll(validateDuration(o[key], `${p}.${key}`));
}

const NO_ARRIVALS: ArrivalRefs = { patternIds: new Set(), scheduleIds: new Set() };

/**
 * The generator core (§2.11), on a generator or an activity's
 * `sourceConfig`: entity, mode, timing, batch and caps, initial states.
 */
export function checkGeneratorCore(refs: ModelRefs, o: Obj, p: string): void {
  const { is } = refs;
  if (typeof o.entityId !== "string") is.add(`${p}.entityId`, "is required (string)");
  else if (!refs.entityIds.has(o.entityId))
    is.add(`${p}.entityId`, `references unknown entity ${JSON.stringify(o.entityId)}`);
  let mode = "FREQUENCY";
  if (!isAbsent(o.mode)) {
    if (typeof o.mode === "string" && GENERATOR_MODES.includes(o.mode.toUpperCase()))
      mode = o.mode.toUpperCase();
    else is.add(`${p}.mode`, `must be one of ${GENERATOR_MODES.join(", ")} (got ${JSON.stringify(o.mode)})`);
  }
  duration(is, o, "interarrivalTime", p, mode === "FREQUENCY");
  checkGeneratorArrivals(is, refs.arrivals ?? NO_ARRIVALS, o, p, mode);
  duration(is, o, "startDelay", p, false);
  count(is, o, "batchSize", p, 1, MAX_BATCH_SIZE, false);
  count(is, o, "maxEntities", p, 0, MAX_GENERATOR_ENTITIES, true);
  count(is, o, "maxCycles", p, 0, Number.MAX_SAFE_INTEGER, true);
  checkModifications(refs, o.initialStates, `${p}.initialStates`);
}

function routing(is: Issues, o: Obj, p: string): RoutingMode | undefined {
  const mode = routingMode(o.routing);
  if (!mode)
    is.add(
      `${p}.routing`,
      `must be one of probability, state_condition, entity_type (entity_template and entity are read as entity_type) (got ${JSON.stringify(o.routing)})`,
    );
  return mode;
}

function queueRanking(refs: ModelRefs, q: unknown, p: string): void {
  const { is } = refs;
  if (isAbsent(q) || (typeof q === "string" && q.toUpperCase() === "FIFO")) return;
  if (!isObject(q))
    return is.add(p, 'must be {stateId, order} (or absent, null or "FIFO" for first come, first served)');
  const s = stateById(refs, q.stateId, `${p}.stateId`);
  if (s && (s.scope !== "entity" || s.type !== "number"))
    is.add(`${p}.stateId`, `must reference an entity number state; ${describe(s)}`);
  if (!isAbsent(q.order) && q.order !== "ascending" && q.order !== "descending")
    is.add(`${p}.order`, `must be ascending or descending (got ${JSON.stringify(q.order)})`);
}

/** An activity's actions, routing, queue ranking and source. */
export function checkActivityLogic(refs: ModelRefs, o: Obj, p: string): RoutingMode | undefined {
  const id = typeof o.id === "string" ? o.id : undefined;
  const capacity = isAbsent(o.capacity) ? 1 : isInt(o.capacity) ? o.capacity : undefined;
  checkActions(actionContext(refs, id, capacity), o.actions, `${p}.actions`, "activity");
  const mode = routing(refs.is, o, p);
  queueRanking(refs, o.queueRanking, `${p}.queueRanking`);
  if (!empty(o.sourceConfig)) {
    if (!isObject(o.sourceConfig))
      refs.is.add(`${p}.sourceConfig`, "must be an object (the generator fields)");
    else checkGeneratorCore(refs, o.sourceConfig, `${p}.sourceConfig`);
  }
  return mode;
}

/** A generator: the core, and its (unused, Q4) routing value. */
export function checkGenerator(refs: ModelRefs, o: Obj, p: string): void {
  checkGeneratorCore(refs, o, p);
  routing(refs.is, o, p);
}

/** A connector's routing fields (entity type, condition, priority) and travel actions. */
export function checkConnectorLogic(refs: ModelRefs, o: Obj, p: string): void {
  const { is } = refs;
  if (!isNoRef(o.entityId)) {
    if (typeof o.entityId !== "string") is.add(`${p}.entityId`, "must be the id of an entity (string)");
    else if (!refs.entityIds.has(o.entityId))
      is.add(`${p}.entityId`, `references unknown entity ${JSON.stringify(o.entityId)}`);
  }
  if (!isAbsent(o.condition)) checkCondition(refs, o.condition, `${p}.condition`);
  if (!isAbsent(o.priority) && !isFiniteNumber(o.priority))
    is.add(`${p}.priority`, "must be a finite number");
  checkActions(actionContext(refs), o.actions, `${p}.actions`, "connector");
}

/**
 * Warnings over the connectors: a generator uses only its first outgoing
 * connector (Q4); state-condition and entity-type routing never take a
 * connector without `entityId` (§5.5); a connector `condition` is read only
 * when its source routes by state condition.
 */
export function routingWarnings(
  is: Issues,
  connectors: readonly unknown[],
  routes: ReadonlyMap<string, RoutingMode | undefined>,
  generators: ReadonlyMap<string, number>,
): void {
  const fromGenerator = new Map<string, number[]>();
  connectors.forEach((c, k) => {
    if (!isObject(c) || typeof c.sourceId !== "string") return;
    const p = `connectors[${k}]`;
    if (generators.has(c.sourceId)) {
      const list = fromGenerator.get(c.sourceId) ?? [];
      list.push(k);
      fromGenerator.set(c.sourceId, list);
    }
    const mode = routes.get(c.sourceId);
    if ((mode === "state_condition" || mode === "entity_type") && isNoRef(c.entityId))
      is.warn(
        `${p}.entityId`,
        `activity ${JSON.stringify(c.sourceId)} routes by ${mode === "state_condition" ? "state condition" : "entity type"}, which never takes a connector without entityId`,
      );
    if (
      !isAbsent(c.condition) &&
      mode !== "state_condition" &&
      (mode !== undefined || generators.has(c.sourceId))
    )
      is.warn(
        `${p}.condition`,
        `is ignored: ${generators.has(c.sourceId) ? "generator" : "activity"} ${JSON.stringify(c.sourceId)} does not route by state_condition`,
      );
  });
  for (const [g, list] of fromGenerator)
    if (list.length > 1)
      is.warn(
        `generators[${generators.get(g)}]`,
        `generator ${JSON.stringify(g)} has ${list.length} outgoing connectors; only the first (connectors[${list[0]}]) is used`,
      );
}
