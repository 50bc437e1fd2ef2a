/**
 * (Over 400 lines: one builder and the flat tables it fills; the table
 * declarations and their growable columns are half of it.)
 *
 * Compiles the state logic of a model (states, modifications, conditions,
 * expressions, scripts, loops) into flat tables the runtime reads by index.
 * Built only when the model declares states or uses entity logic, so a
 * plain model (M/M/3) carries `logic: null` and pays nothing.
 *
 * Slots: numbers and booleans (1/0) in numeric slots, strings and categories
 * in string slots, numbered per scope in declaration order (the same
 * numbering as `StateTable.resolve`, so compiled expressions and these tables
 * agree). Entity numeric rows hold, after the declared states, the
 * `loop_index` slot and one counter per loop action.
 */
import { parseExpression, parseScript } from "./model/expressions.js";
import { Issues } from "./model/issues.js";
import { nestedActionLists, stateInitialValue } from "./model/normalize.js";
import { LOOP_INDEX_NAME, readStates, type StateTable } from "./model/states.js";
import type {
  Action,
  QuodsiModel,
  StateCondition,
  StateDeclaration,
  StateModification,
  StateValue,
} from "./model/wire.js";
import { compileExpression, compileScript, type CompiledScript, type StateBinding } from "./runtime/expr.js";
import type { BoolFn, NumFn, StrFn } from "./runtime/expr-types.js";

/** Comparison of a StateCondition. */
export const enum Cmp {
  Eq = 0,
  Ne = 1,
  Gt = 2,
  Ge = 3,
  Lt = 4,
  Le = 5,
}
const CMP: Record<string, Cmp> = {
  equal: Cmp.Eq,
  not_equal: Cmp.Ne,
  greater_than: Cmp.Gt,
  greater_equal: Cmp.Ge,
  less_than: Cmp.Lt,
  less_equal: Cmp.Le,
};

/** What a modification does with its operand. */
export const enum ModOp {
  Assign = 0,
  Add = 1,
  Subtract = 2,
  Multiply = 3,
  Divide = 4,
}
const MOD_OP: Record<string, ModOp> = {
  assign: ModOp.Assign,
  sample: ModOp.Assign,
  add: ModOp.Add,
  subtract: ModOp.Subtract,
  multiply: ModOp.Multiply,
  divide: ModOp.Divide,
};

/** Where a modification's operand comes from. */
export const enum Operand {
  Value = 0,
  NumExpr = 1,
  BoolExpr = 2,
  Uniform = 3,
  Triangular = 4,
  Normal = 5,
  Exponential = 6,
  Bernoulli = 7,
  Categorical = 8,
}

/** Scope of a slot: entity row, model (replication-wide), one resource's or one activity's row. */
export const enum Scope {
  Entity = 0,
  Model = 1,
  Resource = 2,
  Activity = 3,
}

/**
 * The resource- or activity-scoped states of a model: one row of slots per
 * resource (activity), numbered like the model states (numbers and booleans,
 * then strings and categories, in declaration order), every row starting at
 * the declared initial values.
 */
export interface ScopedStates {
  /** The resource (activity) ids, in model order: row r is ids[r]. */
  ids: string[];
  numInit: Float64Array;
  strInit: string[];
  numNames: string[];
  strNames: string[];
}

export interface CompiledLogic {
  /** Numeric / string slots per entity (stride of the entity rows). */
  entNumStride: number;
  entStrStride: number;
  /** Initial values of the declared entity states (length = declared count; hidden slots start at 0). */
  entNumInit: Float64Array;
  entStrInit: string[];
  modelNumInit: Float64Array;
  modelStrInit: string[];
  modelNumNames: string[];
  modelStrNames: string[];
  /** Declared entity number/boolean states: names (results averaged at exit per type). */
  entNumNames: string[];
  /** Slot of `loop_index` in the entity row. */
  loopIndexSlot: number;
  /** Resource- and activity-scoped states; null when the model declares none of that scope. */
  resourceStates: ScopedStates | null;
  activityStates: ScopedStates | null;

  // Conditions
  condScope: Uint8Array;
  condSlot: Int32Array;
  /** 1 when the state is a string or category (compare cond values as strings, numerically when both parse). */
  condIsStr: Uint8Array;
  condCmp: Uint8Array;
  condNum: Float64Array;
  condStr: string[];
  /** Resource/activity states: the row (componentId, else the activity compiled around it; see `at`); -1 reads the entity's current activity. */
  condInst: Int32Array;

