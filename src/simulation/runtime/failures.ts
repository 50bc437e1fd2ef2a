import type { CompiledFailures } from "../compile-failures.js";
import type { CompiledModel } from "../compile.js";
import type { DurationTable } from "../distributions.js";
import type { RandomStreams } from "../rng.js";
import type { ActivityStats } from "../stats/activity-stats.js";
import type { ActivityStore } from "./activities.js";
import { EventKind, type Calendar } from "./calendar.js";
import type { Clock } from "./clock.js";
import { EntityState, type EntityStore } from "./entities.js";
import type { Flow } from "./flow.js";
import { NONE } from "./lists.js";
import { ReadyKind, type ReadyRing } from "./ready.js";
import type { Resources } from "./resources.js";

/**
 * Activity failures (§5.8, decision Q7): each activity with
 * `failureProperties.enabled` breaks down after an `mtbfDuration` sample of
 * up time and works again after an `mttrDuration` sample of repair.
 *
 * - Up time is counted from the start of the run and from the end of each
 *   repair. `wall_clock`: it runs continuously. `active_time`: it runs only
 *   while the activity works, i.e. while at least one entity there is in a
 *   delay (a `delay` or the delay of a `delay_with_resource`) that is not
 *   interrupted; entities queued, waiting for a resource or blocked do not
 *   wear the activity.
 * - A failure stops the whole activity, every slot at once. Each entity in a
 *   delay there is interrupted: the rest of its delay is kept and resumes
 *   when the repair is over (not restarted, not resampled), and it keeps its
 *   slot and whatever resources it holds meanwhile. An entity that reaches a
 *   delay during the repair (e.g. granted a resource then) waits there the
 *   same way with its whole delay. Instantaneous actions of entities already
 *   in a slot still run.
 * - While failed the activity starts no new work: arrivals keep coming while
 *   there is room (capacity + inbound queue, as always) and wait in the
 *   inbound queue as they do for a free slot; the repair admits them.
 * - `repairResourceRequirementId`: the repair seizes that requirement when
 *   the failure happens and starts only once it is granted (waiting in the
 *   resource's queue with the entities, in the same order, decision Q3); it
 *   holds it for the repair time and releases it when done. The down time
 *   includes the wait. The repair's seizes count in the resource's
 *   utilization, grants and waits like any other. A repair that needs units
 *   held by entities it interrupted waits for them, and they give them back
 *   only after the repair: the activity then stays failed to the end of the
 *   run (give the repair a resource the work does not hold, or spare units).
 * - Time in failure (failed from the failure to the end of the repair) is
 *   reported per activity (`timeInFailure`), clipped to the measured period
 *   after warm-up. Failures happen during warm-up as at any other time.
 *
 * Each failure process draws from its own random streams (the up-time and
 * repair-time durations), so a failure changes no other source's numbers.
 *
 * Plain models never construct this class: their delays are Op.Delay and
 * their events never these kinds. Interruption does not touch the calendar:
 * an interrupted entity's pending FailDelayDone stays in the heap and is
 * recognised as stale when it comes due, which is always before the resumed
 * one (it was due no later, and was scheduled earlier).
 */
export class Failures {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private readonly F: CompiledFailures;
  declare private readonly m: CompiledModel;
  declare private readonly clock: Clock;
  declare private readonly cal: Calendar;
  declare private readonly ready: ReadyRing;
  declare private readonly ents: EntityStore;
  declare private readonly acts: ActivityStore;
  declare private readonly res: Resources;
  declare private readonly flow: Flow;
  declare private readonly dur: DurationTable;
  declare private readonly rng: RandomStreams;
  declare private readonly actStats: ActivityStats;

  // --- per failure process
  /** The entity handle that carries out the repairs (seizes the repair requirement). */
  declare private readonly crew: Int32Array;
  declare private readonly down: Uint8Array;
  /** Start of the current failure. */
  declare private readonly downSince: Float64Array;
  /** Up time from the last repair to the next failure (sampled). */
  declare private readonly target: Float64Array;
  /** active_time: working time since the last repair, up to workSince. */
  declare private readonly upDone: Float64Array;
  /** active_time: start of the current working stretch. */
  declare private readonly workSince: Float64Array;
  /** active_time: 1 when no Failure event is pending (the activity is idle); the next working stretch schedules it. */
  declare private readonly armed: Uint8Array;
  /** Entities in a delay at the activity (doubly linked, in the order their delays started), and their number. */
  declare private readonly head: Int32Array;
  declare private readonly tail: Int32Array;
  declare private readonly count: Int32Array;

