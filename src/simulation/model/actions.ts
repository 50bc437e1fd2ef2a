/**
 * The ACTION REGISTRY: one row per action type, the one place that knows
 * what each type's wire fields are (validate) and whether the engine runs it
 * (runnable in an activity, on a connector). `validateModel` and
 * `checkRunnable` are driven by these rows, and so is the FEATURES table of
 * the finer features the runtime may not execute yet (guards, priorities,
 * routing modes, ...). Making a feature run is: implement it in the runtime,
 * flip its `runnable` flag here, update the tests that expected it refused.
 */
import { validateDuration } from "../durations.js";
import { type Issues, type Obj, isAbsent, isFiniteNumber, isInt, isNoRef, isObject } from "./issues.js";
import { checkCondition, checkModifications, checkScript, type LogicContext } from "./modifications.js";
import { actionId, nestedActionLists } from "./normalize.js";
import { entityStateByName } from "./states.js";
import type { Action, ActionType } from "./wire.js";

/** A feature the runtime may not execute yet; `message` follows the object's label in checkRunnable's issue. */
export interface Feature {
  runnable: boolean;
  message: string;
}

const FEATURE_ROWS = {
  actionGuard: { runnable: true, message: "action guards (condition) are not supported yet" },
  seizePriority: {
    runnable: true,
    message: "seize priority is not supported yet; waiting seizes are served first come, first served",
  },
  releaseAll: {
    runnable: true,
    message: "a release without resourceRequirementId (release everything held) is not supported yet",
  },
  plainDelayWithResource: {
    runnable: true,
    message: "a delay_with_resource without resourceRequirementId (a plain delay) is not supported yet",
  },
  actionModifications: {
    runnable: true,
    message: "state modifications on delay_with_resource are not supported yet",
  },
  requestPriority: { runnable: true, message: "request priority is not supported yet" },
  requestKeepResource: { runnable: true, message: "keepResource on a request is not supported yet" },
  // The two routing modes: checkRunnable names the routing value, and lists these labels once runnable.
  // State-condition routing comes with connectorCondition, connectorEntityId and connectorPriority (Q2);
  // entity-type routing with connectorEntityId.
  stateRouting: { runnable: true, message: "state-condition routing" },
  entityTypeRouting: { runnable: true, message: "entity-type routing" },
  connectorCondition: { runnable: true, message: "conditional routing (state_condition) is not supported" },
  connectorEntityId: {
    runnable: true,
    message: "entity-type filtered routing (entityId) is not supported",
  },
  connectorPriority: { runnable: true, message: "connector priority is not supported yet" },
  queueRanking: { runnable: true, message: "queue ranking rules are not supported; queues are FIFO" },
  sourceConfig: {
    runnable: true,
    message: "an activity acting as an entity source (sourceConfig) is not supported; use a generator",
  },
  initialStates: {
    runnable: true,
    message: "generator initialStates (entity state assignment) are not supported",
  },
  scopedStates: { runnable: true, message: "resource- and activity-scoped states are not supported yet" },
} satisfies Record<string, Feature>;
export type FeatureKey = keyof typeof FEATURE_ROWS;
/** Every feature below the action type that checkRunnable gates, with its flag. */
export const FEATURES: Readonly<Record<FeatureKey, Feature>> = FEATURE_ROWS;

/** Split count, loop count and join size above these are refused as absurd (a typo, not a model). */
export const MAX_SPLIT_COUNT = 1000;
export const MAX_LOOP_COUNT = 1_000_000;
export const MAX_JOIN_COUNT = 1_000_000;
/** Nesting depth of loop and branch lists. */
export const MAX_ACTION_NESTING = 32;

/** What an action's checks see besides the model-wide state logic. */
export interface ActionContext extends LogicContext {
  entityIds: ReadonlySet<string>;
  requirementIds: ReadonlySet<string>;
  /** The activity the actions run in; undefined on a connector. */
  activityId?: string;
  /** Its capacity (for the join warning). */
  activityCapacity?: number;
}

export interface ActionRow {
  /** What the type does, named in checkRunnable's issue. */
  label: string;
  /** The engine runs it in an activity. */
  runnable: boolean;
  /** The engine runs it on a connector (while the entity travels). */
  onConnector: boolean;
  /** It may carry a `condition` guard (every type but branch and script, §2.8). */
  guarded: boolean;
  /** Checks the type's own fields (id, type, guard and nested lists are checked by `checkActions`). */
  validate(a: Obj, p: string, ctx: ActionContext): void;
  /** The gated features a valid action of this type uses: [feature, field]. */
  features?(a: Action): Array<[FeatureKey, string]>;
}

