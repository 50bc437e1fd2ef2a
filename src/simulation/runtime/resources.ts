import type { CompiledModel } from "../compile.js";
import { SeizeLedger } from "../stats/costs.js";
import { ResourceStats } from "../stats/resource-stats.js";
import type { Clock } from "./clock.js";
import type { EntityStore } from "./entities.js";
import { NONE, listPush, listUnlink } from "./lists.js";
import { ReadyKind, type ReadyRing } from "./ready.js";

/**
 * Resource levels, requests and holdings.
 *
 * A seize takes a requirement's resources at once or waits: the entity then
 * sits in the wait list of every resource the requirement may use (one node
 * per resource, EntityStore.reqNext/reqPrev), and each release grants waiting
 * requests first-fit in FIFO order (in priority order, lower first, when
 * the model gives any seize a priority other than 1: Q3). What an entity holds is a linked list of
 * holdings (requirement, resource, quantity, seize instance) from
 * EntityStore.hold, so a release gives back exactly one earlier seize.
 */
export class Resources {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  /** Units free now, per resource. */
  declare readonly avail: Int32Array;
  /** Requests waiting, per resource. */
  declare readonly qLen: Int32Array;
  declare readonly stats: ResourceStats;
  /** Use per seizing activity, for resourceCostMultiplier; null unless a model needs it (CostRates.byActivity). */
  declare readonly ledger: SeizeLedger | null;
  /** Wait lists of request nodes, per resource. */
  declare private readonly head: Int32Array;
  declare private readonly tail: Int32Array;
  /** Scratch: resources released by one release. */
  declare private readonly touched: Int32Array;
  /** Scratch: the resources and quantities of the allocation in progress (or just granted). */
  declare private readonly scratchRes: Int32Array;
  declare private readonly scratchQty: Int32Array;
  declare private readonly scratchKeep: Uint8Array;
  private scratchLen = 0;
  /** Queue priority of each waiting entity (only when the model uses priorities). */
  private prio = new Float64Array(0);
  /** Seize instances, so that a release returns all resources of one seize together. */
  private instSeq = 0;

  // --- holdings pool
  private hCap = 0;
  private hFree = NONE;
  private hoReq = new Int32Array(0);
  private hoRes = new Int32Array(0);
  private hoQty = new Int32Array(0);
  private hoInst = new Int32Array(0);
  private hoNext = new Int32Array(0);
  /** 1: taken for a request with keepResource (kept by a delay_with_resource's release). */
  private hoKeep = new Uint8Array(0);
  /** Activity whose action made the seize (-1: a connector); only kept when `ledger` is set. */
  private hoAct = new Int32Array(0);

  declare private readonly m: CompiledModel;
  declare private readonly clock: Clock;
  declare private readonly ents: EntityStore;
  declare private readonly ready: ReadyRing;

  constructor(m: CompiledModel, clock: Clock, ents: EntityStore, ready: ReadyRing) {
    this.m = m;
    this.clock = clock;
    this.ents = ents;
    this.ready = ready;
    const R = Math.max(1, m.resourceIds.length);
    this.avail = new Int32Array(R);
    this.avail.set(m.resCap);
    this.qLen = new Int32Array(R);
    this.head = new Int32Array(R).fill(NONE);
    this.tail = new Int32Array(R).fill(NONE);
    this.touched = new Int32Array(R);
    this.scratchRes = new Int32Array(Math.max(1, m.requestRes.length));
    this.scratchQty = new Int32Array(Math.max(1, m.requestRes.length));
    this.scratchKeep = new Uint8Array(Math.max(1, m.requestRes.length));
    this.stats = new ResourceStats(m.resCap, this.avail, this.qLen, clock);
    this.ledger = m.costs?.byActivity
      ? new SeizeLedger(m.resourceIds.length, m.activityIds.length, clock)
      : null;
    this.growHoldings(256);
  }

