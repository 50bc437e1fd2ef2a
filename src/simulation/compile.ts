/**
 * Compiles a validated model into CompiledModel: integer indices and typed
 * arrays that every replication reads and none writes. Requirements, state
 * logic and the entity-making actions have their own compilers
 * (compile-requirements, compile-logic, compile-spawn); this file holds the
 * op list, generators and routes. (Just over 400 lines: the CompiledModel
 * declaration, documented field by field, is a quarter of it.)
 */
import { compileArrivals, modelCalendar, type CompiledArrivals } from "./compile-arrivals.js";
import { LogicBuilder, usesLogic, type CompiledLogic } from "./compile-logic.js";
import { SpawnBuilder, type CompiledSpawn } from "./compile-spawn.js";
import { compileFailures, failingActivities, type CompiledFailures } from "./compile-failures.js";
import { compileRequirements, limit, type CompiledRequirements } from "./compile-requirements.js";
import { DurationTable } from "./distributions.js";
import { costRates, type CostRates } from "./model/costs.js";
import type { ModelCalendar } from "./model/calendar-time.js";
import type { Action, GeneratorCore } from "./model/wire.js";
import { routingMode } from "./model/normalize.js";
import type { Duration, QuodsiModel, TimeUnit, ValidationIssue } from "./types.js";
import { convertTime, parseTimeUnit } from "./units.js";
import { checkRunnable, validateModel } from "./validate.js";

/** Thrown when a model given to the engine fails validation or uses unsupported features. */
export class InvalidModelError extends Error {
  override name = "InvalidModelError";
  constructor(readonly issues: ValidationIssue[]) {
    super(
      `model is not runnable: ${issues
        .slice(0, 5)
        .map((i) => `${i.path}: ${i.message}`)
        .join("; ")}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ""}`,
    );
  }
}

export const enum Op {
  Delay = 0,
  Seize = 1,
  Release = 2,
  // --- resource features (seize priority, release-all, delay_with_resource reuse)
  /** Release everything the entity holds (a release without requirement). */
  ReleaseAll = 3,
  /** A delay_with_resource's seize: reuses an open capture of the same requirement instead of seizing again. */
  DwrSeize = 4,
  /** A delay_with_resource's release when some request of its requirement has keepResource (kept, Q3). */
  DwrRelease = 5,
  // --- state logic (compile-logic.ts, runtime/logic.ts): opArg indexes CompiledModel.logic tables.
  /** Apply modification list opArg. */
  Assign = 6,
  /** Condition opArg false: jump to opJump (guards, branch). */
  JumpIfFalse = 7,
  /** Jump to opJump. */
  Jump = 8,
  /** Loop opArg starts (counter and loop_index = 0). */
  LoopStart = 9,
  /** Loop opArg: next iteration at opJump, or fall through. */
  LoopNext = 10,
  /** Run script opArg on the entity. */
  Script = 11,
  // --- entities made and ended by actions (compile-spawn.ts, runtime/spawn.ts): opArg indexes CompiledModel.spawn.
  /** Split: the entity is replaced by pieces sent to a destination (it stops here). */
  Split = 12,
  /** Create: a new entity is sent to a destination; this one carries on. */
  Create = 13,
  /** Join: the entity waits in its slot for its group; a full group becomes one entity (it stops here). */
  Join = 14,
  /** Dispose: the entity leaves the system now (it stops here). */
  Dispose = 15,
  // --- activity failures (compile-failures.ts, runtime/failures.ts): only in models with failures.
  /** A delay in an activity that can fail (opArg: duration): a failure interrupts it and it resumes after the repair. */
  FailDelay = 16,
  /** The repair of failure process opArg starts (its repair requirement, if any, is held). */
  RepairStart = 17,
}

/**
 * A model resolved to integer indices and typed arrays, built once and
 * shared (read-only) by every replication. Nodes that can route entities are
 * numbered activities first, then generators.
 */
export interface CompiledModel extends CompiledRequirements {
  timeUnit: TimeUnit;
  /** The clock against the calendar (calendar mode, or clock mode's nominal week and year). */
  calendar: ModelCalendar;
  runTime: number;
  warmupTime: number;
  streamKeys: string[];
  durations: DurationTable;

  entityIds: string[];
  entityNames: string[];

  resourceIds: string[];
  resourceNames: string[];
  resCap: Int32Array;

