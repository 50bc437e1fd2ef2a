import type { CompiledModel } from "../compile.js";
import { RandomStreams } from "../rng.js";
import { ActivityStats } from "../stats/activity-stats.js";
import { replicationCosts } from "../stats/costs.js";
import { EntityTypeStats } from "../stats/entity-stats.js";
import { TimeSeriesCollector } from "../stats/time-series.js";
import type { ReplicationResult, TimePeriod } from "../types.js";
import { ActivityStore } from "./activities.js";
import { Calendar, EVENT_KIND_BITS, EVENT_KIND_MASK, EventKind } from "./calendar.js";
import { Clock } from "./clock.js";
import { EntityStore } from "./entities.js";
import { Failures } from "./failures.js";
import { TimedArrivals } from "./arrivals.js";
import { Flow } from "./flow.js";
import { Generators } from "./generators.js";
import { Interpreter } from "./interpreter.js";
import { Logic } from "./logic.js";
import { READY_KIND_BITS, READY_KIND_MASK, ReadyKind, ReadyRing } from "./ready.js";
import { Resources } from "./resources.js";
import { Router } from "./routing.js";
import { Spawner } from "./spawn.js";

/**
 * One replication of the discrete-event simulation, written for speed:
 * every piece of state lives in typed arrays indexed by integers (entity
 * slots are pooled and reused), the calendar is a binary heap over typed
 * arrays, and nothing is allocated per event.
 *
 * This class owns the stores and runs the main loop: calendar events in time
 * order, and before each one every zero-time follow-up in the ready ring, so
 * that each handler is O(1) and free of recursion however long the chain of
 * knock-on effects. Each concern lives in its own module (flow, routing,
 * generators, resources, the op interpreter, the statistics collectors);
 * each store's fields are set once in its constructor, and every call site
 * sees one class, so V8 inlines across the modules.
 */
export class Simulation {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare readonly m: CompiledModel;
  eventCount = 0;
  declare private readonly runTime: number;
  declare private readonly warmupTime: number;
  declare private readonly clock: Clock;
  private readonly cal = new Calendar();
  private readonly ready = new ReadyRing();
  declare private readonly ents: EntityStore;
  declare private readonly acts: ActivityStore;
  declare private readonly res: Resources;
  declare private readonly flow: Flow;
  declare private readonly gens: Generators;
  /** Pattern and scheduled generators; null when every generator is FREQUENCY. */
  declare private readonly timed: TimedArrivals | null;
  declare private readonly interp: Interpreter;
  declare private readonly logic: Logic | null;
  /** Null when no activity can fail. */
  declare private readonly failures: Failures | null;
  declare private readonly actStats: ActivityStats;
  declare private readonly typeStats: EntityTypeStats;
  declare private readonly series: TimeSeriesCollector;
  private finished = false;
  declare readonly seed: number;
  declare readonly repIndex: number;

  constructor(m: CompiledModel, seed: number, repIndex: number, period: TimePeriod) {
    this.seed = seed;
    this.repIndex = repIndex;
    this.m = m;
    const rng = new RandomStreams(seed, repIndex, m.streamKeys);
    const dur = m.durations;
    this.runTime = m.runTime;
    this.warmupTime = m.warmupTime;
    const clock = (this.clock = new Clock(m.warmupTime <= 0));
    const cal = this.cal;
    const L = m.logic;
    const ents = (this.ents = new EntityStore(
      m.maxReqResources,
      256,
      L ? L.entNumStride : 0,
      L ? L.entStrStride : 0,
    ));
    const logic = (this.logic = L ? new Logic(L, ents, clock, rng, m.entityIds.length) : null);
    const acts = (this.acts = new ActivityStore(m));
    const res = (this.res = new Resources(m, clock, ents, this.ready));
    const router = new Router(m, rng, ents, logic, repIndex);
    const actStats = (this.actStats = new ActivityStats(acts, clock, m.activityIds.length));
    const typeStats = (this.typeStats = new EntityTypeStats(m.entityIds.length));
    const series = (this.series = new TimeSeriesCollector(clock, m.runTime, m.timeUnit, period, m.calendar));
    const flow = (this.flow = new Flow(
      m,
      clock,
      cal,
      this.ready,
      ents,
      acts,
      res,
      router,
      dur,
      rng,
      actStats,
      typeStats,
      series,
      logic,
    ));
    const gens = (this.gens = new Generators(
      m,
      clock,
      cal,
      ents,
      acts,
      flow,
      router,
      dur,
      rng,
      typeStats,
      series,
    ));
    this.timed = m.arrivals ? new TimedArrivals(m, clock, cal, dur, rng, gens, logic) : null;
    const spawn = m.spawn ? new Spawner(m.spawn, clock, ents, flow, logic, typeStats, series) : null;
    const failures = (this.failures = m.failures
      ? new Failures(m.failures, m, clock, cal, this.ready, ents, acts, res, flow, dur, rng, actStats)
      : null);
    this.interp = new Interpreter(m, clock, cal, ents, res, flow, dur, rng, logic, spawn, failures);

    // Initial events: warm-up reset first, then each generator's first arrival, then failures.
    if (m.warmupTime > 0) cal.schedule(m.warmupTime, EventKind.WarmupEnd, 0);
    gens.start(this.timed);
    if (failures !== null) failures.start();
  }

  /** Simulated time now. */
  get now(): number {
    return this.clock.now;
  }

  /** Entities that left the system so far, warm-up included. */
  get exitsTotal(): number {
    return this.typeStats.exitsTotal;
  }

