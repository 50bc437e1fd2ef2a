import { describe, expect, it } from "vitest";
import { checkRunnable, runReplication, type QuodsiModel, type ReplicationResult } from "../index.js";
import type { Action, StateDeclaration } from "../model/wire.js";
import { constant } from "../testing/models.js";

/** delay_with_resource `modifications`: applied once the delay is over (hand-computed timelines, minutes). */

const num = (id: string, componentType: "model" | "entity", initialValue = 0): StateDeclaration => ({
  id,
  name: id,
  componentType,
  dataType: "number",
  initialValue,
});

/** Jobs arriving at `arrivals` into activity "work" (capacity 10) running `action`; desk "x" of capacity 1. */
function model(action: Action, arrivals: number[]): QuodsiModel {
  return {
    schemaVersion: "2026.12.01",
    timeUnit: "minutes",
    runTime: constant(10),
    entities: [{ id: "job" }],
    resources: [{ id: "x", capacity: 1 }],
    resourceRequirements: [{ id: "rx", rootClause: { id: "c", requests: [{ resourceId: "x" }] } }],
    states: [num("served", "model"), num("done_at", "entity"), num("vip", "entity")],
    activities: [{ id: "work", capacity: 10, actions: [action] }],
    generators: arrivals.map((t, i) => ({
      id: `g${i}`,
      entityId: "job",
      interarrivalTime: constant(1000),
      startDelay: constant(t),
      maxEntities: 1,
    })),
    connectors: arrivals.map((_, i) => ({ id: `c${i}`, sourceId: `g${i}`, targetId: "work" })),
  };
}

const dwr = (extra: Partial<Action> = {}): Action =>
  ({
    id: "desk",
    type: "delay_with_resource",
    resourceRequirementId: "rx",
    duration: constant(4),
    modifications: [
      { stateId: "served", operation: "add", value: 1 },
      { stateId: "done_at", operation: "assign", expression: "now()" },
    ],
    ...extra,
  }) as Action;

const run = (m: QuodsiModel) => runReplication(m, 0, { replications: 1, seed: 1, timePeriod: "hourly" });
const served = (r: ReplicationResult) => r.modelStates!.find((s) => s.name === "served")!;
const doneAt = (r: ReplicationResult) => r.entityStates![0].values.done_at;

describe("delay_with_resource modifications", () => {
  it("is runnable", () => {
    expect(checkRunnable(model(dwr(), [0]))).toEqual([]);
  });

  it("apply when the delay is over: jobs at 0 and 1 share one desk, done at 4 and 8", async () => {
    const r = await run(model(dwr(), [0, 1]));
    // served: 0 on [0,4), 1 on [4,8), 2 on [8,10].
    expect(served(r)).toMatchObject({ finalValue: 2, min: 0, max: 2 });
    expect(served(r).timeAverage).toBeCloseTo((0 * 4 + 1 * 4 + 2 * 2) / 10, 12);
    expect(doneAt(r)).toBe((4 + 8) / 2);
  });

  it("apply after the delay of a delay_with_resource without requirement (a plain delay)", async () => {
    const r = await run(model(dwr({ resourceRequirementId: null }), [0, 1]));
    expect(doneAt(r)).toBe((4 + 5) / 2);
    expect(served(r).timeAverage).toBeCloseTo((1 * 1 + 2 * 5) / 10, 12);
  });

  it("apply with keepResource too (the desk then stays held until the job leaves)", async () => {
    const r = await run(model(dwr({ keepResource: true }), [0, 1]));
    expect(doneAt(r)).toBe((4 + 8) / 2);
    expect(served(r).finalValue).toBe(2);
  });

  it("are skipped with the whole action when its guard is false", async () => {
    const guarded = dwr({ condition: { stateId: "vip", comparison: "equal", value: 1 } });
    const r = await run(model(guarded, [0, 1]));
    expect(served(r)).toMatchObject({ finalValue: 0, max: 0 });
    expect(doneAt(r)).toBe(0);
    expect(r.activities[0].averageTimeInActivity).toBe(0);
  });
});
