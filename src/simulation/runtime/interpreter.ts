import { type CompiledModel, Op } from "../compile.js";
import type { DurationTable } from "../distributions.js";
import type { RandomStreams } from "../rng.js";
import { EventKind, type Calendar } from "./calendar.js";
import type { Clock } from "./clock.js";
import type { EntityStore } from "./entities.js";
import type { Failures } from "./failures.js";
import type { Flow } from "./flow.js";
import { NONE } from "./lists.js";
import type { Logic } from "./logic.js";
import type { Resources } from "./resources.js";
import type { Spawner } from "./spawn.js";

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
  /** Null when the model declares no states (then no logic op is ever emitted). */
  declare private readonly logic: Logic | null;
  /** Null when no action makes or ends entities (then no spawn op is ever emitted). */
  declare private readonly spawn: Spawner | null;
  /** Null when no activity can fail (then no failure op is ever emitted). */
  declare private readonly failures: Failures | null;

  constructor(
    m: CompiledModel,
    clock: Clock,
    cal: Calendar,
    ents: EntityStore,
    res: Resources,
    flow: Flow,
    dur: DurationTable,
    rng: RandomStreams,
    logic: Logic | null,
    spawn: Spawner | null = null,
    failures: Failures | null = null,
  ) {
    this.m = m;
    this.clock = clock;
    this.cal = cal;
    this.ents = ents;
    this.res = res;
    this.flow = flow;
    this.dur = dur;
    this.rng = rng;
    this.logic = logic;
    this.spawn = spawn;
    this.failures = failures;
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
        case Op.Release:
          this.res.release(e, arg, false);
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
          // State logic: out of line, so this loop stays small enough to inline where plain models run.
          // A negative pc: the entity ended or waits in a join (nothing more to run now).
          pc = this.logicOp(pc, e);
          if (pc < 0) return;
          continue;
      }
      pc++;
    }
    ents.pc[e] = pc;
    this.flow.finish(e, a);
  }

  /**
   * Runs the state-logic or spawn op at `pc` (never a delay or a resource
   * wait) and returns the next pc, or -1 when the entity stops here (split,
   * join, dispose).
   */
  private logicOp(pc: number, e: number): number {
    const m = this.m;
    const logic = this.logic!;
    const arg = m.opArg[pc];
    switch (m.opKind[pc]) {
      case Op.Assign:
        logic.apply(arg, e);
        return pc + 1;
      case Op.JumpIfFalse:
        return logic.test(arg, e) ? pc + 1 : m.opJump[pc];
      case Op.Jump:
        return m.opJump[pc];
      case Op.LoopStart:
        logic.loopStart(arg, e);
        return pc + 1;
      case Op.LoopNext:
        return logic.loopNext(arg, e) ? m.opJump[pc] : pc + 1;
      case Op.Script:
        logic.script(arg, e);
        return pc + 1;
      default:
        return this.spawnOp(pc, e);
    }
  }

  /**
   * Split, create, join and dispose: the entity stops here (-1) unless it
   * created one and carries on. Also the failure ops (an interruptible delay,
   * a repair's start), which stop here too: an event resumes them.
   */
  private spawnOp(pc: number, e: number): number {
    const m = this.m;
    const ents = this.ents;
    const arg = m.opArg[pc];
    ents.pc[e] = pc;
    switch (m.opKind[pc]) {
      case Op.Create:
        this.spawn!.create(arg, e);
        return pc + 1;
      case Op.Split:
        this.spawn!.split(arg, e, ents.act[e]);
        return -1;
      case Op.Join:
        this.spawn!.join(arg, e);
        return -1;
      case Op.FailDelay:
        this.failures!.delay(e, arg);
        return -1;
      case Op.RepairStart:
        this.failures!.repairStart(arg);
        return -1;
      default:
        this.flow.dispose(e, ents.act[e]);
        return -1;
    }
  }
}
