/**
 * Compiles a parsed script action (§6, decision Q10) into one closure.
 *
 * Locals follow Python's rule: a name assigned anywhere in the script is a
 * local for the whole script, so a bare read of it never reaches a state.
 * Stricter than Python, and checked at compile time instead of failing at
 * run time:
 * - a local must be assigned on every path before it is read (Python's
 *   UnboundLocalError becomes a validation error);
 * - a local keeps the type of its first assignment (a number local also
 *   takes booleans, as 1/0);
 * - a local may not share a state's name (`grade = 3` would silently leave
 *   the state alone; the author meant `set_state("grade", 3)`);
 * - augmented assignment (`+= -= *= /= //= %=`) works on locals only.
 */
import type { ArithOp, ExprResult, ParsedScript, Stmt } from "../model/expressions.js";
import { scriptLocals } from "../model/expressions.js";
import { article, ExprCompiler, numOf } from "./expr-compiler.js";
import type { BoolFn, EvalContext, NumFn, StateResolver, StrFn, Typed, ValueType } from "./expr-types.js";

/**
 * A compiled script. `run` executes each statement at most once (there are
 * no loops, jumps or user functions in the language), so its cost is bounded
 * by the script's length and a runaway script is impossible by construction.
 * Locals live in arrays owned by the compiled script, reused across runs:
 * a read-before-assign is refused at compile time, so no stale value from an
 * earlier run is ever observed. `run` is not re-entrant, which nothing needs:
 * a script cannot run another script.
 */
export interface CompiledScript {
  run(ctx: EvalContext): void;
}

export interface ScriptOptions {
  /** Prefix of run-time error messages, e.g. the model path of the script action. */
  label?: string;
}

type StmtFn = (c: EvalContext) => void;
const noop: StmtFn = () => {};

interface Local {
  t: ValueType;
  slot: number;
  line: number;
}

/**
 * Binds, type-checks and compiles a script. Every issue (unknown states,
 * type errors, reads before assignment) is reported with its line.
 */
export function compileScript(
  parsed: ParsedScript,
  resolve: StateResolver,
  options: ScriptOptions = {},
): ExprResult<CompiledScript> {
  const sc = new ScriptCompiler(parsed, resolve, options.label);
  const run = sc.block(parsed.body);
  if (sc.ec.issues.length) return { ok: false, issues: sc.ec.issues };
  return { ok: true, value: { run } };
}

class ScriptCompiler {
  readonly ec: ExprCompiler;
  private readonly names: Set<string>;
  private readonly locals = new Map<string, Local>();
  private readonly num: Float64Array;
  private readonly str: string[];
  private nNum = 0;
  private nStr = 0;
  /** Locals assigned on every path to the statement being compiled. */
  private assigned = new Set<string>();

  constructor(
    parsed: ParsedScript,
    private readonly resolve: StateResolver,
    label: string | undefined,
  ) {
    this.names = scriptLocals(parsed.body);
    this.num = new Float64Array(this.names.size);
    this.str = new Array<string>(this.names.size).fill("");
    this.ec = new ExprCompiler(parsed.source, resolve, label, (name, at) => {
      if (!this.names.has(name)) return undefined;
      const local = this.locals.get(name);
      if (!local || !this.assigned.has(name)) {
        return this.ec.fail(at, `local '${name}' is read before it is assigned (on some path)`);
      }
      return this.readLocal(local);
    });
  }

  block(list: Stmt[]): StmtFn {
    const fns: StmtFn[] = [];
    for (const s of list) {
      const f = this.statement(s);
      if (f && f !== noop) fns.push(f);
    }
    if (fns.length === 0) return noop;
    if (fns.length === 1) return fns[0];
    return (c) => {
      for (let i = 0; i < fns.length; i++) fns[i](c);
    };
  }

  private statement(s: Stmt): StmtFn | null {
    switch (s.kind) {
      case "pass":
        return noop;
      case "assign":
        return this.assign(s);
      case "set_state":
        return this.setState(s);
      case "if":
        return this.ifStatement(s);
    }
  }

  private readLocal(l: Local): Typed {
    const { num, str } = this;
    const slot = l.slot;
    if (l.t === "number") return { t: "number", f: () => num[slot] };
    if (l.t === "boolean") return { t: "boolean", f: () => num[slot] !== 0 };
    return { t: "string", f: () => str[slot] };
  }