  // --- per entity, grown with the entity pool
  private next = new Int32Array(0);
  private prev = new Int32Array(0);
  /** Up: the end of the entity's delay. Failed: the time left of it. */
  private time = new Float64Array(0);
  /** FailDelayDone events of the entity left in the calendar by failures. */
  private stale = new Int32Array(0);

  constructor(
    F: CompiledFailures,
    m: CompiledModel,
    clock: Clock,
    cal: Calendar,
    ready: ReadyRing,
    ents: EntityStore,
    acts: ActivityStore,
    res: Resources,
    flow: Flow,
    dur: DurationTable,
    rng: RandomStreams,
    actStats: ActivityStats,
  ) {
    this.F = F;
    this.m = m;
    this.clock = clock;
    this.cal = cal;
    this.ready = ready;
    this.ents = ents;
    this.acts = acts;
    this.res = res;
    this.flow = flow;
    this.dur = dur;
    this.rng = rng;
    this.actStats = actStats;
    const n = F.activity.length;
    this.crew = new Int32Array(n);
    this.down = new Uint8Array(n);
    this.downSince = new Float64Array(n);
    this.target = new Float64Array(n);
    this.upDone = new Float64Array(n);
    this.workSince = new Float64Array(n);
    this.armed = new Uint8Array(n);
    this.head = new Int32Array(n).fill(NONE);
    this.tail = new Int32Array(n).fill(NONE);
    this.count = new Int32Array(n);
    const A = m.activityIds.length;
    for (let f = 0; f < n; f++) {
      const c = ents.alloc(0);
      ents.state[c] = EntityState.Process;
      // Its ops are the failure process's repair program (op range A + f, compile-failures.ts).
      ents.act[c] = A + f;
      this.crew[f] = c;
    }
    this.grow(ents.capacity);
  }

  /** Every failure process starts its first up time at time 0. */
  start(): void {
    for (let f = 0; f < this.F.activity.length; f++) this.upAgain(f);
  }

  /**
   * Op.FailDelay: entity `e` (pc at the op) starts a delay of duration
   * `arg`; the calendar resumes it (FailDelayDone) unless the activity is
   * failed, when it waits for the repair with its whole delay.
   */
  delay(e: number, arg: number): void {
    const ents = this.ents;
    const f = this.F.ofActivity[ents.act[e]];
    const d = this.dur.sample(arg, this.rng);
    ents.active[e] += d;
    if (e >= this.next.length) this.grow(ents.capacity);
    this.link(f, e);
    if (this.down[f] === 1) {
      this.time[e] = d;
      return;
    }
    const end = this.clock.now + d;
    this.time[e] = end;
    this.cal.schedule(end, EventKind.FailDelayDone, e);
    if (this.count[f] === 1) this.workStarted(f);
  }

  /** A FailDelayDone event of entity `e`: true when its delay is over (run on at pc + 1), false for a stale one. */
  delayDone(e: number): boolean {
    if (this.stale[e] > 0) {
      this.stale[e]--;
      return false;
    }
    const f = this.F.ofActivity[this.ents.act[e]];
    this.unlink(f, e);
    if (this.count[f] === 0) this.workStopped(f);
    return true;
  }

  /** A Failure event: the up time of `f` is over (wall_clock), or may be (active_time: checked here). */
  failureDue(f: number): void {
    if (this.F.activeTime[f] === 1) {
      const now = this.clock.now;
      const working = this.count[f] > 0;
      const left = this.target[f] - this.upDone[f] - (working ? now - this.workSince[f] : 0);
      // Rounding of the sums leaves a sliver: below it the up time is over.
      if (left > 1e-9 * Math.max(1, this.target[f])) {
        if (working) this.cal.schedule(now + left, EventKind.Failure, f);
        else this.armed[f] = 1;
        return;
      }
    }
    this.fail(f);
  }

