import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileModel } from "../compile.js";
import { mm1 } from "../testing/models.js";
import { EXAMPLES_DIR, constant } from "../testing/models.js";
import {
  runReplication,
  type Action,
  type QuodsiModel,
  type ReplicationResult,
  type StateDeclaration,
} from "../index.js";
import { ModelRuntimeError } from "./errors.js";
import { Simulation } from "./simulation.js";

const load = (rel: string) => JSON.parse(readFileSync(`${EXAMPLES_DIR}/${rel}`, "utf8")) as QuodsiModel;
const opts = { replications: 1, seed: 1, timePeriod: "hourly" as const };
const run = (m: QuodsiModel, rep = 0) => runReplication(m, rep, opts);
const act = (r: ReplicationResult, id: string) => r.activities.find((a) => a.activityId === id)!;
const ent = (r: ReplicationResult, id: string) => r.entities.find((e) => e.entityId === id)!;
const atExit = (r: ReplicationResult, id: string) => r.entityStates!.find((e) => e.entityId === id)!.values;

/** Simulated times at which entities left the system (exits and disposals), in order. */
function exitTimes(m: QuodsiModel): number[] {
  const sim = new Simulation(compileModel(m), 1, 0, "hourly");
  const times: number[] = [];
  let seen = 0;
  while (!sim.runChunk(1)) for (; seen < sim.exitsTotal; seen++) times.push(sim.now);
  return times;
}

const num = (id: string, initialValue = 0, componentType = "entity"): StateDeclaration => ({
  id,
  name: id,
  componentType: componentType as "entity",
  dataType: "number",
  initialValue,
});
const str = (id: string, initialValue: string): StateDeclaration => ({
  id,
  name: id,
  componentType: "entity",
  dataType: "string",
  initialValue,
});
const set = (stateId: string, value: number | string) => ({ stateId, operation: "assign" as const, value });
const add = (stateId: string, value: number) => ({ stateId, operation: "add" as const, value });
const delay = (id: string, minutes: number): Action => ({ id, type: "delay", duration: constant(minutes) });
const base = (runTime: number): Pick<QuodsiModel, "schemaVersion" | "timeUnit" | "runTime"> => ({
  schemaVersion: "2026.12.01",
  timeUnit: "minutes",
  runTime: constant(runTime),
});
const oneTool = (id: string, capacity = 1) => ({
  resources: [{ id, capacity }],
  resourceRequirements: [{ id: `req-${id}`, rootClause: { requests: [{ resourceId: id }] } }],
});

