import { type CompiledModel, Op } from "../compile.js";
import type { DurationTable } from "../distributions.js";
import type { RandomStreams } from "../rng.js";
import { EventKind, type Calendar } from "./calendar.js";
import type { Clock } from "./clock.js";
import type { EntityStore } from "./entities.js";
import type { Flow } from "./flow.js";
import { NONE } from "./lists.js";
import type { Resources } from "./resources.js";

/**
 * Runs an entity's compiled actions (ops) from its pc: one switch on the op
 * kind, until a delay (an OpDone event resumes at pc + 1), a resource wait (a
 * grant resumes at pc + 1) or the end of the activity's ops (Flow.finish).
 */
export class Interpreter {
  // Assigned in the constructor; `declare` keeps V8 from first storing undefined (see Clock).
  declare private readonly m: CompiledModel;
  declare private readonly clock: Clock;
  declare private readonly cal: Calendar;
  declare private readonly ents: EntityStore;
  declare private readonly res: Resources;
  declare private readonly flow: Flow;
  declare private readonly dur: DurationTable;
  declare private readonly rng: RandomStreams;

  constructor(
    m: CompiledModel,
    clock: Clock,
    cal: Calendar,
    ents: EntityStore,
    res: Resources,
    flow: Flow,
    dur: DurationTable,
    rng: RandomStreams,
  ) {
    this.m = m;
    this.clock = clock;
    this.cal = cal;
    this.ents = ents;
    this.res = res;
    this.flow = flow;
    this.dur = dur;
    this.rng = rng;
  }

  run(e: number): void {
    const m = this.m;
    const ents = this.ents;
    const a = ents.act[e];
    const end = m.actOpEnd[a];
    let pc = ents.pc[e];
    while (pc < end) {
      const arg = m.opArg[pc];
      switch (m.opKind[pc]) {
        case Op.Delay: {
          const d = this.dur.sample(arg, this.rng);
          ents.active[e] += d;
          ents.pc[e] = pc;
          this.cal.schedule(this.clock.now + d, EventKind.OpDone, e);
          return;
        }
        case Op.Seize:
          if (!this.res.seize(e, arg, m.opPrio[pc])) {
            ents.pc[e] = pc;
            return;
          }
          break;
        // --- resource features
        case Op.DwrSeize:
          // An open capture of the same requirement is reused, not seized again.
          if ((ents.hold[e] === NONE || !this.res.holds(e, arg)) && !this.res.seize(e, arg, m.opPrio[pc])) {
            ents.pc[e] = pc;
            return;
          }
          break;
        case Op.DwrRelease:
          this.res.release(e, arg, true);
          break;
        case Op.ReleaseAll:
          if (ents.hold[e] !== NONE) this.res.releaseAll(e);
          break;
        default:
          // Op.Release
          this.res.release(e, arg, false);
      }
      pc++;
    }
    ents.pc[e] = pc;
    this.flow.finish(e, a);
  }
}
