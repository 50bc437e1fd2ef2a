import { type CompiledModel, Op } from "./compile.js";
import type { DurationTable } from "./distributions.js";
import { RandomStreams } from "./rng.js";
import type { ReplicationResult, TimePeriod } from "./types.js";
import { periodLength } from "./units.js";
import { EntityState, EntityStore } from "./runtime/entities.js";
import { NONE, fifoPush, fifoShift, listPush, listUnlink } from "./runtime/lists.js";
import { Calendar, EVENT_KIND_BITS, EVENT_KIND_MASK, EventKind } from "./runtime/calendar.js";
import { READY_KIND_BITS, READY_KIND_MASK, ReadyKind, ReadyRing } from "./runtime/ready.js";

/*
 * One replication of the discrete-event simulation, written for speed:
 * every piece of state lives in typed arrays indexed by integers (entity
 * slots are pooled and reused), the event calendar is a binary heap over
 * typed arrays ordered by (time, insertion sequence) so simultaneous events
 * run FIFO, and nothing is allocated per event.
 *
 * Zero-time follow-ups (an entity taking a freed slot, a granted resource
 * request, an arrival after a zero travel time) go through a FIFO "ready"
 * ring processed before the next calendar event, which keeps every handler
 * O(1) and free of recursion however long the chain of knock-on effects.
 *
 * Entity flow: generator -> connector (weighted choice, travel delay) ->
 * activity inbound queue -> capacity slot (actions run in order; seized
 * resources stay with the entity until released) -> next connector. When the
 * chosen next activity has no room (capacity + inbound queue, counting
 * entities already travelling there), the entity waits where it is, in FIFO
 * order per destination: in the outbound queue if it has room, else in its
 * capacity slot (blocking), or at its generator.
 */

const MAX_BUCKETS = 10_000;

export class Simulation {
  readonly m: CompiledModel;
  private readonly rng: RandomStreams;
  private readonly dur: DurationTable;
  private readonly runTime: number;
  private readonly warmupTime: number;
  now = 0;
  eventCount = 0;
  exitsTotal = 0;
  private inStats: boolean;
  private instSeq = 0;

  private readonly cal = new Calendar();
  private readonly ready = new ReadyRing();

  private readonly ents: EntityStore;
  private readonly K: number;

  // --- holdings pool (seized resources)
  private hCap = 0;
  private hFree = NONE;
  private hoReq = new Int32Array(0);
  private hoRes = new Int32Array(0);
  private hoQty = new Int32Array(0);
  private hoInst = new Int32Array(0);
  private hoNext = new Int32Array(0);

  // --- activities
  private readonly aInProc: Int32Array;
  private readonly aQLen: Int32Array;
  private readonly aOutLen: Int32Array;
  private readonly aEnRoute: Int32Array;
  private readonly aBlocked: Int32Array;
  private readonly aContents: Int32Array;
  private readonly qHead: Int32Array;
  private readonly qTail: Int32Array;
  private readonly wHead: Int32Array;
  private readonly wTail: Int32Array;
  private readonly bHead: Int32Array;
  private readonly bTail: Int32Array;
  private readonly aLast: Float64Array;
  private readonly aContArea: Float64Array;
  private readonly aBusyArea: Float64Array;
  private readonly aQArea: Float64Array;
  private readonly aBlkArea: Float64Array;
  private readonly aMax: Int32Array;
  private readonly aThroughput: Float64Array;
  private readonly aSumTime: Float64Array;
  private readonly aSumWait: Float64Array;

  // --- resources
  private readonly rAvail: Int32Array;
  private readonly rLast: Float64Array;
  private readonly rBusyArea: Float64Array;
  private readonly rQLen: Int32Array;
  private readonly rQArea: Float64Array;
  private readonly rMaxQ: Int32Array;
  private readonly rGrants: Float64Array;
  private readonly rDelayed: Float64Array;
  private readonly rSumWait: Float64Array;
  private readonly rpHead: Int32Array;
  private readonly rpTail: Int32Array;
  private readonly touched: Int32Array; // scratch: resources released by one release
  private readonly scratchRes: Int32Array; // scratch: complex allocation
  private readonly scratchQty: Int32Array;
  private scratchLen = 0;

