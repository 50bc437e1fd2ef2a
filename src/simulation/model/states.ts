/**
 * State declarations (ENGINE-SEMANTICS §2.4): reading and checking
 * `states[]`, the lookup tables every other check uses (by id, and by name
 * within a scope), the resolver expressions and scripts are compiled
 * against, and the rules for a value of a state's type.
 */
import { KEYWORDS } from "./expression-lexer.js";
import type { StateBinding, StateResolver } from "../runtime/expr-types.js";
import { type Issues, isAbsent, isObject } from "./issues.js";
import type { StateDataType, StateScope, StateValue } from "./wire.js";

export const STATE_SCOPES: readonly StateScope[] = ["model", "entity", "resource", "activity"];
export const STATE_DATA_TYPES: readonly StateDataType[] = ["number", "string", "boolean", "category"];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Whether `name` can name a state. Quodsi requires Python's
 * `str.isidentifier()`; we take its ASCII subset (a letter or `_`, then
 * letters, digits and `_`) and also refuse Python keywords and
 * `true`/`false` (which the expression language reads as literals), because
 * expressions and scripts must be able to read every state by its bare name.
 */
export function isStateName(name: unknown): name is string {
  return (
    typeof name === "string" &&
    IDENTIFIER.test(name) &&
    !KEYWORDS.has(name) &&
    name !== "true" &&
    name !== "false"
  );
}

/** A declared state as the checks see it. */
export interface StateInfo {
  id: string;
  name: string;
  scope: StateScope;
  type: StateDataType;
  categories: readonly string[];
  /** `states[i]`, for messages. */
  path: string;
}

/**
 * Lookups over the declared states. A declaration whose scope, type or
 * categories are malformed is left out, but its id and name are remembered,
 * so that references to it are not reported again: the problem is reported
 * once, where the state is declared.
 */
export class StateTable {
  readonly byId = new Map<string, StateInfo>();
  readonly malformedIds = new Set<string>();
  readonly malformedNames = new Set<string>();
  readonly byName: Record<StateScope, Map<string, StateInfo>> = {
    model: new Map(),
    entity: new Map(),
    resource: new Map(),
    activity: new Map(),
  };
  private bindings?: Map<string, StateBinding>;

  /** The state of any scope with this name, entity first, then model, resource, activity. */
  anyByName(name: string): StateInfo | undefined {
    for (const scope of ["entity", "model", "resource", "activity"] as const) {
      const s = this.byName[scope].get(name);
      if (s) return s;
    }
    return undefined;
  }

  /**
   * Names to slots for expressions and scripts: entity states first, then
   * model states (decision Q10); resource and activity states are not
   * readable. Numbers and booleans are numbered in one sequence per scope,
   * strings and categories in another, in declaration order.
   */
  readonly resolve: StateResolver = (name) => {
    if (!this.bindings) {
      this.bindings = new Map();
      for (const scope of ["model", "entity"] as const) {
        let num = 0;
        let str = 0;
        for (const s of this.byName[scope].values()) {
          const numeric = s.type === "number" || s.type === "boolean";
          const b: StateBinding = { scope, slot: numeric ? num++ : str++, type: s.type };
          if (s.type === "category") b.categories = s.categories;
          // Entity states shadow model states of the same name (entity first).
          if (scope === "entity" || !this.bindings.has(s.name)) this.bindings.set(s.name, b);
        }
      }
    }
    return this.bindings.get(name) ?? (name === LOOP_INDEX_NAME ? this.loopIndex() : undefined);
  };

  /** The slot of one declared state (model or entity), whatever shadows its name. */
  resolveScoped(s: StateInfo): StateBinding | undefined {
    if (s.scope !== "model" && s.scope !== "entity") return undefined;
    let num = 0;
    let str = 0;
    for (const o of this.byName[s.scope].values()) {
      const numeric = o.type === "number" || o.type === "boolean";
      if (o === s) {
        const b: StateBinding = { scope: s.scope, slot: numeric ? num : str, type: s.type };
        if (s.type === "category") b.categories = s.categories;
        return b;
      }
      if (numeric) num++;
      else str++;
    }
    return undefined;
  }

