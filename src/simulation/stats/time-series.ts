import type { Clock } from "../runtime/clock.js";
import type { TimePeriod, TimeSeries, TimeUnit } from "../types.js";
import { periodLength } from "../units.js";
import { ratio } from "./ratio.js";

/** Upper bound on buckets per run: longer runs get buckets a whole multiple of the period. */
const MAX_BUCKETS = 10_000;

/**
 * Throughput and time-averaged work in progress per bucket of simulated time
 * (one period: hour, day or 30 days), over the whole run from 0, warm-up
 * included.
 */
export class TimeSeriesCollector {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private readonly bucketSize: number;
  declare private readonly nBuckets: number;
  declare private readonly throughput: Float64Array;
  declare private readonly wipArea: Float64Array;
  private idx = 0;
  /** End of the current bucket and time of the last change: doubles from the start (see Clock). */
  private end = NaN;
  private last = NaN;
  private wip = 0;

  declare private readonly clock: Clock;
  declare private readonly runTime: number;
  declare private readonly period: TimePeriod;

  constructor(clock: Clock, runTime: number, timeUnit: TimeUnit, period: TimePeriod) {
    this.clock = clock;
    this.runTime = runTime;
    this.period = period;
    let bucket = periodLength(period, timeUnit);
    let n = Math.max(1, Math.ceil(runTime / bucket - 1e-9));
    // Stryker disable next-line ConditionalExpression,EqualityOperator: up to MAX_BUCKETS, k is 1 and nothing changes
    if (n > MAX_BUCKETS) {
      const k = Math.ceil(n / MAX_BUCKETS);
      bucket *= k;
      n = Math.max(1, Math.ceil(runTime / bucket - 1e-9));
    }
    this.bucketSize = bucket;
    this.nBuckets = n;
    this.throughput = new Float64Array(n);
    this.wipArea = new Float64Array(n);
    // Stryker disable next-line ConditionalExpression: with one bucket, `nextBuckets` never moves on, whatever its end
    this.end = n === 1 ? runTime : bucket;
    this.last = 0;
  }

  /** Work in progress changes by `delta` now (0 closes the areas at the clock). */
  wipChange(delta: number): void {
    const now = this.clock.now;
    // Stryker disable next-line ConditionalExpression: a shortcut only, `nextBuckets` checks the same condition
    if (now >= this.end) this.nextBuckets(now);
    this.wipArea[this.idx] += this.wip * (now - this.last);
    this.last = now;
    this.wip += delta;
  }

  /** Close the buckets that ended before `now` (rare: out of line, so wipChange stays small). */
  private nextBuckets(now: number): void {
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: moving past the last bucket can only happen at the run's end, once its area is added
    while (now >= this.end && this.idx < this.nBuckets - 1) {
      this.wipArea[this.idx] += this.wip * (this.end - this.last);
      this.last = this.end;
      this.idx++;
      // Stryker disable next-line ConditionalExpression,ArithmeticOperator: the last bucket is never left, so an end past the run time is never reached
      this.end = this.idx === this.nBuckets - 1 ? this.runTime : (this.idx + 1) * this.bucketSize;
    }
  }

  /** An entity left the system now. */
  exit(): void {
    this.wipChange(-1);
    this.throughput[this.idx]++;
  }

  result(): TimeSeries {
    const buckets = [];
    for (let i = 0; i < this.nBuckets; i++) {
      const start = i * this.bucketSize;
      const end = i === this.nBuckets - 1 ? this.runTime : (i + 1) * this.bucketSize;
      buckets.push({ start, end, throughput: this.throughput[i], wip: ratio(this.wipArea[i], end - start) });
    }
    return { period: this.period, bucketSize: this.bucketSize, buckets };
  }
}
