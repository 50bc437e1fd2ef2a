/**
 * The expression compiler proper: one closure per AST node, specialised by
 * static type (see `expr.ts` for the decisions it implements).
 */
import type { CompareOp, Expr, ExprIssue, Pos } from "../model/expressions.js";
import { pyFloorDiv, pyMod, pyRound, pyRoundDigits } from "./expr-python.js";
import {
  ExpressionError,
  type BoolFn,
  type EvalContext,
  type NumFn,
  type StateBinding,
  type StateResolver,
  type StateType,
  type StrFn,
  type TargetSpec,
  type Typed,
  type ValueType,
} from "./expr-types.js";

/** Script locals seen by the expression compiler: undefined = not a local, null = already reported. */
export type LocalLookup = (name: string, at: Pos) => Typed | null | undefined;

/** Category states hold strings. */
export const valueType = (t: StateType): ValueType => (t === "category" ? "string" : t);

/** Python truthiness of a typed value. */
export function truthOf(v: Typed): BoolFn {
  if (v.t === "boolean") return v.f;
  const f = v.f;
  return v.t === "number" ? (c) => f(c) !== 0 : (c) => (f as StrFn)(c).length !== 0;
}

/** A number or boolean as a number (True is 1); null for strings. */
export function numOf(v: Typed): NumFn | null {
  if (v.t === "number") return v.f;
  if (v.t === "boolean") {
    const f = v.f;
    return (c) => (f(c) ? 1 : 0);
  }
  return null;
}

type Fn<V> = (c: EvalContext) => V;

function join(a: Typed, b: Typed): ValueType | null {
  if (a.t === b.t) return a.t;
  return a.t !== "string" && b.t !== "string" ? "number" : null;
}

function isZeroLiteral(e: Expr): boolean {
  if (e.kind === "unary" && e.op !== "not") return isZeroLiteral(e.operand);
  return (e.kind === "number" && e.value === 0) || (e.kind === "boolean" && !e.value);
}

/** "a number", "a boolean", "a string": for messages. */
export const article = (t: ValueType): string =>
  t === "number" ? "a number" : t === "boolean" ? "a boolean" : "a string";

/** `v` as a closure of type `t` (a boolean read as a number when `t` is number). */
const fnAs = (v: Typed, t: ValueType): Fn<number> | Fn<boolean> | Fn<string> =>
  t === "number" ? (numOf(v) as NumFn) : v.f;
const truthy: Record<ValueType, (v: never) => boolean> = {
  number: (v: number) => v !== 0,
  boolean: (v: boolean) => v,
  string: (v: string) => v.length !== 0,
};
const pick =
  <V>(test: BoolFn, a: Fn<V>, b: Fn<V>): Fn<V> =>
  (c) =>
    test(c) ? a(c) : b(c);
/** Python `a and b` / `a or b` on values: the deciding operand is returned. */
const andOr =
  <V>(isAnd: boolean, truth: (v: V) => boolean, a: Fn<V>, b: Fn<V>): Fn<V> =>
  (c) => {
    const v = a(c);
    return truth(v) === isAnd ? b(c) : v;
  };

const ARITH: Record<"+" | "-" | "*", (a: NumFn, b: NumFn) => NumFn> = {
  "+": (a, b) => (c) => a(c) + b(c),
  "-": (a, b) => (c) => a(c) - b(c),
  "*": (a, b) => (c) => a(c) * b(c),
};
const DIVIDE: Record<"/" | "//" | "%", (x: number, y: number) => number> = {
  "/": (x, y) => x / y,
  "//": pyFloorDiv,
  "%": pyMod,
};
const COMPARE: Record<CompareOp, (a: NumFn, b: NumFn) => BoolFn> = {
  "==": (a, b) => (c) => a(c) === b(c),
  "!=": (a, b) => (c) => a(c) !== b(c),
  "<": (a, b) => (c) => a(c) < b(c),
  "<=": (a, b) => (c) => a(c) <= b(c),
  ">": (a, b) => (c) => a(c) > b(c),
  ">=": (a, b) => (c) => a(c) >= b(c),
};
// JS orders strings by UTF-16 unit, Python by code point: they differ only
// between astral characters and U+E000–U+FFFF.
function test(op: CompareOp, x: number | string, y: number | string): boolean {
  switch (op) {
    case "==":
      return x === y;
    case "!=":
      return x !== y;
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    case ">=":
      return x >= y;
  }
}

/**
 * Python comparison chain `a < b <= c`: each operand is evaluated at most
 * once, and evaluation stops at the first false link.
 */
function chain<V extends number | string>(ops: CompareOp[], fs: Fn<V>[], sameKind: boolean[]): BoolFn {
  return (c) => {
    let left = fs[0](c);
    for (let i = 0; i < ops.length; i++) {
      const right = fs[i + 1](c);
      // A string never equals a number or boolean, as in Python.
      if (!(sameKind[i] ? test(ops[i], left, right) : ops[i] === "!=")) return false;
      left = right;
    }
    return true;
  };
}