describe("split, create, join and dispose: hand-computed timelines", () => {
  /*
   * Orders arrive at 0 and 10. A (capacity 1) numbers the order, takes the one
   * tool, works 1 min and splits into 2 pieces for B: each piece inherits
   * order_no and colour, gets idx 0 / 1, then tag + 10. The order ends at the
   * split and gives the tool back, so piece 0 takes it at once: B 1-3, then
   * piece 1 3-5 (13-15 and 15-17 for the second order). A piece's time in
   * system counts from its order's creation: 3 and 5.
   */
  const splitModel = (): QuodsiModel => ({
    ...base(60),
    entities: [{ id: "order" }, { id: "piece" }],
    ...oneTool("tool"),
    states: [num("order_no"), num("idx", -1), num("tag"), str("colour", "red")],
    activities: [
      {
        id: "A",
        actions: [
          { id: "number", type: "assign", modifications: [set("order_no", 7), set("colour", "blue")] },
          { id: "take", type: "seize", resourceRequirementId: "req-tool" },
          delay("work", 1),
          {
            id: "split",
            type: "split",
            count: 2,
            destinationId: "B",
            entityTemplateId: "piece",
            inheritStates: ["order_no", "colour"],
            splitIndexState: "idx",
            modifications: [add("tag", 10)],
          },
          { id: "never", type: "assign", modifications: [set("order_no", -1)] },
        ],
      },
      {
        id: "B",
        actions: [
          {
            id: "blue-only",
            type: "assign",
            condition: { stateId: "colour", comparison: "equal", value: "blue" },
            modifications: [add("tag", 1)],
          },
          {
            id: "use",
            type: "delay_with_resource",
            resourceRequirementId: "req-tool",
            duration: constant(2),
          },
        ],
      },
    ],
    generators: [{ id: "g", entityId: "order", interarrivalTime: constant(10), maxEntities: 2 }],
    connectors: [{ id: "g-A", sourceId: "g", targetId: "A" }],
  });

  it("split: pieces inherit, are numbered, modified, start at the destination; the original ends and releases", async () => {
    const r = await run(splitModel());
    expect(exitTimes(splitModel())).toEqual([3, 5, 13, 15]);
    expect(ent(r, "order")).toMatchObject({ createdCount: 2, completedCount: 0, splitCount: 0 });
    expect(ent(r, "piece")).toMatchObject({
      createdCount: 4,
      splitCount: 4,
      completedCount: 4,
      averageTimeInSystem: (3 + 5 + 3 + 5) / 4,
    });
    // Actions after the split never run; inherited string state seen by B's guard.
    expect(atExit(r, "piece")).toMatchObject({ order_no: 7, idx: 0.5, tag: 11 });
    expect(act(r, "A")).toMatchObject({ throughput: 2, averageTimeInActivity: 1 });
    expect(act(r, "B")).toMatchObject({ throughput: 4, averageWaitTime: (0 + 2 + 0 + 2) / 4 });
  });

  /*
   * Jobs arrive at 0, 1, 2; A (capacity 1, 2 min) creates a ticket for T at
   * the start of each job (0, 2, 4) and carries on. T has capacity 1 and no
   * inbound queue: ticket 2 waits for room 2-3, ticket 3 4-6. Tickets leave
   * at 3, 6, 9 (times in system 3, 4, 5), jobs at 2, 4, 6 (2, 3, 4).
   */
  const createModel = (): QuodsiModel => ({
    ...base(30),
    entities: [{ id: "job" }, { id: "ticket" }],
    states: [num("n")],
    activities: [
      {
        id: "A",
        actions: [
          { id: "five", type: "assign", modifications: [set("n", 5)] },
          {
            id: "make",
            type: "create",
            entityTemplateId: "ticket",
            destinationId: "T",
            inheritStates: ["n"],
            modifications: [add("n", 1)],
          },
          delay("work", 2),
        ],
      },
      { id: "T", inboundCapacity: 0, actions: [delay("print", 3)] },
    ],
    generators: [{ id: "g", entityId: "job", interarrivalTime: constant(1), maxEntities: 3 }],
    connectors: [{ id: "g-A", sourceId: "g", targetId: "A" }],
  });

  it("create: the original carries on; the new entity inherits, is modified, and waits for room at its destination", async () => {
    const r = await run(createModel());
    expect(exitTimes(createModel())).toEqual([2, 3, 4, 6, 6, 9]);
    expect(ent(r, "job")).toMatchObject({ createdCount: 3, completedCount: 3, averageTimeInSystem: 3 });
    expect(ent(r, "ticket")).toMatchObject({
      createdCount: 3,
      createdByActionCount: 3,
      completedCount: 3,
      averageTimeInSystem: 4,
    });
    expect(atExit(r, "job").n).toBe(5);
    expect(atExit(r, "ticket").n).toBe(6);
  });

  /*
   * Parts arrive at 0, 1, 2, 3; S (capacity 1, 1 min) numbers them (batch =
   * (made - 1) // 2: 0, 0, 1, 1) and seizes one of 2 bins, never released by
   * an action. J joins pairs by batch: parts leave S at 1, 2, 3, 4; pairs
   * complete at 2 and 4 (members wait 1 and 0). Part 3 needs a bin at 2: it
   * gets one only because the first pair gave theirs back when joined. The
   * combined entity (first arrival's type) gets size = 2 and batch + 10, and
   * is packed in K 2-3 and 4-5; its time in system counts from its first
   * member's creation (0 and 2).
   */
  const joinModel = (combinedTemplateId?: string): QuodsiModel => ({
    ...base(30),
    entities: [{ id: "part" }, { id: "kit" }],
    ...oneTool("bin", 2),
    states: [num("made", 0, "model"), num("batch"), num("size")],
    activities: [
      {
        id: "S",
        actions: [
          {
            id: "number",
            type: "assign",
            modifications: [
              add("made", 1),
              { stateId: "batch", operation: "assign", expression: "(made - 1) // 2" },
            ],
          },
          { id: "bin", type: "seize", resourceRequirementId: "req-bin" },
          delay("prep", 1),
        ],
      },
      {
        id: "J",
        capacity: 2,
        actions: [
          {
            id: "pair",
            type: "join",
            matchState: "batch",
            joinCount: 2,
            destinationId: "K",
            ...(combinedTemplateId ? { combinedTemplateId } : {}),
            inheritStates: ["batch"],
            joinCountState: "size",
            modifications: [add("batch", 10)],
          },
        ],
      },
      { id: "K", actions: [delay("pack", 1)] },
    ],
    generators: [{ id: "g", entityId: "part", interarrivalTime: constant(1), maxEntities: 4 }],
    connectors: [
      { id: "g-S", sourceId: "g", targetId: "S" },
      { id: "S-J", sourceId: "S", targetId: "J" },
    ],
  });

  it("join: groups by matchState, members end and release, one combined entity goes on", async () => {
    const r = await run(joinModel());
    expect(exitTimes(joinModel())).toEqual([3, 5]);
    expect(ent(r, "part")).toMatchObject({
      createdCount: 6,
      joinedCount: 2,
      completedCount: 2,
      averageTimeInSystem: 3,
    });
    expect(atExit(r, "part")).toMatchObject({ batch: 10.5, size: 2 });
    expect(act(r, "J")).toMatchObject({ throughput: 4, averageTimeInActivity: (1 + 0 + 1 + 0) / 4 });
    expect(r.resources[0].averageWaitTime).toBe(0);

    const kits = await run(joinModel("kit"));
    expect(ent(kits, "kit")).toMatchObject({ createdCount: 2, joinedCount: 2, completedCount: 2 });
    expect(ent(kits, "part")).toMatchObject({ createdCount: 4, joinedCount: 0, completedCount: 0 });
  });

  it("join: a string match state; a constant value fuses any arrivals into one group", () => {
    const m = joinModel();
    m.states!.push(str("lot", "L"));
    const pair = m.activities![1].actions![0] as Extract<Action, { type: "join" }>;
    pair.matchState = "lot";
    pair.joinCount = 4;
    m.activities![1].capacity = 4;
    m.resources![0].capacity = 4;
    // All four parts carry "L" (their batches differ): one group, complete when the 4th arrives at 4.
    expect(exitTimes(m)).toEqual([5]);
  });

  /*
   * Four entities arrive at 0, 1, 2, 3 at X (capacity 1): take the one tool,
   * count, the second one is disposed (guard k == 2) at 1, the others work 1
   * min and release. Average time at X: (1 + 0 + 1 + 1) / 4 = 0.75 (Quodsi's
   * dispose README). The disposed entity gave the tool back, or the third
   * would wait for ever.
   */
  const disposeModel = (): QuodsiModel => ({
    ...base(30),
    entities: [{ id: "e" }],
    ...oneTool("tool"),
    states: [num("n", 0, "model"), num("k")],
    activities: [
      {
        id: "X",
        actions: [
          { id: "take", type: "seize", resourceRequirementId: "req-tool" },
          {
            id: "count",
            type: "assign",
            modifications: [add("n", 1), { stateId: "k", operation: "assign", expression: "n" }],
          },
          { id: "drop", type: "dispose", condition: { stateId: "k", comparison: "equal", value: 2 } },
          delay("work", 1),
          { id: "give", type: "release", resourceRequirementId: "req-tool" },
        ],
      },
    ],
    generators: [{ id: "g", entityId: "e", interarrivalTime: constant(1), maxEntities: 4 }],
    connectors: [{ id: "g-X", sourceId: "g", targetId: "X" }],
  });

  it("dispose: a guarded dispose is a partial exit, counted as completed, releasing what it holds", async () => {
    const r = await run(disposeModel());
    expect(exitTimes(disposeModel())).toEqual([1, 1, 3, 4]);
    expect(act(r, "X")).toMatchObject({ throughput: 4, averageTimeInActivity: 0.75 });
    expect(ent(r, "e")).toMatchObject({ createdCount: 4, completedCount: 4, disposedCount: 1 });
    expect(atExit(r, "e").k).toBe((1 + 2 + 3 + 4) / 4);
  });

  /*
   * Three creates in one activity, each inheriting its own states (a number and a string each):
   * each one's inherited states sit after the previous one's in the compiled tables. The job sets
   * a = 1, b = 2, c = "x", d = "y"; the first and third tickets take a and c, the second b and d.
   */
  it("create: each action copies exactly the states it names", async () => {
    const m: QuodsiModel = {
      ...base(30),
      entities: [{ id: "job" }, { id: "ticket" }],
      states: [num("a"), num("b"), str("c", ""), str("d", ""), num("has_c"), num("has_d")],
      activities: [
        {
          id: "A",
          actions: [
            {
              id: "set",
              type: "assign",
              modifications: [set("a", 1), set("b", 2), set("c", "x"), set("d", "y")],
            },
            {
              id: "one",
              type: "create",
              entityTemplateId: "ticket",
              destinationId: "T",
              inheritStates: ["a", "c"],
            },
            {
              id: "two",
              type: "create",
              entityTemplateId: "ticket",
              destinationId: "T",
              inheritStates: ["b", "d"],
            },
            {
              id: "three",
              type: "create",
              entityTemplateId: "ticket",
              destinationId: "T",
              inheritStates: ["a", "c"],
            },
          ],
        },
        {
          id: "T",
          capacity: 3,
          actions: [
            {
              id: "c?",
              type: "assign",
              condition: { stateId: "c", comparison: "equal", value: "x" },
              modifications: [set("has_c", 1)],
            },
            {
              id: "d?",
              type: "assign",
              condition: { stateId: "d", comparison: "equal", value: "y" },
              modifications: [set("has_d", 1)],
            },
          ],
        },
      ],
      generators: [{ id: "g", entityId: "job", interarrivalTime: constant(10), maxEntities: 1 }],
      connectors: [{ id: "g-A", sourceId: "g", targetId: "A" }],
    };
    const r = await run(m);
    expect(ent(r, "ticket")).toMatchObject({ createdCount: 3, completedCount: 3 });
    // Averages over the three tickets: two have a = 1 and c = "x", one b = 2 and d = "y".
    const v = atExit(r, "ticket");
    expect([v.a, v.b, v.has_c, v.has_d].map((x) => x! * 3)).toEqual([2, 2, 2, 1]);
  });

  /*
   * The same timelines with a warm-up: what happened before it ended is not counted, what happened
   * after it is, and an entity that leaves after the warm-up counts its whole time in system.
   */
  it("warm-up: entities made, split, joined, disposed or finished before it ends are not counted", async () => {
    const withWarmup = (m: QuodsiModel, minutes: number): QuodsiModel => ({
      ...m,
      warmupTime: constant(minutes),
    });

    // Split at 12: the second order (created 10, split 11) and its pieces were made during the
    // warm-up; only those pieces' exits at 13 and 15 count (3 and 5 in system, as the first ones).
    const full = await run(splitModel());
    const split = await run(withWarmup(splitModel(), 12));
    expect(ent(split, "order")).toEqual({
      entityId: "order",
      createdCount: 0,
      completedCount: 0,
      averageTimeInSystem: 0,
      averageTimeWaiting: 0,
      createdByActionCount: 0,
      splitCount: 0,
      joinedCount: 0,
      disposedCount: 0,
    });
    expect(ent(split, "piece")).toMatchObject({
      createdCount: 0,
      splitCount: 0,
      completedCount: 2,
      averageTimeInSystem: 4,
      averageTimeWaiting: ent(full, "piece").averageTimeWaiting,
    });
    expect(ent(full, "piece").averageTimeWaiting).toBeGreaterThan(0);

    // Create at 5: jobs made at 0, 1, 2 (leave 2, 4, 6), tickets made at 0, 2, 4 (leave 3, 6, 9).
    const create = await run(withWarmup(createModel(), 5));
    expect(ent(create, "job")).toMatchObject({ createdCount: 0, completedCount: 1, averageTimeInSystem: 4 });
    expect(ent(create, "ticket")).toMatchObject({
      createdCount: 0,
      createdByActionCount: 0,
      completedCount: 2,
      averageTimeInSystem: (4 + 5) / 2,
    });

    // Join at 4.5: kits made at 2 and 4 (leave 3 and 5); only the second kit's exit counts.
    const kits = await run(withWarmup(joinModel("kit"), 4.5));
    expect(ent(kits, "kit")).toMatchObject({ createdCount: 0, joinedCount: 0, completedCount: 1 });

    // Dispose at 1.5: the second entity was disposed at 1; the third and fourth (made at 2 and 3)
    // leave at 3 and 4.
    const dispose = await run(withWarmup(disposeModel(), 1.5));
    expect(ent(dispose, "e")).toMatchObject({
      createdCount: 2,
      completedCount: 2,
      disposedCount: 0,
      averageTimeInSystem: 1,
    });
  });

  it("a dispose inside a loop stops the loop and the rest of the activity (§5.2.7)", async () => {
    const m: QuodsiModel = {
      ...base(10),
      entities: [{ id: "e" }],
      states: [num("k"), num("after")],
      activities: [
        {
          id: "A",
          actions: [
            {
              id: "three",
              type: "loop",
              count: 3,
              actions: [
                { id: "count", type: "assign", modifications: [add("k", 1)] },
                { id: "drop", type: "dispose", condition: { stateId: "k", comparison: "equal", value: 2 } },
                { id: "more", type: "assign", modifications: [add("after", 1)] },
              ],
            },
            { id: "last", type: "assign", modifications: [add("after", 100)] },
          ],
        },
      ],
      generators: [{ id: "g", entityId: "e", interarrivalTime: constant(1), maxEntities: 1 }],
      connectors: [{ id: "g-A", sourceId: "g", targetId: "A" }],
    };
    const r = await run(m);
    expect(ent(r, "e")).toMatchObject({ completedCount: 1, disposedCount: 1 });
    expect(atExit(r, "e")).toMatchObject({ k: 2, after: 1 });
  });

  it("a create that feeds itself in zero time ends the replication with an error instead of running for ever", async () => {
    const m: QuodsiModel = {
      ...base(10),
      entities: [{ id: "e" }],
      activities: [
        { id: "A", actions: [{ id: "again", type: "create", entityTemplateId: "e", destinationId: "A" }] },
      ],
      generators: [{ id: "g", entityId: "e", interarrivalTime: constant(1), maxEntities: 1 }],
      connectors: [{ id: "g-A", sourceId: "g", targetId: "A" }],
    };
    const err = await run(m).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelRuntimeError);
    expect((err as Error).message).toMatch(
      /^activity:A\/action:again: more than 2097152 entities made by actions at simulated time 0 without time moving on/,
    );
  });

  it("a plain model carries no spawn tables (it pays nothing for these actions)", () => {
    expect(compileModel(mm1(1, 2, { runTime: 10 })).spawn).toBeNull();
    expect(compileModel(disposeModel()).spawn).not.toBeNull();
  });
});

