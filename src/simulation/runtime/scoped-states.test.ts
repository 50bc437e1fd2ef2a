import { describe, expect, it } from "vitest";
import {
  applyOverrides,
  checkRunnable,
  forEachMetric,
  ModelRuntimeError,
  runReplication,
  summarize,
  validateModel,
  type QuodsiModel,
  type ReplicationResult,
} from "../index.js";
import type { Action, StateDeclaration } from "../model/wire.js";
import { constant } from "../testing/models.js";

/**
 * Resource- and activity-scoped states: one copy per resource / activity,
 * written by modifications (componentId, or the activity the entity is in)
 * and read by conditions. Hand-computed timelines in minutes.
 */

const state = (
  id: string,
  componentType: StateDeclaration["componentType"],
  dataType: StateDeclaration["dataType"] = "number",
  initialValue?: string | number,
): StateDeclaration => ({ id, name: id, componentType, dataType, initialValue });

/**
 * Three jobs at 0, 10 and 20 go through "a" then "b" (capacity 10 each),
 * runTime 30. Resources "x" and "y" (named "X" and "Y").
 *
 * a: count += 1 (a's own count), last = "busy"; a 5-min delay while a's count <= 2.
 * b: a 1-min delay when a's count == 3; seize x, x.uses += 1, release.
 */
function model(): QuodsiModel {
  const a: Action[] = [
    {
      id: "tally",
      type: "assign",
      modifications: [
        { stateId: "count", operation: "add", value: 1 },
        { stateId: "last", operation: "assign", value: "busy" },
      ],
    },
    {
      id: "wait",
      type: "delay",
      duration: constant(5),
      condition: { stateId: "count", comparison: "less_equal", value: 2 },
    },
  ];
  const b: Action[] = [
    {
      id: "late",
      type: "delay",
      duration: constant(1),
      condition: { stateId: "count", componentId: "a", comparison: "equal", value: 3 },
    },
    { id: "take", type: "seize", resourceRequirementId: "rx" },
    {
      id: "use",
      type: "assign",
      modifications: [{ stateId: "uses", operation: "add", value: 1, componentId: "x" }],
    },
    { id: "give", type: "release", resourceRequirementId: "rx" },
  ];
  return {
    schemaVersion: "2026.12.01",
    timeUnit: "minutes",
    runTime: constant(30),
    entities: [{ id: "job" }],
    resources: [
      { id: "x", name: "X" },
      { id: "y", name: "Y" },
    ],
    resourceRequirements: [{ id: "rx", rootClause: { id: "c", requests: [{ resourceId: "x" }] } }],
    states: [
      state("count", "activity"),
      state("last", "activity", "string", "none"),
      state("uses", "resource"),
    ],
    activities: [
      { id: "a", name: "A", capacity: 10, actions: a },
      { id: "b", name: "B", capacity: 10, actions: b },
    ],
    generators: [{ id: "g", entityId: "job", interarrivalTime: constant(10), maxEntities: 3 }],
    connectors: [
      { id: "c0", sourceId: "g", targetId: "a" },
      { id: "c1", sourceId: "a", targetId: "b" },
    ],
  };
}

const run = (m: QuodsiModel, repIndex = 0) =>
  runReplication(m, repIndex, { replications: 1, seed: 1, timePeriod: "hourly" });
const row = (rows: ReplicationResult["activityStates"], id: string, name: string) =>
  rows!.find((r) => r.componentId === id)!.states.find((s) => s.name === name)!;