  // Modifications; a list is [start, start+count).
  modScope: Uint8Array;
  modSlot: Int32Array;
  modIsStr: Uint8Array;
  modOp: Uint8Array;
  modOperand: Uint8Array;
  /** Value operand (numeric) or sample parameters p0..p2. */
  modP0: Float64Array;
  modP1: Float64Array;
  modP2: Float64Array;
  modStrVal: string[];
  modStream: Int32Array;
  modNumFn: Array<NumFn | null>;
  modBoolFn: Array<BoolFn | null>;
  /** Categorical samples: keys and cumulative probabilities. */
  modCatKeys: Array<string[] | null>;
  modCatCum: Array<Float64Array | null>;
  /** Resource/activity states: the row written, as condInst. */
  modInst: Int32Array;
  /** Category target: its categories, for a string written by a script (checked by the script compiler). */
  listStart: Int32Array;
  listCount: Int32Array;
  /** Action path per list, for run-time error messages. */
  listPath: string[];
  /** Initial-state list per generator, -1 for none. */
  genInitList: Int32Array;

  // Loops
  loopCounter: Int32Array;
  loopCount: Int32Array;
  /** Counter slot of the enclosing loop, -1 at top level (restored into loop_index on exit). */
  loopOuter: Int32Array;

  // Scripts
  scripts: CompiledScript[];
  scriptPath: string[];

  /** Model numeric slots a script may write (all of them): tracked after each script run. */
  hasModelNum: boolean;

  /** Queue ranking per activity: entity numeric slot, -1 for FIFO; descending flag. */
  rankSlot: Int32Array;
  rankDesc: Uint8Array;
}

/** True when the model needs the logic tables (states declared or any logic feature used). */
export function usesLogic(model: QuodsiModel): boolean {
  if ((model.states ?? []).length > 0) return true;
  const walk = (list: readonly Action[] | null | undefined): boolean =>
    (list ?? []).some(
      (a) =>
        a.type === "assign" ||
        a.type === "script" ||
        a.type === "loop" ||
        a.type === "branch" ||
        nestedActionLists(a).some(([, l]) => walk(l)),
    );
  return (model.activities ?? []).some((a) => walk(a.actions));
}

const toNum = (type: string, v: StateValue): number => {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (type === "boolean") return String(v).trim().toLowerCase() === "true" ? 1 : 0;
  return Number(v);
};

/**
 * Builds the logic tables while compile.ts emits ops: it hands out indices
 * of conditions, modification lists, loops and scripts.
 */
export class LogicBuilder {
  readonly states: StateTable;
  private readonly decl = new Map<string, StateDeclaration>();
  private readonly bindings = new Map<string, StateBinding>();
  /** Resource- and activity-scoped states by id. */
  private readonly scoped = new Map<string, { scope: Scope; slot: number; type: StateBinding["type"] }>();
  private readonly resourceRow: Map<string, number>;
  private readonly activityRow: Map<string, number>;
  readonly L: CompiledLogic;
  private loopDepthSlots: number[] = [];
  private nextCounter: number;
  private readonly stream: (key: string) => number;