/** Python `min`/`max`: the first item that no later item beats. */
function extremum<V>(fs: Fn<V>[], isMin: boolean): Fn<V> {
  const [a, b] = fs;
  if (fs.length === 2) {
    return isMin
      ? (c) => {
          const x = a(c);
          const y = b(c);
          return y < x ? y : x;
        }
      : (c) => {
          const x = a(c);
          const y = b(c);
          return y > x ? y : x;
        };
  }
  return (c) => {
    let best = a(c);
    for (let i = 1; i < fs.length; i++) {
      const v = fs[i](c);
      if (isMin ? v < best : v > best) best = v;
    }
    return best;
  };
}

/** Expression compiler shared by expressions and scripts (which add locals). */
export class ExprCompiler {
  readonly issues: ExprIssue[] = [];

  constructor(
    private readonly source: string,
    private readonly resolve: StateResolver,
    private readonly label: string | undefined,
    private readonly locals?: LocalLookup,
  ) {}

  fail(at: { line: number; column: number }, message: string): null {
    this.issues.push({ line: at.line, column: at.column, message });
    return null;
  }

  /** Message for a run-time error at node `e`, built once at compile time. */
  runtimeMessage(e: Pos, what: string): string {
    const text = this.source.slice(e.start, e.end).replace(/\s+/g, " ");
    return `${this.label ? `${this.label}: ` : ""}${what} in "${text}" (line ${e.line}, column ${e.column})`;
  }

  /** Reads a bound state with the closure specialised for its scope and type. */
  read(b: StateBinding): Typed {
    const s = b.slot;
    const t = valueType(b.type);
    if (b.scope === "entity") {
      if (t === "number") return { t, f: (c) => c.entityNum[c.entityNumBase + s] };
      if (t === "boolean") return { t, f: (c) => c.entityNum[c.entityNumBase + s] !== 0 };
      return { t, f: (c) => c.entityStr[c.entityStrBase + s] };
    }
    if (t === "number") return { t, f: (c) => c.modelNum[s] };
    if (t === "boolean") return { t, f: (c) => c.modelNum[s] !== 0 };
    return { t, f: (c) => c.modelStr[s] };
  }

  /** Converts `v` to what `target` holds (a boolean into a number state is 1/0), or reports why it cannot. */
  toTarget(v: Typed, target: TargetSpec, at: Expr, what: string): Typed | null {
    const want = valueType(target.type);
    const name = target.name ? ` '${target.name}'` : "";
    if (want === "number" && v.t !== "string") return { t: "number", f: numOf(v) as NumFn };
    if (want !== v.t) {
      return this.fail(at, `${what} is ${article(v.t)} but the target state${name} is ${article(want)}`);
    }
    if (target.type !== "category" || v.t !== "string") return v;
    const cats = target.categories ?? [];
    if (at.kind === "string" && !cats.includes(at.value)) {
      return this.fail(at, `"${at.value}" is not a category of the target state${name} (${cats.join(", ")})`);
    }
    const allowed = new Set(cats);
    const f = v.f;
    const msg = this.runtimeMessage(at, `value is not a category of the target state${name}`);
    const check = (c: EvalContext): string => {
      const s = f(c);
      if (!allowed.has(s))
        throw new ExpressionError("invalid_category", `${msg}: "${s}"`, at.line, at.column);
      return s;
    };
    return { t: "string", f: check };
  }

  /** Compiles `e` for its truthiness only (if tests, `not`, conditions): operands of any type mix freely. */
  truth(e: Expr): BoolFn | null {
    if (e.kind === "logical") {
      const a = this.truth(e.left);
      const b = this.truth(e.right);
      if (!a || !b) return null;
      return e.op === "and" ? (c) => a(c) && b(c) : (c) => a(c) || b(c);
    }
    if (e.kind === "unary" && e.op === "not") {
      const a = this.truth(e.operand);
      return a && ((c) => !a(c));
    }
    const v = this.value(e);
    return v && truthOf(v);
  }

  /** Compiles `e` for its value; null when an issue was reported. */
  value(e: Expr): Typed | null {
    switch (e.kind) {
      case "number":
      case "boolean":
      case "string": {
        const v = e.value;
        return { t: e.kind, f: () => v } as Typed;
      }
      case "name": {
        const local = this.locals?.(e.name, e);
        if (local !== undefined) return local;
        const b = this.resolve(e.name);
        return b ? this.read(b) : this.fail(e, `unknown name '${e.name}'`);
      }
      case "get_state": {
        const b = this.resolve(e.name);
        return b ? this.read(b) : this.fail(e, `unknown state '${e.name}' in get_state`);
      }
      case "unary": {
        if (e.op === "not") {
          const a = this.truth(e.operand);
          return a && { t: "boolean", f: (c) => !a(c) };
        }
        const v = this.value(e.operand);
        const a = v && numOf(v);
        if (!v || !a) return v && this.fail(e, `bad operand type for unary ${e.op}: a string`);
        return { t: "number", f: e.op === "-" ? (c) => -a(c) : a };
      }
      case "binary":
        return this.binary(e);
      case "compare":
        return this.compare(e);
      case "logical":
      case "conditional":
        return this.select(e);
      case "call":
        return this.call(e);
    }
  }

