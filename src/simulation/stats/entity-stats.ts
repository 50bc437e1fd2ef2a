import type { Clock } from "../runtime/clock.js";
import type { EntityRepResult } from "../types.js";
import { ratio } from "./ratio.js";

/** Per entity type: creations, completions, time in system and its waiting part, after warm-up. */
export class EntityTypeStats {
  /** Entities that left the system during the whole run, warm-up included. */
  exitsTotal = 0;
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private readonly created: Float64Array;
  declare private readonly completed: Float64Array;
  declare private readonly sumTis: Float64Array;
  declare private readonly sumWait: Float64Array;

  declare private readonly clock: Clock;

  constructor(clock: Clock, n: number) {
    this.clock = clock;
    const T = Math.max(1, n);
    this.created = new Float64Array(T);
    this.completed = new Float64Array(T);
    this.sumTis = new Float64Array(T);
    this.sumWait = new Float64Array(T);
  }

  /** An entity of `type` was created. */
  create(type: number): void {
    if (this.clock.inStats) this.created[type]++;
  }

  /** An entity of `type` left after `tis` in the system, `active` of it in delays and travel. */
  exit(type: number, tis: number, active: number): void {
    if (this.clock.inStats) {
      this.completed[type]++;
      this.sumTis[type] += tis;
      this.sumWait[type] += Math.max(0, tis - active);
    }
    this.exitsTotal++;
  }

  /** Warm-up over: restart the counts. */
  reset(): void {
    this.created.fill(0);
    this.completed.fill(0);
    this.sumTis.fill(0);
    this.sumWait.fill(0);
  }

  /** One row per entity type. */
  rows(ids: string[]): EntityRepResult[] {
    return ids.map((id, t) => ({
      entityId: id,
      createdCount: this.created[t],
      completedCount: this.completed[t],
      averageTimeInSystem: ratio(this.sumTis[t], this.completed[t]),
      averageTimeWaiting: ratio(this.sumWait[t], this.completed[t]),
    }));
  }
}