  /**
   * Seize requirement `req` for entity `e` now, or put it in the wait lists
   * (false); a later release grants it and queues the entity to run on.
   */
  seize(e: number, req: number, prio: number): boolean {
    if (!this.tryAllocate(e, req)) {
      this.enqueue(e, req, prio);
      return false;
    }
    if (this.clock.inStats) this.recordGrant(e, 0);
    return true;
  }

  /** The entity holds an open capture of requirement `req`. */
  holds(e: number, req: number): boolean {
    let h = this.ents.hold[e];
    while (h !== NONE && this.hoReq[h] !== req) h = this.hoNext[h];
    return h !== NONE;
  }

  /**
   * Release the most recent seize of `req` held by the entity (no-op if none).
   * `skipKept`: a delay_with_resource's own release, which leaves the units
   * of requests marked keepResource held (Q3) until a release or the entity's end.
   */
  release(e: number, req: number, skipKept: boolean): void {
    const ents = this.ents;
    const h = ents.hold[e];
    // The common case, one holding and it is this seize's: give it back without the general walk.
    if (
      h !== NONE &&
      this.hoNext[h] === NONE &&
      this.hoReq[h] === req &&
      !(skipKept && this.hoKeep[h] === 1)
    ) {
      const r = this.hoRes[h];
      this.stats.touch(r);
      this.avail[r] += this.hoQty[h];
      if (this.ledger !== null) this.ledger.change(r, this.hoAct[h], -this.hoQty[h]);
      ents.hold[e] = NONE;
      this.hoNext[h] = this.hFree;
      this.hFree = h;
      if (this.head[r] !== NONE) this.wake(r);
      return;
    }
    this.releaseSeize(e, req, skipKept);
  }

  /** release() in general: the most recent seize of `req` may have taken several resources. */
  private releaseSeize(e: number, req: number, skipKept: boolean): void {
    const ents = this.ents;
    let h = ents.hold[e];
    while (h !== NONE && this.hoReq[h] !== req) h = this.hoNext[h];
    if (h === NONE) return;
    const inst = this.hoInst[h];
    let nTouched = 0;
    let prev = NONE;
    h = ents.hold[e];
    while (h !== NONE) {
      const next = this.hoNext[h];
      if (this.hoInst[h] === inst && !(skipKept && this.hoKeep[h] === 1)) {
        const r = this.hoRes[h];
        this.stats.touch(r);
        this.avail[r] += this.hoQty[h];
        if (this.ledger !== null) this.ledger.change(r, this.hoAct[h], -this.hoQty[h]);
        this.touched[nTouched++] = r;
        if (prev === NONE) ents.hold[e] = next;
        else this.hoNext[prev] = next;
        this.hoNext[h] = this.hFree;
        this.hFree = h;
      } else prev = h;
      h = next;
    }
    // Waiters are the exception on most paths: the test keeps wake out of line (and out of the
    // caller's inlining budget) until some resource has them.
    for (let i = 0; i < nTouched; i++) {
      const r = this.touched[i];
      if (this.head[r] !== NONE) this.wake(r);
    }
  }

  /** An entity leaving the system gives back everything it still holds. */
  releaseAll(e: number): void {
    while (this.ents.hold[e] !== NONE) this.release(e, this.hoReq[this.ents.hold[e]], false);
  }

  private growHoldings(n: number): void {
    const g = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.hoReq = g(this.hoReq);
    this.hoRes = g(this.hoRes);
    this.hoQty = g(this.hoQty);
    this.hoInst = g(this.hoInst);
    this.hoNext = g(this.hoNext);
    const k = new Uint8Array(n);
    k.set(this.hoKeep);
    this.hoKeep = k;
    if (this.ledger !== null) this.hoAct = g(this.hoAct);
    for (let i = n - 1; i >= this.hCap; i--) {
      this.hoNext[i] = this.hFree;
      this.hFree = i;
    }
    this.hCap = n;
  }