describe("resource- and activity-scoped states", () => {
  it("are runnable", () => {
    expect(validateModel(model()).ok).toBe(true);
    expect(checkRunnable(model())).toEqual([]);
  });

  it("each activity has its own copy; a modification without componentId writes the entity's activity", async () => {
    const r = await run(model());
    // a.count: 1 at 0, 2 at 10, 3 at 20; b's copy is never written.
    const count = row(r.activityStates, "a", "count");
    expect(count).toMatchObject({ finalValue: 3, min: 0, max: 3 });
    expect(count.timeAverage).toBeCloseTo((1 * 10 + 2 * 10 + 3 * 10) / 30, 12);
    expect(row(r.activityStates, "b", "count")).toMatchObject({ finalValue: 0, timeAverage: 0, max: 0 });
    expect(row(r.activityStates, "a", "last").finalValue).toBe("busy");
    expect(row(r.activityStates, "b", "last").finalValue).toBe("none");
  });

  it("a condition reads the entity's activity, or the one it names", async () => {
    const r = await run(model());
    const act = (id: string) => r.activities.find((x) => x.activityId === id)!;
    // At a, jobs 1 and 2 see count 1 and 2 (<= 2: 5 min), job 3 sees 3 (no delay).
    expect(act("a").averageTimeInActivity).toBeCloseTo((5 + 5 + 0) / 3, 12);
    // At b (t = 5, 15, 20) a's count is 1, 2, 3: only job 3 takes the 1-min delay.
    expect(act("b").averageTimeInActivity).toBeCloseTo((0 + 0 + 1) / 3, 12);
  });

  it("a resource state is written on the resource named by componentId, each resource its own copy", async () => {
    const r = await run(model());
    // x.uses: 1 at 5, 2 at 15, 3 at 21 (job 3 waits 1 min at b first).
    const uses = row(r.resourceStates, "x", "uses");
    expect(uses).toMatchObject({ finalValue: 3, min: 0, max: 3 });
    expect(uses.timeAverage).toBeCloseTo((0 * 5 + 1 * 10 + 2 * 6 + 3 * 9) / 30, 12);
    expect(row(r.resourceStates, "y", "uses")).toMatchObject({ finalValue: 0, max: 0 });
  });

  it("statistics restart after the warm-up, from the values then", async () => {
    const m = model();
    m.warmupTime = constant(15);
    const r = await run(m);
    // a.count is 2 on [15, 20), 3 on [20, 30].
    const count = row(r.activityStates, "a", "count");
    expect(count).toMatchObject({ finalValue: 3, min: 2, max: 3 });
    expect(count.timeAverage).toBeCloseTo((2 * 5 + 3 * 10) / 15, 12);
  });

  it("are summarised per resource and activity, named, and visited by forEachMetric", async () => {
    const m = model();
    const reps = [await run(m, 0), await run(m, 1)];
    const s = summarize(m, reps, "hourly");
    expect(s.states!.resources.map((x) => [x.componentId, x.name])).toEqual([
      ["x", "X"],
      ["y", "Y"],
    ]);
    const count = s.states!.activities[0].states.find((x) => x.name === "count")!;
    expect(count).toMatchObject({ stateId: "count", dataType: "number", finalValue: { values: [3, 3] } });
    const last = s.states!.activities[1].states.find((x) => x.name === "last")!;
    expect(last.finalDistribution).toEqual([{ value: "none", share: expect.objectContaining({ mean: 1 }) }]);
    const seen: string[] = [];
    forEachMetric(s, (v) => {
      if (v.objectType === "resourceState" || v.objectType === "activityState")
        seen.push(`${v.objectType} ${v.objectId} ${v.name} ${v.metric}`);
    });
    expect(seen).toContain("resourceState x/uses X.uses timeAverage");
    expect(seen).toContain("activityState b/last B.last finalShare:none");
    expect(seen).toContain("activityState a/count A.count finalValue");
  });

  it("the modifications of an entity made by create write the activity that made it", async () => {
    const m = model();
    m.activities![0].actions!.push({
      id: "spawn",
      type: "create",
      entityTemplateId: "job",
      destinationId: "b",
      modifications: [{ stateId: "count", operation: "add", value: 10 }],
    });
    const r = await run(m);
    // a.count: 1 (tally), 11 (create at 5), 12, 22 (at 10), 23, 33 (at 20); b's copy stays 0.
    expect(row(r.activityStates, "a", "count")).toMatchObject({ finalValue: 33, max: 33 });
    expect(row(r.activityStates, "b", "count").finalValue).toBe(0);
  });

  it("a division by zero ends the replication with an error naming the action", async () => {
    const m = model();
    m.states!.push(state("zero", "entity"));
    m.activities![0].actions!.push({
      id: "split-count",
      type: "assign",
      modifications: [{ stateId: "count", operation: "divide", expression: "zero" }],
    });
    const err = await run(m).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelRuntimeError);
    expect((err as Error).message).toMatch(
      /^activity:a\/action:split-count: division by zero \(divide operation at simulated time 5\)/,
    );
  });

  it("a connector condition reads the activity states of its source", async () => {
    const m = model();
    m.activities![0].routing = "state_condition";
    m.activities!.push({ id: "c", capacity: 10, actions: [] });
    m.connectors = [
      m.connectors![0],
      {
        id: "to-b",
        sourceId: "a",
        targetId: "b",
        entityId: "job",
        condition: { stateId: "count", comparison: "less_equal", value: 1 },
      },
      {
        id: "to-c",
        sourceId: "a",
        targetId: "c",
        entityId: "job",
        condition: { stateId: "count", comparison: "greater_than", value: 1 },
      },
    ];
    const r = await run(m);
    // Jobs leave a with a.count 1, 2, 3: the first to b, the others to c.
    const through = (id: string) => r.activities.find((x) => x.activityId === id)!.throughput;
    expect([through("b"), through("c")]).toEqual([1, 2]);
  });

  it("a STATE override of the initial value starts every copy there", async () => {
    const v = applyOverrides(model(), [
      { targetObjectType: "STATE", targetObjectId: "count", propertyName: "initialValue", propertyValue: 5 },
    ]);
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    const r = await run(v.value);
    // a.count 6, 7, 8: above 2, so no job waits at a; b's copy stays at 5.
    expect(row(r.activityStates, "a", "count")).toMatchObject({ finalValue: 8, min: 5 });
    expect(row(r.activityStates, "b", "count")).toMatchObject({ finalValue: 5, timeAverage: 5 });
    expect(r.activities[0].averageTimeInActivity).toBe(0);
  });

  it("a model without scoped states reports none", async () => {
    const m = model();
    m.states = [state("count", "model")];
    for (const a of m.activities!) a.actions = a.actions!.filter((x) => x.type === "delay" && !x.condition);
    const r = await run(m);
    expect(r.resourceStates).toBeUndefined();
    expect(r.activityStates).toBeUndefined();
    expect(summarize(m, [r], "hourly").states).toMatchObject({ resources: [], activities: [] });
  });
});

