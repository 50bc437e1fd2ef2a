/**
 * Checks of the state logic carried by actions, generators and connectors:
 * StateModification (§2.9), its sample operand, StateCondition (§2.10),
 * expressions (§5.10) and scripts (§6). Expressions and scripts are parsed
 * and compiled against the model's entity and model states exactly as the
 * engine will compile them, so an unknown name or a type error is reported
 * here, with its line and column, instead of at run time.
 */
import { compileExpression, compileScript } from "../runtime/expr.js";
import type { TargetSpec } from "../runtime/expr-types.js";
import {
  parseExpression,
  parseScript,
  stateReferences,
  toValidationIssues,
  type ParsedExpression,
  type ParsedScript,
} from "./expressions.js";
import { type Issues, type Obj, isAbsent, isFiniteNumber, isObject } from "./issues.js";
import { describe, type StateInfo, type StateTable, valueProblem } from "./states.js";
import type { SampleDistribution, StateComparison, StateOperation } from "./wire.js";

export const STATE_OPERATIONS: readonly StateOperation[] = [
  "assign",
  "add",
  "subtract",
  "multiply",
  "divide",
  "sample",
];
const ARITHMETIC: readonly string[] = ["add", "subtract", "multiply", "divide"];
export const STATE_COMPARISONS: readonly StateComparison[] = [
  "equal",
  "not_equal",
  "greater_than",
  "greater_equal",
  "less_than",
  "less_equal",
];
const ORDERING: readonly string[] = ["greater_than", "greater_equal", "less_than", "less_equal"];

/** Parameters of each sample shape, and the state types it can set (absent: any). */
const SAMPLES: Record<SampleDistribution, { params: readonly string[]; types?: readonly string[] }> = {
  constant: { params: ["value"] },
  uniform: { params: ["min", "max"], types: ["number"] },
  triangular: { params: ["min", "mode", "max"], types: ["number"] },
  normal: { params: ["mean", "std"], types: ["number"] },
  exponential: { params: ["scale"], types: ["number"] },
  bernoulli: { params: ["p"], types: ["boolean"] },
  categorical: { params: ["probabilities"], types: ["category", "string"] },
};
export const SAMPLE_DISTRIBUTIONS = Object.keys(SAMPLES) as SampleDistribution[];
/** How far the categorical probabilities may sum from 1. */
export const PROBABILITY_TOLERANCE = 1e-6;

/** What the checks of one model share. */
export interface LogicContext {
  is: Issues;
  states: StateTable;
  resourceIds: ReadonlySet<string>;
  activityIds: ReadonlySet<string>;
  /** The activity whose actions are checked; undefined elsewhere (connectors, generators, sources). */
  activityId?: string;
}

/** A state referenced by id (`stateId` fields), or undefined after reporting it unknown. */
export function stateById(ctx: LogicContext, id: unknown, path: string): StateInfo | undefined {
  if (typeof id !== "string" || id === "") {
    ctx.is.add(path, "is required (the id of a state)");
    return undefined;
  }
  const s = ctx.states.byId.get(id);
  if (!s && !ctx.states.malformedIds.has(id))
    ctx.is.add(path, `references unknown state ${JSON.stringify(id)}`);
  return s;
}

/** A list of modifications (absent, null and [] are empty). */
export function checkModifications(ctx: LogicContext, list: unknown, path: string): void {
  if (isAbsent(list)) return;
  if (!Array.isArray(list)) return ctx.is.add(path, "must be a list of state modifications");
  list.forEach((m, k) => checkModification(ctx, m, `${path}[${k}]`));
}

/**
 * One StateModification: a known state, an operation that fits its type,
 * and exactly one operand that does. Operation `sample` takes, and is the
 * only one that takes, a `sample` operand (the Quodsi dialog writes them
 * together; stricter now means nothing to undo later).
 */
