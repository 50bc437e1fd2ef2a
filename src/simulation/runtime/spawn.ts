import type { CompiledSpawn } from "../compile-spawn.js";
import type { EntityTypeStats } from "../stats/entity-stats.js";
import type { TimeSeriesCollector } from "../stats/time-series.js";
import type { Clock } from "./clock.js";
import { MAX_ENTITIES_IN_SYSTEM, type EntityStore } from "./entities.js";
import { ModelRuntimeError } from "./errors.js";
import type { Flow } from "./flow.js";
import { NONE } from "./lists.js";
import type { Logic } from "./logic.js";

/**
 * Entities the actions may make at one instant of simulated time: twice as
 * many as can be in the system at once. Beyond it the model loops in zero
 * time (a create or split whose new entities come back to it without a
 * delay), which would otherwise run for ever without the clock moving.
 */
export const MAX_MADE_AT_ONE_INSTANT = 2 * MAX_ENTITIES_IN_SYSTEM;

/**
 * The actions that make entities (split, create, join), with Quodsi's
 * semantics (§5.6). Only built when a model uses them (CompiledModel.spawn),
 * so the plain path never touches it.
 *
 * Every new entity starts like a generator's: declared initial state values
 * (Flow.born with no generator), then the `inheritStates` copied from its
 * source, then the piece index (split `splitIndexState`) or group size (join
 * `joinCountState`), then the action's `modifications`, in that order. It
 * goes straight to the action's destination, bypassing connectors
 * (Flow.launch), and counts in createdCount of its type besides its own
 * count (createdByActionCount, splitCount, joinedCount).
 *
 * Time in system (choices where Quodsi is silent, pinned by tests): split
 * pieces carry the original's creation time and active time (a piece's time
 * in system is the order's); a join's combined entity carries those of the
 * group's first arrival; a created entity starts at the create.
 *
 * Joins: an arriving entity waits at the join, holding its capacity slot,
 * in the group of its `matchState` value (numbers compare by value, strings
 * exactly). When a group has `joinCount` members, the combined entity (type
 * `combinedTemplateId`, else the first arrival's) is made from the first
 * arrival, every member leaves the activity and ends (releasing what it
 * holds; the one that completed the group too, Q11), and the combined entity
 * goes on. A join whose activity capacity is below `joinCount` never
 * completes a group: its members hold the slots, the others queue, and the
 * replication ends at runTime with them in progress.
 */
export class Spawner {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private readonly S: CompiledSpawn;
  declare private readonly clock: Clock;
  declare private readonly ents: EntityStore;
  declare private readonly flow: Flow;
  declare private readonly logic: Logic | null;
  declare private readonly typeStats: EntityTypeStats;
  declare private readonly series: TimeSeriesCollector;
  /** Per spawn row (joins only): match value -> open group. */
  declare private readonly groups: Array<Map<number | string, number>>;
  /** Open groups: first and last member (linked through EntityStore.next) and size; a free list through gHead. */
  private gHead = new Int32Array(0);
  private gTail = new Int32Array(0);
  private gCount = new Int32Array(0);
  private gFree = NONE;
  /** The instant of the last entity made, and how many were made at it. */
  private instant = NaN;
  private madeNow = 0;

  constructor(
    S: CompiledSpawn,
    clock: Clock,
    ents: EntityStore,
    flow: Flow,
    logic: Logic | null,
    typeStats: EntityTypeStats,
    series: TimeSeriesCollector,
  ) {
    this.S = S;
    this.clock = clock;
    this.ents = ents;
    this.flow = flow;
    this.logic = logic;
    this.typeStats = typeStats;
    this.series = series;
    this.groups = Array.from(S.kind, () => new Map<number | string, number>());
    this.growGroups(16);
  }

  /** Split row `k`: entity `e` at activity `a` is replaced by its pieces (it ends here). */
  split(k: number, e: number, a: number): void {
    const S = this.S;
    const ents = this.ents;
    const t = S.type[k];
    const type = t >= 0 ? t : ents.type[e];
    const create = ents.create[e];
    const active = ents.active[e];
    const slot = S.indexSlot[k];
    const n = S.count[k];
    for (let i = 0; i < n; i++) {
      const p = this.make(k, type, e, create, active);
      // The pool may have grown in make(): read the rows afresh.
      if (slot >= 0) ents.num[p * ents.numStride + slot] = i;
      this.finishNew(k, p);
      this.typeStats.splitPiece(type);
      this.flow.launch(p, S.dest[k]);
    }
    this.flow.consume(e, a);
  }