  private addHolding(e: number, req: number, r: number, q: number, inst: number, keep: number): void {
    if (this.hFree === NONE) this.growHoldings(this.hCap * 2);
    const h = this.hFree;
    this.hFree = this.hoNext[h];
    this.hoReq[h] = req;
    this.hoRes[h] = r;
    this.hoQty[h] = q;
    this.hoInst[h] = inst;
    this.hoKeep[h] = keep;
    this.hoNext[h] = this.ents.hold[e];
    this.ents.hold[e] = h;
    if (this.ledger !== null) {
      const act = this.ents.act[e];
      this.hoAct[h] = act;
      this.ledger.change(r, act, q);
    }
  }

  /** Try to take the requirement's resources now; on success they are held by the entity. */
  private tryAllocate(e: number, req: number): boolean {
    const m = this.m;
    const avail = this.avail;
    const r = m.reqSimpleRes[req];
    const inst = this.instSeq;
    if (r >= 0) {
      const q = m.reqSimpleQty[req];
      if (avail[r] < q) return false;
      this.stats.touch(r);
      avail[r] -= q;
      this.instSeq++;
      this.addHolding(e, req, r, q, inst, m.reqSimpleKeep[req]);
      this.scratchRes[0] = r;
      this.scratchLen = 1;
      return true;
    }
    return this.tryAllocateTree(e, req, inst);
  }

  /** tryAllocate of a requirement with a clause tree or several requests (out of line: the simple case stays small). */
  private tryAllocateTree(e: number, req: number, inst: number): boolean {
    const m = this.m;
    const avail = this.avail;
    this.scratchLen = 0;
    if (!this.allocClause(m.reqRoot[req])) {
      // Roll back the trial allocation.
      for (let i = this.scratchLen - 1; i >= 0; i--) avail[this.scratchRes[i]] += this.scratchQty[i];
      this.scratchLen = 0;
      return false;
    }
    // avail already reduced by the trial: close the time-weighted stats at the old levels first.
    const n = this.scratchLen;
    for (let i = 0; i < n; i++) avail[this.scratchRes[i]] += this.scratchQty[i];
    for (let i = 0; i < n; i++) this.stats.touch(this.scratchRes[i]);
    for (let i = 0; i < n; i++) {
      const ri = this.scratchRes[i];
      avail[ri] -= this.scratchQty[i];
      this.addHolding(e, req, ri, this.scratchQty[i], inst, this.scratchKeep[i]);
    }
    this.instSeq++;
    return true;
  }

  /** Trial allocation of a clause (REQUIRE_ALL: everything; REQUIRE_ANY: first option that fits). */
  private allocClause(c: number): boolean {
    const m = this.m;
    const avail = this.avail;
    const rs = m.clauseReqStart[c],
      rc = m.clauseReqCount[c];
    const cs = m.clauseChildStart[c],
      cc = m.clauseChildCount[c];
    if (m.clauseAny[c] === 0) {
      for (let i = 0; i < rc; i++) {
        const r = m.requestRes[rs + i],
          q = m.requestQty[rs + i];
        if (avail[r] < q) return false;
        avail[r] -= q;
        this.scratchRes[this.scratchLen] = r;
        this.scratchKeep[this.scratchLen] = m.requestKeep[rs + i];
        this.scratchQty[this.scratchLen++] = q;
      }
      for (let i = 0; i < cc; i++) if (!this.allocClause(m.clauseChildren[cs + i])) return false;
      return true;
    }
    if (rc + cc === 0) return true;
    for (let i = 0; i < rc; i++) {
      const r = m.requestRes[rs + i],
        q = m.requestQty[rs + i];
      if (avail[r] >= q) {
        avail[r] -= q;
        this.scratchRes[this.scratchLen] = r;
        this.scratchKeep[this.scratchLen] = m.requestKeep[rs + i];
        this.scratchQty[this.scratchLen++] = q;
        return true;
      }
    }
    for (let i = 0; i < cc; i++) {
      const mark = this.scratchLen;
      if (this.allocClause(m.clauseChildren[cs + i])) return true;
      for (let j = this.scratchLen - 1; j >= mark; j--) avail[this.scratchRes[j]] += this.scratchQty[j];
      this.scratchLen = mark;
    }
    return false;
  }