describe("validation of resource- and activity-state references", () => {
  const issues = (m: QuodsiModel) => {
    const v = validateModel(m);
    return v.ok ? [] : v.issues;
  };

  it("a resource state must be named with componentId, in a modification and in a condition", () => {
    const m = model();
    const use = m.activities![1].actions![2] as { modifications: Array<Record<string, unknown>> };
    delete use.modifications[0].componentId;
    const late = m.activities![1].actions![0] as { condition: Record<string, unknown> };
    late.condition = { stateId: "uses", comparison: "equal", value: 1 };
    expect(issues(m)).toEqual([
      {
        path: "activities[1].actions[0].condition.componentId",
        message: 'is required to test a resource state: the id of the resource whose "uses" is compared',
      },
      {
        path: "activities[1].actions[2].modifications[0].componentId",
        message: 'is required to write a resource state: the id of the resource whose "uses" changes',
      },
    ]);
  });

  it("an activity state written outside an activity (generator initialStates) must name its activity", () => {
    const m = model();
    m.generators![0].initialStates = [{ stateId: "count", operation: "assign", value: 7 }];
    expect(issues(m)).toEqual([
      {
        path: "generators[0].initialStates[0].componentId",
        message:
          'is required to write an activity state outside an activity\'s actions: the id of the activity whose "count" changes',
      },
    ]);
    m.generators![0].initialStates[0].componentId = "b";
    expect(issues(m)).toEqual([]);
  });

  it("a condition's componentId names a known component, and only for a resource or activity state", () => {
    const m = model();
    m.states!.push(state("mark", "entity"));
    const late = m.activities![1].actions![0] as { condition: Record<string, unknown> };
    late.condition.componentId = "nowhere";
    const wait = m.activities![0].actions![1] as { condition: Record<string, unknown> };
    wait.condition = { stateId: "mark", comparison: "equal", value: 1, componentId: "a" };
    expect(issues(m)).toEqual([
      {
        path: "activities[0].actions[1].condition.componentId",
        message: 'only a resource or activity state belongs to a component; "mark" is an entity number state',
      },
      {
        path: "activities[1].actions[0].condition.componentId",
        message: 'references unknown activity "nowhere"',
      },
    ]);
  });
});
