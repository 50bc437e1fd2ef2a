import type { Clock } from "../runtime/clock.js";
import type { ResourceRepResult } from "../types.js";
import { ratio } from "./ratio.js";

/**
 * Resource statistics: time-weighted busy units and queue length integrated
 * up to the clock at each change, and grant counts collected after warm-up.
 * Reads the resource levels (available units, waiting requests) it is given.
 */
export class ResourceStats {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private readonly last: Float64Array;
  declare private readonly busyArea: Float64Array;
  declare private readonly qArea: Float64Array;
  declare private readonly maxQ: Int32Array;
  declare private readonly grants: Float64Array;
  declare private readonly delayed: Float64Array;
  declare private readonly sumWait: Float64Array;

  declare private readonly cap: Int32Array;
  declare private readonly avail: Int32Array;
  declare private readonly qLen: Int32Array;
  declare private readonly clock: Clock;

  constructor(cap: Int32Array, avail: Int32Array, qLen: Int32Array, clock: Clock) {
    this.cap = cap;
    this.avail = avail;
    this.qLen = qLen;
    this.clock = clock;
    const R = avail.length;
    this.last = new Float64Array(R);
    this.busyArea = new Float64Array(R);
    this.qArea = new Float64Array(R);
    this.maxQ = new Int32Array(R);
    this.grants = new Float64Array(R);
    this.delayed = new Float64Array(R);
    this.sumWait = new Float64Array(R);
  }

  /** Integrate the areas up to now; call before the level or queue of `r` changes. */
  touch(r: number): void {
    const now = this.clock.now;
    const dt = now - this.last[r];
    // Stryker disable next-line ConditionalExpression,EqualityOperator: with dt = 0 the areas gain 0 and `last` is already now
    if (dt > 0) {
      this.busyArea[r] += (this.cap[r] - this.avail[r]) * dt;
      this.qArea[r] += this.qLen[r] * dt;
      this.last[r] = now;
    }
  }

  /** The queue of `r` just grew to `q`. */
  queueRose(r: number, q: number): void {
    // Stryker disable next-line EqualityOperator: when q equals the maximum, storing it again changes nothing
    if (q > this.maxQ[r]) this.maxQ[r] = q;
  }

  /** A request using `r` was granted after `wait` (the caller checks the warm-up). */
  grant(r: number, wait: number): void {
    this.grants[r]++;
    this.sumWait[r] += wait;
    if (wait > 0) this.delayed[r]++;
  }

  /** Warm-up over: restart from the current state. */
  reset(n: number): void {
    const now = this.clock.now;
    // Stryker disable next-line EqualityOperator: one more turn writes past the end of typed arrays (ignored) or into the unused slot 0 of a model without resources
    for (let r = 0; r < n; r++) {
      this.last[r] = now;
      this.busyArea[r] = 0;
      this.qArea[r] = 0;
      this.maxQ[r] = this.qLen[r];
      this.grants[r] = 0;
      this.delayed[r] = 0;
      this.sumWait[r] = 0;
    }
  }

  /** Busy unit-time of `r` since warm-up (up to the last touch). */
  busyTime(r: number): number {
    return this.busyArea[r];
  }

  /** Requests using `r` granted since warm-up. */
  grantCount(r: number): number {
    return this.grants[r];
  }

  /** One row per resource over `measured` time units. */
  rows(ids: string[], measured: number): ResourceRepResult[] {
    return ids.map((id, r) => ({
      resourceId: id,
      utilization: ratio(this.busyArea[r], this.cap[r] * measured),
      averageWaitTime: ratio(this.sumWait[r], this.grants[r]),
      maxQueueLength: this.maxQ[r],
      averageQueueLength: ratio(this.qArea[r], measured),
      grants: this.grants[r],
      waitProbability: ratio(this.delayed[r], this.grants[r]),
    }));
  }
}
