import { Cmp, ModOp, Operand, Scope, type CompiledLogic } from "../compile-logic.js";
import type { RandomStreams } from "../rng.js";
import type { ModelStateResult } from "../types.js";
import type { Clock } from "./clock.js";
import type { EntityStore } from "./entities.js";
import { ModelRuntimeError } from "./errors.js";
import { createEvalContext, type EvalContext } from "./expr.js";
import { ScopedStateBank } from "./scoped-states.js";

/**
 * The state logic of one replication: model state values (reset at the
 * start of each replication), entity state rows (in the EntityStore),
 * conditions, modifications, loop counters and scripts. Only built when the
 * model declares states (CompiledModel.logic), so plain models never touch it.
 *
 * Run-time failures (division by zero in an expression or a `divide`, a
 * computed category outside its list) end the replication with a
 * ModelRuntimeError naming the action path (the scenario is RAN_WITH_ERRORS).
 *
 * Random draws of `sample` operands use one stream per modification (keyed
 * by its action path), like durations, so a replication is reproducible.
 */
export class Logic {
  declare private readonly L: CompiledLogic;
  declare private readonly ents: EntityStore;
  declare private readonly clock: Clock;
  declare private readonly rng: RandomStreams;
  declare readonly ctx: EvalContext;
  declare readonly modelNum: Float64Array;
  declare readonly modelStr: string[];
  /** Time-weighted statistics of the model number states (from the end of the warm-up). */
  declare private readonly area: Float64Array;
  declare private readonly min: Float64Array;
  declare private readonly max: Float64Array;
  declare private readonly last: Float64Array;
  /** Model number values before a script runs (scratch, so running a script allocates nothing). */
  declare private readonly before: Float64Array;
  declare private statStart: number;
  /** Sum of each entity number state at exit, per entity type: [type * n + k]. */
  declare private readonly exitSum: Float64Array;
  declare private readonly exitCount: Float64Array;
  /** Resource- and activity-scoped states (scoped-states.ts); null when none of that scope is declared. */
  declare readonly resourceBank: ScopedStateBank | null;
  declare readonly activityBank: ScopedStateBank | null;

  constructor(L: CompiledLogic, ents: EntityStore, clock: Clock, rng: RandomStreams, types: number) {
    this.L = L;
    this.ents = ents;
    this.clock = clock;
    this.rng = rng;
    this.modelNum = Float64Array.from(L.modelNumInit);
    this.modelStr = L.modelStrInit.slice();
    this.ctx = createEvalContext({ modelNum: this.modelNum, modelStr: this.modelStr });
    const n = this.modelNum.length;
    this.area = new Float64Array(n);
    this.min = Float64Array.from(this.modelNum);
    this.max = Float64Array.from(this.modelNum);
    this.last = new Float64Array(n);
    this.before = new Float64Array(n);
    this.statStart = 0;
    this.exitSum = new Float64Array(types * L.entNumNames.length);
    this.exitCount = new Float64Array(types);
    this.resourceBank = L.resourceStates ? new ScopedStateBank(L.resourceStates, clock) : null;
    this.activityBank = L.activityStates ? new ScopedStateBank(L.activityStates, clock) : null;
  }

  /** Points the evaluation context at entity `e` (its row may have moved since the pool grew). */
  bind(e: number): EvalContext {
    const c = this.ctx;
    const ents = this.ents;
    c.entityNum = ents.num;
    c.entityNumBase = e * ents.numStride;
    c.entityStr = ents.str;
    c.entityStrBase = e * ents.strStride;
    c.now = this.clock.now;
    return c;
  }

  /** A new entity: declared initial values, then its generator's `initialStates` (g = -1: none). */
  born(e: number, g: number): void {
    const L = this.L;
    const ents = this.ents;
    const nb = e * ents.numStride;
    const init = L.entNumInit;
    const num = ents.num;
    for (let k = 0; k < init.length; k++) num[nb + k] = init[k];
    for (let k = init.length; k < ents.numStride; k++) num[nb + k] = 0;
    const sb = e * ents.strStride;
    for (let k = 0; k < ents.strStride; k++) ents.str[sb + k] = L.entStrInit[k];
    if (g >= 0) {
      const list = L.genInitList[g];
      if (list >= 0) this.apply(list, e);
    }
  }

  /** The entity leaves the system: its number states count toward the per-type averages at exit. */
  exit(e: number, type: number): void {
    if (!this.clock.inStats) return;
    const n = this.L.entNumNames.length;
    const nb = e * this.ents.numStride;
    const num = this.ents.num;
    for (let k = 0; k < n; k++) this.exitSum[type * n + k] += num[nb + k];
    this.exitCount[type]++;
  }