  activityIds: string[];
  activityNames: string[];
  actCap: Int32Array;
  actInCap: Int32Array;
  actOutCap: Int32Array;
  /**
   * Op range of each activity; past the activities, one entry per failure
   * process (index activityIds.length + f) for the ops its repair runs.
   */
  actOpStart: Int32Array;
  actOpEnd: Int32Array;

  opKind: Int32Array;
  /** Duration index (Delay) or requirement index (Seize/Release). */
  opArg: Int32Array;
  /** Queue priority of a Seize/DwrSeize op's waiting request (lower first); 1 elsewhere. */
  opPrio: Float64Array;
  /** Some seize waits with a priority other than 1: wait lists are kept ordered by priority. */
  hasPriority: boolean;
  /** Jump target (JumpIfFalse, Jump, LoopNext). */
  opJump: Int32Array;
  /** State logic tables; null when the model declares no states. */
  logic: CompiledLogic | null;
  /** Split/create/join tables; null when no action makes or ends entities (the plain path never looks). */
  spawn: CompiledSpawn | null;
  /** Cost rates; null when no resource or activity enables costs (nothing is computed or reported). */
  costs: CostRates | null;
  /** Activity failure tables; null when no activity has failures enabled (the plain path never looks). */
  failures: CompiledFailures | null;

  generatorIds: string[];
  genEntity: Int32Array;
  genIat: Int32Array;
  /** Duration index of the start delay, -1 for 0. */
  genStart: Int32Array;
  genBatch: Int32Array;
  genMaxEntities: Int32Array;
  genMaxCycles: Int32Array;
  /** Activity a generator creates its entities in (an activity's sourceConfig), -1 for a plain generator. */
  genTarget: Int32Array;
  /** PATTERN and SCHEDULED generators' tables; null when every generator is FREQUENCY (the plain path never looks). */
  arrivals: CompiledArrivals | null;

  /** Per node (activities, then generators): outgoing routes [start, start+count). */
  nodeRouteStart: Int32Array;
  nodeRouteCount: Int32Array;
  nodeRouteStream: Int32Array;
  nodeTotalWeight: Float64Array;
  routeTarget: Int32Array;
  /** 1 when the node routes by state condition or entity type (first match, Q2), 0 by weight. */
  nodeRouteMatch: Uint8Array;
  /** Per route (match nodes, sorted by priority then document order): entity type (-1 none: ignored) and condition (-1 none). */
  routeEntity: Int32Array;
  routeCond: Int32Array;
  routeIds: string[];
  /** Cumulative weight within the source node (for a single uniform draw). */
  routeCumWeight: Float64Array;
  /** Travel durations: [start, start+count) in routeTravel. */
  routeTravelStart: Int32Array;
  routeTravelCount: Int32Array;
  routeTravel: Int32Array;
}

const compiledCache = new WeakMap<QuodsiModel, CompiledModel>();

/**
 * Validate (shape + runnable) and compile a model; throws InvalidModelError
 * listing every issue. Cached per model object, so replications of one run
 * compile once.
 */
export function compileModel(model: QuodsiModel): CompiledModel {
  const cached = compiledCache.get(model);
  if (cached) return cached;
  const v = validateModel(model);
  if (!v.ok) throw new InvalidModelError(v.issues);
  const runIssues = checkRunnable(model);
  if (runIssues.length) throw new InvalidModelError(runIssues);
  const compiled = build(model);
  compiledCache.set(model, compiled);
  return compiled;
}

