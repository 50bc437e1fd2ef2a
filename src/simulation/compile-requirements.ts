/**
 * Compiles resource requirements (clause trees of requests, §2.6/§5.7) into
 * the flat tables runtime/resources.ts reads by index, with the fast path for
 * a requirement of one request, and what the op compiler needs to know of
 * each: its queue priority, whether a request keeps its units, whether a
 * capture of it can still be open when a delay_with_resource starts.
 */
import type { Action } from "./model/wire.js";
import { nestedActionLists } from "./model/normalize.js";
import type { Activity, RequirementClause, ResourceRequirement } from "./types.js";

/** Sentinel for "unlimited" counts and queue capacities (kept integral for typed arrays). */
export const UNLIMITED = 2 ** 31 - 1;

/** Counts and capacities live in Int32Arrays: absent/null/huge values mean "unlimited". */
export const limit = (v: number | null | undefined): number =>
  v === undefined || v === null || v >= UNLIMITED ? UNLIMITED : v;

/** The requirement tables of CompiledModel. */
export interface CompiledRequirements {
  requirementIds: string[];
  /** Single-resource requirement fast path: resource index, or -1 when the clause tree is complex. */
  reqSimpleRes: Int32Array;
  reqSimpleQty: Int32Array;
  reqRoot: Int32Array;
  /** Distinct resources a requirement may use (for wait lists): [start, start+count) in reqResList. */
  reqResStart: Int32Array;
  reqResCount: Int32Array;
  reqResList: Int32Array;
  /** Largest reqResCount: wait-list nodes per entity. */
  maxReqResources: number;
  clauseAny: Uint8Array;
  clauseReqStart: Int32Array;
  clauseReqCount: Int32Array;
  clauseChildStart: Int32Array;
  clauseChildCount: Int32Array;
  clauseChildren: Int32Array;
  requestRes: Int32Array;
  requestQty: Int32Array;
  /** Per request: 1 when keepResource (a delay_with_resource does not release it). */
  requestKeep: Uint8Array;
  reqSimpleKeep: Uint8Array;
}

/** Per requirement, for compiling the seize/release ops only. */
export interface RequirementOpInfo {
  /** Lowest request priority in each requirement (Q3): its queue priority unless the action sets one. */
  reqPrio: Float64Array;
  /** 1 when some request of the requirement has keepResource. */
  reqHasKeep: Uint8Array;
  /**
   * 1 when a capture of the requirement can still be open as a delay_with_resource of it starts
   * (some seize, kept delay_with_resource or keepResource request leaves it held); otherwise the
   * action compiles to a plain Seize, with no reuse check on the path every entity takes.
   */
  mayBeHeld: Uint8Array;
}

