import type { CostRates } from "../model/costs.js";
import type { Clock } from "../runtime/clock.js";
import type { CostsRepResult, TimeUnit } from "../types.js";
import { convertTime } from "../units.js";

/**
 * Resource use per seizing activity, for `resourceCostMultiplier` (model/costs.ts):
 * seizes granted and busy unit-time of each resource, split by the activity
 * whose action seized it (the last slot: seizes on connectors). Only built when
 * a model has a multiplier other than 1 on a resource that costs by seize or
 * busy time (CostRates.byActivity); each seize and release then costs O(1).
 */
export class SeizeLedger {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  /** Slots per resource: activities + 1 (connectors). */
  declare readonly stride: number;
  declare private readonly held: Int32Array;
  declare private readonly last: Float64Array;
  declare readonly busy: Float64Array;
  declare readonly seizes: Float64Array;
  declare private readonly clock: Clock;

  constructor(resources: number, activities: number, clock: Clock) {
    this.stride = activities + 1;
    const n = Math.max(1, resources * this.stride);
    this.held = new Int32Array(n);
    this.last = new Float64Array(n);
    this.busy = new Float64Array(n);
    this.seizes = new Float64Array(n);
    this.clock = clock;
  }

  private slot(r: number, act: number): number {
    return r * this.stride + (act < 0 ? this.stride - 1 : act);
  }

  /** `q` units of `r` taken (q > 0) or given back (q < 0) by a seize made at activity `act` (-1: a connector). */
  change(r: number, act: number, q: number): void {
    const k = this.slot(r, act);
    const now = this.clock.now;
    this.busy[k] += this.held[k] * (now - this.last[k]);
    this.last[k] = now;
    this.held[k] += q;
  }

  /** A seize of `r` at `act` was granted (the caller checks the warm-up). */
  seize(r: number, act: number): void {
    this.seizes[this.slot(r, act)]++;
  }

  /** Warm-up over: units held now count from now. */
  reset(): void {
    this.busy.fill(0);
    this.seizes.fill(0);
    this.last.fill(this.clock.now);
  }

  /** The run is over: integrate up to now. */
  close(): void {
    const now = this.clock.now;
    for (let k = 0; k < this.held.length; k++) {
      this.busy[k] += this.held[k] * (now - this.last[k]);
      this.last[k] = now;
    }
  }
}

/** The figures of one replication that costs are computed from (times in the model's timeUnit, after warm-up). */
export interface CostFigures {
  timeUnit: TimeUnit;
  /** Measured time: runTime − warmupTime. */
  measured: number;
  resourceIds: readonly string[];
  resCap: ArrayLike<number>;
  /** Busy unit-time per resource. */
  resBusy: (r: number) => number;
  /** Seizes granted per resource. */
  resSeizes: (r: number) => number;
  activityIds: readonly string[];
  actCap: ArrayLike<number>;
  /** Occupied capacity-time per activity. */
  actOccupied: (a: number) => number;
  /** Entities that left each activity. */
  actThroughput: (a: number) => number;
  /** Per seizing activity use (present when CostRates.byActivity). */
  ledger: SeizeLedger | null;
}

/**
 * One replication's costs from figures the statistics already hold, computed
 * once at the end (nothing per event). Rules and their reasons: model/costs.ts.
 */
export function replicationCosts(rates: CostRates, f: CostFigures): CostsRepResult {
  const hours = (t: number) => convertTime(t, f.timeUnit, "hours");
  const multipliers = rates.activities.map((a) => (a ? a.resourceCostMultiplier : 1));
  const resources: CostsRepResult["resources"] = [];
  rates.resources.forEach((rate, r) => {
    if (!rate) return;
    const busy = f.resBusy(r);
    let seizes = f.resSeizes(r);
    let busyHours = hours(busy);
    const ledger = f.ledger;
    if (ledger) {
      // Each seizing activity's share, scaled by its multiplier (connectors: 1).
      seizes = 0;
      busyHours = 0;
      for (let s = 0; s < ledger.stride; s++) {
        const k = r * ledger.stride + s;
        const mult = s < multipliers.length ? multipliers[s] : 1;
        seizes += mult * ledger.seizes[k];
        busyHours += mult * hours(ledger.busy[k]);
      }
    }
    const idle = Math.max(0, f.resCap[r] * f.measured - busy);
    const seizeCost = rate.costPerSeize * seizes;
    const utilizationCost = rate.costPerHourUtilized * busyHours;
    const idleCost = rate.costPerHourIdle * hours(idle);
    resources.push({
      resourceId: f.resourceIds[r],
      seizeCost,
      utilizationCost,
      idleCost,
      totalCost: seizeCost + utilizationCost + idleCost,
    });
  });
  const activities: CostsRepResult["activities"] = [];
  rates.activities.forEach((rate, a) => {
    if (!rate) return;
    const occupied = f.actOccupied(a);
    const unoccupied = Math.max(0, f.actCap[a] * f.measured - occupied);
    const fixedCost = rate.fixedCost;
    const processingCost = rate.costPerEntityProcessed * f.actThroughput(a);
    const operationalCost =
      rate.costPerHourActive * hours(occupied) + rate.costPerHourIdle * hours(unoccupied);
    activities.push({
      activityId: f.activityIds[a],
      fixedCost,
      processingCost,
      operationalCost,
      totalCost: fixedCost + processingCost + operationalCost,
    });
  });
  const totalActivityCost = activities.reduce((s, x) => s + x.totalCost, 0);
  const totalResourceCost = resources.reduce((s, x) => s + x.totalCost, 0);
  return {
    resources,
    activities,
    scenario: { totalActivityCost, totalResourceCost, totalCost: totalActivityCost + totalResourceCost },
  };
}