  /** Evaluates condition `c` for entity `e`. */
  test(c: number, e: number): boolean {
    const L = this.L;
    const slot = L.condSlot[c];
    const scope = L.condScope[c];
    const entity = scope === Scope.Entity;
    let a: number;
    const b = L.condNum[c];
    if (L.condIsStr[c] === 0) {
      a = entity
        ? this.ents.num[e * this.ents.numStride + slot]
        : scope === Scope.Model
          ? this.modelNum[slot]
          : this.scopedNum(scope, L.condInst[c], e, slot);
    } else {
      const s = entity
        ? this.ents.str[e * this.ents.strStride + slot]
        : scope === Scope.Model
          ? this.modelStr[slot]
          : this.scopedStr(scope, L.condInst[c], e, slot);
      const x = s.trim() === "" ? NaN : Number(s);
      // Numeric strings compare as numbers, other strings lexically (§2.10).
      if (Number.isNaN(x) || Number.isNaN(b)) {
        const t = L.condStr[c];
        switch (L.condCmp[c]) {
          case Cmp.Eq:
            return s === t;
          case Cmp.Ne:
            return s !== t;
          case Cmp.Gt:
            return s > t;
          case Cmp.Ge:
            return s >= t;
          case Cmp.Lt:
            return s < t;
          default:
            return s <= t;
        }
      }
      a = x;
    }
    switch (L.condCmp[c]) {
      case Cmp.Eq:
        return a === b;
      case Cmp.Ne:
        return a !== b;
      case Cmp.Gt:
        return a > b;
      case Cmp.Ge:
        return a >= b;
      case Cmp.Lt:
        return a < b;
      default:
        return a <= b;
    }
  }

  /** Applies modification list `list` to entity `e` (and model states), in order. */
  apply(list: number, e: number): void {
    const L = this.L;
    const start = L.listStart[list];
    const end = start + L.listCount[list];
    for (let i = start; i < end; i++) {
      const scope = L.modScope[i];
      if (scope >= Scope.Resource) {
        this.applyScoped(i, e, list);
        continue;
      }
      const entity = scope === Scope.Entity;
      const slot = L.modSlot[i];
      if (L.modIsStr[i] === 1) {
        const v = this.strOperand(i);
        if (entity) this.ents.str[e * this.ents.strStride + slot] = v;
        else this.modelStr[slot] = v;
        continue;
      }
      const idx = entity ? e * this.ents.numStride + slot : slot;
      const arr = entity ? this.ents.num : this.modelNum;
      const x = this.numOperand(i, e, list);
      let v: number;
      switch (L.modOp[i]) {
        case ModOp.Assign:
          v = x;
          break;
        case ModOp.Add:
          v = arr[idx] + x;
          break;
        case ModOp.Subtract:
          v = arr[idx] - x;
          break;
        case ModOp.Multiply:
          v = arr[idx] * x;
          break;
        default:
          if (x === 0)
            throw new ModelRuntimeError(
              `${L.listPath[list]}: division by zero (divide operation at simulated time ${this.clock.now})`,
            );
          v = arr[idx] / x;
      }
      if (entity) arr[idx] = v;
      else this.setModelNum(slot, v);
    }
  }

  // --- resource- and activity-scoped states (only reached when the model declares some)

  /** The row of a resource or activity state: the named one (componentId), or the entity's current activity. */
  private row(inst: number, e: number): number {
    return inst >= 0 ? inst : this.ents.act[e];
  }

  private bank(scope: number): ScopedStateBank {
    return (scope === Scope.Resource ? this.resourceBank : this.activityBank)!;
  }

  private scopedNum(scope: number, inst: number, e: number, slot: number): number {
    const b = this.bank(scope);
    return b.num[this.row(inst, e) * b.numStride + slot];
  }

  private scopedStr(scope: number, inst: number, e: number, slot: number): string {
    const b = this.bank(scope);
    return b.str[this.row(inst, e) * b.strStride + slot];
  }

  /** Modification `i` of list `list` on a resource or activity state, for entity `e`. */
  private applyScoped(i: number, e: number, list: number): void {
    const L = this.L;
    const scope = L.modScope[i];
    const b = this.bank(scope);
    const row = this.row(L.modInst[i], e);
    const slot = L.modSlot[i];
    if (L.modIsStr[i] === 1) {
      b.str[row * b.strStride + slot] = this.strOperand(i);
      return;
    }
    if (!b.modify(row, slot, L.modOp[i], this.numOperand(i, e, list)))
      throw new ModelRuntimeError(
        `${L.listPath[list]}: division by zero (divide operation at simulated time ${this.clock.now})`,
      );
  }

  private numOperand(i: number, e: number, list: number): number {
    const L = this.L;
    const p0 = L.modP0[i];
    switch (L.modOperand[i]) {
      case Operand.Value:
        return p0;
      case Operand.NumExpr:
      case Operand.BoolExpr:
        try {
          return L.modOperand[i] === Operand.NumExpr
            ? L.modNumFn[i]!(this.bind(e))
            : L.modBoolFn[i]!(this.bind(e))
              ? 1
              : 0;
        } catch (err) {
          throw this.runtimeError(L.listPath[list], err);
        }
      case Operand.Uniform:
        return p0 + (L.modP1[i] - p0) * this.rng.next(L.modStream[i]);
      case Operand.Triangular: {
        const u = this.rng.next(L.modStream[i]);
        const a = p0;
        const c = L.modP1[i];
        const b = L.modP2[i];
        const f = b > a ? (c - a) / (b - a) : 0;
        return u < f ? a + Math.sqrt(u * (b - a) * (c - a)) : b - Math.sqrt((1 - u) * (b - a) * (b - c));
      }
      case Operand.Normal: {
        const s = L.modStream[i];
        const u1 = 1 - this.rng.next(s);
        const u2 = this.rng.next(s);
        return p0 + L.modP1[i] * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      }
      case Operand.Exponential:
        return -p0 * Math.log(1 - this.rng.next(L.modStream[i]));
      case Operand.Bernoulli:
        return this.rng.next(L.modStream[i]) < p0 ? 1 : 0;
      default:
        return p0;
    }
  }

