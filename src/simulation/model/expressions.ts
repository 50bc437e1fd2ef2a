/**
 * The expression and script language of the engine (ENGINE-SEMANTICS §5.10,
 * §6, decision Q10): a small Python subset parsed once into an AST and later
 * compiled to closures (`runtime/expr.ts`). Nothing is ever passed to `eval`.
 *
 * Expressions: numbers, strings ('…' or "…"), `True`/`False` (also `true`/
 * `false`, so those two words cannot be read as bare state names), state
 * names, `+ - * / % //`, `== != < <= > >=` (chainable, as in Python),
 * `and or not`, `a if c else b`, parentheses, unary `-`/`+`, and the calls
 * `abs(x)`, `min(a, b, …)`, `max(a, b, …)`, `round(x[, n])`, `now()` and
 * `get_state("name")` (the name must be a string literal, so every state an
 * expression touches is known before the run). Arity is checked here: `min`
 * and `max` take at least 2 arguments (Python's one-iterable form needs a
 * list, which the language does not have), `round` 1 or 2.
 *
 * Scripts: one statement per line — `x = expr`, `x += expr` (also `-= *= /=
 * //= %=`, on locals only), `set_state("name", expr)`, `pass`, and
 * `if / elif / else` blocks (Python indentation) over those. Loops, `def`,
 * `lambda`, imports, attribute access and subscripts are refused here, naming
 * the line. Without loops or calls to user code, a script runs each of its
 * statements at most once, so a runaway script is impossible by construction.
 */
import type { ValidationIssue } from "../types.js";
import type { Expr, ExprResult, ParsedExpression, ParsedScript, Stmt } from "./expression-ast.js";
import { tokenize, type ExprIssue } from "./expression-lexer.js";
import { ParseError, Parser } from "./expression-parser.js";

export type * from "./expression-ast.js";
export type { ExprIssue } from "./expression-lexer.js";

/**
 * Parses one expression (the `expression` operand of a StateModification).
 * Surrounding whitespace is ignored: Python's eval mode would refuse a
 * leading space, Quodsi trims it (§5.10). Newlines are allowed only inside
 * brackets, as in Python.
 */
export function parseExpression(source: string): ExprResult<ParsedExpression> {
  const lexed = tokenize(source, "expression");
  if (!lexed.ok) return lexed;
  const p = new Parser(lexed.tokens);
  try {
    if (p.peek().kind === "eof" || p.peek().kind === "newline") p.fail(p.peek(), "empty expression");
    const ast = p.expression();
    const nl = p.peek();
    p.skipNewlines();
    const t = p.peek();
    if (t.kind !== "eof") {
      if (nl.kind === "newline") p.fail(t, "an expression must be on one line (or inside parentheses)");
      if (t.kind === "op" && t.text === "=") p.fail(t, "assignment is not allowed in an expression");
      p.unexpected(t);
    }
    return { ok: true, value: { kind: "expression", source, ast } };
  } catch (e) {
    if (e instanceof ParseError)
      return { ok: false, issues: [{ line: e.line, column: e.column, message: e.message }] };
    throw e;
  }
}

/**
 * Parses a script action's `source`. Every refused construct is reported
 * with its 1-based line; parsing resumes at the next line so one pass
 * reports every bad line of a script.
 */
export function parseScript(source: string): ExprResult<ParsedScript> {
  const lexed = tokenize(source, "script");
  if (!lexed.ok) return lexed;
  const p = new Parser(lexed.tokens);
  const body = p.block(0);
  if (p.issues.length) return { ok: false, issues: p.issues };
  return { ok: true, value: { kind: "script", source, body } };
}

/** A reference to a state by name, with where it appears. */
export interface StateRef {
  name: string;
  line: number;
  column: number;
}

/**
 * Names assigned anywhere in a script. As in Python, such a name is a local
 * variable for the whole script (a bare read of it never reaches a state).
 */
export function scriptLocals(body: Stmt[]): Set<string> {
  const out = new Set<string>();
  const walk = (list: Stmt[]): void => {
    for (const s of list) {
      if (s.kind === "assign") out.add(s.target);
      else if (s.kind === "if") {
        for (const b of s.branches) walk(b.body);
        walk(s.orelse);
      }
    }
  };
  walk(body);
  return out;
}

/**
 * The states an expression or script reads (bare names that are not script
 * locals, and `get_state` names) and writes (`set_state` names), in source
 * order with duplicates kept. Validation uses it to name references to
 * missing states, or to states of the wrong scope, without compiling.
 */
export function stateReferences(parsed: ParsedExpression | ParsedScript): {
  reads: StateRef[];
  writes: StateRef[];
} {
  const reads: StateRef[] = [];
  const writes: StateRef[] = [];
  const locals = parsed.kind === "script" ? scriptLocals(parsed.body) : new Set<string>();
  const expr = (e: Expr): void => {
    switch (e.kind) {
      case "name":
        if (!locals.has(e.name)) reads.push({ name: e.name, line: e.line, column: e.column });
        return;
      case "get_state":
        reads.push({ name: e.name, line: e.line, column: e.column });
        return;
      case "unary":
        return expr(e.operand);
      case "binary":
      case "logical":
        expr(e.left);
        return expr(e.right);
      case "compare":
        return e.operands.forEach(expr);
      case "conditional":
        expr(e.body);
        expr(e.test);
        return expr(e.orelse);
      case "call":
        return e.args.forEach(expr);
      default:
        return;
    }
  };
  const stmts = (list: Stmt[]): void => {
    for (const s of list) {
      if (s.kind === "assign") expr(s.value);
      else if (s.kind === "set_state") {
        expr(s.value);
        writes.push({ name: s.name, line: s.line, column: s.column });
      } else if (s.kind === "if") {
        for (const b of s.branches) {
          expr(b.test);
          stmts(b.body);
        }
        stmts(s.orelse);
      }
    }
  };
  if (parsed.kind === "expression") expr(parsed.ast);
  else stmts(parsed.body);
  return { reads, writes };
}

/**
 * Turns expression issues into model validation issues at `path` (e.g.
 * `activities[0].actions[2].source`), keeping the line and column in the
 * message so the author can find the spot in a multi-line script.
 */
export function toValidationIssues(path: string, issues: ExprIssue[]): ValidationIssue[] {
  return issues.map((i) => ({
    path,
    message: `line ${i.line}${i.column !== undefined ? `, column ${i.column}` : ""}: ${i.message}`,
  }));
}
