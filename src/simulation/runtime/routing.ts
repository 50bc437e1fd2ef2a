import type { CompiledModel } from "../compile.js";
import type { RandomStreams } from "../rng.js";
import type { EntityStore } from "./entities.js";
import { ModelRuntimeError } from "./errors.js";
import { NONE } from "./lists.js";
import type { Logic } from "./logic.js";

/**
 * Which connector an entity leaves a node by (nodes: activities, then
 * generators): one draw from the node's routing stream, weighted by the
 * connectors' cumulative weights. The choice is made on departure.
 */
export class Router {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private readonly m: CompiledModel;
  declare private readonly rng: RandomStreams;
  declare private readonly ents: EntityStore | null;
  declare private readonly logic: Logic | null;
  declare private readonly repIndex: number;

  constructor(
    m: CompiledModel,
    rng: RandomStreams,
    ents: EntityStore | null = null,
    logic: Logic | null = null,
    repIndex = 0,
  ) {
    this.m = m;
    this.rng = rng;
    this.ents = ents;
    this.logic = logic;
    this.repIndex = repIndex;
  }

  /**
   * Route of entity `e` leaving activity `node` (activities only: a
   * generator uses its first connector, Q4). State-condition and entity-type
   * routing take the first connector, in priority then document order
   * (Q2), whose `entityId` is the entity's type and whose condition holds;
   * connectors without `entityId` are ignored (§5.5). No match ends the
   * replication with a ModelRuntimeError naming entity, activity and
   * replication.
   */
  chooseFor(node: number, e: number): number {
    const m = this.m;
    if (m.nodeRouteMatch[node] === 0) return this.choose(node);
    const ents = this.ents!;
    const type = ents.type[e];
    const start = m.nodeRouteStart[node];
    const end = start + m.nodeRouteCount[node];
    for (let r = start; r < end; r++) {
      if (m.routeEntity[r] !== type) continue;
      const c = m.routeCond[r];
      if (c < 0 || this.logic!.test(c, e)) return r;
    }
    throw new ModelRuntimeError(
      `routing error in replication ${this.repIndex + 1}: entity ${e} of type ${JSON.stringify(m.entityIds[type])} ` +
        `leaving activity ${JSON.stringify(m.activityIds[node])} matches none of its connectors ` +
        `(${m.routeIds.slice(start, end).join(", ")}); each needs entityId ${JSON.stringify(m.entityIds[type])} and a true condition`,
    );
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
