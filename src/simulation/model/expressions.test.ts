import { describe, expect, it } from "vitest";
import {
  parseExpression,
  parseScript,
  stateReferences,
  toValidationIssues,
  type Expr,
  type Stmt,
} from "./expressions.js";

/** Fully parenthesised rendering of an AST, to pin precedence and associativity. */
function show(e: Expr): string {
  switch (e.kind) {
    case "number":
      return String(e.value);
    case "string":
      return JSON.stringify(e.value);
    case "boolean":
      return e.value ? "True" : "False";
    case "name":
      return e.name;
    case "get_state":
      return `get_state(${JSON.stringify(e.name)})`;
    case "unary":
      return `(${e.op}${e.op === "not" ? " " : ""}${show(e.operand)})`;
    case "binary":
    case "logical":
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case "compare":
      return `(${e.operands.map((o, i) => (i === 0 ? show(o) : `${e.ops[i - 1]} ${show(o)}`)).join(" ")})`;
    case "conditional":
      return `(${show(e.body)} if ${show(e.test)} else ${show(e.orelse)})`;
    case "call":
      return `${e.fn}(${e.args.map(show).join(", ")})`;
  }
}

function expr(source: string): string {
  const r = parseExpression(source);
  if (!r.ok) throw new Error(`parse failed: ${JSON.stringify(r.issues)}`);
  return show(r.value.ast);
}

function exprIssue(source: string): { line: number; column?: number; message: string } {
  const r = parseExpression(source);
  if (r.ok) throw new Error(`expected a parse error for ${source}`);
  expect(r.issues).toHaveLength(1);
  return r.issues[0];
}

function script(source: string): Stmt[] {
  const r = parseScript(source);
  if (!r.ok) throw new Error(`parse failed: ${JSON.stringify(r.issues)}`);
  return r.value.body;
}

function scriptIssues(source: string): { line: number; message: string }[] {
  const r = parseScript(source);
  if (r.ok) throw new Error(`expected parse errors for ${source}`);
  return r.issues.map(({ line, message }) => ({ line, message }));
}

describe("expression precedence (Python's table)", () => {
  it.each([
    ["1 + 2 * 3", "(1 + (2 * 3))"],
    ["1 - 2 + 3", "((1 - 2) + 3)"],
    ["8 // 3 * 3", "((8 // 3) * 3)"],
    ["10 - 3 % 2", "(10 - (3 % 2))"],
    ["-2 * 3", "((-2) * 3)"],
    ["- - 3", "(-(-3))"],
    ["+a - -b", "((+a) - (-b))"],
    ["a + b < c * d", "((a + b) < (c * d))"],
    ["a < b <= c", "(a < b <= c)"],
    ["not a == b", "(not (a == b))"],
    ["not a and b", "((not a) and b)"],
    ["a or b and c", "(a or (b and c))"],
    ["a and b or c and d", "((a and b) or (c and d))"],
    ["x if a or b else y", "(x if (a or b) else y)"],
    ["1 + 2 if c else 3 * 4", "((1 + 2) if c else (3 * 4))"],
    ["a if b else c if d else e", "(a if b else (c if d else e))"],
    ["(1 + 2) * 3", "((1 + 2) * 3)"],
    ["-(a + b)", "(-(a + b))"],
    ["round(a / 2, 1) + min(a, b, c)", "(round((a / 2), 1) + min(a, b, c))"],
    ["abs(-x) >= max(1, 2)", "(abs((-x)) >= max(1, 2))"],
    ["now() - get_state('t0')", '(now() - get_state("t0"))'],
  ])("%s parses as %s", (source, expected) => {
    expect(expr(source)).toBe(expected);
  });
});