  constructor(model: QuodsiModel, stream: (key: string) => number) {
    this.stream = stream;
    this.states = readStates(model.states, new Issues());
    for (const s of model.states ?? []) this.decl.set(s.id, s);
    const init = (scope: "model" | "entity") => {
      const num: number[] = [];
      const str: string[] = [];
      const numNames: string[] = [];
      const strNames: string[] = [];
      for (const s of this.states.byName[scope].values()) {
        const d = this.decl.get(s.id)!;
        const v = stateInitialValue(d);
        if (s.type === "number" || s.type === "boolean") {
          num.push(toNum(s.type, v));
          numNames.push(s.name);
        } else {
          str.push(String(v));
          strNames.push(s.name);
        }
        this.bindings.set(s.id, this.states.resolveScoped(s)!);
      }
      return { num, str, numNames, strNames };
    };
    const m = init("model");
    const e = init("entity");
    const scopedInit = (scope: "resource" | "activity", ids: string[]): ScopedStates | null => {
      const out: ScopedStates = {
        ids,
        numInit: new Float64Array(0),
        strInit: [],
        numNames: [],
        strNames: [],
      };
      const num: number[] = [];
      for (const s of this.states.byName[scope].values()) {
        const v = stateInitialValue(this.decl.get(s.id)!);
        const numeric = s.type === "number" || s.type === "boolean";
        const slot = numeric ? num.length : out.strInit.length;
        this.scoped.set(s.id, {
          scope: scope === "resource" ? Scope.Resource : Scope.Activity,
          slot,
          type: s.type,
        });
        if (numeric) {
          num.push(toNum(s.type, v));
          out.numNames.push(s.name);
        } else {
          out.strInit.push(String(v));
          out.strNames.push(s.name);
        }
      }
      out.numInit = Float64Array.from(num);
      return num.length + out.strInit.length > 0 ? out : null;
    };
    const resourceIds = (model.resources ?? []).map((r) => r.id);
    const activityIds = (model.activities ?? []).map((a) => a.id);
    this.resourceRow = new Map(resourceIds.map((id, i) => [id, i]));
    this.activityRow = new Map(activityIds.map((id, i) => [id, i]));
    const loopIndexSlot = e.num.length;
    this.nextCounter = loopIndexSlot + 1;
    this.L = {
      entNumStride: loopIndexSlot + 1,
      entStrStride: e.str.length,
      entNumInit: Float64Array.from(e.num),
      entStrInit: e.str,
      modelNumInit: Float64Array.from(m.num),
      modelStrInit: m.str,
      modelNumNames: m.numNames,
      modelStrNames: m.strNames,
      entNumNames: e.numNames,
      loopIndexSlot,
      resourceStates: scopedInit("resource", resourceIds),
      activityStates: scopedInit("activity", activityIds),
      condInst: new Int32Array(0),
      modInst: new Int32Array(0),
      condScope: new Uint8Array(0),
      condSlot: new Int32Array(0),
      condIsStr: new Uint8Array(0),
      condCmp: new Uint8Array(0),
      condNum: new Float64Array(0),
      condStr: [],
      modScope: new Uint8Array(0),
      modSlot: new Int32Array(0),
      modIsStr: new Uint8Array(0),
      modOp: new Uint8Array(0),
      modOperand: new Uint8Array(0),
      modP0: new Float64Array(0),
      modP1: new Float64Array(0),
      modP2: new Float64Array(0),
      modStrVal: [],
      modStream: new Int32Array(0),
      modNumFn: [],
      modBoolFn: [],
      modCatKeys: [],
      modCatCum: [],
      listStart: new Int32Array(0),
      listCount: new Int32Array(0),
      listPath: [],
      genInitList: new Int32Array(0),
      loopCounter: new Int32Array(0),
      loopCount: new Int32Array(0),
      loopOuter: new Int32Array(0),
      scripts: [],
      scriptPath: [],
      hasModelNum: m.num.length > 0,
      rankSlot: new Int32Array(0),
      rankDesc: new Uint8Array(0),
    };
  }

  // Growable columns, frozen into typed arrays by finish().
  private c = {
    condScope: [] as number[],
    condSlot: [] as number[],
    condIsStr: [] as number[],
    condCmp: [] as number[],
    condNum: [] as number[],
    condInst: [] as number[],
    modInst: [] as number[],
    modScope: [] as number[],
    modSlot: [] as number[],
    modIsStr: [] as number[],
    modOp: [] as number[],
    modOperand: [] as number[],
    modP0: [] as number[],
    modP1: [] as number[],
    modP2: [] as number[],
    modStream: [] as number[],
    listStart: [] as number[],
    listCount: [] as number[],
    loopCounter: [] as number[],
    loopCount: [] as number[],
    loopOuter: [] as number[],
    genInitList: [] as number[],
    rankSlot: [] as number[],
    rankDesc: [] as number[],
  };

  /** The activity being compiled (its actions, or its departure), -1 outside any: see `at`. */
  private here = -1;

  /**
   * The activity whose actions or departure are compiled next. An activity
   * state that a condition or modification does not name (componentId) is
   * this activity's, resolved here once: also for the modifications of the
   * entities a create, split or join makes, which are not in an activity yet.
   */
  at(activity: number): void {
    this.here = activity;
  }

