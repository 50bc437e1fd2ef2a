/**
 * AST of the expression and script language (grammar in `expressions.ts`).
 * Every node keeps its position so compile and run-time errors can name the
 * line, the column and the source text.
 */
import type { ExprIssue } from "./expression-lexer.js";

export type ExprResult<T> = { ok: true; value: T } | { ok: false; issues: ExprIssue[] };

export type ArithOp = "+" | "-" | "*" | "/" | "%" | "//";
export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";
export type AugOp = "+=" | "-=" | "*=" | "/=" | "%=" | "//=";
export type ExprFunction = "abs" | "min" | "max" | "round" | "now";

/** Where a node starts (1-based line/column) and its source span (`end` exclusive). */
export interface Pos {
  line: number;
  column: number;
  start: number;
  end: number;
}

export type Expr =
  | (Pos & { kind: "number"; value: number })
  | (Pos & { kind: "string"; value: string })
  | (Pos & { kind: "boolean"; value: boolean })
  | (Pos & { kind: "name"; name: string })
  | (Pos & { kind: "get_state"; name: string })
  | (Pos & { kind: "unary"; op: "-" | "+" | "not"; operand: Expr })
  | (Pos & { kind: "binary"; op: ArithOp; left: Expr; right: Expr })
  | (Pos & { kind: "compare"; ops: CompareOp[]; operands: Expr[] })
  | (Pos & { kind: "logical"; op: "and" | "or"; left: Expr; right: Expr })
  | (Pos & { kind: "conditional"; test: Expr; body: Expr; orelse: Expr })
  | (Pos & { kind: "call"; fn: ExprFunction; args: Expr[] });

export type Stmt =
  | {
      kind: "assign";
      line: number;
      column: number;
      start: number;
      target: string;
      op: "=" | AugOp;
      value: Expr;
    }
  | { kind: "set_state"; line: number; column: number; name: string; value: Expr }
  | { kind: "pass"; line: number; column: number }
  | {
      kind: "if";
      line: number;
      column: number;
      branches: { test: Expr; body: Stmt[] }[];
      orelse: Stmt[];
    };

export interface ParsedExpression {
  kind: "expression";
  source: string;
  ast: Expr;
}

export interface ParsedScript {
  kind: "script";
  source: string;
  body: Stmt[];
}