export function checkModification(ctx: LogicContext, m: unknown, p: string): void {
  const { is } = ctx;
  if (!isObject(m))
    return is.add(p, "must be a state modification {stateId, operation, value | expression | sample}");
  const s = stateById(ctx, m.stateId, `${p}.stateId`);
  const op = m.operation;
  const opOk = typeof op === "string" && STATE_OPERATIONS.includes(op as StateOperation);
  if (!opOk)
    is.add(`${p}.operation`, `must be one of ${STATE_OPERATIONS.join(", ")} (got ${JSON.stringify(op)})`);
  const operands = (["value", "expression", "sample"] as const).filter((k) => !isAbsent(m[k]));
  if (operands.length !== 1) {
    is.add(
      p,
      operands.length === 0
        ? "needs one operand: value, expression or sample"
        : `has ${operands.join(" and ")}; exactly one of value, expression and sample is allowed`,
    );
    return;
  }
  const operand = operands[0];
  if (opOk && (op === "sample") !== (operand === "sample")) {
    is.add(
      op === "sample" ? `${p}.operation` : `${p}.sample`,
      op === "sample"
        ? `operation "sample" takes a sample operand, not ${operand === "value" ? "a value" : "an expression"}`
        : `a sample operand needs operation "sample" (got ${JSON.stringify(op)})`,
    );
    return;
  }
  checkTarget(ctx, m, s, p);
  if (s && (isAbsent(m.componentId) || m.componentId === "")) {
    // Which instance a resource or activity state is written on (the sources are silent): the
    // named one, else the activity whose actions run; a resource is always named.
    if (s.scope === "resource")
      is.add(
        `${p}.componentId`,
        `is required to write a resource state: the id of the resource whose "${s.name}" changes`,
      );
    else if (s.scope === "activity" && ctx.activityId === undefined)
      is.add(
        `${p}.componentId`,
        `is required to write an activity state outside an activity's actions: the id of the activity whose "${s.name}" changes`,
      );
  }
  if (!s || !opOk) return;
  if (ARITHMETIC.includes(op) && s.type !== "number") {
    is.add(`${p}.operation`, `operation "${op}" needs a number state; ${describe(s)}`);
    return;
  }
  if (operand === "value") {
    const bad = valueProblem(s, m.value, "literal");
    if (bad) is.add(`${p}.value`, bad);
    else if (op === "divide" && m.value === 0) is.add(`${p}.value`, "cannot divide by 0");
  } else if (operand === "expression") {
    if (s.type !== "number" && s.type !== "boolean")
      is.add(`${p}.expression`, `an expression can only set a number or boolean state; ${describe(s)}`);
    else
      checkExpression(ctx, m.expression, `${p}.expression`, {
        type: ARITHMETIC.includes(op) ? "number" : s.type,
        name: s.name,
      });
  } else checkSample(ctx, m.sample, s, `${p}.sample`);
}

/**
 * `componentId` / `targetComponentType`: only for resource and activity
 * states, naming one of that kind. `componentId` null or "" counts as
 * absent.
 */
function checkTarget(ctx: LogicContext, m: Obj, s: StateInfo | undefined, p: string): void {
  const { is } = ctx;
  const tct = m.targetComponentType;
  if (!isAbsent(tct)) {
    if (tct !== "resource" && tct !== "activity")
      is.add(`${p}.targetComponentType`, `must be resource or activity (got ${JSON.stringify(tct)})`);
    else if (s && s.scope !== tct)
      is.add(`${p}.targetComponentType`, `must match the state's scope; ${describe(s)}`);
  }
  const cid = m.componentId;
  if (isAbsent(cid) || cid === "") return;
  if (typeof cid !== "string")
    return is.add(`${p}.componentId`, "must be a string (a resource or activity id)");
  if (!s) return;
  if (s.scope === "resource") {
    if (!ctx.resourceIds.has(cid))
      is.add(`${p}.componentId`, `references unknown resource ${JSON.stringify(cid)}`);
  } else if (s.scope === "activity") {
    if (!ctx.activityIds.has(cid))
      is.add(`${p}.componentId`, `references unknown activity ${JSON.stringify(cid)}`);
  } else
    is.add(`${p}.componentId`, `only a resource or activity state belongs to a component; ${describe(s)}`);
}

