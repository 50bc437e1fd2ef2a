import type { CompiledModel } from "../compile.js";
import type { RandomStreams } from "../rng.js";
import { NONE } from "./lists.js";

/**
 * Which connector an entity leaves a node by (nodes: activities, then
 * generators): one draw from the node's routing stream, weighted by the
 * connectors' cumulative weights. The choice is made on departure.
 */
export class Router {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private readonly m: CompiledModel;
  declare private readonly rng: RandomStreams;

  constructor(m: CompiledModel, rng: RandomStreams) {
    this.m = m;
    this.rng = rng;
  }

  /** Route index leaving `node`, or NONE when it has no outgoing connector (the entity exits). */
  choose(node: number): number {
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
}