function build(model: QuodsiModel): CompiledModel {
  const timeUnit = parseTimeUnit(model.timeUnit)!;
  const toTime = (d: Duration | undefined): number =>
    d ? convertTime((d as { value: number }).value, parseTimeUnit(d.unit)!, timeUnit) : 0;

  const streamKeys: string[] = [];
  const stream = (key: string) => streamKeys.push(key) - 1;
  const durEntries: Array<{ duration: Duration; stream: number }> = [];
  const duration = (d: Duration, key: string) => durEntries.push({ duration: d, stream: stream(key) }) - 1;

  const entities = model.entities ?? [];
  const resources = model.resources ?? [];
  const requirements = model.resourceRequirements ?? [];
  const activities = model.activities ?? [];
  const generators = model.generators ?? [];
  const connectors = model.connectors ?? [];

  const entityIndex = new Map(entities.map((e, i) => [e.id, i]));
  const resourceIndex = new Map(resources.map((r, i) => [r.id, i]));
  const requirementIndex = new Map(requirements.map((r, i) => [r.id, i]));
  const activityIndex = new Map(activities.map((a, i) => [a.id, i]));
  const generatorIndex = new Map(generators.map((g, i) => [g.id, i]));

  const {
    tables: requirementTables,
    reqPrio,
    reqHasKeep,
    mayBeHeld,
  } = compileRequirements(requirements, resourceIndex, activities);

  // --- activities and ops
  const logic = usesLogic(model) ? new LogicBuilder(model, stream) : null;
  const spawn = new SpawnBuilder(entityIndex, activityIndex, logic);
  const opKind: number[] = [];
  const opArg: number[] = [];
  const opPrio: number[] = [];
  const opJump: number[] = [];
  const emit = (k: Op, arg: number, jump = -1, prio = 1) => {
    opKind.push(k);
    opArg.push(arg);
    opJump.push(jump);
    opPrio.push(prio);
    return opKind.length - 1;
  };
  // Actions become a flat op list: guards, branches and loops are jumps (no nesting at run time).
  // A delay in an activity that can fail is interruptible (Op.FailDelay); elsewhere the plain Op.Delay.
  const failing = failingActivities(activities);
  let delayOp = Op.Delay;
  const emitActions = (list: readonly Action[], prefix: string, activityId: string) => {
    list.forEach((act, j) => {
      const key = `${prefix}/action:${act.id ?? `#${j}`}`;
      const cond = act.type !== "branch" ? (act as { condition?: unknown }).condition : undefined;
      const guard =
        cond !== undefined && cond !== null
          ? emit(Op.JumpIfFalse, logic!.condition(act.condition as never))
          : -1;
      switch (act.type) {
        case "delay":
          emit(delayOp, duration(act.duration, key));
          break;
        case "seize": {
          const rq = requirementIndex.get(act.resourceRequirementId)!;
          emit(Op.Seize, rq, -1, act.priority ?? reqPrio[rq]);
          break;
        }
        case "release":
          if (act.resourceRequirementId) emit(Op.Release, requirementIndex.get(act.resourceRequirementId)!);
          else emit(Op.ReleaseAll, 0);
          break;
        case "delay_with_resource": {
          // No requirement: a plain delay. keepResource: seize + delay (a later release frees it).
          // An open capture of the same requirement is reused (Op.DwrSeize) and released at the
          // end of this action like its own seize would be.
          // `modifications` apply once the delay is over and before the release. The sources say
          // only "state modifications to apply during this action" (LP-old DelayWithResourceAction.ts);
          // §5.6 infers after the delay. Before the release, so that an entity granted the freed
          // resource at that instant already sees them. A false guard skips them too.
          const mods = act.modifications?.length ? logic!.modifications(act.modifications, key) : -1;
          if (!act.resourceRequirementId) {
            emit(delayOp, duration(act.duration, key));
            if (mods >= 0) emit(Op.Assign, mods);
            break;
          }
          const rq = requirementIndex.get(act.resourceRequirementId)!;
          emit(mayBeHeld[rq] ? Op.DwrSeize : Op.Seize, rq, -1, act.priority ?? reqPrio[rq]);
          emit(delayOp, duration(act.duration, key));
          if (mods >= 0) emit(Op.Assign, mods);
          if (!act.keepResource) emit(reqHasKeep[rq] ? Op.DwrRelease : Op.Release, rq);
          break;
        }
        case "assign":
          emit(Op.Assign, logic!.modifications(act.modifications ?? [], key));
          break;
        case "script":
          emit(Op.Script, logic!.script(act.source, key));
          break;
        case "branch": {
          const test = emit(Op.JumpIfFalse, logic!.condition(act.condition));
          emitActions(act.ifTrue ?? [], `${key}/ifTrue`, activityId);
          const skip = emit(Op.Jump, 0);
          opJump[test] = opKind.length;
          emitActions(act.ifFalse ?? [], `${key}/ifFalse`, activityId);
          opJump[skip] = opKind.length;
          break;
        }
        case "loop": {
          const l = logic!.beginLoop(act.count ?? 1);
          emit(Op.LoopStart, l);
          const body = opKind.length;
          emitActions(act.actions ?? [], `${key}/actions`, activityId);
          emit(Op.LoopNext, l, body);
          logic!.endLoop();
          break;
        }
        case "split":
          emit(Op.Split, spawn.split(act, key));
          break;
        case "create":
          emit(Op.Create, spawn.create(act, key));
          break;
        case "join":
          emit(Op.Join, spawn.join(act, key));
          break;
        case "dispose":
          spawn.disposes = true;
          emit(Op.Dispose, 0);
          break;
        default:
          throw new Error(`unreachable: unsupported action ${(act as Action).type} passed checkRunnable`);
      }
      if (guard >= 0) opJump[guard] = opKind.length;
    });
  };
  const actOpStart = new Int32Array(Math.max(1, activities.length + failing.length));
  const actOpEnd = new Int32Array(Math.max(1, activities.length + failing.length));
  activities.forEach((a, i) => {
    actOpStart[i] = opKind.length;
    delayOp = failing.includes(i) ? Op.FailDelay : Op.Delay;
    logic?.at(i); // activity states without componentId are this activity's
    emitActions(a.actions ?? [], `activity:${a.id}`, a.id);
    actOpEnd[i] = opKind.length;
    logic?.ranking(a.queueRanking);
  });

  // --- generators: the model's, then one per activity with a sourceConfig (§5.4), whose
  // entities start in that activity instead of leaving by a connector.
  const sources: Array<{ core: GeneratorCore; id: string; target: number }> = [
    ...generators.map((g) => ({ core: g, id: g.id, target: -1 })),
  ];
  activities.forEach((a, i) => {
    const sc = (a as { sourceConfig?: GeneratorCore | null }).sourceConfig;
    if (sc && typeof sc === "object" && sc.entityId)
      sources.push({ core: sc, id: `${a.id}/sourceConfig`, target: i });
  });
  const G = sources.length;
  const genEntity = new Int32Array(Math.max(1, G));
  const genIat = new Int32Array(Math.max(1, G));
  const genStart = new Int32Array(Math.max(1, G)).fill(-1);
  const genBatch = new Int32Array(Math.max(1, G));
  const genMaxEntities = new Int32Array(Math.max(1, G));
  const genMaxCycles = new Int32Array(Math.max(1, G));
  const genTarget = new Int32Array(Math.max(1, G)).fill(-1);
  sources.forEach(({ core: g, id, target }, i) => {
    genEntity[i] = entityIndex.get(g.entityId)!;
    // A timed (pattern or scheduled) generator has no interarrival time: index 0 is never read for it.
    genIat[i] = g.interarrivalTime ? duration(g.interarrivalTime, `generator:${id}/interarrivalTime`) : 0;
    if (g.startDelay) genStart[i] = duration(g.startDelay, `generator:${id}/startDelay`);
    genBatch[i] = limit(g.batchSize ?? 1);
    genMaxEntities[i] = limit(g.maxEntities);
    genMaxCycles[i] = limit(g.maxCycles);
    genTarget[i] = target;
    logic?.at(-1);
    logic?.genInit(g.initialStates, `generator:${id}/initialStates`);
  });

  const calendar = modelCalendar(model, timeUnit);
  const arrivals = compileArrivals(model, sources, entityIndex, logic, calendar, timeUnit, stream, duration);

  // --- routes (connectors grouped by source node, in model order)
  const A = activities.length;
  const nodeOf = (id: string) => activityIndex.get(id) ?? A + generatorIndex.get(id)!;
  const N = A + G;
  const bySource: number[][] = Array.from({ length: N }, () => []);
  connectors.forEach((c, i) => bySource[nodeOf(c.sourceId)].push(i));
  const nodeRouteStart = new Int32Array(Math.max(1, N));
  const nodeRouteCount = new Int32Array(Math.max(1, N));
  const nodeRouteStream = new Int32Array(Math.max(1, N));
  const nodeTotalWeight = new Float64Array(Math.max(1, N));
  const nodeRouteMatch = new Uint8Array(Math.max(1, N));
  const routeEntity: number[] = [];
  const routeCond: number[] = [];
  const routeIds: string[] = [];
  const routeTarget: number[] = [];
  const routeCum: number[] = [];
  const routeTravelStart: number[] = [];
  const routeTravelCount: number[] = [];
  const routeTravel: number[] = [];
  const nodeId = (n: number) => (n < A ? activities[n].id : sources[n - A].id);
  for (let n = 0; n < N; n++) {
    nodeRouteStart[n] = routeTarget.length;
    logic?.at(n < A ? n : -1); // a connector condition reads the activity states of its source
    nodeRouteStream[n] = stream(`routing:${nodeId(n)}`);
    let acc = 0;
    const mode = n < A ? routingMode(activities[n].routing ?? activities[n].connectType) : "probability";
    let list = bySource[n];
    if (mode !== "probability" && list.length > 1) {
      // Q2: lowest priority first (absent after every numbered one), then document order.
      nodeRouteMatch[n] = 1;
      const pri = (ci: number) => connectors[ci].priority ?? Infinity;
      list = [...list].sort((x, y) => pri(x) - pri(y) || x - y);
    }
    for (const ci of list) {
      const c = connectors[ci];
      acc += c.weight ?? 1;
      routeIds.push(c.id);
      const ce = nodeRouteMatch[n] ? c.entityId : undefined;
      routeEntity.push(typeof ce === "string" && ce !== "" ? (entityIndex.get(ce) ?? -1) : -1);
      const cc = mode === "state_condition" && nodeRouteMatch[n] ? (c.condition ?? c.stateCondition) : null;
      routeCond.push(cc ? logic!.condition(cc as never) : -1);
      routeTarget.push(activityIndex.get(c.targetId)!);
      routeCum.push(acc);
      routeTravelStart.push(routeTravel.length);
      const travel = (c.actions ?? []).map((act, j) => {
        if (act.type !== "delay")
          throw new Error(`unreachable: connector action ${act.type} passed checkRunnable`);
        return duration(
          (act as { duration: Duration }).duration,
          `connector:${c.id}/action:${act.id ?? `#${j}`}`,
        );
      });
      routeTravelCount.push(travel.length);
      routeTravel.push(...travel);
    }
    // A generator sends every entity through its first connector (Q4); the others are never taken.
    nodeRouteCount[n] = n >= A ? Math.min(1, bySource[n].length) : bySource[n].length;
    nodeTotalWeight[n] = acc;
  }

  // Last, so that a model without failures has exactly the streams and durations it had before.
  const failures = compileFailures(activities, failing, {
    requirementIndex,
    reqPrio,
    duration,
    actOpStart,
    actOpEnd,
    emitSeize: (rq, prio) => emit(Op.Seize, rq, -1, prio),
    emitRepairStart: (f) => emit(Op.RepairStart, f),
  });

  const runTime = toTime(model.runTime);
  const warmupTime = toTime(model.warmupTime);
  return {
    timeUnit,
    calendar,
    runTime,
    warmupTime,
    streamKeys,
    durations: new DurationTable(durEntries, timeUnit),
    entityIds: entities.map((e) => e.id),
    entityNames: entities.map((e) => e.name ?? e.id),
    resourceIds: resources.map((r) => r.id),
    resourceNames: resources.map((r) => r.name ?? r.id),
    resCap: Int32Array.from(resources.map((r) => limit(r.capacity ?? 1))),
    ...requirementTables,
    activityIds: activities.map((a) => a.id),
    activityNames: activities.map((a) => a.name ?? a.id),
    actCap: Int32Array.from(activities.map((a) => limit(a.capacity ?? 1))),
    actInCap: Int32Array.from(activities.map((a) => limit(a.inboundCapacity))),
    actOutCap: Int32Array.from(activities.map((a) => limit(a.outboundCapacity))),
    actOpStart,
    actOpEnd,
    opKind: Int32Array.from(opKind),
    opArg: Int32Array.from(opArg),
    opPrio: Float64Array.from(opPrio),
    hasPriority: opPrio.some((p) => p !== 1),
    opJump: Int32Array.from(opJump),
    spawn: spawn.finish(),
    failures,
    logic: logic ? logic.finish() : null,
    costs: costRates(model),
    generatorIds: sources.map((g) => g.id),
    genEntity,
    genIat,
    genStart,
    genBatch,
    genMaxEntities,
    genMaxCycles,
    genTarget,
    arrivals,
    nodeRouteStart,
    nodeRouteCount,
    nodeRouteStream,
    nodeTotalWeight,
    nodeRouteMatch,
    routeEntity: Int32Array.from(routeEntity),
    routeCond: Int32Array.from(routeCond),
    routeIds,
    routeTarget: Int32Array.from(routeTarget),
    routeCumWeight: Float64Array.from(routeCum),
    routeTravelStart: Int32Array.from(routeTravelStart),
    routeTravelCount: Int32Array.from(routeTravelCount),
    routeTravel: Int32Array.from(routeTravel),
  };
}
