import type { CompiledModel } from "../compile.js";
import type { DurationTable } from "../distributions.js";
import type { RandomStreams } from "../rng.js";
import type { ActivityStats } from "../stats/activity-stats.js";
import type { EntityTypeStats } from "../stats/entity-stats.js";
import type { TimeSeriesCollector } from "../stats/time-series.js";
import type { ActivityStore } from "./activities.js";
import { EventKind, type Calendar } from "./calendar.js";
import type { Clock } from "./clock.js";
import { EntityState, type EntityStore } from "./entities.js";
import { NONE, fifoPush, fifoShift, listPush, listUnlink } from "./lists.js";
import { ReadyKind, type ReadyRing } from "./ready.js";
import type { Logic } from "./logic.js";
import type { Resources } from "./resources.js";
import type { Router } from "./routing.js";

/**
 * How entities move between activities.
 *
 * Connector (weighted choice, travel delay) -> activity inbound queue ->
 * capacity slot (actions run in order; seized resources stay with the entity
 * until released) -> next connector. When the chosen next activity has no
 * room (capacity + inbound queue, counting entities already travelling
 * there), the entity waits where it is, in FIFO order per destination: in the
 * outbound queue if it has room, else in its capacity slot (blocking), or at
 * its generator.
 *
 * Flow never runs actions itself: it says when an entity may (arrive returns
 * true, or a Run item goes to the ready ring), so it does not depend on the
 * interpreter.
 */
export class Flow {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private readonly m: CompiledModel;
  declare private readonly clock: Clock;
  declare private readonly cal: Calendar;
  declare private readonly ready: ReadyRing;
  declare private readonly ents: EntityStore;
  declare private readonly acts: ActivityStore;
  declare private readonly res: Resources;
  declare private readonly router: Router;
  declare private readonly dur: DurationTable;
  declare private readonly rng: RandomStreams;
  declare private readonly actStats: ActivityStats;
  declare private readonly typeStats: EntityTypeStats;
  declare private readonly series: TimeSeriesCollector;
  declare private readonly logic: Logic | null;

  constructor(
    m: CompiledModel,
    clock: Clock,
    cal: Calendar,
    ready: ReadyRing,
    ents: EntityStore,
    acts: ActivityStore,
    res: Resources,
    router: Router,
    dur: DurationTable,
    rng: RandomStreams,
    actStats: ActivityStats,
    typeStats: EntityTypeStats,
    series: TimeSeriesCollector,
    logic: Logic | null = null,
  ) {
    this.m = m;
    this.clock = clock;
    this.cal = cal;
    this.ready = ready;
    this.ents = ents;
    this.acts = acts;
    this.res = res;
    this.router = router;
    this.dur = dur;
    this.rng = rng;
    this.actStats = actStats;
    this.typeStats = typeStats;
    this.series = series;
    this.logic = logic;
  }

  /** A new entity of generator `g` (type and creation time set): its states start. */
  born(e: number, g: number): void {
    if (this.logic !== null) this.logic.born(e, g);
  }

  /** Set off along the reserved route (room at its end is already counted in enRoute). */
  travel(e: number): void {
    const m = this.m;
    const r = this.ents.route[e];
    // NONE: straight into an activity from its own sourceConfig, no connector.
    const count = r === NONE ? 0 : m.routeTravelCount[r];
    let t = 0;
    if (count > 0) {
      const start = m.routeTravelStart[r];
      for (let i = 0; i < count; i++) t += this.dur.sample(m.routeTravel[start + i], this.rng);
    }
    this.ents.state[e] = EntityState.Travel;
    if (t > 0) {
      this.ents.active[e] += t;
      this.cal.schedule(this.clock.now + t, EventKind.Arrive, e);
    } else {
      this.ready.push(e, ReadyKind.Arrive);
    }
  }