describe("expression literals and tokens", () => {
  it("reads numbers in every Python decimal form", () => {
    expect(expr("1_000 + 2.5 + .5 + 5. + 1e3 + 2.5E-1")).toBe("(((((1000 + 2.5) + 0.5) + 5) + 1000) + 0.25)");
  });
  it("reads single- and double-quoted strings with escapes, and joins adjacent ones", () => {
    expect(expr(`'it\\'s' + "a \\"b\\"\\n"`)).toBe(`("it's" + "a \\"b\\"\\n")`);
    expect(expr(`"ab" 'cd'`)).toBe('"abcd"');
  });
  it("accepts True/False and true/false", () => {
    expect(expr("True or False or true or false")).toBe("(((True or False) or True) or False)");
  });
  it("trims surrounding whitespace and allows newlines inside parentheses", () => {
    expect(expr("  a + 1  ")).toBe("(a + 1)");
    expect(expr("(a +\n  b)")).toBe("(a + b)");
  });
  it("reads Unicode identifiers, as Python's isidentifier() allows them in state names", () => {
    expect(expr("größe * 2 + _x1")).toBe("((größe * 2) + _x1)");
  });
  it("allows a # comment after the expression", () => {
    expect(expr("a * 2  # twice")).toBe("(a * 2)");
  });
});

describe("refused expressions name the reason", () => {
  it.each([
    ["", "empty expression"],
    ["a.b", "attribute access (a.b) is not supported"],
    ["a[0]", "subscripts and lists are not supported"],
    ["[1, 2]", "subscripts and lists are not supported"],
    ["{1: 2}", "dicts and sets are not supported"],
    ["a ** 2", "'**' (power) is not supported"],
    ["a | b", "bitwise '|' is not supported (use 'or')"],
    ["~a", "bitwise '~' is not supported (use 'not')"],
    ["a in b", "'in' is not supported; compare with == or !="],
    ["a is b", "'is' is not supported; compare with == or !="],
    ["lambda: 1", "'lambda' is not supported"],
    ["None", "'None' is not supported"],
    ["x = 1", "assignment is not allowed in an expression"],
    ["(x := 1)", "assignment expressions (':=') are not supported"],
    ["a, b", "tuples are not supported"],
    ["print(a)", "unknown function 'print' (allowed: abs, min, max, round, now, get_state)"],
    ["a(1)", "unknown function 'a' (allowed: abs, min, max, round, now, get_state)"],
    ["(a)(1)", "only abs, min, max, round, now and get_state can be called"],
    ["round(x, ndigits=1)", "keyword arguments are not supported in round()"],
    ["get_state(name)", "get_state needs the state name as a string literal"],
    ["set_state('a', 1)", "set_state(…) is a statement and has no value"],
    ["a\n+ b", "an expression must be on one line (or inside parentheses)"],
    ["0x1F", "only decimal numbers are supported"],
    ["007", "leading zeros are not allowed in '007' (Python refuses them)"],
    ["'''doc'''", "triple-quoted strings are not supported"],
    ["f'x{a}'", `string prefixes such as f"..." are not supported`],
    ["'open", "unterminated string"],
    ["'\\d'", "unsupported escape '\\d' in a string"],
    ["a $ b", "unexpected character '$'"],
    ["a +", "unexpected end of line"],
    ["(a + b", "expected ')', found end of line"],
    ["a if b", "expected 'else', found end of line"],
  ])("%j: %s", (source, message) => {
    expect(exprIssue(source).message).toBe(message);
  });

  it("reports the column of the offending token", () => {
    expect(exprIssue("a + b.c")).toEqual({
      line: 1,
      column: 6,
      message: "attribute access (a.b) is not supported",
    });
  });

  it("refuses expressions nested beyond 100 levels instead of overflowing the stack", () => {
    expect(exprIssue("(".repeat(150) + "1" + ")".repeat(150)).message).toBe(
      "expression is nested too deeply",
    );
    expect(exprIssue("-".repeat(150) + "1").message).toBe("expression is nested too deeply");
  });
});

describe("function arity is checked at parse time", () => {
  it.each([
    ["abs()", "abs() takes exactly 1 argument (0 given)"],
    ["abs(1, 2)", "abs() takes exactly 1 argument (2 given)"],
    ["min(1)", "min() needs at least 2 arguments (1 given)"],
    ["max()", "max() needs at least 2 arguments (0 given)"],
    ["round()", "round() takes 1 or 2 arguments (0 given)"],
    ["round(1, 2, 3)", "round() takes 1 or 2 arguments (3 given)"],
    ["now(1)", "now() takes no arguments (1 given)"],
    ["get_state()", "get_state() takes exactly 1 argument (0 given)"],
    ["get_state('a', 'b')", "get_state() takes exactly 1 argument (2 given)"],
  ])("%s", (source, message) => {
    expect(exprIssue(source).message).toBe(message);
  });

  it("accepts the allowed counts, including a trailing comma", () => {
    expect(expr("min(1, 2, 3, 4) + max(1, 2,) + round(x) + round(x, 2) + abs(x) + now()")).toBe(
      "(((((min(1, 2, 3, 4) + max(1, 2)) + round(x)) + round(x, 2)) + abs(x)) + now())",
    );
  });
});

