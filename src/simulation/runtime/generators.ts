import type { CompiledModel } from "../compile.js";
import type { DurationTable } from "../distributions.js";
import type { RandomStreams } from "../rng.js";
import type { EntityTypeStats } from "../stats/entity-stats.js";
import type { TimeSeriesCollector } from "../stats/time-series.js";
import type { ActivityStore } from "./activities.js";
import { EventKind, type Calendar } from "./calendar.js";
import type { Clock } from "./clock.js";
import { EntityState, type EntityStore } from "./entities.js";
import type { Flow } from "./flow.js";
import { NONE } from "./lists.js";
import type { Router } from "./routing.js";

/** The timed generators (runtime/arrivals.ts), as the start of a run sees them. */
export interface TimedStart {
  /** Generator `g` is PATTERN or SCHEDULED. */
  owns(g: number): boolean;
  /** Schedule generator `g`'s first event. */
  start(g: number): void;
}

/**
 * Frequency generators: the first batch at the start delay, each later one
 * a fresh interarrival sample after the previous, until maxCycles batches or
 * maxEntities entities, whichever comes first (§5.3). A new entity leaves at
 * once by its generator's first connector (Q4), or waits at the generator
 * for room downstream. An activity's sourceConfig is one more generator whose
 * entities start in that activity (inbound queue, then its actions) without
 * a connector.
 */
export class Generators {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private readonly created: Int32Array;
  declare private readonly cycles: Int32Array;

  declare private readonly m: CompiledModel;
  declare private readonly clock: Clock;
  declare private readonly cal: Calendar;
  declare private readonly ents: EntityStore;
  declare private readonly acts: ActivityStore;
  declare private readonly flow: Flow;
  declare private readonly router: Router;
  declare private readonly dur: DurationTable;
  declare private readonly rng: RandomStreams;
  declare private readonly typeStats: EntityTypeStats;
  declare private readonly series: TimeSeriesCollector;

  constructor(
    m: CompiledModel,
    clock: Clock,
    cal: Calendar,
    ents: EntityStore,
    acts: ActivityStore,
    flow: Flow,
    router: Router,
    dur: DurationTable,
    rng: RandomStreams,
    typeStats: EntityTypeStats,
    series: TimeSeriesCollector,
  ) {
    this.m = m;
    this.clock = clock;
    this.cal = cal;
    this.ents = ents;
    this.acts = acts;
    this.flow = flow;
    this.router = router;
    this.dur = dur;
    this.rng = rng;
    this.typeStats = typeStats;
    this.series = series;
    const G = Math.max(1, m.generatorIds.length);
    this.created = new Int32Array(G);
    this.cycles = new Int32Array(G);
  }

  /**
   * Schedule each generator's first batch, or a timed generator's first
   * event (in generator order, after anything scheduled before).
   */
  start(timed: TimedStart | null): void {
    const m = this.m;
    for (let g = 0; g < m.generatorIds.length; g++) {
      // Pattern and scheduled generators start their own way (runtime/arrivals.ts).
      if (timed !== null && timed.owns(g)) {
        if (m.genMaxEntities[g] > 0) timed.start(g);
        continue;
      }
      if (m.genMaxCycles[g] <= 0 || m.genMaxEntities[g] <= 0) continue;
      const s = m.genStart[g];
      this.cal.schedule(s >= 0 ? this.dur.sample(s, this.rng) : 0, EventKind.Generate, g);
    }
  }

  /** Generator `g` creates its batch now and schedules the next one. */
  generate(g: number): void {
    const m = this.m;
    const made = this.created[g];
    const n = Math.min(m.genBatch[g], m.genMaxEntities[g] - made);
    for (let k = 0; k < n; k++) this.create(g);
    this.created[g] = made + n;
    const cycles = ++this.cycles[g];
    if (cycles < m.genMaxCycles[g] && made + n < m.genMaxEntities[g]) {
      this.cal.schedule(this.clock.now + this.dur.sample(m.genIat[g], this.rng), EventKind.Generate, g);
    }
  }

  // Written out rather than as spawn + send: the frequency path is the M/M/3 bench's, and
  // V8's inlining budget of its callers is spent differently on two calls (measured).
  private create(g: number): void {
    const ents = this.ents;
    const acts = this.acts;
    const e = ents.alloc(this.clock.now);
    const type = this.m.genEntity[g];
    ents.type[e] = type;
    ents.gen[e] = g;
    ents.create[e] = this.clock.now;
    this.flow.born(e, g);
    this.typeStats.create(type);
    this.series.wipChange(1);
    // An activity's sourceConfig creates entities in the activity itself (§5.4).
    let dest = this.m.genTarget[g];
    let route = NONE;
    if (dest < 0) {
      route = this.router.choose(this.m.activityIds.length + g);
      if (route === NONE) {
        this.flow.exit(e);
        return;
      }
      dest = this.m.routeTarget[route];
    }
    ents.dest[e] = dest;
    ents.route[e] = route;
    if (acts.wHead[dest] === NONE && acts.hasRoom(dest)) {
      acts.enRoute[dest]++;
      this.flow.travel(e);
    } else {
      ents.state[e] = EntityState.WaitGen;
      ents.mark[e] = this.clock.now;
      this.flow.waitFor(dest, e);
    }
  }

  /** A new entity of `type` from generator `g`, its initial states applied, not yet placed. */
  spawn(g: number, type: number): number {
    const ents = this.ents;
    const e = ents.alloc(this.clock.now);
    ents.type[e] = type;
    ents.gen[e] = g;
    ents.create[e] = this.clock.now;
    this.flow.born(e, g);
    this.typeStats.create(type);
    this.series.wipChange(1);
    return e;
  }

  /**
   * Sends new entity `e` of generator `g` on its way: by the generator's first
   * connector, or into the activity whose sourceConfig made it (§5.4);
   * waiting at the generator while there is no room.
   */
  send(e: number, g: number): void {
    const ents = this.ents;
    const acts = this.acts;
    let dest = this.m.genTarget[g];
    let route = NONE;
    if (dest < 0) {
      route = this.router.choose(this.m.activityIds.length + g);
      if (route === NONE) {
        this.flow.exit(e);
        return;
      }
      dest = this.m.routeTarget[route];
    }
    ents.dest[e] = dest;
    ents.route[e] = route;
    if (acts.wHead[dest] === NONE && acts.hasRoom(dest)) {
      acts.enRoute[dest]++;
      this.flow.travel(e);
    } else {
      ents.state[e] = EntityState.WaitGen;
      ents.mark[e] = this.clock.now;
      this.flow.waitFor(dest, e);
    }
  }

  /** Generator `g` made its maxEntities. */
  full(g: number): boolean {
    return this.created[g] >= this.m.genMaxEntities[g];
  }

  /** Count one entity made by timed generator `g` (pattern or schedule); false once maxEntities were made. */
  take(g: number): boolean {
    if (this.created[g] >= this.m.genMaxEntities[g]) return false;
    this.created[g]++;
    return true;
  }
}