  /**
   * `loop_index`: the 0-based index of the innermost enclosing loop, an
   * entity number slot right after the declared entity number states (0
   * outside any loop). A declared state of that name shadows it.
   */
  private loopIndex(): StateBinding {
    let num = 0;
    for (const o of this.byName.entity.values()) if (o.type === "number" || o.type === "boolean") num++;
    return { scope: "entity", slot: num, type: "number" };
  }
}

/** The name under which expressions and scripts read the innermost loop's 0-based index. */
export const LOOP_INDEX_NAME = "loop_index";

/** How a state is described in messages: `"grade" (a category state)`. */
export const describe = (s: StateInfo): string =>
  `"${s.name}" is ${article(s.scope)} ${s.scope} ${s.type} state`;
const article = (w: string) => (/^[aeiou]/.test(w) ? "an" : "a");

/**
 * Checks `states[]` (ids unique among states, names identifiers and unique
 * within their scope, enumerations, categories, initial values) and returns
 * the lookup tables.
 */
export function readStates(raw: unknown, is: Issues): StateTable {
  const t = new StateTable();
  if (!Array.isArray(raw)) return t; // absent, or reported with the other collections
  raw.forEach((s, i) => {
    const p = `states[${i}]`;
    if (!isObject(s)) return; // reported with the other collections
    let ok = true;
    let idOk = false;
    if (typeof s.id !== "string" || s.id === "") {
      is.add(`${p}.id`, "is required (non-empty string)");
      ok = false;
    } else if (t.byId.has(s.id)) {
      is.add(
        `${p}.id`,
        `duplicate state id ${JSON.stringify(s.id)} (already used at ${t.byId.get(s.id)!.path})`,
      );
      ok = false;
    } else idOk = true;
    // A bad name is reported, but the state still resolves by id (and by that name) in the checks that follow.
    if (!isStateName(s.name)) {
      is.add(
        `${p}.name`,
        typeof s.name !== "string"
          ? "is required (a state name)"
          : `${JSON.stringify(s.name)} is not a valid state name: use letters, digits and _ (not first), and no Python keyword, so that expressions and scripts can refer to it`,
      );
      if (typeof s.name !== "string") ok = false;
    }
    const scope = s.componentType as StateScope;
    if (!STATE_SCOPES.includes(scope)) {
      is.add(
        `${p}.componentType`,
        `must be one of ${STATE_SCOPES.join(", ")} (got ${JSON.stringify(s.componentType)})`,
      );
      ok = false;
    }
    const type = s.dataType as StateDataType;
    if (!STATE_DATA_TYPES.includes(type)) {
      is.add(
        `${p}.dataType`,
        `must be one of ${STATE_DATA_TYPES.join(", ")} (got ${JSON.stringify(s.dataType)})`,
      );
      ok = false;
    }
    let categories: string[] = [];
    if (type === "category") {
      const cv = s.categoryValues;
      if (!Array.isArray(cv) || cv.length === 0) {
        is.add(`${p}.categoryValues`, "is required for a category state (a non-empty list of strings)");
        ok = false;
      } else {
        const seen = new Set<string>();
        cv.forEach((c, k) => {
          if (typeof c !== "string" || c === "")
            is.add(`${p}.categoryValues[${k}]`, "must be a non-empty string");
          else if (seen.has(c))
            is.add(`${p}.categoryValues[${k}]`, `duplicate category ${JSON.stringify(c)}`);
          else seen.add(c);
        });
        categories = [...seen];
      }
    } else if (!isAbsent(s.categoryValues) && !Array.isArray(s.categoryValues)) {
      is.add(`${p}.categoryValues`, "must be a list of strings");
    }
    if (!isAbsent(s.collectStatistics) && typeof s.collectStatistics !== "boolean")
      is.add(`${p}.collectStatistics`, "must be a boolean");
    if (!isAbsent(s.description) && typeof s.description !== "string")
      is.add(`${p}.description`, "must be a string");
    if (!ok) {
      if (idOk) t.malformedIds.add(s.id as string);
      if (typeof s.name === "string") t.malformedNames.add(s.name);
      return;
    }
    const info: StateInfo = { id: s.id as string, name: s.name as string, scope, type, categories, path: p };
    if (!isAbsent(s.initialValue)) {
      const bad = valueProblem(info, s.initialValue, "literal");
      if (bad) is.add(`${p}.initialValue`, bad);
    }
    t.byId.set(info.id, info);
    const prev = t.byName[scope].get(info.name);
    if (prev)
      is.add(
        `${p}.name`,
        `duplicate ${scope} state name ${JSON.stringify(info.name)} (already used at ${prev.path})`,
      );
    else t.byName[scope].set(info.name, info);
  });
  return t;
}