  private values(es: Expr[]): Typed[] | null {
    // Compile every operand, even after a failure, so one pass reports every issue.
    const out = es.map((e) => this.value(e));
    return out.every((v) => v !== null) ? out : null;
  }

  private binary(e: Extract<Expr, { kind: "binary" }>): Typed | null {
    const vs = this.values([e.left, e.right]);
    if (!vs) return null;
    const [l, r] = vs;
    if (e.op === "+" && l.t === "string" && r.t === "string") {
      const [x, y] = [l.f, r.f];
      return { t: "string", f: (c) => x(c) + y(c) };
    }
    const a = numOf(l);
    const b = numOf(r);
    if (!a || !b) return this.fail(e, `unsupported operand types for ${e.op}: ${l.t} and ${r.t}`);
    if (e.op === "+" || e.op === "-" || e.op === "*") return { t: "number", f: ARITH[e.op](a, b) };
    if (isZeroLiteral(e.right)) return this.fail(e.right, `division by zero in '${e.op}'`);
    const msg = this.runtimeMessage(e, "division by zero");
    const op = DIVIDE[e.op];
    const f = (c: EvalContext): number => {
      const x = a(c);
      const y = b(c);
      if (y === 0) throw new ExpressionError("division_by_zero", msg, e.line, e.column);
      return op(x, y);
    };
    return { t: "number", f };
  }

  private compare(e: Extract<Expr, { kind: "compare" }>): Typed | null {
    const vs = this.values(e.operands);
    if (!vs) return null;
    const isStr = vs.map((v) => v.t === "string");
    const sameKind = e.ops.map((_, i) => isStr[i] === isStr[i + 1]);
    const bad = e.ops.find((op, i) => !sameKind[i] && op !== "==" && op !== "!=");
    if (bad) return this.fail(e, `'${bad}' cannot compare a string with a number or boolean`);
    const fs = vs.map((v): Fn<number | string> => (v.t === "string" ? v.f : (numOf(v) as NumFn)));
    if (e.ops.length === 1 && !isStr[0] && !isStr[1]) {
      return { t: "boolean", f: COMPARE[e.ops[0]](fs[0] as NumFn, fs[1] as NumFn) };
    }
    return { t: "boolean", f: chain(e.ops, fs, sameKind) };
  }

  /** `a and b`, `a or b` (value form) and `a if c else b`: one result type from two operands. */
  private select(e: Extract<Expr, { kind: "logical" | "conditional" }>): Typed | null {
    const cond = e.kind === "conditional" ? this.truth(e.test) : null;
    const vs = this.values(e.kind === "logical" ? [e.left, e.right] : [e.body, e.orelse]);
    if (!vs || (e.kind === "conditional" && !cond)) return null;
    const [l, r] = vs;
    const t = join(l, r);
    if (!t) {
      const what =
        e.kind === "logical"
          ? `'${e.op}' returns one of its operands, so they`
          : "both results of 'if … else'";
      return this.fail(e, `${what} must have one type (here ${l.t} and ${r.t})`);
    }
    const [a, b] = [fnAs(l, t), fnAs(r, t)] as [Fn<never>, Fn<never>];
    const f = cond ? pick(cond, a, b) : andOr(e.kind === "logical" && e.op === "and", truthy[t], a, b);
    return { t, f };
  }

  private call(e: Extract<Expr, { kind: "call" }>): Typed | null {
    if (e.fn === "now") return { t: "number", f: (c) => c.now };
    const vs = this.values(e.args);
    if (!vs) return null;
    const minMax = e.fn === "min" || e.fn === "max";
    if (minMax && vs.every((v) => v.t === "string")) {
      return {
        t: "string",
        f: extremum(
          vs.map((v) => v.f),
          e.fn === "min",
        ),
      };
    }
    const fs: NumFn[] = [];
    for (const [i, v] of vs.entries()) {
      const f = numOf(v);
      if (!f)
        return this.fail(
          e.args[i],
          `${e.fn}() needs numbers${minMax ? " (or only strings)" : ""}, got a string`,
        );
      fs.push(f);
    }
    const [a, b] = fs;
    if (e.fn === "abs") return { t: "number", f: (c) => Math.abs(a(c)) };
    if (minMax) return { t: "number", f: extremum(fs, e.fn === "min") };
    if (fs.length === 1) return { t: "number", f: (c) => pyRound(a(c)) };
    const nd = e.args[1];
    if (nd.kind === "number" && !Number.isInteger(nd.value)) {
      return this.fail(nd, "round() digits must be an integer");
    }
    const msg = this.runtimeMessage(e, "round() digits must be an integer");
    const f = (c: EvalContext): number => {
      const x = a(c);
      const n = b(c);
      if (!Number.isInteger(n)) throw new ExpressionError("invalid_argument", msg, e.line, e.column);
      return pyRoundDigits(x, n);
    };
    return { t: "number", f };
  }
}