  /** Fraction of simulated time done. */
  get fraction(): number {
    return Math.min(1, this.clock.now / this.runTime);
  }

  /**
   * Process up to `maxSteps` events / ready items. Returns true when the run
   * is over (calendar empty or next event after runTime); statistics are
   * then closed at runTime.
   */
  runChunk(maxSteps: number): boolean {
    const runTime = this.runTime;
    const cal = this.cal;
    const ready = this.ready;
    for (let steps = 0; steps < maxSteps; steps++) {
      if (ready.length > 0) {
        const w = ready.shift();
        const e = w >> READY_KIND_BITS;
        switch (w & READY_KIND_MASK) {
          case ReadyKind.Run:
            this.interp.run(e);
            break;
          case ReadyKind.Depart:
            this.flow.depart(e);
            break;
          default:
            if (this.flow.arrive(e)) this.interp.run(e);
        }
        continue;
      }
      if (cal.size === 0 || cal.nextTime() > runTime) {
        this.finish();
        return true;
      }
      const t = cal.nextTime();
      const w = cal.pop();
      this.clock.now = t;
      this.eventCount++;
      const p = w >> EVENT_KIND_BITS;
      switch (w & EVENT_KIND_MASK) {
        case EventKind.OpDone:
          this.ents.pc[p]++;
          this.interp.run(p);
          break;
        case EventKind.Generate:
          this.gens.generate(p);
          break;
        case EventKind.Arrive:
          if (this.flow.arrive(p)) this.interp.run(p);
          break;
        default:
          this.rareEvent(w);
      }
    }
    return false;
  }

  /**
   * The rare events: the end of the warm-up, failures and the timed
   * generators' (the last two only in models with them). Out of runChunk,
   * which then stays as small as with frequency generators only: three more
   * cases there cost the M/M/3 bench 3.6 % more instructions, and passing
   * (kind, payload) instead of the event word still 1 % (callgrind,
   * measured); with the word it is within noise.
   */
  private rareEvent(w: number): void {
    const p = w >> EVENT_KIND_BITS;
    switch (w & EVENT_KIND_MASK) {
      case EventKind.WarmupEnd:
        this.resetStats();
        return;
      case EventKind.FailDelayDone:
        if (this.failures!.delayDone(p)) {
          this.ents.pc[p]++;
          this.interp.run(p);
        }
        return;
      case EventKind.Failure:
        this.failures!.failureDue(p);
        return;
      case EventKind.Repair:
        this.failures!.repaired(p);
        return;
      case EventKind.PatternHour:
        this.timed!.hour(p);
        return;
      case EventKind.PatternArrival:
        this.timed!.arrive(p);
        return;
      default:
        this.timed!.row(p);
    }
  }

  /** Warm-up over: statistics restart from the current state. */
  private resetStats(): void {
    this.clock.inStats = true;
    this.actStats.reset(this.m.activityIds.length);
    this.res.stats.reset(this.m.resourceIds.length);
    this.typeStats.reset();
    if (this.logic !== null) this.logic.reset();
    if (this.res.ledger !== null) this.res.ledger.reset();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.clock.now = this.runTime;
    if (!this.clock.inStats) this.resetStats(); // warm-up longer than the events: nothing measured
    for (let a = 0; a < this.m.activityIds.length; a++) this.actStats.touch(a);
    for (let r = 0; r < this.m.resourceIds.length; r++) this.res.stats.touch(r);
    if (this.res.ledger !== null) this.res.ledger.close();
    if (this.failures !== null) this.failures.finish();
    this.series.wipChange(0);
  }

  /** Costs of the finished run, from the figures the statistics hold (model/costs.ts); only when the model has costs. */
  private costs(measured: number): ReplicationResult["costs"] {
    const m = this.m;
    if (m.costs === null) return undefined;
    const rs = this.res.stats;
    const as = this.actStats;
    return replicationCosts(m.costs, {
      timeUnit: m.timeUnit,
      measured,
      resourceIds: m.resourceIds,
      resCap: m.resCap,
      resBusy: (r) => rs.busyTime(r),
      resSeizes: (r) => rs.grantCount(r),
      activityIds: m.activityIds,
      actCap: m.actCap,
      actOccupied: (a) => as.occupiedTime(a),
      actThroughput: (a) => as.exits(a),
      ledger: this.res.ledger,
    });
  }

  /** Results of a finished run (plain JSON-safe object). */
  result(): ReplicationResult {
    const m = this.m;
    const measured = this.runTime - this.warmupTime;
    return {
      repIndex: this.repIndex,
      seed: this.seed,
      timeUnit: m.timeUnit,
      runTime: this.runTime,
      warmupTime: this.warmupTime,
      eventCount: this.eventCount,
      exitsTotal: this.typeStats.exitsTotal,
      activities: this.actStats.rows(m.activityIds, m.actCap, measured),
      resources: this.res.stats.rows(m.resourceIds, measured),
      entities: this.typeStats.rows(m.entityIds),
      timeSeries: this.series.result(),
      ...(this.logic !== null
        ? {
            modelStates: this.logic.modelStates(this.runTime),
            entityStates: m.entityIds.map((entityId, t) => ({
              entityId,
              values: this.logic!.entityStatesAtExit(t),
            })),
            ...(this.logic.resourceBank
              ? { resourceStates: this.logic.resourceBank.results(this.runTime) }
              : {}),
            ...(this.logic.activityBank
              ? { activityStates: this.logic.activityBank.results(this.runTime) }
              : {}),
          }
        : {}),
      ...(m.costs !== null ? { costs: this.costs(measured) } : {}),
    };
  }
}