  /** Resources just granted to `e` (in scratchRes) record one grant with this wait. */
  private recordGrant(e: number, wait: number): void {
    for (let i = 0; i < this.scratchLen; i++) this.stats.grant(this.scratchRes[i], wait);
    if (this.ledger !== null)
      for (let i = 0; i < this.scratchLen; i++) this.ledger.seize(this.scratchRes[i], this.ents.act[e]);
  }

  private enqueue(e: number, req: number, prio: number): void {
    const m = this.m;
    const ents = this.ents;
    ents.req[e] = req;
    if (m.hasPriority) {
      if (e >= this.prio.length) {
        const b = new Float64Array(Math.max(e + 1, this.prio.length * 2));
        b.set(this.prio);
        this.prio = b;
      }
      this.prio[e] = prio;
    }
    ents.mark[e] = this.clock.now;
    const start = m.reqResStart[req],
      count = m.reqResCount[req];
    const base = e * ents.reqStride;
    for (let j = 0; j < count; j++) {
      const r = m.reqResList[start + j];
      const node = base + j;
      this.stats.touch(r);
      this.stats.queueRose(r, ++this.qLen[r]);
      if (m.hasPriority) this.insertByPriority(r, node, prio);
      else listPush(this.head, this.tail, ents.reqNext, ents.reqPrev, r, node);
    }
  }

  /**
   * Q3: wait lists in priority order (lower number first), arrival order
   * within a priority: the node goes after the last node of priority <= prio.
   */
  private insertByPriority(r: number, node: number, prio: number): void {
    const ents = this.ents;
    const K = ents.reqStride;
    let after = this.tail[r];
    while (after !== NONE && this.prio[(after / K) | 0] > prio) after = ents.reqPrev[after];
    if (after === this.tail[r]) {
      listPush(this.head, this.tail, ents.reqNext, ents.reqPrev, r, node);
      return;
    }
    const before = after === NONE ? this.head[r] : ents.reqNext[after];
    ents.reqPrev[node] = after;
    ents.reqNext[node] = before;
    ents.reqPrev[before] = node;
    if (after === NONE) this.head[r] = node;
    else ents.reqNext[after] = node;
  }

  private dequeue(e: number): void {
    const m = this.m;
    const ents = this.ents;
    const req = ents.req[e];
    const start = m.reqResStart[req],
      count = m.reqResCount[req];
    const base = e * ents.reqStride;
    for (let j = 0; j < count; j++) {
      const r = m.reqResList[start + j];
      const node = base + j;
      this.stats.touch(r);
      this.qLen[r]--;
      listUnlink(this.head, this.tail, ents.reqNext, ents.reqPrev, r, node);
    }
  }

  /** Grant waiting requests on resource r, first fit in FIFO order; granted entities run on. */
  private wake(r: number): void {
    const ents = this.ents;
    const K = ents.reqStride;
    let node = this.head[r];
    while (node !== NONE && this.avail[r] > 0) {
      const next = ents.reqNext[node];
      const e = (node / K) | 0;
      const req = ents.req[e];
      if (this.tryAllocate(e, req)) {
        this.dequeue(e);
        const wait = this.clock.now - ents.mark[e];
        if (this.clock.inStats) this.recordGrant(e, wait);
        ents.wait[e] += wait;
        ents.rwait[e] += wait;
        ents.pc[e]++;
        this.ready.push(e, ReadyKind.Run);
      }
      node = next;
    }
  }
}