// --- field checks shared by the rows

function requirementRef(ctx: ActionContext, a: Obj, p: string, required: boolean): void {
  const v = a.resourceRequirementId;
  if (!required && isNoRef(v)) return;
  if (typeof v !== "string") ctx.is.add(`${p}.resourceRequirementId`, "is required (string)");
  else if (!ctx.requirementIds.has(v))
    ctx.is.add(`${p}.resourceRequirementId`, `references unknown resource requirement ${JSON.stringify(v)}`);
}

function durationField(ctx: ActionContext, a: Obj, p: string): void {
  if (isAbsent(a.duration)) ctx.is.add(`${p}.duration`, "is required (a Duration)");
  else ctx.is.addAll(validateDuration(a.duration, `${p}.duration`));
}

function countField(ctx: ActionContext, a: Obj, key: string, p: string, min: number, max: number): void {
  const v = a[key];
  if (isAbsent(v)) return;
  if (!(isInt(v) && v >= min)) ctx.is.add(`${p}.${key}`, `must be an integer >= ${min}`);
  else if (v > max) ctx.is.add(`${p}.${key}`, `must be at most ${max}`);
}

function priorityField(ctx: ActionContext, a: Obj, p: string): void {
  if (!isAbsent(a.priority) && !isFiniteNumber(a.priority))
    ctx.is.add(`${p}.priority`, "must be a finite number");
}

function boolField(ctx: ActionContext, a: Obj, key: string, p: string): void {
  if (!isAbsent(a[key]) && typeof a[key] !== "boolean") ctx.is.add(`${p}.${key}`, "must be a boolean");
}

function activityRef(ctx: ActionContext, a: Obj, key: string, p: string): void {
  const v = a[key];
  if (typeof v !== "string" || v === "") ctx.is.add(`${p}.${key}`, "is required (the id of an activity)");
  else if (!ctx.activityIds.has(v))
    ctx.is.add(`${p}.${key}`, `references unknown activity ${JSON.stringify(v)}`);
}

function entityRef(ctx: ActionContext, a: Obj, key: string, p: string, required: boolean): void {
  const v = a[key];
  if (!required && isNoRef(v)) return;
  if (typeof v !== "string" || v === "") ctx.is.add(`${p}.${key}`, "is required (the id of an entity)");
  else if (!ctx.entityIds.has(v)) ctx.is.add(`${p}.${key}`, `references unknown entity ${JSON.stringify(v)}`);
}

function stateNames(ctx: ActionContext, list: unknown, p: string): void {
  if (isAbsent(list)) return;
  if (!Array.isArray(list)) return ctx.is.add(p, "must be a list of entity state names");
  list.forEach((n, k) => entityStateByName(ctx.states, n, `${p}[${k}]`, ctx.is));
}

function optionalStateName(ctx: ActionContext, a: Obj, key: string, p: string, number: boolean): void {
  if (!isNoRef(a[key])) entityStateByName(ctx.states, a[key], `${p}.${key}`, ctx.is, { number });
}

/** Priority 1 is the default (Q3), so only another value needs the feature. */
const usesPriority = (v: unknown) => !isAbsent(v) && v !== 1;
const present = (v: unknown) => !isAbsent(v) && !(Array.isArray(v) && v.length === 0);