  /**
   * The entity reaches its destination: it takes a free slot (true: the
   * caller runs its actions now) or joins the inbound queue.
   */
  arrive(e: number): boolean {
    const m = this.m;
    const ents = this.ents;
    const acts = this.acts;
    const a = ents.dest[e];
    this.actStats.touch(a);
    acts.enRoute[a]--;
    ents.act[e] = a;
    ents.arrive[e] = this.clock.now;
    ents.wait[e] = 0;
    ents.rwait[e] = 0;
    this.actStats.contentsRose(a, ++acts.contents[a]);
    if (acts.inProc[a] < acts.run[a] && acts.qHead[a] === NONE) {
      acts.inProc[a]++;
      ents.state[e] = EntityState.Process;
      ents.pc[e] = m.actOpStart[a];
      return true;
    }
    ents.state[e] = EntityState.Queued;
    ents.mark[e] = this.clock.now;
    if (this.logic !== null && m.logic!.rankSlot[a] >= 0) this.rankedPush(a, e);
    else fifoPush(acts.qHead, acts.qTail, ents.next, a, e);
    acts.qLen[a]++;
    return false;
  }

  /** The entity ran all actions of activity `a`: move on, exit, or block. */
  finish(e: number, a: number): void {
    const ents = this.ents;
    const acts = this.acts;
    // Weighted routing (the common case) stays one direct call; match routing needs the entity.
    const route = this.m.nodeRouteMatch[a] === 0 ? this.router.choose(a) : this.router.chooseFor(a, e);
    if (route === NONE) {
      this.leave(e, a);
      this.exit(e);
      return;
    }
    const dest = this.m.routeTarget[route];
    ents.dest[e] = dest;
    ents.route[e] = route;
    if (acts.wHead[dest] === NONE && acts.hasRoom(dest)) {
      acts.enRoute[dest]++;
      this.leave(e, a);
      this.travel(e);
      return;
    }
    this.block(e, a, dest);
  }

  /** No room at `dest`: wait in the outbound queue of `a` if it has room, else in the slot. */
  private block(e: number, a: number, dest: number): void {
    const ents = this.ents;
    const acts = this.acts;
    this.actStats.touch(a);
    acts.blocked[a]++;
    ents.mark[e] = this.clock.now;
    this.waitFor(dest, e);
    if (acts.outLen[a] < this.m.actOutCap[a]) {
      ents.state[e] = EntityState.BlockedOutq;
      acts.outLen[a]++;
      acts.inProc[a]--;
      this.slotFreed(a);
    } else {
      ents.state[e] = EntityState.BlockedSlot;
      listPush(acts.bHead, acts.bTail, ents.next2, ents.prev2, a, e);
    }
  }

  /**
   * Queue ranking: the inbound queue of `a` is kept ordered by an entity
   * number state, read when the entity joins the queue (ascending by
   * default); equal values keep arrival order (FIFO).
   */
  private rankedPush(a: number, e: number): void {
    const acts = this.acts;
    const next = this.ents.next;
    const L = this.m.logic!;
    const slot = L.rankSlot[a];
    const sign = L.rankDesc[a] === 1 ? -1 : 1;
    const logic = this.logic!;
    const key = sign * logic.entityNum(e, slot);
    let prev = NONE;
    let cur = acts.qHead[a];
    while (cur !== NONE && sign * logic.entityNum(cur, slot) <= key) {
      prev = cur;
      cur = next[cur];
    }
    next[e] = cur;
    if (prev === NONE) acts.qHead[a] = e;
    else next[prev] = e;
    if (cur === NONE) acts.qTail[a] = e;
  }

  /** Queue the entity (already marked) for room at `dest`. */
  waitFor(dest: number, e: number): void {
    fifoPush(this.acts.wHead, this.acts.wTail, this.ents.next, dest, e);
  }

  /** A waiting entity got room at its destination (already reserved): leave and travel. */
  depart(e: number): void {
    if (this.ents.state[e] !== EntityState.WaitGen) this.leave(e, this.ents.act[e]);
    this.travel(e);
  }

  /** The entity leaves the system: it gives back what it holds; its slot is reused. */
  exit(e: number): void {
    const ents = this.ents;
    if (ents.hold[e] !== NONE) this.res.releaseAll(e);
    if (this.logic !== null) this.logic.exit(e, ents.type[e]);
    this.typeStats.exit(ents.type[e], this.clock.now - ents.create[e], ents.active[e]);
    this.series.exit();
    ents.free(e);
  }