  /** The slot of state `id` in any scope, and the row of a resource/activity state. */
  private slotOf(
    id: string,
    componentId: unknown,
  ): { scope: Scope; slot: number; type: StateBinding["type"]; inst: number } {
    const sc = this.scoped.get(id);
    if (sc) {
      const rows = sc.scope === Scope.Resource ? this.resourceRow : this.activityRow;
      const named = typeof componentId === "string" && componentId !== "";
      const inst = named ? rows.get(componentId)! : sc.scope === Scope.Activity ? this.here : -1;
      return { ...sc, inst };
    }
    const b = this.bindings.get(id)!;
    return { scope: b.scope === "entity" ? Scope.Entity : Scope.Model, slot: b.slot, type: b.type, inst: -1 };
  }

  /** A validated StateCondition -> condition index. */
  condition(c: StateCondition): number {
    const b = this.slotOf(c.stateId, c.componentId);
    const isStr = b.type === "string" || b.type === "category";
    this.c.condScope.push(b.scope);
    this.c.condInst.push(b.inst);
    this.c.condSlot.push(b.slot);
    this.c.condIsStr.push(isStr ? 1 : 0);
    this.c.condCmp.push(CMP[c.comparison]);
    const v = c.value;
    if (isStr) {
      const s = String(v);
      this.L.condStr.push(s);
      this.c.condNum.push(s.trim() === "" ? NaN : Number(s));
    } else {
      this.L.condStr.push("");
      this.c.condNum.push(toNum(b.type, v));
    }
    return this.c.condScope.length - 1;
  }

  /** A validated list of modifications -> list index; `key` names its random streams and errors. */
  modifications(list: readonly StateModification[], key: string): number {
    const start = this.c.modScope.length;
    list.forEach((m, k) => this.modification(m, `${key}/modifications[${k}]`));
    this.c.listStart.push(start);
    this.c.listCount.push(list.length);
    this.L.listPath.push(key);
    return this.c.listStart.length - 1;
  }

  private modification(m: StateModification, key: string): void {
    const b = this.slotOf(m.stateId, m.componentId);
    const isStr = b.type === "string" || b.type === "category";
    const c = this.c;
    c.modScope.push(b.scope);
    c.modInst.push(b.inst);
    c.modSlot.push(b.slot);
    c.modIsStr.push(isStr ? 1 : 0);
    c.modOp.push(MOD_OP[m.operation]);
    let operand = Operand.Value;
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    let strVal = "";
    let stream = -1;
    let numFn: NumFn | null = null;
    let boolFn: BoolFn | null = null;
    let catKeys: string[] | null = null;
    let catCum: Float64Array | null = null;
    if (m.expression !== undefined && m.expression !== null) {
      const parsed = parseExpression(m.expression);
      if (!parsed.ok) throw new Error(`unreachable: invalid expression at ${key} passed validation`);
      const compiled = compileExpression(parsed.value, this.states.resolve, {
        target: { type: b.type },
        label: key,
      });
      if (!compiled.ok) throw new Error(`unreachable: expression at ${key} does not compile`);
      const ce = compiled.value;
      if (ce.type === "number") {
        operand = Operand.NumExpr;
        numFn = ce.evaluate;
      } else if (ce.type === "boolean") {
        operand = Operand.BoolExpr;
        boolFn = ce.evaluate;
      } else throw new Error(`unreachable: string expression at ${key}`);
    } else if (m.sample !== undefined && m.sample !== null) {
      const s = m.sample;
      stream = this.stream(key);
      switch (s.distribution) {
        case "uniform":
          operand = Operand.Uniform;
          p0 = s.min;
          p1 = s.max;
          break;
        case "triangular":
          operand = Operand.Triangular;
          p0 = s.min;
          p1 = s.mode;
          p2 = s.max;
          break;
        case "normal":
          operand = Operand.Normal;
          p0 = s.mean;
          p1 = s.std;
          break;
        case "exponential":
          operand = Operand.Exponential;
          p0 = s.scale;
          break;
        case "bernoulli":
          operand = Operand.Bernoulli;
          p0 = s.p;
          break;
        case "categorical": {
          operand = Operand.Categorical;
          catKeys = Object.keys(s.probabilities);
          let acc = 0;
          catCum = Float64Array.from(catKeys, (k) => (acc += s.probabilities[k]));
          break;
        }
        default:
          // Constant: a literal of the state's type.
          if (isStr) strVal = String(s.value);
          else p0 = toNum(b.type, s.value);
      }
    } else if (isStr) strVal = String(m.value);
    else p0 = toNum(b.type, m.value);
    c.modOperand.push(operand);
    c.modP0.push(p0);
    c.modP1.push(p1);
    c.modP2.push(p2);
    c.modStream.push(stream);
    this.L.modStrVal.push(strVal);
    this.L.modNumFn.push(numFn);
    this.L.modBoolFn.push(boolFn);
    this.L.modCatKeys.push(catKeys);
    this.L.modCatCum.push(catCum);
  }

