import type { EntityRepResult } from "../types.js";
import { ratio } from "./ratio.js";

/**
 * Per entity type, after warm-up: creations (by generators and by the split,
 * create and join actions, with the action-made ones also counted apart),
 * completions (exits and disposals, disposals also apart), time in system
 * and its waiting part. Counted from the start; `reset` at the end of the
 * warm-up drops what the warm-up counted (a check of the warm-up on every
 * event would add nothing to that).
 */
export class EntityTypeStats {
  /** Entities that left the system during the whole run, warm-up included. */
  exitsTotal = 0;
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private readonly created: Float64Array;
  declare private readonly completed: Float64Array;
  declare private readonly sumTis: Float64Array;
  declare private readonly sumWait: Float64Array;
  declare private readonly byCreate: Float64Array;
  declare private readonly bySplit: Float64Array;
  declare private readonly byJoin: Float64Array;
  declare private readonly disposedN: Float64Array;

  constructor(n: number) {
    const T = Math.max(1, n);
    this.created = new Float64Array(T);
    this.completed = new Float64Array(T);
    this.sumTis = new Float64Array(T);
    this.sumWait = new Float64Array(T);
    this.byCreate = new Float64Array(T);
    this.bySplit = new Float64Array(T);
    this.byJoin = new Float64Array(T);
    this.disposedN = new Float64Array(T);
  }

  /** An entity of `type` was created. */
  create(type: number): void {
    this.created[type]++;
  }

  /** A create action made an entity of `type` (counted in create too). */
  createdByAction(type: number): void {
    this.byCreate[type]++;
  }

  /** A split action made a piece of `type` (counted in create too). */
  splitPiece(type: number): void {
    this.bySplit[type]++;
  }

  /** A join action made a combined entity of `type` (counted in create too). */
  joined(type: number): void {
    this.byJoin[type]++;
  }

  /** A dispose action ended an entity of `type` (counted in exit too). */
  disposed(type: number): void {
    this.disposedN[type]++;
  }

  /** An entity of `type` left after `tis` in the system, `active` of it in delays and travel. */
  exit(type: number, tis: number, active: number): void {
    this.completed[type]++;
    this.sumTis[type] += tis;
    this.sumWait[type] += Math.max(0, tis - active);
    this.exitsTotal++;
  }

  /** Warm-up over: restart the counts. */
  reset(): void {
    this.created.fill(0);
    this.completed.fill(0);
    this.sumTis.fill(0);
    this.sumWait.fill(0);
    this.byCreate.fill(0);
    this.bySplit.fill(0);
    this.byJoin.fill(0);
    this.disposedN.fill(0);
  }

  /** One row per entity type. */
  rows(ids: string[]): EntityRepResult[] {
    return ids.map((id, t) => ({
      entityId: id,
      createdCount: this.created[t],
      completedCount: this.completed[t],
      averageTimeInSystem: ratio(this.sumTis[t], this.completed[t]),
      averageTimeWaiting: ratio(this.sumWait[t], this.completed[t]),
      createdByActionCount: this.byCreate[t],
      splitCount: this.bySplit[t],
      joinedCount: this.byJoin[t],
      disposedCount: this.disposedN[t],
    }));
  }
}