export function compileRequirements(
  requirements: readonly ResourceRequirement[],
  resourceIndex: ReadonlyMap<string, number>,
  activities: readonly Activity[],
): RequirementOpInfo & { tables: CompiledRequirements } {
  const requirementIndex = new Map(requirements.map((r, i) => [r.id, i]));
  const clauseAny: number[] = [];
  const clauseReqStart: number[] = [];
  const clauseReqCount: number[] = [];
  const clauseChildStart: number[] = [];
  const clauseChildCount: number[] = [];
  const clauseChildren: number[] = [];
  const requestRes: number[] = [];
  const requestQty: number[] = [];
  const requestKeep: number[] = [];
  const addClause = (c: RequirementClause, used: Set<number>): number => {
    const idx = clauseAny.length;
    clauseAny.push(typeof c.mode === "string" && c.mode.toUpperCase() === "REQUIRE_ANY" ? 1 : 0);
    clauseReqStart.push(requestRes.length);
    const reqs = c.requests ?? [];
    clauseReqCount.push(reqs.length);
    for (const r of reqs) {
      const ri = resourceIndex.get(r.resourceId)!;
      requestRes.push(ri);
      requestQty.push(limit(r.quantity ?? 1));
      requestKeep.push(r.keepResource === true ? 1 : 0);
      used.add(ri);
    }
    clauseChildStart.push(0);
    clauseChildCount.push(0);
    const kids = (c.clauses ?? []).map((k) => addClause(k, used));
    clauseChildStart[idx] = clauseChildren.length;
    clauseChildCount[idx] = kids.length;
    clauseChildren.push(...kids);
    return idx;
  };
  const reqSimpleRes = new Int32Array(Math.max(1, requirements.length)).fill(-1);
  const reqSimpleQty = new Int32Array(Math.max(1, requirements.length));
  const reqSimpleKeep = new Uint8Array(Math.max(1, requirements.length));
  const reqHasKeep = new Uint8Array(Math.max(1, requirements.length));
  const reqRoot = new Int32Array(Math.max(1, requirements.length));
  const reqResStart = new Int32Array(Math.max(1, requirements.length));
  const reqResCount = new Int32Array(Math.max(1, requirements.length));
  const reqResList: number[] = [];
  const reqPrio = new Float64Array(Math.max(1, requirements.length)).fill(1);
  const minPrio = (c: RequirementClause): number =>
    Math.min(Infinity, ...(c.requests ?? []).map((r) => r.priority ?? 1), ...(c.clauses ?? []).map(minPrio));
  let maxReqResources = 1;
  requirements.forEach((rq, i) => {
    const used = new Set<number>();
    const root = addClause(rq.rootClause, used);
    reqRoot[i] = root;
    reqResStart[i] = reqResList.length;
    reqResCount[i] = used.size;
    reqResList.push(...used);
    maxReqResources = Math.max(maxReqResources, used.size);
    for (let k = clauseReqStart[root]; k < requestKeep.length; k++) if (requestKeep[k]) reqHasKeep[i] = 1;
    const mp = minPrio(rq.rootClause);
    reqPrio[i] = Number.isFinite(mp) ? mp : 1;
    const c = rq.rootClause;
    const reqs = c.requests ?? [];
    if ((c.clauses ?? []).length === 0 && reqs.length === 1) {
      reqSimpleRes[i] = resourceIndex.get(reqs[0].resourceId)!;
      reqSimpleQty[i] = limit(reqs[0].quantity ?? 1);
      reqSimpleKeep[i] = reqs[0].keepResource === true ? 1 : 0;
    }
  });

  const mayBeHeld = new Uint8Array(Math.max(1, requirements.length));
  requirements.forEach((_, i) => (mayBeHeld[i] = reqHasKeep[i]));
  const markHeld = (list: readonly Action[]): void =>
    list.forEach((act) => {
      if (act.type === "seize" || (act.type === "delay_with_resource" && act.keepResource === true)) {
        const rq = act.resourceRequirementId ? requirementIndex.get(act.resourceRequirementId) : undefined;
        if (rq !== undefined) mayBeHeld[rq] = 1;
      }
      for (const [, nested] of nestedActionLists(act)) markHeld(nested);
    });
  for (const a of activities) markHeld(a.actions ?? []);

  return {
    tables: {
      requirementIds: requirements.map((r) => r.id),
      reqSimpleRes,
      reqSimpleQty,
      reqRoot,
      reqResStart,
      reqResCount,
      reqResList: Int32Array.from(reqResList),
      maxReqResources,
      clauseAny: Uint8Array.from(clauseAny),
      clauseReqStart: Int32Array.from(clauseReqStart),
      clauseReqCount: Int32Array.from(clauseReqCount),
      clauseChildStart: Int32Array.from(clauseChildStart),
      clauseChildCount: Int32Array.from(clauseChildCount),
      clauseChildren: Int32Array.from(clauseChildren),
      requestRes: Int32Array.from(requestRes),
      requestQty: Int32Array.from(requestQty),
      requestKeep: Uint8Array.from(requestKeep),
      reqSimpleKeep,
    },
    reqPrio,
    reqHasKeep,
    mayBeHeld,
  };
}
