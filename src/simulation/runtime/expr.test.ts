import { describe, expect, it } from "vitest";
import { parseExpression, parseScript } from "../model/expressions.js";
import {
  compileExpression,
  compileScript,
  createEvalContext,
  ExpressionError,
  type CompileOptions,
  type EvalContext,
  type StateBinding,
} from "./expr.js";

// Two entities of stride 3 (numeric) and 2 (string); the context points at the second one.
const STATES: Record<string, StateBinding> = {
  polish_count: { scope: "entity", slot: 0, type: "number" },
  grade: { scope: "entity", slot: 1, type: "number" },
  rush: { scope: "entity", slot: 2, type: "boolean" },
  label: { scope: "entity", slot: 0, type: "string" },
  color: { scope: "entity", slot: 1, type: "category", categories: ["red", "green", "blue"] },
  total: { scope: "model", slot: 0, type: "number" },
  zero: { scope: "model", slot: 1, type: "number" },
  open: { scope: "model", slot: 2, type: "boolean" },
  shift: { scope: "model", slot: 0, type: "string" },
};
const resolve = (name: string): StateBinding | undefined => STATES[name];

function context(): EvalContext {
  return createEvalContext({
    entityNum: new Float64Array([100, 100, 0, 3, 7, 1]),
    entityNumBase: 3,
    entityStr: ["other", "red", "piece", "green"],
    entityStrBase: 2,
    modelNum: new Float64Array([10, 0, 1]),
    modelStr: ["day"],
    now: 42.5,
  });
}

function compile(source: string, options?: CompileOptions) {
  const p = parseExpression(source);
  if (!p.ok) throw new Error(`parse failed: ${JSON.stringify(p.issues)}`);
  return compileExpression(p.value, resolve, options);
}

function run(source: string, ctx = context(), options?: CompileOptions): number | string | boolean {
  const c = compile(source, options);
  if (!c.ok) throw new Error(`compile failed: ${JSON.stringify(c.issues)}`);
  return c.value.evaluate(ctx);
}

function compileErrors(source: string, options?: CompileOptions): string[] {
  const c = compile(source, options);
  if (c.ok) throw new Error(`expected compile errors for ${source}`);
  return c.issues.map((i) => i.message);
}

function thrown(f: () => unknown): ExpressionError {
  try {
    f();
  } catch (e) {
    if (e instanceof ExpressionError) return e;
    throw e;
  }
  throw new Error("expected an ExpressionError");
}