  /** Create row `k`: a new entity goes to the destination; `e` carries on. */
  create(k: number, e: number): void {
    const S = this.S;
    const type = S.type[k];
    const p = this.make(k, type, e, this.clock.now, 0);
    this.finishNew(k, p);
    this.typeStats.createdByAction(type);
    this.flow.launch(p, S.dest[k]);
  }

  /** Join row `k`: entity `e` joins its group and waits; a full group becomes one entity. */
  join(k: number, e: number): void {
    const S = this.S;
    const ents = this.ents;
    const slot = S.matchSlot[k];
    const key =
      S.matchIsStr[k] === 1 ? ents.str[e * ents.strStride + slot] : ents.num[e * ents.numStride + slot];
    const map = this.groups[k];
    let g = map.get(key);
    ents.next[e] = NONE;
    if (g === undefined) {
      g = this.newGroup();
      map.set(key, g);
      this.gHead[g] = e;
      this.gCount[g] = 1;
    } else {
      ents.next[this.gTail[g]] = e;
      this.gCount[g]++;
    }
    this.gTail[g] = e;
    const size = this.gCount[g];
    if (size < S.count[k]) return;

    map.delete(key);
    const first = this.gHead[g];
    const t = S.type[k];
    const type = t >= 0 ? t : ents.type[first];
    const c = this.make(k, type, first, ents.create[first], ents.active[first]);
    const cs = S.indexSlot[k];
    if (cs >= 0) ents.num[c * ents.numStride + cs] = size;
    this.finishNew(k, c);
    this.typeStats.joined(type);
    for (let m = first; m !== NONE;) {
      const next = ents.next[m];
      this.flow.consume(m, ents.act[m]);
      m = next;
    }
    this.gHead[g] = this.gFree;
    this.gFree = g;
    this.flow.launch(c, S.dest[k]);
  }

  /** A new entity of `type` with the states of row `k` inherited from `from`. */
  private make(k: number, type: number, from: number, create: number, active: number): number {
    const S = this.S;
    const ents = this.ents;
    const now = this.clock.now;
    if (now !== this.instant) {
      this.instant = now;
      this.madeNow = 0;
    } else if (++this.madeNow > MAX_MADE_AT_ONE_INSTANT)
      throw new ModelRuntimeError(
        `${S.path[k]}: more than ${MAX_MADE_AT_ONE_INSTANT} entities made by actions at simulated time ${now} ` +
          "without time moving on: the model loops in zero time (new entities come back to the action that made " +
          "them without a delay). Add a delay on the way, or send them elsewhere.",
      );
    const p = ents.alloc(now);
    ents.type[p] = type;
    ents.gen[p] = NONE;
    ents.create[p] = create;
    ents.active[p] = active;
    this.flow.born(p, -1);
    const ns = ents.numStride;
    const num = ents.num;
    for (let i = S.inhNumStart[k], end = i + S.inhNumCount[k]; i < end; i++) {
      const s = S.inhNumSlots[i];
      num[p * ns + s] = num[from * ns + s];
    }
    const ss = ents.strStride;
    const str = ents.str;
    for (let i = S.inhStrStart[k], end = i + S.inhStrCount[k]; i < end; i++) {
      const s = S.inhStrSlots[i];
      str[p * ss + s] = str[from * ss + s];
    }
    this.typeStats.create(type);
    this.series.wipChange(1);
    return p;
  }

  /** The action's modifications on the new entity. */
  private finishNew(k: number, p: number): void {
    const list = this.S.mods[k];
    if (list >= 0) this.logic!.apply(list, p);
  }

  private newGroup(): number {
    if (this.gFree === NONE) this.growGroups(this.gHead.length * 2);
    const g = this.gFree;
    this.gFree = this.gHead[g];
    return g;
  }

  private growGroups(n: number): void {
    const old = this.gHead.length;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.gHead = grow(this.gHead);
    this.gTail = grow(this.gTail);
    this.gCount = grow(this.gCount);
    for (let g = n - 1; g >= old; g--) {
      this.gHead[g] = this.gFree;
      this.gFree = g;
    }
  }
}