/** The rows, in the order the types are listed in messages. */
export const ACTIONS: Readonly<Record<ActionType, ActionRow>> = {
  delay: {
    label: "a fixed or random delay",
    runnable: true,
    onConnector: true,
    guarded: true,
    validate: (a, p, ctx) => durationField(ctx, a, p),
  },
  delay_with_resource: {
    label: "a delay holding resources",
    runnable: true,
    onConnector: false,
    guarded: true,
    validate: (a, p, ctx) => {
      requirementRef(ctx, a, p, false);
      durationField(ctx, a, p);
      boolField(ctx, a, "keepResource", p);
      priorityField(ctx, a, p);
      checkModifications(ctx, a.modifications, `${p}.modifications`);
    },
    features: (a) => {
      const out: Array<[FeatureKey, string]> = [];
      if (a.type !== "delay_with_resource") return out;
      if (isNoRef(a.resourceRequirementId)) out.push(["plainDelayWithResource", "resourceRequirementId"]);
      if (usesPriority(a.priority)) out.push(["seizePriority", "priority"]);
      if (present(a.modifications)) out.push(["actionModifications", "modifications"]);
      return out;
    },
  },
  seize: {
    label: "seizing resources",
    runnable: true,
    onConnector: false,
    guarded: true,
    validate: (a, p, ctx) => {
      requirementRef(ctx, a, p, true);
      priorityField(ctx, a, p);
    },
    features: (a) => (a.type === "seize" && usesPriority(a.priority) ? [["seizePriority", "priority"]] : []),
  },
  release: {
    label: "releasing resources",
    runnable: true,
    onConnector: false,
    guarded: true,
    validate: (a, p, ctx) => requirementRef(ctx, a, p, false),
    features: (a) =>
      a.type === "release" && isNoRef(a.resourceRequirementId)
        ? [["releaseAll", "resourceRequirementId"]]
        : [],
  },
  assign: {
    label: "state assignment",
    runnable: true,
    onConnector: false,
    guarded: true,
    validate: (a, p, ctx) => checkModifications(ctx, a.modifications, `${p}.modifications`),
  },
  branch: {
    label: "conditional action branches",
    runnable: true,
    onConnector: false,
    guarded: false,
    validate: (a, p, ctx) => {
      if (isAbsent(a.condition))
        ctx.is.add(`${p}.condition`, "is required (the state condition that picks ifTrue or ifFalse)");
      else checkCondition(ctx, a.condition, `${p}.condition`);
    },
  },
  loop: {
    label: "repeated action blocks",
    runnable: true,
    onConnector: false,
    guarded: true,
    validate: (a, p, ctx) => countField(ctx, a, "count", p, 1, MAX_LOOP_COUNT),
  },
  split: {
    label: "splitting an entity into several",
    runnable: true,
    onConnector: false,
    guarded: true,
    validate: (a, p, ctx) => {
      countField(ctx, a, "count", p, 1, MAX_SPLIT_COUNT);
      activityRef(ctx, a, "destinationId", p);
      if (a.destinationId !== undefined && a.destinationId === ctx.activityId)
        ctx.is.add(
          `${p}.destinationId`,
          `must be another activity than the one the split runs in (${JSON.stringify(ctx.activityId)})`,
        );
      entityRef(ctx, a, "entityTemplateId", p, false);
      stateNames(ctx, a.inheritStates, `${p}.inheritStates`);
      checkModifications(ctx, a.modifications, `${p}.modifications`);
      optionalStateName(ctx, a, "splitIndexState", p, true);
    },
  },
  join: {
    label: "joining entities back together",
    runnable: true,
    onConnector: false,
    guarded: true,
    validate: (a, p, ctx) => {
      if (isNoRef(a.matchState))
        ctx.is.add(`${p}.matchState`, "is required (the entity state whose value groups the arrivals)");
      else entityStateByName(ctx.states, a.matchState, `${p}.matchState`, ctx.is);
      countField(ctx, a, "joinCount", p, 2, MAX_JOIN_COUNT);
      activityRef(ctx, a, "destinationId", p);
      entityRef(ctx, a, "combinedTemplateId", p, false);
      stateNames(ctx, a.inheritStates, `${p}.inheritStates`);
      checkModifications(ctx, a.modifications, `${p}.modifications`);
      optionalStateName(ctx, a, "joinCountState", p, true);
      const size = isAbsent(a.joinCount) ? 2 : a.joinCount;
      if (isInt(size) && ctx.activityCapacity !== undefined && ctx.activityCapacity < size)
        ctx.is.warn(
          `${p}.joinCount`,
          `joinCount ${size} is more than the activity's capacity ${ctx.activityCapacity}: waiting entities hold a capacity slot, so no group can ever complete`,
        );
    },
  },
  create: {
    label: "creating new entities mid-process",
    runnable: true,
    onConnector: false,
    guarded: true,
    validate: (a, p, ctx) => {
      entityRef(ctx, a, "entityTemplateId", p, true);
      activityRef(ctx, a, "destinationId", p);
      stateNames(ctx, a.inheritStates, `${p}.inheritStates`);
      checkModifications(ctx, a.modifications, `${p}.modifications`);
    },
  },
  dispose: {
    label: "disposing of entities",
    runnable: true,
    onConnector: false,
    guarded: true,
    validate: () => {},
  },
  script: {
    label: "scripted logic",
    runnable: true,
    onConnector: false,
    guarded: false,
    validate: (a, p, ctx) => {
      checkScript(ctx, a.source, `${p}.source`);
      if (!isAbsent(a.condition))
        ctx.is.add(
          `${p}.condition`,
          "a script action takes no condition (test states inside the script with if)",
        );
      if (!isAbsent(a.languageVersion) && a.languageVersion !== 1)
        ctx.is.add(`${p}.languageVersion`, `must be 1 (got ${JSON.stringify(a.languageVersion)})`);
    },
  },
};

