/**
 * Compiles activity failures (§5.8) into the tables runtime/failures.ts
 * reads: one failure process per activity with `failureProperties.enabled`,
 * in model order. A model without any gets null, and its delays stay plain
 * `Op.Delay`s, so it runs exactly the code (and draws exactly the random
 * numbers) it ran before failures existed.
 */
import { failureClockMode, failuresEnabled, repairRequirementId } from "./model/failures.js";
import type { Activity, Duration } from "./types.js";

/** Failure tables of CompiledModel, indexed by failure process f. */
export interface CompiledFailures {
  /** The activity that fails. */
  activity: Int32Array;
  /** Duration index of the up time between a repair (or the start) and the next failure. */
  mtbf: Int32Array;
  /** Duration index of the repair time. */
  mttr: Int32Array;
  /** 1: the up time runs only while the activity works (`active_time`); 0: continuously (`wall_clock`). */
  activeTime: Uint8Array;
  /** Requirement seized for the repair, or -1 for none. */
  repairReq: Int32Array;
  /** Per activity: its failure process, or -1. */
  ofActivity: Int32Array;
}

/** Indices of the activities whose failures are enabled, in model order. */
export function failingActivities(activities: readonly Activity[]): number[] {
  const out: number[] = [];
  activities.forEach((a, i) => {
    if (failuresEnabled(a.failureProperties)) out.push(i);
  });
  return out;
}

/** What the failure compiler needs from the op compiler. */
export interface FailureCompileContext {
  requirementIndex: ReadonlyMap<string, number>;
  /** Queue priority of each requirement's seize (the request priority, decision Q3). */
  reqPrio: ArrayLike<number>;
  /** Registers a duration with its own random stream (keyed by `key`); returns its index. */
  duration(d: Duration, key: string): number;
  /** Op ranges, sized for the activities plus one entry per failure process. */
  actOpStart: Int32Array;
  actOpEnd: Int32Array;
  emitSeize(requirement: number, priority: number): number;
  emitRepairStart(failure: number): number;
}

/**
 * The failure tables, or null when `failing` is empty. Each failure process
 * f gets its up-time and repair-time durations (streams
 * `activity:<id>/failureProperties/mtbfDuration` and `.../mttrDuration`),
 * and the ops its repair runs, at op range activities.length + f: a seize
 * of the repair requirement when there is one, then Op.RepairStart.
 */
export function compileFailures(
  activities: readonly Activity[],
  failing: readonly number[],
  ctx: FailureCompileContext,
): CompiledFailures | null {
  if (failing.length === 0) return null;
  const F = failing.length;
  const A = activities.length;
  const out: CompiledFailures = {
    activity: Int32Array.from(failing),
    mtbf: new Int32Array(F),
    mttr: new Int32Array(F),
    activeTime: new Uint8Array(F),
    repairReq: new Int32Array(F).fill(-1),
    ofActivity: new Int32Array(Math.max(1, A)).fill(-1),
  };
  failing.forEach((a, f) => {
    const act = activities[a];
    const fp = act.failureProperties!;
    if (!failuresEnabled(fp)) throw new Error("unreachable: failingActivities lists enabled failures only");
    const key = `activity:${act.id}/failureProperties`;
    out.mtbf[f] = ctx.duration(fp.mtbfDuration, `${key}/mtbfDuration`);
    out.mttr[f] = ctx.duration(fp.mttrDuration, `${key}/mttrDuration`);
    out.activeTime[f] = failureClockMode(fp) === "active_time" ? 1 : 0;
    out.ofActivity[a] = f;
    const rqId = repairRequirementId(fp);
    const rq = rqId === null ? -1 : ctx.requirementIndex.get(rqId)!;
    out.repairReq[f] = rq;
    const first = rq < 0 ? -1 : ctx.emitSeize(rq, ctx.reqPrio[rq]);
    const start = ctx.emitRepairStart(f);
    ctx.actOpStart[A + f] = first >= 0 ? first : start;
    ctx.actOpEnd[A + f] = start + 1;
  });
  return out;
}
