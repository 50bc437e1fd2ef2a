import { ModOp, type ScopedStates } from "../compile-logic.js";
import type { ComponentStateResults, ModelStateResult } from "../types.js";
import type { Clock } from "./clock.js";

/**
 * The resource- or activity-scoped states of one replication: one row of
 * number slots and one of string slots per resource (activity), each row
 * starting at the declared initial values. Number (and boolean, 1/0) slots
 * keep time-weighted statistics from the end of the warm-up, like the model
 * states. Built only when the model declares states of that scope.
 *
 * Scope, where the sources are silent (our reading, ENGINE-SEMANTICS §2.4
 * "once per resource or activity instance"): every resource (activity) of
 * the model has its own copy of each resource (activity) state. A
 * modification or condition names the row with `componentId`; without it an
 * activity state is the one of the activity whose actions (or departure)
 * it belongs to, fixed at compile time (LogicBuilder.at), so the
 * modifications of an entity made by create, split or join write the
 * activity that made it; a resource state must name its resource
 * (validation says so).
 */
export class ScopedStateBank {
  declare readonly num: Float64Array;
  declare readonly str: string[];
  declare readonly numStride: number;
  declare readonly strStride: number;
  declare private readonly S: ScopedStates;
  declare private readonly clock: Clock;
  declare private readonly area: Float64Array;
  declare private readonly min: Float64Array;
  declare private readonly max: Float64Array;
  declare private readonly last: Float64Array;
  declare private statStart: number;

  constructor(S: ScopedStates, clock: Clock) {
    this.S = S;
    this.clock = clock;
    const rows = S.ids.length;
    const ns = (this.numStride = S.numInit.length);
    this.strStride = S.strInit.length;
    this.num = new Float64Array(rows * ns);
    this.str = [];
    for (let r = 0; r < rows; r++) {
      this.num.set(S.numInit, r * ns);
      for (const v of S.strInit) this.str.push(v);
    }
    this.area = new Float64Array(this.num.length);
    this.min = Float64Array.from(this.num);
    this.max = Float64Array.from(this.num);
    this.last = new Float64Array(this.num.length);
    this.statStart = 0;
  }

  /** Sets number slot `k` of `row`, closing its time-weighted interval at the old value. */
  setNum(row: number, k: number, v: number): void {
    const i = row * this.numStride + k;
    if (this.clock.inStats) {
      const now = this.clock.now;
      this.area[i] += this.num[i] * (now - this.last[i]);
      this.last[i] = now;
      if (v < this.min[i]) this.min[i] = v;
      if (v > this.max[i]) this.max[i] = v;
    }
    this.num[i] = v;
  }

  /** Applies `op` with operand `x` to number slot `k` of `row`; false (nothing written) on a division by zero. */
  modify(row: number, k: number, op: number, x: number): boolean {
    const old = this.num[row * this.numStride + k];
    let v: number;
    switch (op) {
      case ModOp.Assign:
        v = x;
        break;
      case ModOp.Add:
        v = old + x;
        break;
      case ModOp.Subtract:
        v = old - x;
        break;
      case ModOp.Multiply:
        v = old * x;
        break;
      default:
        if (x === 0) return false;
        v = old / x;
    }
    this.setNum(row, k, v);
    return true;
  }

  /** Warm-up over: statistics restart from the current values. */
  reset(): void {
    const now = this.clock.now;
    this.statStart = now;
    this.area.fill(0);
    this.last.fill(now);
    this.min.set(this.num);
    this.max.set(this.num);
  }

  /** Per row: each number state's final value, time-average, min and max, then each string state's final value. */
  results(end: number): ComponentStateResults[] {
    const S = this.S;
    const span = end - this.statStart;
    return S.ids.map((componentId, r) => {
      const states: ModelStateResult[] = [];
      S.numNames.forEach((name, k) => {
        const i = r * this.numStride + k;
        const v = this.num[i];
        const area = this.area[i] + v * (end - this.last[i]);
        states.push({
          name,
          finalValue: v,
          timeAverage: span > 0 ? area / span : v,
          min: this.min[i],
          max: this.max[i],
        });
      });
      S.strNames.forEach((name, k) => states.push({ name, finalValue: this.str[r * this.strStride + k] }));
      return { componentId, states };
    });
  }
}
