/**
 * Recursive-descent parser over the lexer's tokens, Python precedence
 * (lowest first): `x if c else y`, `or`, `and`, `not`, comparisons, `+ -`,
 * `* / // %`, unary `- +`, atoms and calls. Refused Python constructs are
 * recognised explicitly so the author gets the reason, not a bare syntax error.
 */
import type { ArithOp, CompareOp, Expr, ExprFunction, Pos, Stmt } from "./expression-ast.js";
import {
  AUG_OPS,
  COMPARE_OPS,
  FUNCTION_ARITY,
  KEYWORDS,
  REFUSED_OPERATORS,
  REFUSED_STATEMENTS,
  type ExprIssue,
  type Token,
} from "./expression-lexer.js";

const MAX_DEPTH = 100;

export class ParseError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

export class Parser {
  private pos = 0;
  private depth = 0;
  readonly issues: ExprIssue[] = [];

  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.pos++;
    return t;
  }
  private isOp(text: string, t = this.peek()): boolean {
    return t.kind === "op" && t.text === text;
  }
  private isWord(text: string, t = this.peek()): boolean {
    return t.kind === "name" && t.text === text;
  }
  private expectOp(text: string): Token {
    if (!this.isOp(text)) this.unexpected(this.peek(), `expected '${text}'`);
    return this.next();
  }
  fail(t: Token, message: string): never {
    throw new ParseError(t.line, t.column, message);
  }
  unexpected(t: Token, expected?: string): never {
    if (t.kind === "op" && REFUSED_OPERATORS[t.text]) this.fail(t, REFUSED_OPERATORS[t.text]);
    if (t.kind === "name" && REFUSED_STATEMENTS[t.text]) this.fail(t, REFUSED_STATEMENTS[t.text]);
    const what =
      t.kind === "eof" || t.kind === "newline"
        ? "end of line"
        : t.kind === "indent"
          ? "indentation"
          : t.kind === "dedent"
            ? "end of block"
            : `'${t.text}'`;
    this.fail(t, expected ? `${expected}, found ${what}` : `unexpected ${what}`);
  }
  skipNewlines(): void {
    while (this.peek().kind === "newline") this.next();
  }

  // ---- statements --------------------------------------------------------

  /** Statements until the end of the current block (DEDENT or EOF). */
  block(nesting: number): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof" || t.kind === "dedent") return out;
      if (t.kind === "indent") {
        this.issues.push({ line: t.line, column: t.column, message: "unexpected indentation" });
        this.next();
        this.block(nesting + 1);
        if (this.peek().kind === "dedent") this.next();
        continue;
      }
      try {
        out.push(this.statement(nesting));
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        this.issues.push({ line: e.line, column: e.column, message: e.message });
        this.recover();
      }
    }
  }

  /** Skips the rest of a bad line, and the block it opens if any. */
  private recover(): void {
    while (this.peek().kind !== "newline" && this.peek().kind !== "eof") this.next();
    if (this.peek().kind === "newline") this.next();
    if (this.peek().kind === "indent") {
      this.next();
      const saved = this.issues.length;
      this.block(0);
      this.issues.length = saved;
      if (this.peek().kind === "dedent") this.next();
    }
  }

  private statement(nesting: number): Stmt {
    const t = this.peek();
    if (this.isWord("if")) return this.ifStatement(nesting);
    if (this.isWord("elif") || this.isWord("else")) this.fail(t, `'${t.text}' without a matching 'if'`);
    const s = this.simpleStatement();
    if (this.peek().kind !== "newline" && this.peek().kind !== "eof") this.unexpected(this.peek());
    this.next();
    return s;
  }

  private simpleStatement(): Stmt {
    const t = this.peek();
    if (this.isWord("pass")) {
      this.next();
      return { kind: "pass", line: t.line, column: t.column };
    }
    if (t.kind === "name" && REFUSED_STATEMENTS[t.text]) this.fail(t, REFUSED_STATEMENTS[t.text]);
    if (this.isWord("set_state") && this.isOp("(", this.peek(1))) return this.setState();
    const op = this.peek(1);
    if (t.kind === "name" && op.kind === "op" && (op.text === "=" || AUG_OPS.has(op.text))) {
      if (KEYWORDS.has(t.text) || t.text === "true" || t.text === "false" || t.text in FUNCTION_ARITY) {
        this.fail(t, `cannot assign to '${t.text}'`);
      }
      this.next();
      this.next();
      const value = this.expression();
      if (this.isOp("=")) this.fail(this.peek(), "chained assignment (a = b = …) is not supported");
      const { line, column, start } = t;
      return { kind: "assign", line, column, start, target: t.text, op: op.text as "=", value };
    }
    if (op.kind === "op" && /^(\*\*|>>|<<|&|\||\^|@)=$/.test(op.text)) {
      this.fail(op, `'${op.text}' is not supported`);
    }
    this.expression();
    const after = this.peek();
    if (this.isOp("=") || (after.kind === "op" && AUG_OPS.has(after.text))) {
      this.fail(t, 'can only assign to a local name; use set_state("name", value) to change a state');
    }
    if (after.kind === "op" && REFUSED_OPERATORS[after.text]) this.unexpected(after);
    return this.fail(t, "this expression is computed and thrown away; assign it (x = …) or use set_state");
  }

  private setState(): Stmt {
    const t = this.next();
    this.next();
    const args = this.args(t);
    this.arity(t, "set_state", args.length);
    const name = args[0];
    if (name.kind !== "string") this.fail(t, "set_state needs the state name as a string literal");
    return { kind: "set_state", line: t.line, column: t.column, name: name.value, value: args[1] };
  }

  private ifStatement(nesting: number): Stmt {
    if (nesting >= 20) this.fail(this.peek(), "if blocks are nested too deeply (at most 20)");
    const first = this.peek();
    const branches: { test: Expr; body: Stmt[] }[] = [];
    let orelse: Stmt[] = [];
    this.next();
    branches.push({ test: this.expression(), body: this.suite(nesting) });
    for (;;) {
      if (this.isWord("elif")) {
        this.next();
        branches.push({ test: this.expression(), body: this.suite(nesting) });
      } else if (this.isWord("else")) {
        this.next();
        orelse = this.suite(nesting);
        break;
      } else break;
    }
    return { kind: "if", line: first.line, column: first.column, branches, orelse };
  }

  /** `: NEWLINE INDENT block DEDENT`, or `: simple_statement NEWLINE` on the same line. */
  private suite(nesting: number): Stmt[] {
    this.expectOp(":");
    if (this.peek().kind !== "newline") {
      const s = this.simpleStatement();
      if (this.peek().kind !== "newline" && this.peek().kind !== "eof") this.unexpected(this.peek());
      this.next();
      return [s];
    }
    const nl = this.next();
    if (this.peek().kind !== "indent") this.fail(nl, "expected an indented block");
    this.next();
    const body = this.block(nesting + 1);
    if (this.peek().kind === "dedent") this.next();
    return body;
  }

  // ---- expressions (Python precedence, lowest first) ---------------------

  expression(): Expr {
    if (++this.depth > MAX_DEPTH) this.fail(this.peek(), "expression is nested too deeply");
    try {
      if (this.isWord("lambda")) this.fail(this.peek(), REFUSED_STATEMENTS.lambda);
      const body = this.orTest();
      if (!this.isWord("if")) return body;
      this.next();
      const test = this.orTest();
      if (!this.isWord("else")) this.unexpected(this.peek(), "expected 'else'");
      this.next();
      const orelse = this.expression();
      return { kind: "conditional", test, body, orelse, ...span(body, orelse) };
    } finally {
      this.depth--;
    }
  }

  private orTest(): Expr {
    let left = this.andTest();
    while (this.isWord("or")) {
      this.next();
      const right = this.andTest();
      left = { kind: "logical", op: "or", left, right, ...span(left, right) };
    }
    return left;
  }

  private andTest(): Expr {
    let left = this.notTest();
    while (this.isWord("and")) {
      this.next();
      const right = this.notTest();
      left = { kind: "logical", op: "and", left, right, ...span(left, right) };
    }
    return left;
  }

  private notTest(): Expr {
    if (!this.isWord("not")) return this.comparison();
    const t = this.next();
    if (++this.depth > MAX_DEPTH) this.fail(t, "expression is nested too deeply");
    const operand = this.notTest();
    this.depth--;
    return { kind: "unary", op: "not", operand, ...span(t, operand) };
  }

  private comparison(): Expr {
    const first = this.arith();
    const ops: CompareOp[] = [];
    const operands = [first];
    for (;;) {
      const t = this.peek();
      if (this.isWord("in") || this.isWord("is") || (this.isWord("not") && this.isWord("in", this.peek(1)))) {
        this.fail(t, `'${t.text}' is not supported; compare with == or !=`);
      }
      if (t.kind !== "op" || !COMPARE_OPS.has(t.text)) break;
      this.next();
      ops.push(t.text as CompareOp);
      operands.push(this.arith());
    }
    if (ops.length === 0) return first;
    return { kind: "compare", ops, operands, ...span(first, operands[operands.length - 1]) };
  }

  private arith(): Expr {
    let left = this.term();
    while (this.isOp("+") || this.isOp("-")) {
      const op = this.next().text as ArithOp;
      const right = this.term();
      left = { kind: "binary", op, left, right, ...span(left, right) };
    }
    return left;
  }

  private term(): Expr {
    let left = this.factor();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%") || this.isOp("//")) {
      const op = this.next().text as ArithOp;
      const right = this.factor();
      left = { kind: "binary", op, left, right, ...span(left, right) };
    }
    return left;
  }

  private factor(): Expr {
    if (this.isOp("-") || this.isOp("+")) {
      const t = this.next();
      if (++this.depth > MAX_DEPTH) this.fail(t, "expression is nested too deeply");
      const operand = this.factor();
      this.depth--;
      return { kind: "unary", op: t.text as "-" | "+", operand, ...span(t, operand) };
    }
    const e = this.atom();
    const t = this.peek();
    if (t.kind === "op" && (t.text === "(" || REFUSED_OPERATORS[t.text])) {
      if (t.text === "(") this.fail(t, "only abs, min, max, round, now and get_state can be called");
      if (t.text !== "," && t.text !== ";") this.unexpected(t);
    }
    return e;
  }

  private atom(): Expr {
    const t = this.next();
    const pos = { line: t.line, column: t.column, start: t.start, end: t.end };
    if (t.kind === "number") return { kind: "number", value: t.num, ...pos };
    if (t.kind === "string") {
      // Adjacent literals concatenate, as in Python.
      let value = t.text;
      let end = t.end;
      while (this.peek().kind === "string") {
        const s = this.next();
        value += s.text;
        end = s.end;
      }
      return { kind: "string", value, ...pos, end };
    }
    if (t.kind === "name") {
      if (t.text === "True" || t.text === "true") return { kind: "boolean", value: true, ...pos };
      if (t.text === "False" || t.text === "false") return { kind: "boolean", value: false, ...pos };
      if (t.text === "None") this.fail(t, "'None' is not supported");
      if (KEYWORDS.has(t.text)) this.unexpected(t);
      if (this.isOp("(")) return this.call(t);
      return { kind: "name", name: t.text, ...pos };
    }
    if (t.kind === "op" && t.text === "(") {
      if (this.isOp(")")) this.fail(t, "empty parentheses (tuples are not supported)");
      const inner = this.expression();
      if (this.isOp(",")) this.fail(this.peek(), REFUSED_OPERATORS[","]);
      const close = this.expectOp(")");
      // The span includes the parentheses, so error messages quote balanced text.
      return { ...inner, line: t.line, column: t.column, start: t.start, end: close.end };
    }
    if (t.kind === "op" && t.text === "=") this.fail(t, "unexpected '=' (did you mean '=='?)");
    return this.unexpected(t);
  }

  private call(name: Token): Expr {
    if (!(name.text in FUNCTION_ARITY)) {
      this.fail(name, `unknown function '${name.text}' (allowed: abs, min, max, round, now, get_state)`);
    }
    if (name.text === "set_state") this.fail(name, "set_state(…) is a statement and has no value");
    this.next();
    const args = this.args(name);
    this.arity(name, name.text, args.length);
    const close = this.tokens[this.pos - 1];
    const pos = { line: name.line, column: name.column, start: name.start, end: close.end };
    if (name.text === "get_state") {
      const a = args[0];
      if (a.kind !== "string") this.fail(name, "get_state needs the state name as a string literal");
      return { kind: "get_state", name: a.value, ...pos };
    }
    return { kind: "call", fn: name.text as ExprFunction, args, ...pos };
  }

  /** Arguments after `(` up to and including `)`. */
  private args(fn: Token): Expr[] {
    const args: Expr[] = [];
    while (!this.isOp(")")) {
      const t = this.peek();
      if (t.kind === "name" && this.isOp("=", this.peek(1))) {
        this.fail(t, `keyword arguments are not supported in ${fn.text}()`);
      }
      if (this.isOp("*") || this.isOp("**")) this.fail(t, "argument unpacking is not supported");
      args.push(this.expression());
      if (!this.isOp(",")) break;
      this.next();
    }
    this.expectOp(")");
    return args;
  }

  private arity(t: Token, fn: string, given: number): void {
    const [min, max] = FUNCTION_ARITY[fn];
    if (given >= min && given <= max) return;
    const wants =
      min === max
        ? min === 0
          ? "takes no arguments"
          : `takes exactly ${min} argument${min === 1 ? "" : "s"}`
        : max === Infinity
          ? `needs at least ${min} arguments`
          : `takes ${min} or ${max} arguments`;
    this.fail(t, `${fn}() ${wants} (${given} given)`);
  }
}

function span(from: Pos | Token, to: Pos): Pos {
  return { line: from.line, column: from.column, start: from.start, end: to.end };
}