describe("scripts", () => {
  it("parses the action-tour script", () => {
    const body = script('value = get_state("polish_count")\nset_state("polish_count", value * 2)');
    expect(body).toHaveLength(2);
    expect(body[0]).toMatchObject({ kind: "assign", line: 1, target: "value", op: "=" });
    expect(body[1]).toMatchObject({ kind: "set_state", line: 2, name: "polish_count" });
  });

  it("parses nested if / elif / else blocks, inline suites, pass and comments", () => {
    const src = [
      "# grade the piece",
      "if grade > 8:",
      "    lane = 1",
      "    if rush:",
      "        lane = 0  # rush first",
      "    else:",
      "        pass",
      "elif grade > 4: lane = 2",
      "",
      "else:",
      "\tlane = 3",
      'set_state("lane", lane)',
    ].join("\n");
    const body = script(src);
    expect(body.map((s) => `${s.kind}@${s.line}`)).toEqual(["if@2", "set_state@12"]);
    const top = body[0];
    if (top.kind !== "if") throw new Error("expected if");
    expect(top.branches).toHaveLength(2);
    expect(top.branches[0].body.map((s) => s.kind)).toEqual(["assign", "if"]);
    expect(top.branches[1].body).toMatchObject([{ kind: "assign", target: "lane", line: 8 }]);
    expect(top.orelse).toMatchObject([{ kind: "assign", target: "lane", line: 11 }]);
    const inner = top.branches[0].body[1];
    expect(inner.kind === "if" && inner.orelse.map((s) => s.kind)).toEqual(["pass"]);
  });

  it("parses augmented assignment on locals", () => {
    expect(
      script("x = 1\nx += 2\nx -= 1\nx *= 3\nx /= 2\nx //= 1\nx %= 5").map(
        (s) => s.kind === "assign" && s.op,
      ),
    ).toEqual(["=", "+=", "-=", "*=", "/=", "//=", "%="]);
  });

  it("joins lines inside parentheses, whatever their indentation", () => {
    const body = script("x = (1 +\n        2)\nif x:\n    y = min(x,\n  3)");
    expect(body.map((s) => `${s.kind}@${s.line}`)).toEqual(["assign@1", "if@3"]);
  });

  it("accepts an empty or comment-only script and CRLF line ends", () => {
    expect(script("")).toEqual([]);
    expect(script("# nothing\n\n   # still nothing\n")).toEqual([]);
    expect(script("x = 1\r\nif x:\r\n    x = 2\r\n")).toHaveLength(2);
  });

  it("refuses each unsupported construct, naming its 1-based line, and keeps going", () => {
    const src = [
      "x = 1", //  1
      "for i in range(3):", //  2
      "    x += i", //  3
      "while x < 10:", //  4
      "    x += 1", //  5
      "import math", //  6
      "from math import floor", //  7
      "def f(a):", //  8
      "    return a", //  9
      "y = lambda: 1", // 10
      "y = math.floor(x)", // 11
      "y = [1, 2][0]", // 12
      "print(x)", // 13
      "x **= 2", // 14
      "x = 1; y = 2", // 15
      "try:", // 16
      "    pass", // 17
      "with open('f') as f:", // 18
      "    pass", // 19
      "a = b = 1", // 20
      'get_state("x") = 3', // 21
      "x + 1", // 22
      "class A:", // 23
      "    pass", // 24
      "return x", // 25
      "del x", // 26
      "global x", // 27
      "else:", // 28
      "    pass", // 29
      "abs = 3", // 30
      "True = 1", // 31
    ].join("\n");
    expect(scriptIssues(src)).toEqual([
      { line: 2, message: "'for' loops are not supported" },
      { line: 4, message: "'while' loops are not supported" },
      { line: 6, message: "'import' is not supported" },
      { line: 7, message: "'import' is not supported" },
      { line: 8, message: "function definitions ('def') are not supported" },
      { line: 10, message: "'lambda' is not supported" },
      { line: 11, message: "attribute access (a.b) is not supported" },
      { line: 12, message: "subscripts and lists are not supported" },
      { line: 13, message: "unknown function 'print' (allowed: abs, min, max, round, now, get_state)" },
      { line: 14, message: "'**=' is not supported" },
      { line: 15, message: "one statement per line (';' is not supported)" },
      { line: 16, message: "'try' is not supported" },
      { line: 18, message: "'with' is not supported" },
      { line: 20, message: "chained assignment (a = b = …) is not supported" },
      {
        line: 21,
        message: 'can only assign to a local name; use set_state("name", value) to change a state',
      },
      {
        line: 22,
        message: "this expression is computed and thrown away; assign it (x = …) or use set_state",
      },
      { line: 23, message: "'class' is not supported" },
      { line: 25, message: "'return' is not supported" },
      { line: 26, message: "'del' is not supported" },
      { line: 27, message: "'global' is not supported" },
      { line: 28, message: "'else' without a matching 'if'" },
      { line: 30, message: "cannot assign to 'abs'" },
      { line: 31, message: "cannot assign to 'True'" },
    ]);
  });

  it("refuses bad indentation and bad block structure", () => {
    expect(scriptIssues("x = 1\n    y = 2")).toEqual([{ line: 2, message: "unexpected indentation" }]);
    expect(scriptIssues("if x:\ny = 2")).toEqual([{ line: 1, message: "expected an indented block" }]);
    expect(scriptIssues("if x:\n    y = 1\n  z = 2")).toEqual([
      { line: 3, message: "indentation does not match any outer block" },
    ]);
    expect(scriptIssues("if x:\n\ty = 1\n        z = 2")).toEqual([
      { line: 3, message: "indentation does not match any outer block" },
    ]);
    expect(scriptIssues("if x\n    y = 1")).toEqual([
      { line: 1, message: "expected ':', found end of line" },
    ]);
    expect(scriptIssues("x = 1 + \\\n 2")).toEqual([
      { line: 1, message: "line continuation with '\\' is not supported" },
    ]);
    expect(scriptIssues("set_state(name, 1)")).toEqual([
      { line: 1, message: "set_state needs the state name as a string literal" },
    ]);
    expect(scriptIssues('set_state("a")')).toEqual([
      { line: 1, message: "set_state() takes exactly 2 arguments (1 given)" },
    ]);
  });

  it("refuses if blocks nested deeper than 20", () => {
    const src =
      Array.from({ length: 22 }, (_, i) => `${"  ".repeat(i)}if x:`).join("\n") + `\n${"  ".repeat(22)}pass`;
    expect(scriptIssues(src)).toEqual([
      { line: 21, message: "if blocks are nested too deeply (at most 20)" },
    ]);
  });
});