  // --- generators
  private readonly gCreated: Int32Array;
  private readonly gCycles: Int32Array;

  // --- entity types
  private readonly tCreated: Float64Array;
  private readonly tCompleted: Float64Array;
  private readonly tSumTis: Float64Array;
  private readonly tSumWait: Float64Array;

  // --- time series (whole run, from 0)
  private readonly bucketSize: number;
  private readonly nBuckets: number;
  private readonly tsThroughput: Float64Array;
  private readonly tsWipArea: Float64Array;
  private tsIdx = 0;
  private tsEnd: number;
  private tsLast = 0;
  private wip = 0;
  private readonly period: TimePeriod;

  constructor(
    m: CompiledModel,
    readonly seed: number,
    readonly repIndex: number,
    period: TimePeriod,
  ) {
    this.m = m;
    this.rng = new RandomStreams(seed, repIndex, m.streamKeys);
    this.dur = m.durations;
    this.runTime = m.runTime;
    this.warmupTime = m.warmupTime;
    this.inStats = m.warmupTime <= 0;
    this.K = m.maxReqResources;
    this.period = period;
    const A = Math.max(1, m.activityIds.length);
    const R = Math.max(1, m.resourceIds.length);
    const G = Math.max(1, m.generatorIds.length);
    const T = Math.max(1, m.entityIds.length);
    this.aInProc = new Int32Array(A);
    this.aQLen = new Int32Array(A);
    this.aOutLen = new Int32Array(A);
    this.aEnRoute = new Int32Array(A);
    this.aBlocked = new Int32Array(A);
    this.aContents = new Int32Array(A);
    this.qHead = new Int32Array(A).fill(NONE);
    this.qTail = new Int32Array(A).fill(NONE);
    this.wHead = new Int32Array(A).fill(NONE);
    this.wTail = new Int32Array(A).fill(NONE);
    this.bHead = new Int32Array(A).fill(NONE);
    this.bTail = new Int32Array(A).fill(NONE);
    this.aLast = new Float64Array(A);
    this.aContArea = new Float64Array(A);
    this.aBusyArea = new Float64Array(A);
    this.aQArea = new Float64Array(A);
    this.aBlkArea = new Float64Array(A);
    this.aMax = new Int32Array(A);
    this.aThroughput = new Float64Array(A);
    this.aSumTime = new Float64Array(A);
    this.aSumWait = new Float64Array(A);
    this.rAvail = new Int32Array(R);
    this.rAvail.set(m.resCap);
    this.rLast = new Float64Array(R);
    this.rBusyArea = new Float64Array(R);
    this.rQLen = new Int32Array(R);
    this.rQArea = new Float64Array(R);
    this.rMaxQ = new Int32Array(R);
    this.rGrants = new Float64Array(R);
    this.rDelayed = new Float64Array(R);
    this.rSumWait = new Float64Array(R);
    this.rpHead = new Int32Array(R).fill(NONE);
    this.rpTail = new Int32Array(R).fill(NONE);
    this.touched = new Int32Array(R);
    this.scratchRes = new Int32Array(Math.max(1, m.requestRes.length));
    this.scratchQty = new Int32Array(Math.max(1, m.requestRes.length));
    this.gCreated = new Int32Array(G);
    this.gCycles = new Int32Array(G);
    this.tCreated = new Float64Array(T);
    this.tCompleted = new Float64Array(T);
    this.tSumTis = new Float64Array(T);
    this.tSumWait = new Float64Array(T);

    let bucket = periodLength(period, m.timeUnit);
    let n = Math.max(1, Math.ceil(m.runTime / bucket - 1e-9));
    if (n > MAX_BUCKETS) {
      const k = Math.ceil(n / MAX_BUCKETS);
      bucket *= k;
      n = Math.max(1, Math.ceil(m.runTime / bucket - 1e-9));
    }
    this.bucketSize = bucket;
    this.nBuckets = n;
    this.tsThroughput = new Float64Array(n);
    this.tsWipArea = new Float64Array(n);
    this.tsEnd = n === 1 ? m.runTime : bucket;

    this.ents = new EntityStore(this.K, 256);
    this.growHoldings(256);

    // Initial events: warm-up reset first, then each generator's first arrival.
    if (m.warmupTime > 0) this.cal.schedule(m.warmupTime, EventKind.WarmupEnd, 0);
    for (let g = 0; g < m.generatorIds.length; g++) {
      if (m.genMaxCycles[g] <= 0 || m.genMaxEntities[g] <= 0) continue;
      const s = m.genStart[g];
      this.cal.schedule(s >= 0 ? this.dur.sample(s, this.rng) : 0, EventKind.Generate, g);
    }
  }