  /** Op.RepairStart (the repair requirement, if any, is now held): the repair takes an mttr sample. */
  repairStart(f: number): void {
    const d = this.dur.sample(this.F.mttr[f], this.rng);
    this.cal.schedule(this.clock.now + d, EventKind.Repair, f);
  }

  /** A Repair event: `f` works again; interrupted delays resume, queued entities are admitted. */
  repaired(f: number): void {
    const now = this.clock.now;
    const a = this.F.activity[f];
    const rq = this.F.repairReq[f];
    if (rq >= 0) this.res.release(this.crew[f], rq, false);
    this.recordDown(f, now);
    this.down[f] = 0;
    this.acts.run[a] = this.m.actCap[a];
    for (let e = this.head[f]; e !== NONE; e = this.next[e]) {
      const end = now + this.time[e];
      this.time[e] = end;
      this.cal.schedule(end, EventKind.FailDelayDone, e);
    }
    this.upAgain(f);
    this.flow.resume(a);
  }

  /** End of the run: failures still under repair count up to now. */
  finish(): void {
    const now = this.clock.now;
    for (let f = 0; f < this.F.activity.length; f++) if (this.down[f] === 1) this.recordDown(f, now);
  }

  private fail(f: number): void {
    const now = this.clock.now;
    this.down[f] = 1;
    this.downSince[f] = now;
    this.acts.run[this.F.activity[f]] = 0;
    for (let e = this.head[f]; e !== NONE; e = this.next[e]) {
      this.time[e] -= now;
      this.stale[e]++;
    }
    // The crew runs the repair program: seize the repair requirement (or wait for it), then RepairStart.
    const c = this.crew[f];
    this.ents.pc[c] = this.m.actOpStart[this.m.activityIds.length + f];
    this.ready.push(c, ReadyKind.Run);
  }

  /** A new up time starts now (the run's start, or the end of a repair). */
  private upAgain(f: number): void {
    const now = this.clock.now;
    const up = this.dur.sample(this.F.mtbf[f], this.rng);
    this.target[f] = up;
    if (this.F.activeTime[f] === 0) {
      this.cal.schedule(now + up, EventKind.Failure, f);
      return;
    }
    this.upDone[f] = 0;
    this.armed[f] = 1;
    if (this.count[f] > 0) this.workStarted(f);
  }

  /** The activity (up) has started working: its active_time clock runs. */
  private workStarted(f: number): void {
    if (this.F.activeTime[f] === 0) return;
    const now = this.clock.now;
    this.workSince[f] = now;
    if (this.armed[f] === 1) {
      this.armed[f] = 0;
      this.cal.schedule(now + this.target[f] - this.upDone[f], EventKind.Failure, f);
    }
  }

  /** The activity (up) has stopped working: its active_time clock stops. */
  private workStopped(f: number): void {
    if (this.F.activeTime[f] === 1) this.upDone[f] += this.clock.now - this.workSince[f];
  }

  /** Time in failure from downSince to `now`, the part after warm-up. */
  private recordDown(f: number, now: number): void {
    const from = Math.max(this.downSince[f], this.m.warmupTime);
    if (now > from) this.actStats.failed(this.F.activity[f], now - from);
  }

  private link(f: number, e: number): void {
    const t = this.tail[f];
    this.prev[e] = t;
    this.next[e] = NONE;
    if (t === NONE) this.head[f] = e;
    else this.next[t] = e;
    this.tail[f] = e;
    this.count[f]++;
  }

  private unlink(f: number, e: number): void {
    const p = this.prev[e];
    const n = this.next[e];
    if (p === NONE) this.head[f] = n;
    else this.next[p] = n;
    if (n === NONE) this.tail[f] = p;
    else this.prev[n] = p;
    this.count[f]--;
  }

  private grow(n: number): void {
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.next = g32(this.next);
    this.prev = g32(this.prev);
    this.stale = g32(this.stale);
    const t = new Float64Array(n);
    t.set(this.time);
    this.time = t;
  }
}
