import type { CompiledModel } from "../compile.js";
import { NONE } from "./lists.js";

/**
 * Per-activity counters and the heads of the entity lists that hang off each
 * activity, in typed arrays indexed by activity.
 */
export class ActivityStore {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  /** Entities holding a capacity slot (processing, waiting for a resource, or blocked in the slot). */
  declare readonly inProc: Int32Array;
  /** Inbound queue length. */
  declare readonly qLen: Int32Array;
  /** Finished entities in the outbound queue. */
  declare readonly outLen: Int32Array;
  /** Entities travelling here (room reserved on departure). */
  declare readonly enRoute: Int32Array;
  /** Finished entities (in a slot or the outbound queue) waiting for room downstream. */
  declare readonly blocked: Int32Array;
  /** Entities at the activity: inbound queue + slots + outbound queue. */
  declare readonly contents: Int32Array;
  /** Inbound queue (FIFO through EntityStore.next). */
  declare readonly qHead: Int32Array;
  declare readonly qTail: Int32Array;
  /** Entities elsewhere waiting for room here, FIFO (through EntityStore.next). */
  declare readonly wHead: Int32Array;
  declare readonly wTail: Int32Array;
  /** Entities blocked in a slot, doubly linked (EntityStore.next2/prev2) so one can move to the outbound queue. */
  declare readonly bHead: Int32Array;
  declare readonly bTail: Int32Array;
  /**
   * Slots that may start processing now: the capacity, or 0 while the
   * activity is failed (runtime/failures.ts), when arrivals queue instead.
   * Room for arrivals (hasRoom) keeps counting the capacity.
   */
  declare readonly run: Int32Array;
  declare private readonly cap: Int32Array;
  declare private readonly inCap: Int32Array;

  constructor(m: CompiledModel) {
    const A = Math.max(1, m.activityIds.length);
    this.inProc = new Int32Array(A);
    this.qLen = new Int32Array(A);
    this.outLen = new Int32Array(A);
    this.enRoute = new Int32Array(A);
    this.blocked = new Int32Array(A);
    this.contents = new Int32Array(A);
    this.qHead = new Int32Array(A).fill(NONE);
    this.qTail = new Int32Array(A).fill(NONE);
    this.wHead = new Int32Array(A).fill(NONE);
    this.wTail = new Int32Array(A).fill(NONE);
    this.bHead = new Int32Array(A).fill(NONE);
    this.bTail = new Int32Array(A).fill(NONE);
    this.run = Int32Array.from(m.actCap);
    this.cap = m.actCap;
    this.inCap = m.actInCap;
  }

  /** Room for one more entity: capacity + inbound queue, counting those already on their way. */
  hasRoom(a: number): boolean {
    return this.inProc[a] + this.qLen[a] + this.enRoute[a] < this.cap[a] + this.inCap[a];
  }
}