/**
 * Why `v` is not a value of state `s`, or undefined when it is. A
 * `literal` (initial value, modification value, constant sample) has the
 * state's JSON type; a `condition` value may also be a numeric string for a
 * number state and "true"/"false" for a boolean one (the UI's contract,
 * §2.10), read by `conditionValue`.
 */
export function valueProblem(s: StateInfo, v: unknown, how: "literal" | "condition"): string | undefined {
  switch (s.type) {
    case "number":
      if (typeof v === "number") return Number.isFinite(v) ? undefined : "must be a finite number";
      if (how === "condition" && typeof v === "string" && Number.isFinite(numeric(v))) return undefined;
      return `must be a number (${describe(s)})`;
    case "boolean":
      if (typeof v === "boolean") return undefined;
      if (how === "condition" && typeof v === "string" && /^(true|false)$/i.test(v.trim())) return undefined;
      return `must be true or false (${describe(s)})`;
    case "string":
      return typeof v === "string" ? undefined : `must be a string (${describe(s)})`;
    case "category":
      if (typeof v !== "string")
        return `must be one of the categories of state "${s.name}": ${s.categories.join(", ")}`;
      return s.categories.includes(v)
        ? undefined
        : `${JSON.stringify(v)} is not one of the categories of state "${s.name}" (${s.categories.join(", ")})`;
  }
}

const numeric = (v: string): number => (v.trim() === "" ? NaN : Number(v));

/** The typed value of a condition operand that passed validation (`valueProblem(…, "condition")`). */
export function conditionValue(type: StateDataType, v: StateValue): StateValue {
  if (type === "number" && typeof v === "string") return numeric(v);
  if (type === "boolean" && typeof v === "string") return v.trim().toLowerCase() === "true";
  return v;
}

/**
 * A reference to an entity state by name (split/join/create fields). Returns
 * the state, or reports why not: not a string, unknown, of another scope,
 * or (with `number`) not a number state.
 */
export function entityStateByName(
  t: StateTable,
  name: unknown,
  path: string,
  is: Issues,
  opts: { number?: boolean } = {},
): StateInfo | undefined {
  if (typeof name !== "string" || name === "") {
    is.add(path, "must be the name of an entity state (string)");
    return undefined;
  }
  const s = t.byName.entity.get(name);
  if (!s && t.malformedNames.has(name)) return undefined;
  if (!s) {
    const other = t.anyByName(name);
    is.add(
      path,
      other
        ? `must name an entity state; ${describe(other)}`
        : `references unknown entity state ${JSON.stringify(name)}`,
    );
    return undefined;
  }
  if (opts.number && s.type !== "number") {
    is.add(path, `must name a number state; ${describe(s)}`);
    return undefined;
  }
  return s;
}
