import type { ModelCalendar } from "../model/calendar-time.js";
import type { Clock } from "../runtime/clock.js";
import type { TimePeriod, TimeSeries, TimeUnit } from "../types.js";
import { periodLength } from "../units.js";
import { ratio } from "./ratio.js";

/** Upper bound on buckets per run: longer runs get buckets a whole multiple of the period. */
const MAX_BUCKETS = 10_000;

/**
 * Throughput and time-averaged work in progress per bucket of simulated time
 * (one period: hour, day or 30 days), over the whole run from 0, warm-up
 * included. In calendar mode the buckets follow the calendar instead: they
 * end on the hour, at midnight or on the first of the month (the first
 * bucket runs from startDateTime to the first such boundary, so it may be
 * short; monthly buckets are calendar months), and each carries its
 * start as an ISO date-time.
 */
export class TimeSeriesCollector {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private readonly bucketSize: number;
  declare private readonly nBuckets: number;
  /** End of each bucket (the last one at runTime). */
  declare private readonly ends: Float64Array;
  /** Calendar mode only: to name the buckets' dates. */
  declare private readonly calendar: ModelCalendar | null;
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

  constructor(
    clock: Clock,
    runTime: number,
    timeUnit: TimeUnit,
    period: TimePeriod,
    calendar: ModelCalendar,
  ) {
    this.clock = clock;
    this.runTime = runTime;
    this.period = period;
    let bucket = periodLength(period, timeUnit);
    let n = Math.max(1, Math.ceil(runTime / bucket - 1e-9));
    // Calendar buckets: one more, the first may be partial.
    const k = Math.ceil((calendar.calendar ? n + 1 : n) / MAX_BUCKETS);
    if (k > 1) {
      bucket *= k;
      n = Math.max(1, Math.ceil(runTime / bucket - 1e-9));
    }
    let ends: Float64Array;
    if (calendar.calendar) {
      ends = Float64Array.from(calendar.periodEnds(period, runTime, k));
      n = ends.length;
    } else {
      ends = new Float64Array(n);
      for (let i = 0; i < n - 1; i++) ends[i] = (i + 1) * bucket;
      ends[n - 1] = runTime;
    }
    this.calendar = calendar.calendar ? calendar : null;
    this.bucketSize = bucket;
    this.nBuckets = n;
    this.ends = ends;
    this.throughput = new Float64Array(n);
    this.wipArea = new Float64Array(n);
    this.end = ends[0];
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
      this.end = this.ends[this.idx];
    }
  }

  /** An entity left the system now. */
  exit(): void {
    this.wipChange(-1);
    this.throughput[this.idx]++;
  }

  result(): TimeSeries {
    const buckets = [];
    const cal = this.calendar;
    for (let i = 0; i < this.nBuckets; i++) {
      const start = i === 0 ? 0 : this.ends[i - 1];
      const end = this.ends[i];
      const b = { start, end, throughput: this.throughput[i], wip: ratio(this.wipArea[i], end - start) };
      buckets.push(cal ? { ...b, startDateTime: cal.isoAt(start) } : b);
    }
    return {
      period: this.period,
      bucketSize: this.bucketSize,
      buckets,
      ...(cal ? { startDateTime: cal.isoAt(0) } : {}),
    };
  }
}