describe("operators follow Python (values checked against CPython 3)", () => {
  it.each<[string, number | string | boolean]>([
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["2 * 3 % 4", 2],
    ["10 - 4 - 3", 3],
    ["1 - 2 + 3", 2],
    ["-2 * 3", -6],
    ["- - 3", 3],
    ["+3 - -3", 6],
    ["-(2 + 3) * 2", -10],
    ["1 / 4", 0.25],
    ["-1 / 8", -0.125],
    ["10 / 4 // 1", 2],
    ["10 - 3 % 2", 9],
    ["8 // 3 * 3", 6],
    ["5 % 3 * 2", 4],
    ["7 // 2", 3],
    ["-7 // 2", -4],
    ["7 // -2", -4],
    ["-7.5 // 2", -4],
    ["7.5 // 2", 3],
    ["7 % 3", 1],
    ["-7 % 3", 2],
    ["7 % -3", -2],
    ["-7 % -3", -1],
    ["5.5 % 2", 1.5],
    ["-5.5 % 2", 0.5],
    ["1 == 1.0", true],
    ["1 != 1", false],
    ["2 < 3", true],
    ["3 <= 3", true],
    ["2 > 3", false],
    ["2 >= 3", false],
    ["1 < 2 < 3", true],
    ["3 > 2 > 2", false],
    ["1 < 3 > 2", true],
    ["'abc' < 'abd'", true],
    ["'1' == 1", false],
    ["'a' != 1", true],
    ["'ab' + 'cd'", "abcd"],
    ["not 0", true],
    ["not ''", true],
    ["not 'a'", false],
    ["not 1 == 2", true],
    ["not True and False", false],
    ["not (True and False)", true],
    ["True and False or True", true],
    ["2 + 3 == 5 and 1 < 2", true],
  ])("%s == %j", (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it("keeps Python's signed zeros from // and %", () => {
    expect(Object.is(run("-0.0 % 5"), 0)).toBe(true);
    expect(Object.is(run("0.0 % -5"), -0)).toBe(true);
    expect(Object.is(run("-1 // 5 * 0"), -0)).toBe(true);
  });
});

describe("booleans in numeric contexts are 1 and 0", () => {
  it.each<[string, number | boolean]>([
    ["True + 1", 2],
    ["True * 5", 5],
    ["False - 1", -1],
    ["True == 1", true],
    ["rush + grade", 8],
    ["-True", -1],
    ["abs(False)", 0],
    ["max(True, 0.5)", 1],
  ])("%s == %j", (source, expected) => {
    expect(run(source)).toBe(expected);
  });
});

describe("functions", () => {
  it.each<[string, number | string]>([
    ["round(2.5)", 2],
    ["round(3.5)", 4],
    ["round(-2.5)", -2],
    ["round(0.5)", 0],
    ["round(1.4999)", 1],
    ["round(2.675, 2)", 2.67],
    ["round(0.125, 2)", 0.12],
    ["round(0.375, 2)", 0.38],
    ["round(-0.125, 2)", -0.12],
    ["round(1.005, 2)", 1],
    ["round(1250, -2)", 1200],
    ["round(1350, -2)", 1400],
    ["round(grade / 2, True)", 3.5],
    ["abs(-3.5)", 3.5],
    ["min(3, 1, 2)", 1],
    ["max(3, 1, 2)", 3],
    ["min(grade, polish_count)", 3],
    ["max('apple', 'pear')", "pear"],
    ["min(label, 'zz', shift)", "day"],
    ["now()", 42.5],
    ["now() - total", 32.5],
  ])("%s == %j", (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it("refuses a non-integer literal digit count, and throws on a computed one", () => {
    expect(compileErrors("round(grade, 1.5)")).toEqual(["round() digits must be an integer"]);
    const e = thrown(() => run("round(grade, grade / 2)"));
    expect(e.code).toBe("invalid_argument");
    expect(e.message).toBe(
      'round() digits must be an integer in "round(grade, grade / 2)" (line 1, column 1)',
    );
  });
});

describe("conditional expressions and short-circuit", () => {
  it("picks a branch by Python truthiness", () => {
    expect(run("1 if 0 else 2")).toBe(2);
    expect(run("'y' if 'x' else 'n'")).toBe("y");
    expect(run("1 + 2 if 3 > 4 else 5 * 6")).toBe(30);
    expect(run("'fast' if rush else label")).toBe("fast");
    expect(run("grade * 2 if open else rush")).toBe(14);
    expect(run("rush if not open else 5")).toBe(5);
    expect(run("rush if open else 5")).toBe(1);
  });

  it("and/or return the deciding operand, as in Python", () => {
    expect(run("0 or 5")).toBe(5);
    expect(run("3 or 5")).toBe(3);
    expect(run("0 and 5")).toBe(0);
    expect(run("3 and 5")).toBe(5);
    expect(run("'' or 'x'")).toBe("x");
    expect(run("'a' and 'b'")).toBe("b");
    expect(run("rush and grade")).toBe(7);
    expect(run("open or rush")).toBe(true);
  });

  it("never evaluates the skipped operand (a division by zero there does not throw)", () => {
    expect(run("zero and 1 / zero")).toBe(0);
    expect(run("1 or 1 / zero")).toBe(1);
    expect(run("False and 1 / zero == 1")).toBe(false);
    expect(run("1 if rush else 1 / zero")).toBe(1);
    expect(run("2 < 1 < 1 / zero")).toBe(false);
    expect(run("not (open or 1 // zero)")).toBe(false);
  });

  it("mixes any types where only truthiness matters", () => {
    expect(run("1 if label and grade else 0")).toBe(1);
    expect(run("not label")).toBe(false);
    expect(run("not (shift or 3)")).toBe(false);
  });
});

describe("state reads", () => {
  it("reads the current entity's row and the model slots", () => {
    const ctx = context();
    expect(run("polish_count * 10 + grade", ctx)).toBe(37);
    expect(run("label + '/' + color + '/' + shift", ctx)).toBe("piece/green/day");
    ctx.entityNumBase = 0;
    ctx.entityStrBase = 0;
    expect(run("polish_count + grade + rush", ctx)).toBe(200);
    expect(run("color", ctx)).toBe("red");
    expect(run("get_state('total') + get_state('polish_count')", ctx)).toBe(110);
  });

  it("returns typed evaluators so the engine can pick a specialised path once", () => {
    const c = compile("grade * 2");
    expect(c.ok && c.value.type).toBe("number");
    const b = compile("grade > 2");
    expect(b.ok && b.value.type).toBe("boolean");
    const s = compile("label");
    expect(s.ok && s.value.type).toBe("string");
  });
});

describe("division by zero", () => {
  it.each([
    "total / zero",
    "total // zero",
    "total % zero",
    "grade / (polish_count - 3)",
    "1 / False + 0 * zero",
  ])("%s", (source) => {
    if (source === "1 / False + 0 * zero") {
      expect(compileErrors(source)).toEqual(["division by zero in '/'"]);
      return;
    }
    const e = thrown(() => run(source));
    expect(e).toBeInstanceOf(ExpressionError);
    expect(e.code).toBe("division_by_zero");
    expect(e.message).toBe(`division by zero in "${source}" (line 1, column 1)`);
  });

  it("prefixes the label and quotes only the failing sub-expression", () => {
    const e = thrown(() => run("grade + total / zero", context(), { label: "activities[1].actions[0]" }));
    expect(e.message).toBe('activities[1].actions[0]: division by zero in "total / zero" (line 1, column 9)');
    expect([e.line, e.column]).toEqual([1, 9]);
  });

  it("refuses a literal zero divisor at compile time", () => {
    expect(compileErrors("grade / 0")).toEqual(["division by zero in '/'"]);
    expect(compileErrors("grade // -0.0")).toEqual(["division by zero in '//'"]);
    expect(compileErrors("grade % 0")).toEqual(["division by zero in '%'"]);
  });
});

describe("compile errors", () => {
  it("names unknown states", () => {
    expect(compileErrors("grade + missing * other")).toEqual([
      "unknown name 'missing'",
      "unknown name 'other'",
    ]);
    expect(compileErrors("get_state('nope')")).toEqual(["unknown state 'nope' in get_state"]);
  });

  it.each([
    ["'a' - 1", "unsupported operand types for -: string and number"],
    ["label * 2", "unsupported operand types for *: string and number"],
    ["label + 1", "unsupported operand types for +: string and number"],
    ["-label", "bad operand type for unary -: a string"],
    ["label < 1", "'<' cannot compare a string with a number or boolean"],
    ["1 < 2 <= color", "'<=' cannot compare a string with a number or boolean"],
    ["abs(label)", "abs() needs numbers, got a string"],
    ["min(1, 'a')", "min() needs numbers (or only strings), got a string"],
    ["round(grade, label)", "round() needs numbers, got a string"],
    ["label and 5", "'and' returns one of its operands, so they must have one type (here string and number)"],
    ["1 if rush else 'x'", "both results of 'if … else' must have one type (here number and string)"],
  ])("%s: %s", (source, message) => {
    expect(compileErrors(source)).toEqual([message]);
  });

  it("checks the result against the target state's type", () => {
    expect(compileErrors("grade * 2", { target: { type: "boolean", name: "done" } })).toEqual([
      "the expression is a number but the target state 'done' is a boolean",
    ]);
    expect(compileErrors("label", { target: { type: "number" } })).toEqual([
      "the expression is a string but the target state is a number",
    ]);
    expect(
      compileErrors("'pink'", { target: { type: "category", name: "color", categories: ["red", "blue"] } }),
    ).toEqual(["\"pink\" is not a category of the target state 'color' (red, blue)"]);
  });

  it("converts a boolean result for a number target to 1/0", () => {
    const c = compile("grade > 5", { target: { type: "number" } });
    if (!c.ok) throw new Error("compile failed");
    expect(c.value.type).toBe("number");
    expect(c.value.evaluate(context())).toBe(1);
  });

  it("checks a computed category at run time", () => {
    const target = { type: "category" as const, name: "color", categories: ["red", "green"] };
    const ctx = context();
    ctx.entityNum[5] = 0;
    expect(run("label if rush else 'red'", ctx, { target })).toBe("red");
    ctx.entityNum[5] = 1;
    const e = thrown(() => run("label if rush else 'red'", ctx, { target }));
    expect(e.code).toBe("invalid_category");
    expect(e.message).toBe(
      `value is not a category of the target state 'color' in "label if rush else 'red'" (line 1, column 1): "piece"`,
    );
  });
});

describe("scripts", () => {
  function script(source: string, label?: string) {
    const p = parseScript(source);
    if (!p.ok) throw new Error(`parse failed: ${JSON.stringify(p.issues)}`);
    const c = compileScript(p.value, resolve, { label });
    if (!c.ok) throw new Error(`compile failed: ${JSON.stringify(c.issues)}`);
    return c.value;
  }
  function scriptErrors(source: string): { line: number; message: string }[] {
    const p = parseScript(source);
    if (!p.ok) throw new Error(`parse failed: ${JSON.stringify(p.issues)}`);
    const c = compileScript(p.value, resolve);
    if (c.ok) throw new Error("expected compile errors");
    return c.issues.map(({ line, message }) => ({ line, message }));
  }

  it("runs the action-tour script: read polish_count, write twice its value", () => {
    const s = script('value = get_state("polish_count")\nset_state("polish_count", value * 2)');
    const ctx = context();
    s.run(ctx);
    expect(ctx.entityNum[3]).toBe(6);
    s.run(ctx);
    expect(ctx.entityNum[3]).toBe(12);
    expect(ctx.entityNum[0]).toBe(100); // the other entity is untouched
  });

  const LANES = [
    "if grade > 8:",
    "    lane = 1",
    "    if rush:",
    "        lane = 0",
    "elif grade > 4:",
    "    lane = 2",
    "    if not rush:",
    "        lane += 10",
    "    else:",
    "        pass",
    "else:",
    "    lane = 3",
    'set_state("total", lane)',
    'set_state("open", lane > 2)',
  ].join("\n");

  it.each([
    [9, 1, 0, 0],
    [9, 0, 1, 0],
    [7, 1, 2, 0],
    [7, 0, 12, 1],
    [2, 1, 3, 1],
  ])("nested if/elif/else: grade %d rush %d -> lane %d", (grade, rush, lane, open) => {
    const s = script(LANES);
    const ctx = context();
    ctx.entityNum[4] = grade;
    ctx.entityNum[5] = rush;
    s.run(ctx);
    expect(ctx.modelNum[0]).toBe(lane);
    expect(ctx.modelNum[2]).toBe(open);
  });

  it("writes every state type through set_state, reading model states by name", () => {
    const s = script(
      [
        'set_state("label", shift + "-" + label)',
        'set_state("color", "blue")',
        'set_state("rush", grade > total)',
        'set_state("grade", rush)',
        "n = get_state('total')",
        "n *= 2",
        "n -= 1",
        "n /= 2",
        "n //= 2",
        "n %= 5",
        'set_state("polish_count", n)',
        'set_state("shift", "night" if n else "day")',
      ].join("\n"),
    );
    const ctx = context();
    s.run(ctx);
    expect(ctx.entityStr.slice(2)).toEqual(["day-piece", "blue"]);
    expect([ctx.entityNum[3], ctx.entityNum[4], ctx.entityNum[5]]).toEqual([4, 0, 0]);
    expect(ctx.modelStr[0]).toBe("night");
  });

  it("concatenates onto a string local with +=", () => {
    const s = script('s = "a"\ns += label\nset_state("label", s)');
    const ctx = context();
    s.run(ctx);
    expect(ctx.entityStr[2]).toBe("apiece");
  });

  it("does nothing for an empty or pass-only script", () => {
    const ctx = context();
    script("").run(ctx);
    script("pass\n# only a comment").run(ctx);
    expect(ctx).toEqual(context());
  });

  it("names the line of a division by zero at run time", () => {
    const s = script(
      "x = 1\nif rush:\n    x = total % zero\nset_state('grade', x)",
      "activities[0].actions[2]",
    );
    const e = thrown(() => s.run(context()));
    expect(e.code).toBe("division_by_zero");
    expect(e.message).toBe('activities[0].actions[2]: division by zero in "total % zero" (line 3, column 9)');
  });

  it("reports unknown states, type errors and local misuse with their lines", () => {
    expect(
      scriptErrors(
        [
          'set_state("nope", 1)', // 1
          'x = get_state("missing")', // 2
          'set_state("grade", label)', // 3
          'set_state("rush", 1)', // 4
          'set_state("color", "pink")', // 5
          "grade = 3", // 6
          "y = y + 1", // 7
          "if rush:", // 8
          "    z = 1", // 9
          "elif z > 0:", // 10
          "    w = 2", // 11
          'set_state("total", z)', // 12
          'v = "text"', // 13
          "v = 2", // 14
          "u = 1", // 15
          "u = rush", // 16
          "t = rush", // 17
          "t = 1", // 18
        ].join("\n"),
      ),
    ).toEqual([
      { line: 1, message: "unknown state 'nope' in set_state" },
      { line: 2, message: "unknown state 'missing' in get_state" },
      { line: 3, message: "the value is a string but the target state 'grade' is a number" },
      { line: 4, message: "the value is a number but the target state 'rush' is a boolean" },
      { line: 5, message: "\"pink\" is not a category of the target state 'color' (red, green, blue)" },
      {
        line: 6,
        message: `'grade' is a state: use set_state("grade", …) to change it (a local cannot share a state's name)`,
      },
      { line: 7, message: "local 'y' is read before it is assigned (on some path)" },
      { line: 10, message: "local 'z' is read before it is assigned (on some path)" },
      { line: 12, message: "local 'z' is read before it is assigned (on some path)" },
      { line: 14, message: "local 'v' holds a string (since line 13); cannot assign a number" },
      { line: 18, message: "local 't' holds a boolean (since line 17); cannot assign a number" },
    ]);
  });

  it("treats a local assigned on every path as assigned after the if", () => {
    const s = script("if rush:\n    x = 1\nelif open:\n    x = 2\nelse:\n    x = 3\nset_state('grade', x)");
    const ctx = context();
    ctx.entityNum[5] = 0;
    s.run(ctx);
    expect(ctx.entityNum[4]).toBe(2);
  });
});
