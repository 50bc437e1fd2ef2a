import { CycleKind, GenMode, type CompiledArrivals } from "../compile-arrivals.js";
import type { CompiledModel } from "../compile.js";
import { samplePoisson, type DurationTable } from "../distributions.js";
import type { ModelCalendar } from "../model/calendar-time.js";
import type { RandomStreams } from "../rng.js";
import { EventKind, type Calendar } from "./calendar.js";
import type { Clock } from "./clock.js";
import type { Generators } from "./generators.js";
import type { Logic } from "./logic.js";

/** Hours in the longest cycle: a leap year. */
const MAX_CYCLE_HOURS = 366 * 24;

/**
 * Generators that follow the clock (§5.3, decisions Q5 and Q12). Present
 * only when a model has some (`CompiledModel.arrivals`).
 *
 * PATTERN: one event per hour that can have arrivals. Hour k (counted from
 * the midnight of the day holding t = 0; see ModelCalendar) expects
 * `volume × w(k) / Σ w` arrivals, where w is the product of the season,
 * day-of-week and hour-of-week weights and the sum runs over the cycle (day,
 * week from Monday 00:00, or year from 1 January; clock mode's nominal year
 * is 52 weeks) holding hour k. So each whole cycle expects `volume`
 * arrivals, and a run that starts mid-cycle gets the share of the hours it
 * covers. The hour's count is Poisson with that mean; each arrival is placed
 * at the hour's start plus a `withinHourOffset` sample, clamped into the
 * hour; in a run that starts mid-hour, arrivals drawn before t = 0 are
 * dropped. Hours of zero weight are skipped without an event. Cost: one
 * event per hour with weight plus one per arrival; the weights of a cycle
 * are tabled once per cycle. Each arrival makes one entity (batchSize is a
 * frequency field); `maxEntities` caps the total.
 *
 * SCHEDULED: one event per row, rows in time order (ties in document order):
 * `quantity` entities of the row's entity type, each given its initial
 * states, then the generator's `initialStates`, then the row's
 * `stateValues` (so a row overrides the generator's defaults).
 */
export class TimedArrivals {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private readonly a: CompiledArrivals;
  declare private readonly m: CompiledModel;
  declare private readonly cal: ModelCalendar;
  declare private readonly clock: Clock;
  declare private readonly events: Calendar;
  declare private readonly dur: DurationTable;
  declare private readonly rng: RandomStreams;
  declare private readonly gens: Generators;
  declare private readonly logic: Logic | null;
  /** Pattern generators: the hour of the pending hour event, and the cycle tabled in `table`. */
  declare private readonly hourK: Float64Array;
  declare private readonly cycleStart: Float64Array;
  declare private readonly cycleEnd: Float64Array;
  declare private readonly cycleTotal: Float64Array;
  declare private readonly table: Float64Array[];
  /** Scheduled generators: the next row. */
  declare private readonly cursor: Int32Array;

  constructor(
    m: CompiledModel,
    clock: Clock,
    events: Calendar,
    dur: DurationTable,
    rng: RandomStreams,
    gens: Generators,
    logic: Logic | null,
  ) {
    this.a = m.arrivals!;
    this.m = m;
    this.cal = m.calendar;
    this.clock = clock;
    this.events = events;
    this.dur = dur;
    this.rng = rng;
    this.gens = gens;
    this.logic = logic;
    const G = this.a.mode.length;
    this.hourK = new Float64Array(G);
    this.cycleStart = new Float64Array(G).fill(-1);
    this.cycleEnd = new Float64Array(G).fill(-1);
    this.cycleTotal = new Float64Array(G);
    this.table = [];
    this.cursor = new Int32Array(G);
    for (let g = 0; g < G; g++) {
      const c = this.a.cycle[g];
      const hours = c === CycleKind.Day ? 24 : c === CycleKind.Week ? 168 : MAX_CYCLE_HOURS;
      this.table.push(new Float64Array(this.a.mode[g] === GenMode.Pattern ? hours : 0));
    }
  }

  /** Generator `g` is PATTERN or SCHEDULED. */
  owns(g: number): boolean {
    return this.a.mode[g] !== GenMode.Frequency;
  }