describe("stateReferences", () => {
  it("lists the states an expression reads, in source order", () => {
    const r = parseExpression("a + get_state('b') * (c if d else a)");
    if (!r.ok) throw new Error("parse failed");
    expect(stateReferences(r.value)).toEqual({
      reads: [
        { name: "a", line: 1, column: 1 },
        { name: "b", line: 1, column: 5 },
        { name: "c", line: 1, column: 23 },
        { name: "d", line: 1, column: 28 },
        { name: "a", line: 1, column: 35 },
      ],
      writes: [],
    });
  });

  it("separates script locals from states and lists set_state writes", () => {
    const r = parseScript(
      'v = get_state("polish_count")\nif grade > v:\n    set_state("polish_count", v * 2)\nw = v + total',
    );
    if (!r.ok) throw new Error("parse failed");
    const refs = stateReferences(r.value);
    expect(refs.reads.map((x) => `${x.name}@${x.line}`)).toEqual(["polish_count@1", "grade@2", "total@4"]);
    expect(refs.writes).toEqual([{ name: "polish_count", line: 3, column: 5 }]);
  });
});

describe("toValidationIssues", () => {
  it("puts the line and column in the message under the model path", () => {
    const r = parseScript("x = 1\nwhile x: pass");
    if (r.ok) throw new Error("expected an issue");
    expect(toValidationIssues("activities[0].actions[3].source", r.issues)).toEqual([
      {
        path: "activities[0].actions[3].source",
        message: "line 2, column 1: 'while' loops are not supported",
      },
    ]);
  });
});