  /** Fraction of simulated time done. */
  get fraction(): number {
    return Math.min(1, this.now / this.runTime);
  }

  // ------------------------------------------------------------------ pools

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
    for (let i = n - 1; i >= this.hCap; i--) {
      this.hoNext[i] = this.hFree;
      this.hFree = i;
    }
    this.hCap = n;
  }

  // -------------------------------------------------------------- main loop

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
            this.runOps(e);
            break;
          case ReadyKind.Depart:
            this.depart(e);
            break;
          default:
            this.arrive(e);
        }
        continue;
      }
      if (cal.size === 0 || cal.nextTime() > runTime) {
        this.finish();
        return true;
      }
      const t = cal.nextTime();
      const w = cal.pop();
      this.now = t;
      this.eventCount++;
      const p = w >> EVENT_KIND_BITS;
      switch (w & EVENT_KIND_MASK) {
        case EventKind.OpDone:
          this.ents.pc[p]++;
          this.runOps(p);
          break;
        case EventKind.Generate:
          this.generate(p);
          break;
        case EventKind.Arrive:
          this.arrive(p);
          break;
        default:
          this.resetStats();
      }
    }
    return false;
  }

  // ------------------------------------------------------------ generators

  private generate(g: number): void {
    const m = this.m;
    const made = this.gCreated[g];
    const n = Math.min(m.genBatch[g], m.genMaxEntities[g] - made);
    for (let k = 0; k < n; k++) this.createEntity(g);
    this.gCreated[g] = made + n;
    const cycles = ++this.gCycles[g];
    if (cycles < m.genMaxCycles[g] && made + n < m.genMaxEntities[g]) {
      this.cal.schedule(this.now + this.dur.sample(m.genIat[g], this.rng), EventKind.Generate, g);
    }
  }

  private createEntity(g: number): void {
    const e = this.ents.alloc(this.now);
    const type = this.m.genEntity[g];
    this.ents.type[e] = type;
    this.ents.gen[e] = g;
    this.ents.create[e] = this.now;
    if (this.inStats) this.tCreated[type]++;
    this.wipChange(1);
    const route = this.chooseRoute(this.m.activityIds.length + g);
    if (route === NONE) {
      this.exitSystem(e);
      return;
    }
    const dest = this.m.routeTarget[route];
    this.ents.dest[e] = dest;
    this.ents.route[e] = route;
    if (this.wHead[dest] === NONE && this.hasRoom(dest)) {
      this.aEnRoute[dest]++;
      this.travel(e);
    } else {
      this.ents.state[e] = EntityState.WaitGen;
      this.ents.mark[e] = this.now;
      this.appendWaiter(dest, e);
    }
  }

  private chooseRoute(node: number): number {
    const m = this.m;
    const count = m.nodeRouteCount[node];
    if (count === 0) return NONE;
    const start = m.nodeRouteStart[node];
    if (count === 1) return start;
    const u = this.rng.next(m.nodeRouteStream[node]) * m.nodeTotalWeight[node];
    const cum = m.routeCumWeight;
    const end = start + count - 1;
    let r = start;
    while (r < end && u >= cum[r]) r++;
    return r;
  }

  // ------------------------------------------------------------ activities

  private hasRoom(a: number): boolean {
    const m = this.m;
    return this.aInProc[a] + this.aQLen[a] + this.aEnRoute[a] < m.actCap[a] + m.actInCap[a];
  }

  private touchA(a: number): void {
    const dt = this.now - this.aLast[a];
    if (dt > 0) {
      this.aContArea[a] += this.aContents[a] * dt;
      this.aBusyArea[a] += this.aInProc[a] * dt;
      this.aQArea[a] += this.aQLen[a] * dt;
      this.aBlkArea[a] += this.aBlocked[a] * dt;
      this.aLast[a] = this.now;
    }
  }

  private travel(e: number): void {
    const m = this.m;
    const r = this.ents.route[e];
    const count = m.routeTravelCount[r];
    let t = 0;
    if (count > 0) {
      const start = m.routeTravelStart[r];
      for (let i = 0; i < count; i++) t += this.dur.sample(m.routeTravel[start + i], this.rng);
    }
    this.ents.state[e] = EntityState.Travel;
    if (t > 0) {
      this.ents.active[e] += t;
      this.cal.schedule(this.now + t, EventKind.Arrive, e);
    } else {
      this.ready.push(e, ReadyKind.Arrive);
    }
  }

  private arrive(e: number): void {
    const a = this.ents.dest[e];
    this.touchA(a);
    this.aEnRoute[a]--;
    this.ents.act[e] = a;
    this.ents.arrive[e] = this.now;
    this.ents.wait[e] = 0;
    const c = ++this.aContents[a];
    if (c > this.aMax[a]) this.aMax[a] = c;
    if (this.aInProc[a] < this.m.actCap[a] && this.qHead[a] === NONE) {
      this.aInProc[a]++;
      this.ents.state[e] = EntityState.Process;
      this.ents.pc[e] = this.m.actOpStart[a];
      this.runOps(e);
    } else {
      this.ents.state[e] = EntityState.Queued;
      this.ents.mark[e] = this.now;
      fifoPush(this.qHead, this.qTail, this.ents.next, a, e);
      this.aQLen[a]++;
    }
  }

  /** Run the entity's actions from its pc until a delay, a resource wait or the end. */
  private runOps(e: number): void {
    const m = this.m;
    const a = this.ents.act[e];
    const end = m.actOpEnd[a];
    let pc = this.ents.pc[e];
    while (pc < end) {
      const arg = m.opArg[pc];
      switch (m.opKind[pc]) {
        case Op.Delay: {
          const d = this.dur.sample(arg, this.rng);
          this.ents.active[e] += d;
          this.ents.pc[e] = pc;
          this.cal.schedule(this.now + d, EventKind.OpDone, e);
          return;
        }
        case Op.Seize:
          if (!this.tryAllocate(e, arg)) {
            this.ents.pc[e] = pc;
            this.enqueueRequest(e, arg);
            return;
          }
          if (this.inStats) this.recordGrant(0);
          break;
        default:
          this.release(e, arg);
      }
      pc++;
    }
    this.ents.pc[e] = pc;
    this.finishProcessing(e, a);
  }

  private finishProcessing(e: number, a: number): void {
    const route = this.chooseRoute(a);
    if (route === NONE) {
      this.leaveActivity(e, a);
      this.exitSystem(e);
      return;
    }
    const dest = this.m.routeTarget[route];
    this.ents.dest[e] = dest;
    this.ents.route[e] = route;
    if (this.wHead[dest] === NONE && this.hasRoom(dest)) {
      this.aEnRoute[dest]++;
      this.leaveActivity(e, a);
      this.travel(e);
      return;
    }
    // Blocked: wait in the outbound queue if it has room, else in the slot.
    this.touchA(a);
    this.aBlocked[a]++;
    this.ents.mark[e] = this.now;
    this.appendWaiter(dest, e);
    if (this.aOutLen[a] < this.m.actOutCap[a]) {
      this.ents.state[e] = EntityState.BlockedOutq;
      this.aOutLen[a]++;
      this.aInProc[a]--;
      this.slotFreed(a);
    } else {
      this.ents.state[e] = EntityState.BlockedSlot;
      listPush(this.bHead, this.bTail, this.ents.next2, this.ents.prev2, a, e);
    }
  }

  /** The entity leaves activity `a` (from its slot or outbound queue); record its visit. */
  private leaveActivity(e: number, a: number): void {
    this.touchA(a);
    const st = this.ents.state[e];
    this.aContents[a]--;
    if (this.inStats) {
      this.aThroughput[a]++;
      this.aSumTime[a] += this.now - this.ents.arrive[e];
      this.aSumWait[a] += this.ents.wait[e];
    }
    if (st === EntityState.BlockedOutq) {
      this.aBlocked[a]--;
      this.aOutLen[a]--;
      // Room in the outbound queue: the first slot-blocked entity moves in.
      const b = this.bHead[a];
      if (b !== NONE) {
        this.unlinkSlotBlocked(a, b);
        this.ents.state[b] = EntityState.BlockedOutq;
        this.aOutLen[a]++;
        this.aInProc[a]--;
        this.slotFreed(a);
      }
    } else {
      if (st === EntityState.BlockedSlot) {
        this.aBlocked[a]--;
        this.unlinkSlotBlocked(a, e);
      }
      this.aInProc[a]--;
      this.slotFreed(a);
    }
    this.ents.act[e] = NONE;
  }

  private unlinkSlotBlocked(a: number, e: number): void {
    listUnlink(this.bHead, this.bTail, this.ents.next2, this.ents.prev2, a, e);
  }

  /** A capacity slot of `a` was freed: admit from the inbound queue, then let waiters reserve room. */
  private slotFreed(a: number): void {
    const m = this.m;
    const cap = m.actCap[a];
    while (this.aInProc[a] < cap && this.qHead[a] !== NONE) {
      const q = fifoShift(this.qHead, this.qTail, this.ents.next, a);
      this.aQLen[a]--;
      this.aInProc[a]++;
      this.ents.wait[q] += this.now - this.ents.mark[q];
      this.ents.state[q] = EntityState.Process;
      this.ents.pc[q] = m.actOpStart[a];
      this.ready.push(q, ReadyKind.Run);
    }
    while (this.wHead[a] !== NONE && this.hasRoom(a)) {
      const w = fifoShift(this.wHead, this.wTail, this.ents.next, a);
      this.aEnRoute[a]++;
      this.ready.push(w, ReadyKind.Depart);
    }
  }

  private appendWaiter(dest: number, e: number): void {
    fifoPush(this.wHead, this.wTail, this.ents.next, dest, e);
  }

  /** A waiting entity got room at its destination (already reserved): leave and travel. */
  private depart(e: number): void {
    if (this.ents.state[e] !== EntityState.WaitGen) this.leaveActivity(e, this.ents.act[e]);
    this.travel(e);
  }

  private exitSystem(e: number): void {
    if (this.ents.hold[e] !== NONE) this.releaseAll(e);
    const type = this.ents.type[e];
    const tis = this.now - this.ents.create[e];
    if (this.inStats) {
      this.tCompleted[type]++;
      this.tSumTis[type] += tis;
      this.tSumWait[type] += Math.max(0, tis - this.ents.active[e]);
    }
    this.exitsTotal++;
    this.wipChange(-1);
    this.tsThroughput[this.tsIdx]++;
    this.ents.free(e);
  }

  // ------------------------------------------------------------- resources

  private touchR(r: number): void {
    const dt = this.now - this.rLast[r];
    if (dt > 0) {
      this.rBusyArea[r] += (this.m.resCap[r] - this.rAvail[r]) * dt;
      this.rQArea[r] += this.rQLen[r] * dt;
      this.rLast[r] = this.now;
    }
  }

  private addHolding(e: number, req: number, r: number, q: number, inst: number): void {
    if (this.hFree === NONE) this.growHoldings(this.hCap * 2);
    const h = this.hFree;
    this.hFree = this.hoNext[h];
    this.hoReq[h] = req;
    this.hoRes[h] = r;
    this.hoQty[h] = q;
    this.hoInst[h] = inst;
    this.hoNext[h] = this.ents.hold[e];
    this.ents.hold[e] = h;
  }

  /** Try to take the requirement's resources now; on success they are held by the entity. */
  private tryAllocate(e: number, req: number): boolean {
    const m = this.m;
    const r = m.reqSimpleRes[req];
    const inst = this.instSeq;
    if (r >= 0) {
      const q = m.reqSimpleQty[req];
      if (this.rAvail[r] < q) return false;
      this.touchR(r);
      this.rAvail[r] -= q;
      this.instSeq++;
      this.addHolding(e, req, r, q, inst);
      this.scratchRes[0] = r;
      this.scratchLen = 1;
      return true;
    }
    this.scratchLen = 0;
    if (!this.allocClause(m.reqRoot[req])) {
      // Roll back the trial allocation.
      for (let i = this.scratchLen - 1; i >= 0; i--) this.rAvail[this.scratchRes[i]] += this.scratchQty[i];
      this.scratchLen = 0;
      return false;
    }
    // rAvail already reduced by the trial: close the time-weighted stats at the old levels first.
    const n = this.scratchLen;
    for (let i = 0; i < n; i++) this.rAvail[this.scratchRes[i]] += this.scratchQty[i];
    for (let i = 0; i < n; i++) this.touchR(this.scratchRes[i]);
    for (let i = 0; i < n; i++) {
      const ri = this.scratchRes[i];
      this.rAvail[ri] -= this.scratchQty[i];
      this.addHolding(e, req, ri, this.scratchQty[i], inst);
    }
    this.instSeq++;
    return true;
  }

  /** Trial allocation of a clause (REQUIRE_ALL: everything; REQUIRE_ANY: first option that fits). */
  private allocClause(c: number): boolean {
    const m = this.m;
    const rs = m.clauseReqStart[c],
      rc = m.clauseReqCount[c];
    const cs = m.clauseChildStart[c],
      cc = m.clauseChildCount[c];
    if (m.clauseAny[c] === 0) {
      for (let i = 0; i < rc; i++) {
        const r = m.requestRes[rs + i],
          q = m.requestQty[rs + i];
        if (this.rAvail[r] < q) return false;
        this.rAvail[r] -= q;
        this.scratchRes[this.scratchLen] = r;
        this.scratchQty[this.scratchLen++] = q;
      }
      for (let i = 0; i < cc; i++) if (!this.allocClause(m.clauseChildren[cs + i])) return false;
      return true;
    }
    if (rc + cc === 0) return true;
    for (let i = 0; i < rc; i++) {
      const r = m.requestRes[rs + i],
        q = m.requestQty[rs + i];
      if (this.rAvail[r] >= q) {
        this.rAvail[r] -= q;
        this.scratchRes[this.scratchLen] = r;
        this.scratchQty[this.scratchLen++] = q;
        return true;
      }
    }
    for (let i = 0; i < cc; i++) {
      const mark = this.scratchLen;
      if (this.allocClause(m.clauseChildren[cs + i])) return true;
      for (let j = this.scratchLen - 1; j >= mark; j--) this.rAvail[this.scratchRes[j]] += this.scratchQty[j];
      this.scratchLen = mark;
    }
    return false;
  }

  /** Resources just granted (in scratchRes) record one grant with this wait. */
  private recordGrant(wait: number): void {
    for (let i = 0; i < this.scratchLen; i++) {
      const r = this.scratchRes[i];
      this.rGrants[r]++;
      this.rSumWait[r] += wait;
      if (wait > 0) this.rDelayed[r]++;
    }
  }

  private enqueueRequest(e: number, req: number): void {
    const m = this.m;
    this.ents.req[e] = req;
    this.ents.mark[e] = this.now;
    const start = m.reqResStart[req],
      count = m.reqResCount[req];
    const base = e * this.K;
    for (let j = 0; j < count; j++) {
      const r = m.reqResList[start + j];
      const node = base + j;
      this.touchR(r);
      const q = ++this.rQLen[r];
      if (q > this.rMaxQ[r]) this.rMaxQ[r] = q;
      listPush(this.rpHead, this.rpTail, this.ents.reqNext, this.ents.reqPrev, r, node);
    }
  }

  private dequeueRequest(e: number): void {
    const m = this.m;
    const req = this.ents.req[e];
    const start = m.reqResStart[req],
      count = m.reqResCount[req];
    const base = e * this.K;
    for (let j = 0; j < count; j++) {
      const r = m.reqResList[start + j];
      const node = base + j;
      this.touchR(r);
      this.rQLen[r]--;
      listUnlink(this.rpHead, this.rpTail, this.ents.reqNext, this.ents.reqPrev, r, node);
    }
  }

  /** Grant waiting requests on resource r, first fit in FIFO order. */
  private wake(r: number): void {
    const K = this.K;
    let node = this.rpHead[r];
    while (node !== NONE && this.rAvail[r] > 0) {
      const next = this.ents.reqNext[node];
      const e = (node / K) | 0;
      const req = this.ents.req[e];
      if (this.tryAllocate(e, req)) {
        this.dequeueRequest(e);
        const wait = this.now - this.ents.mark[e];
        if (this.inStats) this.recordGrant(wait);
        this.ents.wait[e] += wait;
        this.ents.pc[e]++;
        this.ready.push(e, ReadyKind.Run);
      }
      node = next;
    }
  }

  /** Release the most recent seize of `req` held by the entity (no-op if none). */
  private release(e: number, req: number): void {
    let h = this.ents.hold[e];
    while (h !== NONE && this.hoReq[h] !== req) h = this.hoNext[h];
    if (h === NONE) return;
    const inst = this.hoInst[h];
    let nTouched = 0;
    let prev = NONE;
    h = this.ents.hold[e];
    while (h !== NONE) {
      const next = this.hoNext[h];
      if (this.hoInst[h] === inst) {
        const r = this.hoRes[h];
        this.touchR(r);
        this.rAvail[r] += this.hoQty[h];
        this.touched[nTouched++] = r;
        if (prev === NONE) this.ents.hold[e] = next;
        else this.hoNext[prev] = next;
        this.hoNext[h] = this.hFree;
        this.hFree = h;
      } else prev = h;
      h = next;
    }
    for (let i = 0; i < nTouched; i++) this.wake(this.touched[i]);
  }

  /** An entity leaving the system gives back everything it still holds. */
  private releaseAll(e: number): void {
    while (this.ents.hold[e] !== NONE) this.release(e, this.hoReq[this.ents.hold[e]]);
  }

  // ------------------------------------------------------------ statistics

  private wipChange(delta: number): void {
    const now = this.now;
    while (now >= this.tsEnd && this.tsIdx < this.nBuckets - 1) {
      this.tsWipArea[this.tsIdx] += this.wip * (this.tsEnd - this.tsLast);
      this.tsLast = this.tsEnd;
      this.tsIdx++;
      this.tsEnd = this.tsIdx === this.nBuckets - 1 ? this.runTime : (this.tsIdx + 1) * this.bucketSize;
    }
    this.tsWipArea[this.tsIdx] += this.wip * (now - this.tsLast);
    this.tsLast = now;
    this.wip += delta;
  }

  /** Warm-up over: statistics restart from the current state. */
  private resetStats(): void {
    this.inStats = true;
    const now = this.now;
    for (let a = 0; a < this.m.activityIds.length; a++) {
      this.aLast[a] = now;
      this.aContArea[a] = 0;
      this.aBusyArea[a] = 0;
      this.aQArea[a] = 0;
      this.aBlkArea[a] = 0;
      this.aMax[a] = this.aContents[a];
      this.aThroughput[a] = 0;
      this.aSumTime[a] = 0;
      this.aSumWait[a] = 0;
    }
    for (let r = 0; r < this.m.resourceIds.length; r++) {
      this.rLast[r] = now;
      this.rBusyArea[r] = 0;
      this.rQArea[r] = 0;
      this.rMaxQ[r] = this.rQLen[r];
      this.rGrants[r] = 0;
      this.rDelayed[r] = 0;
      this.rSumWait[r] = 0;
    }
    this.tCreated.fill(0);
    this.tCompleted.fill(0);
    this.tSumTis.fill(0);
    this.tSumWait.fill(0);
  }

  private finished = false;

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.now = this.runTime;
    if (!this.inStats) this.resetStats(); // warm-up longer than the events: nothing measured
    for (let a = 0; a < this.m.activityIds.length; a++) this.touchA(a);
    for (let r = 0; r < this.m.resourceIds.length; r++) this.touchR(r);
    this.wipChange(0);
  }

  /** Results of a finished run (plain JSON-safe object). */
  result(): ReplicationResult {
    const m = this.m;
    const T = this.runTime - this.warmupTime;
    const div = (a: number, b: number) => (b > 0 ? a / b : 0);
    const buckets = [];
    for (let i = 0; i < this.nBuckets; i++) {
      const start = i * this.bucketSize;
      const end = i === this.nBuckets - 1 ? this.runTime : (i + 1) * this.bucketSize;
      buckets.push({
        start,
        end,
        throughput: this.tsThroughput[i],
        wip: div(this.tsWipArea[i], end - start),
      });
    }
    return {
      repIndex: this.repIndex,
      seed: this.seed,
      timeUnit: m.timeUnit,
      runTime: this.runTime,
      warmupTime: this.warmupTime,
      eventCount: this.eventCount,
      exitsTotal: this.exitsTotal,
      activities: m.activityIds.map((id, a) => ({
        activityId: id,
        throughput: this.aThroughput[a],
        utilization: div(this.aBusyArea[a], m.actCap[a] * T),
        averageWaitTime: div(this.aSumWait[a], this.aThroughput[a]),
        averageContents: div(this.aContArea[a], T),
        maxContents: this.aMax[a],
        timeBlocked: this.aBlkArea[a],
        averageTimeInActivity: div(this.aSumTime[a], this.aThroughput[a]),
        averageQueueLength: div(this.aQArea[a], T),
      })),
      resources: m.resourceIds.map((id, r) => ({
        resourceId: id,
        utilization: div(this.rBusyArea[r], m.resCap[r] * T),
        averageWaitTime: div(this.rSumWait[r], this.rGrants[r]),
        maxQueueLength: this.rMaxQ[r],
        averageQueueLength: div(this.rQArea[r], T),
        grants: this.rGrants[r],
        waitProbability: div(this.rDelayed[r], this.rGrants[r]),
      })),
      entities: m.entityIds.map((id, t) => ({
        entityId: id,
        createdCount: this.tCreated[t],
        completedCount: this.tCompleted[t],
        averageTimeInSystem: div(this.tSumTis[t], this.tCompleted[t]),
        averageTimeWaiting: div(this.tSumWait[t], this.tCompleted[t]),
      })),
      timeSeries: { period: this.period, bucketSize: this.bucketSize, buckets },
    };
  }
}