  /** Schedule generator `g`'s first event. */
  start(g: number): void {
    const a = this.a;
    if (a.mode[g] === GenMode.Pattern) {
      const first = Math.floor(-this.cal.midnight0 / this.cal.hourLength + 1e-9);
      const k = this.nextHour(g, first);
      if (k < 0) return;
      this.hourK[g] = k;
      this.events.schedule(Math.max(0, this.hourStart(k)), EventKind.PatternHour, g);
    } else if (a.rowCount[g] > 0) {
      this.cursor[g] = a.rowStart[g];
      this.events.schedule(a.rowTime[a.rowStart[g]], EventKind.ScheduledArrival, g);
    }
  }

  private hourStart(k: number): number {
    return this.cal.midnight0 + k * this.cal.hourLength;
  }

  /** Table the weights of the cycle holding hour `k` (once per cycle). */
  private tableCycle(g: number, k: number): void {
    const a = this.a;
    const day = Math.floor(k / 24);
    const info = this.cal.day(day);
    const c = a.cycle[g];
    const first =
      c === CycleKind.Day ? day : c === CycleKind.Week ? day - info.weekday : day - info.dayOfYear;
    const days = c === CycleKind.Day ? 1 : c === CycleKind.Week ? 7 : info.daysInYear;
    const t = this.table[g];
    const season = a.season[g];
    const dow = a.dayOfWeek[g];
    const how = a.hourOfWeek[g];
    const byMonth = a.seasonByMonth[g] === 1;
    let total = 0;
    for (let d = 0; d < days; d++) {
      const di = this.cal.day(first + d);
      const s = season[byMonth ? di.month : Math.min(51, Math.floor(di.dayOfYear / 7))];
      const w = s * dow[di.weekday];
      const o = di.weekday * 24;
      for (let h = 0; h < 24; h++) {
        const x = w * how[o + h];
        t[d * 24 + h] = x;
        total += x;
      }
    }
    this.cycleStart[g] = first * 24;
    this.cycleEnd[g] = (first + days) * 24;
    this.cycleTotal[g] = total;
  }

  /** The first hour from `k` on with a positive weight that starts before the run ends, or -1. */
  private nextHour(g: number, k: number): number {
    const runTime = this.m.runTime;
    for (;;) {
      if (this.hourStart(k) >= runTime) return -1;
      if (k < this.cycleStart[g] || k >= this.cycleEnd[g]) this.tableCycle(g, k);
      const start = this.cycleStart[g];
      const end = this.cycleEnd[g];
      if (this.cycleTotal[g] > 0) {
        const t = this.table[g];
        for (; k < end; k++) if (t[k - start] > 0) return this.hourStart(k) < runTime ? k : -1;
      }
      k = end;
    }
  }

  /** Pattern generator `g`'s hour begins: draw its arrivals and schedule the next hour with weight. */
  hour(g: number): void {
    const a = this.a;
    if (this.gens.full(g)) return;
    const k = this.hourK[g];
    const mean = (a.volume[g] * this.table[g][k - this.cycleStart[g]]) / this.cycleTotal[g];
    const n = samplePoisson(mean, this.rng, a.countStream[g]);
    const start = this.hourStart(k);
    const len = this.cal.hourLength;
    const now = this.clock.now;
    for (let i = 0; i < n; i++) {
      let off = this.dur.sample(a.offset[g], this.rng);
      if (!(off > 0)) off = 0;
      else if (off >= len) off = len * (1 - 1e-12);
      const t = start + off;
      if (t >= now) this.events.schedule(t, EventKind.PatternArrival, g);
    }
    const next = this.nextHour(g, k + 1);
    if (next < 0) return;
    this.hourK[g] = next;
    this.events.schedule(this.hourStart(next), EventKind.PatternHour, g);
  }

  /** One arrival of pattern generator `g`. */
  arrive(g: number): void {
    const gens = this.gens;
    if (!gens.take(g)) return;
    gens.send(gens.spawn(g, this.m.genEntity[g]), g);
  }

  /** The next row of scheduled generator `g`: its entities now, then schedule the following row. */
  row(g: number): void {
    const a = this.a;
    const gens = this.gens;
    const i = this.cursor[g];
    const type = a.rowEntity[i];
    const mods = a.rowMods[i];
    for (let q = a.rowQuantity[i]; q > 0; q--) {
      if (!gens.take(g)) return;
      const e = gens.spawn(g, type);
      if (mods >= 0) this.logic!.apply(mods, e);
      gens.send(e, g);
    }
    const next = i + 1;
    if (next < a.rowStart[g] + a.rowCount[g]) {
      this.cursor[g] = next;
      this.events.schedule(a.rowTime[next], EventKind.ScheduledArrival, g);
    }
  }
}
