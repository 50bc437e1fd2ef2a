/**
 * Compiles the actions that make and end entities (split, create, join,
 * dispose) into flat tables the runtime (runtime/spawn.ts) reads by index:
 * one row per split, create or join action. Built only when a model uses one
 * of them (CompiledModel.spawn is null otherwise), so a plain model pays
 * nothing.
 *
 * States are named, not referenced by id, in these actions (§2.8):
 * `inheritStates`, `splitIndexState`, `joinCountState` and `matchState`
 * resolve here to entity slots (numbers and booleans in the numeric row,
 * strings and categories in the string row).
 */
import type { LogicBuilder } from "./compile-logic.js";
import type { CreateAction, JoinAction, SplitAction, StateModification } from "./model/wire.js";

/** What a spawn row does. */
export const enum SpawnKind {
  Split = 0,
  Create = 1,
  Join = 2,
}

export interface CompiledSpawn {
  kind: Uint8Array;
  /** Activity the new entities start in (the action's destinationId; no connector). */
  dest: Int32Array;
  /** Entity type of the new entities; -1: the original's (split) or the first arrival's (join). */
  type: Int32Array;
  /** Split: pieces; create: 1; join: group size (joinCount). */
  count: Int32Array;
  /** Inherited entity states: [start, start+count) in inhNumSlots / inhStrSlots. */
  inhNumStart: Int32Array;
  inhNumCount: Int32Array;
  inhNumSlots: Int32Array;
  inhStrStart: Int32Array;
  inhStrCount: Int32Array;
  inhStrSlots: Int32Array;
  /** Entity numeric slot receiving the piece index (split) or the group size (join); -1 none. */
  indexSlot: Int32Array;
  /** Modification list applied to each new entity; -1 none. */
  mods: Int32Array;
  /** Join: entity slot of matchState, and 1 when it is a string or category state. */
  matchSlot: Int32Array;
  matchIsStr: Uint8Array;
  /** Action path per row, for messages. */
  path: string[];
}

/** Builds the spawn tables while compile.ts emits ops; hands out row indices. */
export class SpawnBuilder {
  private readonly rows = {
    kind: [] as number[],
    dest: [] as number[],
    type: [] as number[],
    count: [] as number[],
    inhNumStart: [] as number[],
    inhNumCount: [] as number[],
    inhNumSlots: [] as number[],
    inhStrStart: [] as number[],
    inhStrCount: [] as number[],
    inhStrSlots: [] as number[],
    indexSlot: [] as number[],
    mods: [] as number[],
    matchSlot: [] as number[],
    matchIsStr: [] as number[],
  };
  private readonly path: string[] = [];
  /** Some op disposes of entities (no row needed, but the runtime must exist). */
  disposes = false;

  constructor(
    private readonly entityIndex: ReadonlyMap<string, number>,
    private readonly activityIndex: ReadonlyMap<string, number>,
    private readonly logic: LogicBuilder | null,
  ) {}

  split(a: SplitAction, key: string): number {
    return this.row(SpawnKind.Split, a.destinationId, a.entityTemplateId, a.count ?? 1, a, key, {
      index: a.splitIndexState,
    });
  }

  create(a: CreateAction, key: string): number {
    return this.row(SpawnKind.Create, a.destinationId, a.entityTemplateId, 1, a, key, {});
  }

  join(a: JoinAction, key: string): number {
    return this.row(SpawnKind.Join, a.destinationId, a.combinedTemplateId, a.joinCount ?? 2, a, key, {
      index: a.joinCountState,
      match: a.matchState,
    });
  }

  private row(
    kind: SpawnKind,
    destinationId: string,
    typeId: string | null | undefined,
    count: number,
    a: { inheritStates?: string[] | null; modifications?: StateModification[] | null },
    key: string,
    names: { index?: string | null; match?: string },
  ): number {
    const r = this.rows;
    r.kind.push(kind);
    r.dest.push(this.activityIndex.get(destinationId)!);
    r.type.push(typeId ? this.entityIndex.get(typeId)! : -1);
    r.count.push(count);
    r.inhNumStart.push(r.inhNumSlots.length);
    r.inhStrStart.push(r.inhStrSlots.length);
    for (const name of a.inheritStates ?? []) {
      const b = this.logic!.entityState(name);
      if (b.numeric) r.inhNumSlots.push(b.slot);
      else r.inhStrSlots.push(b.slot);
    }
    r.inhNumCount.push(r.inhNumSlots.length - r.inhNumStart[r.inhNumStart.length - 1]);
    r.inhStrCount.push(r.inhStrSlots.length - r.inhStrStart[r.inhStrStart.length - 1]);
    r.indexSlot.push(names.index ? this.logic!.entityState(names.index).slot : -1);
    const mods = a.modifications ?? [];
    r.mods.push(mods.length > 0 ? this.logic!.modifications(mods, key) : -1);
    if (names.match) {
      const b = this.logic!.entityState(names.match);
      r.matchSlot.push(b.slot);
      r.matchIsStr.push(b.numeric ? 0 : 1);
    } else {
      r.matchSlot.push(-1);
      r.matchIsStr.push(0);
    }
    this.path.push(key);
    return r.kind.length - 1;
  }

  /** The tables, or null when no op makes or ends entities. */
  finish(): CompiledSpawn | null {
    const r = this.rows;
    if (r.kind.length === 0 && !this.disposes) return null;
    return {
      kind: Uint8Array.from(r.kind),
      dest: Int32Array.from(r.dest),
      type: Int32Array.from(r.type),
      count: Int32Array.from(r.count),
      inhNumStart: Int32Array.from(r.inhNumStart),
      inhNumCount: Int32Array.from(r.inhNumCount),
      inhNumSlots: Int32Array.from(r.inhNumSlots),
      inhStrStart: Int32Array.from(r.inhStrStart),
      inhStrCount: Int32Array.from(r.inhStrCount),
      inhStrSlots: Int32Array.from(r.inhStrSlots),
      indexSlot: Int32Array.from(r.indexSlot),
      mods: Int32Array.from(r.mods),
      matchSlot: Int32Array.from(r.matchSlot),
      matchIsStr: Uint8Array.from(r.matchIsStr),
      path: this.path,
    };
  }
}