  private strOperand(i: number): string {
    const L = this.L;
    if (L.modOperand[i] !== Operand.Categorical) return L.modStrVal[i];
    const keys = L.modCatKeys[i]!;
    const cum = L.modCatCum[i]!;
    const u = this.rng.next(L.modStream[i]) * cum[cum.length - 1];
    let k = 0;
    while (k < keys.length - 1 && u >= cum[k]) k++;
    return keys[k];
  }

  /** Loop `l` starts: its counter and loop_index are 0. */
  loopStart(l: number, e: number): void {
    const base = e * this.ents.numStride;
    this.ents.num[base + this.L.loopCounter[l]] = 0;
    this.ents.num[base + this.L.loopIndexSlot] = 0;
  }

  /** Loop `l` ends an iteration: true to run the body again (loop_index updated), else loop_index returns to the enclosing loop's. */
  loopNext(l: number, e: number): boolean {
    const L = this.L;
    const num = this.ents.num;
    const base = e * this.ents.numStride;
    const k = ++num[base + L.loopCounter[l]];
    if (k < L.loopCount[l]) {
      num[base + L.loopIndexSlot] = k;
      return true;
    }
    const outer = L.loopOuter[l];
    num[base + L.loopIndexSlot] = outer >= 0 ? num[base + outer] : 0;
    return false;
  }

  /** Runs script `s` on entity `e`; model number states written by it update their statistics. */
  script(s: number, e: number): void {
    const L = this.L;
    const before = this.before;
    if (L.hasModelNum) before.set(this.modelNum);
    try {
      L.scripts[s].run(this.bind(e));
    } catch (err) {
      throw this.runtimeError(L.scriptPath[s], err);
    }
    if (L.hasModelNum) {
      const now = this.modelNum;
      for (let k = 0; k < now.length; k++) {
        if (now[k] !== before[k]) {
          const v = now[k];
          now[k] = before[k];
          this.setModelNum(k, v);
        }
      }
    }
  }

  /** The entity number state in `slot` (queue ranking). */
  entityNum(e: number, slot: number): number {
    return this.ents.num[e * this.ents.numStride + slot];
  }

  private setModelNum(k: number, v: number): void {
    const now = this.clock.now;
    if (this.clock.inStats) {
      this.area[k] += this.modelNum[k] * (now - this.last[k]);
      this.last[k] = now;
      if (v < this.min[k]) this.min[k] = v;
      if (v > this.max[k]) this.max[k] = v;
    }
    this.modelNum[k] = v;
  }

  private runtimeError(path: string, err: unknown): Error {
    if (err instanceof ModelRuntimeError) return err;
    const msg = err instanceof Error ? err.message : String(err);
    return new ModelRuntimeError(`${path}: ${msg} (simulated time ${this.clock.now})`);
  }

  /** Warm-up over: statistics restart from the current values. */
  reset(): void {
    const now = this.clock.now;
    this.statStart = now;
    for (let k = 0; k < this.modelNum.length; k++) {
      this.area[k] = 0;
      this.last[k] = now;
      this.min[k] = this.modelNum[k];
      this.max[k] = this.modelNum[k];
    }
    this.exitSum.fill(0);
    this.exitCount.fill(0);
    this.resourceBank?.reset();
    this.activityBank?.reset();
  }

  /** Per model state: final value; numbers also time-average, min and max (JSON-safe). */
  modelStates(end: number): ModelStateResult[] {
    const L = this.L;
    const span = end - this.statStart;
    const out: ModelStateResult[] = [];
    L.modelNumNames.forEach((name, k) => {
      const area = this.area[k] + this.modelNum[k] * (end - this.last[k]);
      out.push({
        name,
        finalValue: this.modelNum[k],
        timeAverage: span > 0 ? area / span : this.modelNum[k],
        min: this.min[k],
        max: this.max[k],
      });
    });
    L.modelStrNames.forEach((name, k) => out.push({ name, finalValue: this.modelStr[k] }));
    return out;
  }

  /** Per entity type: the average of each entity number state at exit (null when none exited). */
  entityStatesAtExit(type: number): Record<string, number | null> {
    const names = this.L.entNumNames;
    const n = names.length;
    const out: Record<string, number | null> = {};
    const c = this.exitCount[type];
    names.forEach((name, k) => (out[name] = c > 0 ? this.exitSum[type * n + k] / c : null));
    return out;
  }
}