  private assign(s: Extract<Stmt, { kind: "assign" }>): StmtFn | null {
    const ec = this.ec;
    if (this.resolve(s.target)) {
      return ec.fail(
        s,
        `'${s.target}' is a state: use set_state("${s.target}", …) to change it (a local cannot share a state's name)`,
      );
    }
    let v: Typed | null;
    if (s.op === "=") v = ec.value(s.value);
    else {
      const op = s.op.slice(0, -1) as ArithOp;
      const end = s.value.end;
      const left = {
        kind: "name" as const,
        name: s.target,
        line: s.line,
        column: s.column,
        start: s.start,
        end: s.start + s.target.length,
      };
      v = ec.value({
        kind: "binary",
        op,
        left,
        right: s.value,
        line: s.line,
        column: s.column,
        start: s.start,
        end,
      });
    }
    if (!v) return null;
    let local = this.locals.get(s.target);
    if (!local) {
      const slot = v.t === "string" ? this.nStr++ : this.nNum++;
      local = { t: v.t, slot, line: s.line };
      this.locals.set(s.target, local);
    } else if (local.t !== v.t && !(local.t === "number" && v.t === "boolean")) {
      return ec.fail(
        s,
        `local '${s.target}' holds ${article(local.t)} (since line ${local.line}); cannot assign ${article(v.t)}`,
      );
    }
    this.assigned.add(s.target);
    const slot = local.slot;
    const { num, str } = this;
    if (local.t === "string") {
      const f = v.f as StrFn;
      return (c) => {
        str[slot] = f(c);
      };
    }
    const f = numOf(v) as NumFn;
    return (c) => {
      num[slot] = f(c);
    };
  }

  private setState(s: Extract<Stmt, { kind: "set_state" }>): StmtFn | null {
    const ec = this.ec;
    const b = this.resolve(s.name);
    if (!b) return ec.fail(s, `unknown state '${s.name}' in set_state`);
    const raw = ec.value(s.value);
    const v = raw && ec.toTarget(raw, { ...b, name: s.name }, s.value, "the value");
    if (!v) return null;
    const slot = b.slot;
    if (v.t === "string") {
      const f = v.f;
      if (b.scope === "entity") return (c) => void (c.entityStr[c.entityStrBase + slot] = f(c));
      return (c) => void (c.modelStr[slot] = f(c));
    }
    // Number and boolean states share the numeric slots; a boolean is stored as 1/0.
    const f = v.t === "boolean" ? (numOf(v) as NumFn) : v.f;
    if (b.scope === "entity") return (c) => void (c.entityNum[c.entityNumBase + slot] = f(c));
    return (c) => void (c.modelNum[slot] = f(c));
  }

  private ifStatement(s: Extract<Stmt, { kind: "if" }>): StmtFn | null {
    const before = this.assigned;
    const tests: BoolFn[] = [];
    const bodies: StmtFn[] = [];
    const outcomes: Set<string>[] = [];
    let ok = true;
    for (const b of s.branches) {
      // Tests cannot assign, so each one sees only what was assigned before the `if`.
      this.assigned = before;
      const t = this.ec.truth(b.test);
      if (!t) ok = false;
      tests.push(t ?? (() => false));
      this.assigned = new Set(before);
      bodies.push(this.block(b.body));
      outcomes.push(this.assigned);
    }
    this.assigned = new Set(before);
    const orelse = this.block(s.orelse);
    outcomes.push(this.assigned);
    // After the `if`, a local is assigned only if every path (else included) assigned it.
    this.assigned = new Set([...outcomes[0]].filter((n) => outcomes.every((o) => o.has(n))));
    if (!ok) return null;
    const n = tests.length;
    if (n === 1) {
      const [t, body] = [tests[0], bodies[0]];
      return orelse === noop ? (c) => void (t(c) && body(c)) : (c) => (t(c) ? body(c) : orelse(c));
    }
    return (c) => {
      for (let i = 0; i < n; i++) {
        if (tests[i](c)) return bodies[i](c);
      }
      orelse(c);
    };
  }
}