/** A `sample` operand for state `s`: a known shape that can produce a value of its type, with sound parameters. */
export function checkSample(ctx: LogicContext, v: unknown, s: StateInfo, p: string): void {
  const { is } = ctx;
  if (!isObject(v)) return is.add(p, "must be a sample object: {value} or {distribution, ...parameters}");
  const d = isAbsent(v.distribution) ? "constant" : v.distribution;
  if (typeof d !== "string" || !(d in SAMPLES))
    return is.add(
      `${p}.distribution`,
      `must be one of ${SAMPLE_DISTRIBUTIONS.join(", ")} (got ${JSON.stringify(d)})`,
    );
  const spec = SAMPLES[d as SampleDistribution];
  for (const key of Object.keys(v))
    if (key !== "distribution" && !spec.params.includes(key))
      is.add(`${p}.${key}`, `is not a parameter of a ${d} sample (expected ${spec.params.join(", ")})`);
  if (spec.types && !spec.types.includes(s.type))
    return is.add(
      `${p}.distribution`,
      `a ${d} sample needs a ${spec.types.join(" or ")} state; ${describe(s)}`,
    );
  const num = (key: string, ok: (x: number) => boolean = () => true, rule = ""): number | undefined => {
    const x = v[key];
    if (x === undefined) is.add(`${p}.${key}`, `is required for a ${d} sample`);
    else if (!isFiniteNumber(x)) is.add(`${p}.${key}`, "must be a finite number");
    else if (!ok(x)) is.add(`${p}.${key}`, `must be ${rule} (got ${x})`);
    else return x;
    return undefined;
  };
  switch (d as SampleDistribution) {
    case "constant": {
      if (v.value === undefined || v.value === null)
        return is.add(`${p}.value`, "is required for a constant sample");
      const bad = valueProblem(s, v.value, "literal");
      if (bad) is.add(`${p}.value`, bad);
      return;
    }
    case "uniform": {
      const a = num("min");
      const b = num("max");
      if (a !== undefined && b !== undefined && b < a) is.add(`${p}.max`, `must be >= min (${a})`);
      return;
    }
    case "triangular": {
      const a = num("min");
      const m = num("mode");
      const b = num("max");
      if (a !== undefined && m !== undefined && m < a) is.add(`${p}.mode`, `must be >= min (${a})`);
      if (m !== undefined && b !== undefined && b < m) is.add(`${p}.max`, `must be >= mode (${m})`);
      return;
    }
    case "normal":
      num("mean");
      num("std", (x) => x >= 0, ">= 0");
      return;
    case "exponential":
      num("scale", (x) => x > 0, "> 0");
      return;
    case "bernoulli":
      num("p", (x) => x >= 0 && x <= 1, "between 0 and 1");
      return;
    case "categorical":
      return checkCategorical(ctx, v.probabilities, s, `${p}.probabilities`);
  }
}

function checkCategorical(ctx: LogicContext, probs: unknown, s: StateInfo, p: string): void {
  const { is } = ctx;
  if (!isObject(probs) || Object.keys(probs).length === 0)
    return is.add(p, "is required: an object {value: probability, ...} with at least one value");
  let sum = 0;
  let ok = true;
  for (const [k, x] of Object.entries(probs)) {
    if (!isFiniteNumber(x) || x < 0 || x > 1) {
      is.add(`${p}.${k}`, `must be a probability between 0 and 1 (got ${JSON.stringify(x)})`);
      ok = false;
    } else sum += x;
    if (s.type === "category" && !s.categories.includes(k))
      is.add(
        `${p}.${k}`,
        `${JSON.stringify(k)} is not one of the categories of state "${s.name}" (${s.categories.join(", ")})`,
      );
  }
  if (s.type === "category") {
    const missing = s.categories.filter((c) => !(c in probs));
    if (missing.length)
      is.add(
        p,
        `must give a probability for every category of state "${s.name}"; missing: ${missing.join(", ")}`,
      );
  }
  if (ok && Math.abs(sum - 1) > PROBABILITY_TOLERANCE)
    is.add(p, `the probabilities sum to ${sum}; they must sum to 1 (± ${PROBABILITY_TOLERANCE})`);
}

