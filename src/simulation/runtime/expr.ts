/**
 * Compiles parsed expressions (`model/expressions.ts`) into closures over
 * typed state slots. Names are bound to slots once, at compile time, through
 * a resolver the engine supplies; every static type is known then, so each
 * node becomes a closure of one result type (number, boolean or string) and
 * numeric expressions evaluate without allocating. Type errors that Python
 * would raise at run time (`"a" - 1`) are compile errors here.
 *
 * Decisions (ENGINE-SEMANTICS Q10):
 * - Booleans are numbers in numeric contexts (`True + 1 == 2`, `True == 1`).
 * - `and`/`or` short-circuit and return an operand, as in Python (`0 or 5`
 *   is 5). Operands of one type give that type; numbers mixed with booleans
 *   give a number; strings mixed with anything else are a type error, except
 *   where only truthiness matters (an `if` test, `not`, the test of `a if c
 *   else b`).
 * - Division by zero (`/`, `//`, `%`) throws an {@link ExpressionError} with
 *   code `division_by_zero` naming the expression text and position, like
 *   Python's ZeroDivisionError; a literal zero divisor is a compile error.
 *   The engine decides what a failing expression does to the run.
 * - `//`, `%` and `round` follow CPython exactly (`-7 // 2 == -4`,
 *   `-7 % 3 == 2`, `round(2.5) == 2`, `round(2.675, 2) == 2.67`).
 * - Strings support `+`, comparisons and `min`/`max`; `"a" * 3` is refused.
 *   `==` between a string and a number is allowed and is False, as in Python.
 * - A category target accepts a literal only if it is one of the categories
 *   (compile error otherwise) and checks computed strings at run time
 *   (code `invalid_category`).
 */
import type { ExprResult, ParsedExpression } from "../model/expressions.js";
import { ExprCompiler } from "./expr-compiler.js";
import type { CompileOptions, CompiledExpression, StateResolver } from "./expr-types.js";

export * from "./expr-types.js";
export { compileScript } from "./expr-script.js";
export type { CompiledScript, ScriptOptions } from "./expr-script.js";

/**
 * Binds and type-checks a parsed expression. Unknown names, type errors and
 * a result that does not fit `options.target` come back as issues (all of
 * them, not just the first); the evaluator never throws for those.
 */
export function compileExpression(
  parsed: ParsedExpression,
  resolve: StateResolver,
  options: CompileOptions = {},
): ExprResult<CompiledExpression> {
  const c = new ExprCompiler(parsed.source, resolve, options.label);
  let v = c.value(parsed.ast);
  if (v && options.target) v = c.toTarget(v, options.target, parsed.ast, "the expression");
  if (!v || c.issues.length) return { ok: false, issues: c.issues };
  const value: CompiledExpression =
    v.t === "number"
      ? { type: "number", evaluate: v.f }
      : v.t === "boolean"
        ? { type: "boolean", evaluate: v.f }
        : { type: "string", evaluate: v.f };
  return { ok: true, value };
}