export const ACTION_TYPES = Object.keys(ACTIONS) as ActionType[];
const isActionType = (t: unknown): t is ActionType => typeof t === "string" && Object.hasOwn(ACTIONS, t);

/**
 * Checks an action list of an activity or connector and every list nested
 * in it (loop body, branch arms): object shape, ids unique within the owner
 * (authored ids and the ids `actionId` generates for the others), the type,
 * the type's fields, and the guard.
 */
export function checkActions(
  ctx: ActionContext,
  list: unknown,
  path: string,
  owner: "activity" | "connector",
  ids = new Set<string>(),
  parent?: { id: string; list: string },
  depth = 0,
): void {
  const { is } = ctx;
  if (isAbsent(list)) return;
  if (!Array.isArray(list)) return is.add(path, "must be an array");
  if (depth > MAX_ACTION_NESTING)
    return is.add(path, `actions are nested too deeply (max ${MAX_ACTION_NESTING} levels)`);
  list.forEach((a, j) => {
    const ap = `${path}[${j}]`;
    if (!isObject(a)) return is.add(ap, "must be an action object");
    if (!isAbsent(a.id) && typeof a.id !== "string") is.add(`${ap}.id`, "must be a string");
    const id = actionId({ id: typeof a.id === "string" ? a.id : undefined }, j, parent);
    if (ids.has(id))
      is.add(
        `${ap}.id`,
        typeof a.id === "string" && a.id !== ""
          ? `duplicate action id ${JSON.stringify(id)} in this ${owner}`
          : `the id generated for this action, ${JSON.stringify(id)}, is already used in this ${owner}; give the action an id`,
      );
    ids.add(id);
    if (!isActionType(a.type))
      return is.add(
        `${ap}.type`,
        `must be one of ${ACTION_TYPES.join(", ")} (got ${JSON.stringify(a.type)})`,
      );
    const row = ACTIONS[a.type];
    row.validate(a, ap, ctx);
    if (row.guarded && !isAbsent(a.condition)) checkCondition(ctx, a.condition, `${ap}.condition`);
    if (a.type === "loop")
      checkActions(ctx, a.actions, `${ap}.actions`, owner, ids, { id, list: "actions" }, depth + 1);
    if (a.type === "branch")
      for (const arm of ["ifTrue", "ifFalse"])
        checkActions(ctx, a[arm], `${ap}.${arm}`, owner, ids, { id, list: arm }, depth + 1);
  });
}

const ALLOWED = {
  activity: () => ACTION_TYPES.filter((t) => ACTIONS[t].runnable).join(", "),
  connector: () =>
    ACTION_TYPES.filter((t) => ACTIONS[t].onConnector)
      .map((t) => (t === "delay" ? "delay (travel time)" : t))
      .join(", "),
};

/**
 * checkRunnable's part for an action list: each action the engine cannot run
 * where it stands, and each gated feature a runnable action uses. The lists
 * nested in a runnable loop or branch are walked too; those of a type that
 * does not run are not (the container is the one thing to report).
 */
export function actionRunIssues(
  list: readonly Action[] | null | undefined,
  path: string,
  where: "activity" | "connector",
  who: string,
  is: Issues,
): void {
  (list ?? []).forEach((a, j) => {
    const ap = `${path}[${j}]`;
    const row = isActionType(a.type) ? ACTIONS[a.type] : undefined;
    if (!row || !(where === "activity" ? row.runnable : row.onConnector)) {
      is.add(
        `${ap}.type`,
        `${who}: action type "${a.type}"${row && !row.runnable ? ` (${row.label})` : ""} is not supported by this engine; ${where === "activity" ? "an activity" : "a connector"} supports only ${ALLOWED[where]()}`,
      );
      return;
    }
    if (row.guarded && !isAbsent(a.condition) && !FEATURES.actionGuard.runnable)
      is.add(`${ap}.condition`, `${who}: ${FEATURES.actionGuard.message}`);
    for (const [key, field] of row.features?.(a) ?? [])
      if (!FEATURES[key].runnable) is.add(`${ap}.${field}`, `${who}: ${FEATURES[key].message}`);
    for (const [field, nested] of nestedActionLists(a))
      actionRunIssues(nested, `${ap}.${field}`, where, who, is);
  });
}