  /**
   * A new entity made by an action (split, create, join) starts at activity
   * `dest` itself, bypassing connectors (§5.5): it arrives there at once when
   * there is room (capacity + inbound queue), else it waits for room like a
   * generator's entity, in FIFO order with the others waiting for `dest`.
   */
  launch(e: number, dest: number): void {
    const ents = this.ents;
    const acts = this.acts;
    ents.dest[e] = dest;
    ents.route[e] = NONE;
    if (acts.wHead[dest] === NONE && acts.hasRoom(dest)) {
      acts.enRoute[dest]++;
      this.travel(e);
    } else {
      ents.state[e] = EntityState.WaitGen;
      ents.mark[e] = this.clock.now;
      this.waitFor(dest, e);
    }
  }

  /**
   * The entity leaves activity `a` and ends without completing: a split's
   * original, a join's members (§5.2.6). Its visit counts at `a`; it gives
   * back what it holds; it is not an exit (completedCount, time in system
   * and entity states at exit do not see it).
   */
  consume(e: number, a: number): void {
    const ents = this.ents;
    this.leave(e, a);
    if (ents.hold[e] !== NONE) this.res.releaseAll(e);
    this.series.wipChange(-1);
    ents.free(e);
  }

  /**
   * Dispose: the entity leaves activity `a` and the system now, skipping the
   * rest of its actions and the connectors. Quodsi records no reason, so it
   * counts as completed like an exit (time in system, entity states at exit)
   * and also in disposedCount; its visit counts at `a` with its actual time.
   */
  dispose(e: number, a: number): void {
    this.leave(e, a);
    this.typeStats.disposed(this.ents.type[e]);
    this.exit(e);
  }

  /** The entity leaves activity `a` (from its slot or outbound queue); record its visit. */
  private leave(e: number, a: number): void {
    const ents = this.ents;
    const acts = this.acts;
    this.actStats.touch(a);
    const st = ents.state[e];
    acts.contents[a]--;
    this.actStats.visit(a, this.clock.now - ents.arrive[e], ents.wait[e], ents.rwait[e]);
    if (st === EntityState.BlockedOutq || st === EntityState.BlockedSlot) this.leaveBlocked(e, a, st);
    else {
      acts.inProc[a]--;
      this.slotFreed(a);
    }
    ents.act[e] = NONE;
  }

  /** leave() of an entity that waited, blocked, in the outbound queue or its slot. */
  private leaveBlocked(e: number, a: number, st: number): void {
    const ents = this.ents;
    const acts = this.acts;
    acts.blocked[a]--;
    if (st === EntityState.BlockedOutq) {
      acts.outLen[a]--;
      // Room in the outbound queue: the first slot-blocked entity moves in.
      const b = acts.bHead[a];
      if (b !== NONE) {
        listUnlink(acts.bHead, acts.bTail, ents.next2, ents.prev2, a, b);
        ents.state[b] = EntityState.BlockedOutq;
        acts.outLen[a]++;
        acts.inProc[a]--;
        this.slotFreed(a);
      }
    } else {
      listUnlink(acts.bHead, acts.bTail, ents.next2, ents.prev2, a, e);
      acts.inProc[a]--;
      this.slotFreed(a);
    }
  }

  /** Activity `a` was repaired: its free slots admit from the inbound queue (runtime/failures.ts). */
  resume(a: number): void {
    this.slotFreed(a);
  }

  /** A capacity slot of `a` was freed: admit from the inbound queue, then let waiters reserve room. */
  private slotFreed(a: number): void {
    const m = this.m;
    const ents = this.ents;
    const acts = this.acts;
    const cap = acts.run[a];
    while (acts.inProc[a] < cap && acts.qHead[a] !== NONE) {
      const q = fifoShift(acts.qHead, acts.qTail, ents.next, a);
      acts.qLen[a]--;
      acts.inProc[a]++;
      ents.wait[q] += this.clock.now - ents.mark[q];
      ents.state[q] = EntityState.Process;
      ents.pc[q] = m.actOpStart[a];
      this.ready.push(q, ReadyKind.Run);
    }
    while (acts.wHead[a] !== NONE && acts.hasRoom(a)) {
      const w = fifoShift(acts.wHead, acts.wTail, ents.next, a);
      acts.enRoute[a]++;
      this.ready.push(w, ReadyKind.Depart);
    }
  }
}
