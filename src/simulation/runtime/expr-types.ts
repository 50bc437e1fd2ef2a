/**
 * Types shared by the expression compiler, the script compiler and the
 * engine: how states are bound to slots, the evaluation context, the
 * compiled forms and the run-time error.
 */
export type StateType = "number" | "boolean" | "string" | "category";
export type ValueType = "number" | "boolean" | "string";

/**
 * Where a state lives: numbers and booleans (1/0) in the numeric slots,
 * strings and categories in the string slots.
 */
export interface StateBinding {
  scope: "entity" | "model";
  slot: number;
  type: StateType;
  categories?: readonly string[];
}

/** Maps a state name to its slot (entity first, then model, per Q10), or undefined if no such state. */
export type StateResolver = (name: string) => StateBinding | undefined;

/**
 * What an evaluation reads. The engine keeps one context and moves the bases
 * to the current entity's row (stride layout), so evaluating allocates nothing.
 */
export interface EvalContext {
  entityNum: Float64Array;
  entityNumBase: number;
  entityStr: string[];
  entityStrBase: number;
  modelNum: Float64Array;
  modelStr: string[];
  now: number;
}

/** A context with every field set (one hidden class), empty unless given. */
export function createEvalContext(init: Partial<EvalContext> = {}): EvalContext {
  return {
    entityNum: init.entityNum ?? new Float64Array(0),
    entityNumBase: init.entityNumBase ?? 0,
    entityStr: init.entityStr ?? [],
    entityStrBase: init.entityStrBase ?? 0,
    modelNum: init.modelNum ?? new Float64Array(0),
    modelStr: init.modelStr ?? [],
    now: init.now ?? 0,
  };
}

export type NumFn = (c: EvalContext) => number;
export type BoolFn = (c: EvalContext) => boolean;
export type StrFn = (c: EvalContext) => string;
export type Typed = { t: "number"; f: NumFn } | { t: "boolean"; f: BoolFn } | { t: "string"; f: StrFn };

export type CompiledExpression =
  | { readonly type: "number"; readonly evaluate: NumFn }
  | { readonly type: "boolean"; readonly evaluate: BoolFn }
  | { readonly type: "string"; readonly evaluate: StrFn };

export type ExpressionErrorCode = "division_by_zero" | "invalid_category" | "invalid_argument";

/** A run-time failure of an expression or script; the message names the expression and its position. */
export class ExpressionError extends Error {
  override name = "ExpressionError";
  constructor(
    readonly code: ExpressionErrorCode,
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** The state type a value is written to, with its name for messages. */
export interface TargetSpec {
  type: StateType;
  name?: string;
  categories?: readonly string[];
}

export interface CompileOptions {
  /** Checks the result type against the target (number accepts booleans as 1/0) and categories. */
  target?: TargetSpec;
  /** Prefix of run-time error messages, e.g. the model path of the expression. */
  label?: string;
}