/**
 * A StateCondition (guard, branch selector, connector condition): a known
 * state, a comparison (the ordering ones on number states only), and a
 * value of the state's type. On a resource or activity state it may name the
 * instance with `componentId` (as a modification does); a resource state
 * needs it, an activity state defaults to the activity the entity is in.
 */
export function checkCondition(ctx: LogicContext, c: unknown, p: string): void {
  const { is } = ctx;
  if (!isObject(c)) return is.add(p, "must be a state condition {stateId, comparison, value}");
  const s = stateById(ctx, c.stateId, `${p}.stateId`);
  const cmp = c.comparison;
  const cmpOk = typeof cmp === "string" && STATE_COMPARISONS.includes(cmp as StateComparison);
  if (!cmpOk)
    is.add(`${p}.comparison`, `must be one of ${STATE_COMPARISONS.join(", ")} (got ${JSON.stringify(cmp)})`);
  else if (s && ORDERING.includes(cmp) && s.type !== "number")
    is.add(`${p}.comparison`, `comparison "${cmp}" needs a number state; ${describe(s)}`);
  checkTarget(ctx, c, s, p);
  // A condition reads an activity state of the activity the entity is in, or of the named one;
  // a resource state of the named resource (our reading: a StateCondition names no instance in the sources).
  if (s && s.scope === "resource" && (isAbsent(c.componentId) || c.componentId === ""))
    is.add(
      `${p}.componentId`,
      `is required to test a resource state: the id of the resource whose "${s.name}" is compared`,
    );
  if (c.value === undefined || c.value === null)
    is.add(`${p}.value`, "is required (the value compared with)");
  else if (s) {
    const bad = valueProblem(s, c.value, "condition");
    if (bad) is.add(`${p}.value`, bad);
  }
}

/**
 * Names read or written by an expression or script that are resource or
 * activity states: reported as such (expressions read only entity and model
 * states, §2.4), rather than as unknown names. True when there were some, or
 * names of malformed declarations: then the expression is not compiled.
 */
function outOfScope(ctx: LogicContext, parsed: ParsedExpression | ParsedScript, p: string): boolean {
  const { reads, writes } = stateReferences(parsed);
  let found = false;
  for (const r of [...reads, ...writes]) {
    if (ctx.states.resolve(r.name)) continue;
    // A malformed declaration is reported where declared; compiling would only call its name unknown.
    if (ctx.states.malformedNames.has(r.name)) found = true;
    const other = ctx.states.anyByName(r.name);
    if (!other) continue;
    ctx.is.add(
      p,
      `line ${r.line}, column ${r.column}: ${describe(other)}; expressions and scripts use only entity and model states`,
    );
    found = true;
  }
  return found;
}

/** An `expression` operand, parsed and compiled against the states, its result checked against `target`. */
export function checkExpression(ctx: LogicContext, src: unknown, p: string, target: TargetSpec): void {
  if (typeof src !== "string" || src.trim() === "")
    return ctx.is.add(p, "must be a non-empty expression (string)");
  const parsed = parseExpression(src);
  if (!parsed.ok) return ctx.is.addAll(toValidationIssues(p, parsed.issues));
  if (outOfScope(ctx, parsed.value, p)) return;
  const compiled = compileExpression(parsed.value, ctx.states.resolve, { target });
  if (!compiled.ok) ctx.is.addAll(toValidationIssues(p, compiled.issues));
}

/** A script action's `source`: inside the language subset (decision Q10), then compiled against the states. */
export function checkScript(ctx: LogicContext, src: unknown, p: string): void {
  if (typeof src !== "string") return ctx.is.add(p, "is required (the script, a string)");
  const parsed = parseScript(src);
  if (!parsed.ok) return ctx.is.addAll(toValidationIssues(p, parsed.issues));
  if (outOfScope(ctx, parsed.value, p)) return;
  const compiled = compileScript(parsed.value, ctx.states.resolve);
  if (!compiled.ok) ctx.is.addAll(toValidationIssues(p, compiled.issues));
}
