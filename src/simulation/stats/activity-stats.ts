import type { ActivityRepResult } from "../types.js";
import type { ActivityStore } from "../runtime/activities.js";
import type { Clock } from "../runtime/clock.js";
import { ratio } from "./ratio.js";

/**
 * Activity statistics: time-weighted areas (contents, busy slots, queue,
 * blocked) integrated up to the clock at each change, and per-visit sums
 * restarted when the warm-up ends.
 */
export class ActivityStats {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private readonly last: Float64Array;
  declare private readonly contArea: Float64Array;
  declare private readonly busyArea: Float64Array;
  declare private readonly qArea: Float64Array;
  declare private readonly blkArea: Float64Array;
  declare private readonly max: Int32Array;
  declare private readonly throughput: Float64Array;
  declare private readonly sumTime: Float64Array;
  declare private readonly sumWait: Float64Array;
  declare private readonly sumResWait: Float64Array;
  /** Time failed (runtime/failures.ts), after warm-up. */
  declare private readonly failTime: Float64Array;

  /** The activity counters being integrated (ActivityStore's fixed-size arrays, held directly: one load less per touch). */
  declare private readonly contents: Int32Array;
  declare private readonly inProc: Int32Array;
  declare private readonly qLen: Int32Array;
  declare private readonly blocked: Int32Array;
  declare private readonly clock: Clock;

  constructor(acts: ActivityStore, clock: Clock, n: number) {
    this.contents = acts.contents;
    this.inProc = acts.inProc;
    this.qLen = acts.qLen;
    this.blocked = acts.blocked;
    this.clock = clock;
    const A = Math.max(1, n);
    this.last = new Float64Array(A);
    this.contArea = new Float64Array(A);
    this.busyArea = new Float64Array(A);
    this.qArea = new Float64Array(A);
    this.blkArea = new Float64Array(A);
    this.max = new Int32Array(A);
    this.throughput = new Float64Array(A);
    this.sumTime = new Float64Array(A);
    this.sumWait = new Float64Array(A);
    this.sumResWait = new Float64Array(A);
    this.failTime = new Float64Array(A);
  }

  /** Integrate the areas up to now; call before any counter of activity `a` changes. */
  touch(a: number): void {
    const now = this.clock.now;
    const dt = now - this.last[a];
    // Stryker disable next-line ConditionalExpression,EqualityOperator: with dt = 0 the areas gain 0 and `last` is already now
    if (dt > 0) {
      this.contArea[a] += this.contents[a] * dt;
      this.busyArea[a] += this.inProc[a] * dt;
      this.qArea[a] += this.qLen[a] * dt;
      this.blkArea[a] += this.blocked[a] * dt;
      this.last[a] = now;
    }
  }

  /** Contents of `a` just rose to `c`. */
  contentsRose(a: number, c: number): void {
    // Stryker disable next-line EqualityOperator: when c equals the maximum, storing it again changes nothing
    if (c > this.max[a]) this.max[a] = c;
  }

  /** An entity left `a` after `time` there, `wait` of it waiting (`resWait` of that for resources). */
  visit(a: number, time: number, wait: number, resWait: number): void {
    // Counted during the warm-up too: `reset` drops those at its end.
    this.throughput[a]++;
    this.sumTime[a] += time;
    this.sumWait[a] += wait;
    this.sumResWait[a] += resWait;
  }

  /** Activity `a` was failed for `time` of the measured period (the caller clips it to after warm-up). */
  failed(a: number, time: number): void {
    this.failTime[a] += time;
  }

  /** Warm-up over: restart from the current state. */
  reset(n: number): void {
    const now = this.clock.now;
    // Stryker disable next-line EqualityOperator: one more turn writes past the end of typed arrays (ignored) or into the unused slot 0 of a model without activities
    for (let a = 0; a < n; a++) {
      this.last[a] = now;
      this.contArea[a] = 0;
      this.busyArea[a] = 0;
      this.qArea[a] = 0;
      this.blkArea[a] = 0;
      this.max[a] = this.contents[a];
      this.throughput[a] = 0;
      this.sumTime[a] = 0;
      this.sumWait[a] = 0;
      this.sumResWait[a] = 0;
      this.failTime[a] = 0;
    }
  }

  /** Occupied capacity-time of `a` since warm-up (up to the last touch). */
  occupiedTime(a: number): number {
    return this.busyArea[a];
  }

  /** Entities that left `a` since warm-up. */
  exits(a: number): number {
    return this.throughput[a];
  }

  /** One row per activity over `measured` time units. */
  rows(ids: string[], cap: Int32Array, measured: number): ActivityRepResult[] {
    return ids.map((id, a) => ({
      activityId: id,
      throughput: this.throughput[a],
      utilization: ratio(this.busyArea[a], cap[a] * measured),
      averageWaitTime: ratio(this.sumWait[a], this.throughput[a]),
      averageTimeWaitingForResource: ratio(this.sumResWait[a], this.throughput[a]),
      averageContents: ratio(this.contArea[a], measured),
      maxContents: this.max[a],
      timeBlocked: this.blkArea[a],
      averageTimeInActivity: ratio(this.sumTime[a], this.throughput[a]),
      averageQueueLength: ratio(this.qArea[a], measured),
      timeInFailure: this.failTime[a],
    }));
  }
}
