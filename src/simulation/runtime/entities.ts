import { ModelRuntimeError } from "./errors.js";
import { NONE } from "./lists.js";

/**
 * The most entities one replication may hold at once (about 100 MB of state):
 * beyond it a model is unstable or mis-specified, and memory would run out.
 */
export const MAX_ENTITIES_IN_SYSTEM = 1 << 20;

/** Where an entity is (EntityStore.state). */
export const enum EntityState {
  Free = 0,
  /** In an activity's inbound queue. */
  Queued = 1,
  /** In a capacity slot running actions (possibly waiting for resources). */
  Process = 2,
  /** Finished, holding its slot, waiting for room downstream. */
  BlockedSlot = 3,
  /** Finished, in the outbound queue, waiting for room downstream. */
  BlockedOutq = 4,
  /** Just created, waiting at its generator for room downstream. */
  WaitGen = 5,
  Travel = 6,
}

const grow8 = (a: Uint8Array, n: number) => {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
};
const grow32 = (a: Int32Array, n: number) => {
  const b = new Int32Array(n);
  b.set(a);
  return b;
};
const grow64 = (a: Float64Array, n: number) => {
  const b = new Float64Array(n);
  b.set(a);
  return b;
};

/**
 * The entity pool: one typed array per attribute (structure of arrays),
 * indexed by an integer handle. Freed slots are reused (lowest index first)
 * and the arrays double when the pool is full, so handles stay valid but the
 * arrays do not: read them through the store after anything that may
 * allocate an entity.
 *
 * Per-entity blocks of fixed stride (the resource wait-list nodes, `stride`
 * per entity) grow with the pool; entity state slots will be one more.
 */
export class EntityStore {
  capacity = 0;
  private freeTop = 0;
  private freeStack = new Int32Array(0);

  state = new Uint8Array(0);
  type = new Int32Array(0);
  /** Activity the entity is at, NONE while travelling or at its generator. */
  act = new Int32Array(0);
  /** Op index of the action being run. */
  pc = new Int32Array(0);
  /** Destination activity and route chosen on leaving. */
  dest = new Int32Array(0);
  route = new Int32Array(0);
  gen = new Int32Array(0);
  /** Link in an inbound queue or a destination's waiter list. */
  next = new Int32Array(0);
  /** Links in an activity's slot-blocked list (doubly linked). */
  next2 = new Int32Array(0);
  prev2 = new Int32Array(0);
  /** Head of the entity's holdings list (seized resources). */
  hold = new Int32Array(0);
  /** Requirement the entity waits for. */
  req = new Int32Array(0);
  create = new Float64Array(0);
  /** Time spent in delays and travel (the rest of time in system is waiting). */
  active = new Float64Array(0);
  /** Arrival at the current activity, and waiting time accumulated there. */
  arrive = new Float64Array(0);
  wait = new Float64Array(0);
  /** Of `wait`, the time spent waiting for resources while holding a slot. */
  rwait = new Float64Array(0);
  /** Start of the current wait. */
  mark = new Float64Array(0);
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  /** Resource wait-list nodes: node e * reqStride + j for the j-th resource of the awaited requirement. */
  declare readonly reqStride: number;
  reqNext = new Int32Array(0);
  reqPrev = new Int32Array(0);
  /**
   * Entity state slots (rows of `numStride` numbers and `strStride` strings
   * per entity); zero-length when the model declares no states.
   */
  declare readonly numStride: number;
  declare readonly strStride: number;
  num = new Float64Array(0);
  str: string[] = [];

  constructor(reqStride: number, initial: number, numStride = 0, strStride = 0) {
    this.reqStride = reqStride;
    this.numStride = numStride;
    this.strStride = strStride;
    this.grow(initial);
  }

  /** A fresh entity handle; throws ModelRuntimeError beyond MAX_ENTITIES_IN_SYSTEM. */
  alloc(now: number): number {
    if (this.freeTop === 0) {
      if (this.capacity >= MAX_ENTITIES_IN_SYSTEM)
        throw new ModelRuntimeError(
          `More than ${MAX_ENTITIES_IN_SYSTEM} entities in the system at once (simulated time ${now}): ` +
            "arrivals outpace what the model can process. Add capacity, slow the arrivals, or cap them with maxEntities.",
        );
      this.grow(this.capacity * 2);
    }
    const e = this.freeStack[--this.freeTop];
    this.hold[e] = NONE;
    this.active[e] = 0;
    this.act[e] = NONE;
    return e;
  }

  free(e: number): void {
    this.state[e] = EntityState.Free;
    this.freeStack[this.freeTop++] = e;
  }

  private grow(n: number): void {
    const old = this.capacity;
    this.state = grow8(this.state, n);
    this.type = grow32(this.type, n);
    this.act = grow32(this.act, n);
    this.pc = grow32(this.pc, n);
    this.dest = grow32(this.dest, n);
    this.route = grow32(this.route, n);
    this.gen = grow32(this.gen, n);
    this.next = grow32(this.next, n);
    this.next2 = grow32(this.next2, n);
    this.prev2 = grow32(this.prev2, n);
    this.hold = grow32(this.hold, n);
    this.req = grow32(this.req, n);
    this.create = grow64(this.create, n);
    this.active = grow64(this.active, n);
    this.arrive = grow64(this.arrive, n);
    this.wait = grow64(this.wait, n);
    this.rwait = grow64(this.rwait, n);
    this.mark = grow64(this.mark, n);
    this.reqNext = grow32(this.reqNext, n * this.reqStride);
    this.reqPrev = grow32(this.reqPrev, n * this.reqStride);
    if (this.numStride > 0) this.num = grow64(this.num, n * this.numStride);
    for (let i = old * this.strStride; i < n * this.strStride; i++) this.str.push("");
    const fs = new Int32Array(n);
    fs.set(this.freeStack.subarray(0, this.freeTop));
    // Push new slots so that the lowest index is popped first.
    let top = this.freeTop;
    for (let i = n - 1; i >= old; i--) fs[top++] = i;
    this.freeStack = fs;
    this.freeTop = top;
    this.capacity = n;
  }
}