  /** Opens a loop -> loop index; close it with endLoop after emitting its body. */
  beginLoop(count: number): number {
    const slot = this.nextCounter++;
    this.L.entNumStride = this.nextCounter;
    const outer = this.loopDepthSlots.length ? this.loopDepthSlots[this.loopDepthSlots.length - 1] : -1;
    this.loopDepthSlots.push(slot);
    this.c.loopCounter.push(slot);
    this.c.loopCount.push(count);
    this.c.loopOuter.push(outer);
    return this.c.loopCounter.length - 1;
  }

  endLoop(): void {
    this.loopDepthSlots.pop();
  }

  /** A validated script source -> script index. */
  script(source: string, key: string): number {
    const parsed = parseScript(source);
    if (!parsed.ok) throw new Error(`unreachable: invalid script at ${key} passed validation`);
    const compiled = compileScript(parsed.value, this.states.resolve, { label: key });
    if (!compiled.ok) throw new Error(`unreachable: script at ${key} does not compile`);
    this.L.scripts.push(compiled.value);
    this.L.scriptPath.push(key);
    return this.L.scripts.length - 1;
  }

  genInit(list: readonly StateModification[] | null | undefined, key: string): void {
    this.c.genInitList.push(list && list.length ? this.modifications(list, key) : -1);
  }

  /** The slot of a validated entity state named in split/join/create fields (numeric row or string row). */
  entityState(name: string): { slot: number; numeric: boolean } {
    const s = this.states.byName.entity.get(name)!;
    const b = this.bindings.get(s.id)!;
    return { slot: b.slot, numeric: b.type === "number" || b.type === "boolean" };
  }

  /** Queue ranking of the next activity (in activity order). */
  ranking(r: unknown): void {
    let slot = -1;
    let desc = 0;
    if (typeof r === "object" && r !== null && "stateId" in r) {
      const q = r as { stateId: string; order?: string | null };
      const b = this.bindings.get(q.stateId);
      if (b && b.scope === "entity" && (b.type === "number" || b.type === "boolean")) slot = b.slot;
      desc = q.order === "descending" ? 1 : 0;
    }
    this.c.rankSlot.push(slot);
    this.c.rankDesc.push(desc);
  }

  finish(): CompiledLogic {
    const c = this.c;
    const L = this.L;
    L.condScope = Uint8Array.from(c.condScope);
    L.condSlot = Int32Array.from(c.condSlot);
    L.condIsStr = Uint8Array.from(c.condIsStr);
    L.condCmp = Uint8Array.from(c.condCmp);
    L.condNum = Float64Array.from(c.condNum);
    L.condInst = Int32Array.from(c.condInst);
    L.modInst = Int32Array.from(c.modInst);
    L.modScope = Uint8Array.from(c.modScope);
    L.modSlot = Int32Array.from(c.modSlot);
    L.modIsStr = Uint8Array.from(c.modIsStr);
    L.modOp = Uint8Array.from(c.modOp);
    L.modOperand = Uint8Array.from(c.modOperand);
    L.modP0 = Float64Array.from(c.modP0);
    L.modP1 = Float64Array.from(c.modP1);
    L.modP2 = Float64Array.from(c.modP2);
    L.modStream = Int32Array.from(c.modStream);
    L.listStart = Int32Array.from(c.listStart);
    L.listCount = Int32Array.from(c.listCount);
    L.loopCounter = Int32Array.from(c.loopCounter);
    L.loopCount = Int32Array.from(c.loopCount);
    L.loopOuter = Int32Array.from(c.loopOuter);
    L.genInitList = Int32Array.from(c.genInitList);
    L.rankSlot = Int32Array.from(c.rankSlot);
    L.rankDesc = Uint8Array.from(c.rankDesc);
    return L;
  }
}

export { LOOP_INDEX_NAME };
export type { StrFn };