describe("Quodsi's worked examples (ENGINE-SEMANTICS §8)", () => {
  it("action tour: 4 items, 8 pieces, 4 joined finishers with polish_count 6, last at t = 24, identical reps", async () => {
    const tour = load("agent-models/02-action-tour/model.json");
    const [r0, r1] = [await run(tour, 0), await run(tour, 1)];
    const item = ent(r0, "item");
    expect(item.createdCount - item.splitCount - item.joinedCount).toBe(4);
    expect(item).toMatchObject({ splitCount: 8, joinedCount: 4, completedCount: 4 });
    expect(atExit(r0, "item")).toMatchObject({ polish_count: 6, branch_lane: 1 });
    expect(ent(r0, "label")).toMatchObject({
      createdCount: 4,
      createdByActionCount: 4,
      disposedCount: 4,
      completedCount: 4,
    });
    expect(act(r0, "station-pack").throughput).toBe(4);
    // Labels are disposed at 5, 11, 17, 23; finishers leave Station-Pack at 6, 12, 18, 24.
    expect(exitTimes(tour)).toEqual([5, 6, 11, 12, 17, 18, 23, 24]);
    const same = (r: ReplicationResult) => ({ ...r, repIndex: 0 });
    expect(same(r1)).toEqual(same(r0));
  });

  it("split: one order becomes 3 pieces, packed in 2, 4 and 6 min; a 4th piece has no connector: routing error", async () => {
    const m = load("learn/actions/split/model.json");
    const r = await run(m);
    expect(ent(r, "order")).toMatchObject({ splitCount: 3, completedCount: 3 });
    expect(["pack-a", "pack-b", "pack-c"].map((id) => act(r, id).averageTimeInActivity)).toEqual([2, 4, 6]);
    expect(["pack-a", "pack-b", "pack-c"].map((id) => act(r, id).throughput)).toEqual([1, 1, 1]);

    const four = structuredClone(m);
    (four.activities![0].actions![1] as { count: number }).count = 4;
    const err = await run(four).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelRuntimeError);
    expect((err as Error).message).toMatch(
      /routing error in replication 1: entity \d+ of type "order" leaving activity "dispatch" matches none/,
    );
  });

  it("join: early pieces wait 4 and 2, one order shipped; 5 orders give 5 shipments", async () => {
    const m = load("learn/actions/join/model.json");
    const r = await run(m);
    expect(act(r, "assemble")).toMatchObject({ throughput: 3, averageTimeInActivity: (4 + 2 + 0) / 3 });
    expect(act(r, "ship").throughput).toBe(1);
    expect(ent(r, "order")).toMatchObject({ splitCount: 3, joinedCount: 1, completedCount: 1 });

    const five = structuredClone(m);
    five.generators![0].maxEntities = 5;
    const r5 = await run(five);
    expect(act(r5, "ship").throughput).toBe(5);
    expect(ent(r5, "order")).toMatchObject({ splitCount: 15, joinedCount: 5, completedCount: 5 });
  });

  it("join: capacity 3 with 5 orders never completes a group, and the run ends at its run time", async () => {
    const m = load("learn/actions/join/model.json");
    m.generators![0].maxEntities = 5;
    m.activities!.find((a) => a.id === "assemble")!.capacity = 3;
    const sim = new Simulation(compileModel(m), 1, 0, "hourly");
    let chunks = 0;
    while (!sim.runChunk(1000)) chunks++;
    expect(chunks).toBeLessThan(10);
    expect(sim.now).toBe(120);
    const r = sim.result();
    expect(ent(r, "order")).toMatchObject({ joinedCount: 0, completedCount: 0, splitCount: 15 });
    expect(act(r, "assemble").maxContents).toBeGreaterThan(3);
  });
});
