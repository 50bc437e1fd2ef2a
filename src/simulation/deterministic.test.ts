import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runReplication, simulate, type QuodsiModel, type ReplicationResult } from "./index.js";
import { EXAMPLES_DIR as EXAMPLES, constant } from "./testing/models.js";

const load = (rel: string) => JSON.parse(readFileSync(`${EXAMPLES}/${rel}`, "utf8")) as QuodsiModel;
const opts = { replications: 1, seed: 1, timePeriod: "hourly" as const };
const run = (m: QuodsiModel) => runReplication(m, 0, opts);
/** The entity counts of actions that make or end entities, in a model without them. */
const NO_ENTITY_ACTIONS = { createdByActionCount: 0, splitCount: 0, joinedCount: 0, disposedCount: 0 };
const act = (r: ReplicationResult, id: string) => r.activities.find((a) => a.activityId === id)!;
const res = (r: ReplicationResult, id: string) => r.resources.find((a) => a.resourceId === id)!;

describe("constant-time models give hand-computed numbers", () => {
  /*
   * learn/actions/seize-release: patients arrive at 0, 5, 10; register (clerk,
   * 1 min), admit seizes the single nurse (2 min), treat 6, discharge 2 then
   * release; every walk 0.5 min. Nurse held 11 min per patient, 2.0-13.0,
   * 13.0-24.0, 24.0-35.0. Patient 2 waits at Admit 7.0-13.0 (6); patient 3
   * queues for Admit's single slot 12.0-15.0 (3) then for the nurse 15.0-24.0
   * (9). README: nurse busy 33 of 120 min, mean nurse wait 5 min.
   */
  it("seize in one activity, release in a later one (seize-release example)", async () => {
    const r = await run(load("learn/actions/seize-release/model.json"));
    expect(res(r, "nurse").utilization).toBeCloseTo(33 / 120, 12);
    expect(res(r, "nurse").averageWaitTime).toBeCloseTo((0 + 6 + 9) / 3, 12);
    expect(res(r, "nurse").maxQueueLength).toBe(1);
    expect(res(r, "clerk").utilization).toBeCloseTo(3 / 120, 12);
    expect(res(r, "clerk").averageWaitTime).toBe(0);
    expect(act(r, "admit").averageWaitTime).toBeCloseTo((0 + 6 + 12) / 3, 12);
    expect(act(r, "admit").averageTimeInActivity).toBeCloseTo((2 + 8 + 14) / 3, 12);
    expect(act(r, "treat").utilization).toBeCloseTo(18 / 120, 12);
    expect(r.entities[0]).toEqual({
      entityId: "patient",
      createdCount: 3,
      completedCount: 3,
      averageTimeInSystem: (13 + 19 + 25) / 3,
      averageTimeWaiting: (0 + 6 + 12) / 3,
      ...NO_ENTITY_ACTIONS,
    });
  });

  /*
   * Blocking. Arrivals every 1 min from 0 (5 entities) into A (capacity 1,
   * 1 min, no outbound queue) then B (capacity 1, 3 min, inbound queue 1).
   * Timeline (enter A / leave A / leave B):
   *   e1 0/1/4, e2 1/2/7, e3 2/4/10 (blocked in A 3-4), e4 3/7/13 (waits in
   *   A's queue 3-4, blocked 5-7), e5 4/10/16 (queue 4-7, blocked 8-10).
   */
  it("an entity that cannot enter a full downstream queue blocks its upstream activity", async () => {
    const model: QuodsiModel = {
      timeUnit: "minutes",
      runTime: constant(20),
      entities: [{ id: "part" }],
      activities: [
        { id: "A", capacity: 1, outboundCapacity: 0, actions: [{ type: "delay", duration: constant(1) }] },
        { id: "B", capacity: 1, inboundCapacity: 1, actions: [{ type: "delay", duration: constant(3) }] },
      ],
      generators: [{ id: "g", entityId: "part", interarrivalTime: constant(1), maxEntities: 5 }],
      connectors: [
        { id: "g-A", sourceId: "g", targetId: "A" },
        { id: "A-B", sourceId: "A", targetId: "B" },
      ],
    };
    const r = await run(model);
    expect(act(r, "A")).toEqual({
      activityId: "A",
      throughput: 5,
      utilization: 10 / 20,
      averageWaitTime: (0 + 0 + 0 + 1 + 3) / 5,
      averageTimeWaitingForResource: 0,
      averageContents: 14 / 20,
      // At t=4 e1's departure from B (scheduled at t=1) runs before e5's arrival (scheduled at t=3):
      // simultaneous events run in scheduling order, so e3 has left A when e5 comes in.
      maxContents: 2,
      timeBlocked: 1 + 2 + 2,
      averageTimeInActivity: (1 + 1 + 2 + 4 + 6) / 5,
      averageQueueLength: 4 / 20,
      timeInFailure: 0,
    });
    expect(act(r, "B")).toMatchObject({
      throughput: 5,
      utilization: 15 / 20,
      averageWaitTime: (0 + 2 + 3 + 3 + 3) / 5,
      maxContents: 2,
      timeBlocked: 0,
      averageTimeInActivity: (3 + 5 + 6 + 6 + 6) / 5,
    });
    expect(r.entities[0]).toMatchObject({ completedCount: 5, averageTimeInSystem: 8, averageTimeWaiting: 4 });
    expect(r.timeSeries.buckets).toEqual([{ start: 0, end: 20, throughput: 5, wip: 40 / 20 }]);
  });

  it("with an outbound queue the upstream activity keeps working instead of blocking its slot", async () => {
    const model: QuodsiModel = {
      timeUnit: "minutes",
      runTime: constant(20),
      entities: [{ id: "part" }],
      activities: [
        { id: "A", capacity: 1, outboundCapacity: 5, actions: [{ type: "delay", duration: constant(1) }] },
        { id: "B", capacity: 1, inboundCapacity: 0, actions: [{ type: "delay", duration: constant(3) }] },
      ],
      generators: [{ id: "g", entityId: "part", interarrivalTime: constant(1), maxEntities: 3 }],
      connectors: [
        { id: "g-A", sourceId: "g", targetId: "A" },
        { id: "A-B", sourceId: "A", targetId: "B" },
      ],
    };
    // A is never held up: e1..e3 leave A's slot at 1, 2, 3; B (no queue) takes them at 1, 4, 7.
    const r = await run(model);
    expect(act(r, "A").utilization).toBeCloseTo(3 / 20, 12);
    expect(act(r, "A").timeBlocked).toBeCloseTo(0 + 2 + 4, 12);
    expect(act(r, "B").averageWaitTime).toBe(0);
    expect(r.entities[0].averageTimeInSystem).toBeCloseTo((4 + 6 + 8) / 3, 12);
  });

  it("generator batches, start delay, maxCycles and connector travel time", async () => {
    const model: QuodsiModel = {
      timeUnit: "hours",
      runTime: { unit: "hours", value: 10 },
      entities: [{ id: "e" }],
      activities: [
        { id: "work", capacity: 10, actions: [{ type: "delay", duration: { unit: "minutes", value: 30 } }] },
      ],
      generators: [
        {
          id: "g",
          entityId: "e",
          interarrivalTime: { unit: "hours", value: 2 },
          startDelay: { unit: "minutes", value: 60 },
          batchSize: 3,
          maxCycles: 2,
        },
      ],
      connectors: [
        {
          id: "c",
          sourceId: "g",
          targetId: "work",
          actions: [{ type: "delay", duration: { unit: "minutes", value: 15 } }],
        },
      ],
    };
    // Batches of 3 at 1 h and 3 h; each entity travels 0.25 h and works 0.5 h.
    const r = await run(model);
    expect(r.entities[0]).toEqual({
      entityId: "e",
      createdCount: 6,
      completedCount: 6,
      averageTimeInSystem: 0.75,
      averageTimeWaiting: 0,
      ...NO_ENTITY_ACTIONS,
    });
    expect(act(r, "work").maxContents).toBe(3);
    expect(act(r, "work").averageContents).toBeCloseTo((6 * 0.5) / 10, 12);
  });

  it("statistics restart at the warm-up time", async () => {
    const model: QuodsiModel = {
      timeUnit: "minutes",
      runTime: constant(20),
      warmupTime: constant(10),
      entities: [{ id: "e" }],
      activities: [{ id: "s", actions: [{ type: "delay", duration: constant(0.5) }] }],
      generators: [{ id: "g", entityId: "e", interarrivalTime: constant(1) }],
      connectors: [{ id: "c", sourceId: "g", targetId: "s" }],
    };
    // Arrivals at 0..20; departures at k + 0.5. After warm-up: arrivals 10..20, departures 10.5..19.5.
    const r = await run(model);
    expect(act(r, "s")).toMatchObject({
      throughput: 10,
      utilization: 0.5,
      averageTimeInActivity: 0.5,
      averageWaitTime: 0,
    });
    expect(r.entities[0]).toMatchObject({ createdCount: 11, completedCount: 10, averageTimeInSystem: 0.5 });
    expect(r.timeSeries.buckets).toHaveLength(1);
    expect(r.timeSeries.buckets[0].throughput).toBe(20);
  });

  it("REQUIRE_ALL over two resources and REQUIRE_ANY pick the first available option", async () => {
    const model: QuodsiModel = {
      timeUnit: "minutes",
      runTime: constant(10),
      entities: [{ id: "e" }],
      resources: [
        { id: "x", capacity: 1 },
        { id: "y", capacity: 2 },
        { id: "z", capacity: 1 },
      ],
      resourceRequirements: [
        {
          id: "x-and-2y",
          rootClause: {
            mode: "REQUIRE_ALL",
            requests: [{ resourceId: "x" }, { resourceId: "y", quantity: 2 }],
          },
        },
        {
          id: "x-or-z",
          rootClause: { mode: "REQUIRE_ANY", requests: [{ resourceId: "x" }, { resourceId: "z" }] },
        },
      ],
      activities: [
        {
          id: "both",
          capacity: 5,
          actions: [
            { type: "delay_with_resource", resourceRequirementId: "x-and-2y", duration: constant(2) },
          ],
        },
        {
          id: "either",
          capacity: 5,
          actions: [{ type: "delay_with_resource", resourceRequirementId: "x-or-z", duration: constant(1) }],
        },
      ],
      generators: [{ id: "g", entityId: "e", interarrivalTime: constant(100), batchSize: 2 }],
      connectors: [
        { id: "c1", sourceId: "g", targetId: "both" },
        { id: "c2", sourceId: "both", targetId: "either" },
      ],
    };
    // Two entities at 0: e1 takes x+2y 0-2; e2 waits for them until 2 and holds them 2-4.
    // At "either": e1 arrives at 2 while e2 holds x, so it takes z 2-3; e2 arrives at 4 and takes x (first option) 4-5.
    const r = await run(model);
    expect(res(r, "x")).toMatchObject({
      grants: 3,
      averageWaitTime: 2 / 3,
      waitProbability: 1 / 3,
      utilization: 5 / 10,
    });
    expect(res(r, "y")).toMatchObject({ grants: 2, averageWaitTime: 1, utilization: 0.4 });
    expect(res(r, "z")).toMatchObject({ grants: 1, averageWaitTime: 0, utilization: 0.1 });
    expect(r.entities[0].averageTimeInSystem).toBeCloseTo((3 + 5) / 2, 12);
  });

  it("an entity leaving the system gives back resources it still holds", async () => {
    const model: QuodsiModel = {
      timeUnit: "minutes",
      runTime: constant(10),
      entities: [{ id: "e" }],
      resources: [{ id: "r", capacity: 1 }],
      resourceRequirements: [{ id: "q", rootClause: { requests: [{ resourceId: "r" }] } }],
      activities: [
        {
          id: "a",
          capacity: 5,
          actions: [
            { type: "seize", resourceRequirementId: "q" },
            { type: "delay", duration: constant(1) },
          ],
        },
      ],
      generators: [{ id: "g", entityId: "e", interarrivalTime: constant(100), batchSize: 3 }],
      connectors: [{ id: "c", sourceId: "g", targetId: "a" }],
    };
    const r = await run(model);
    expect(r.entities[0]).toMatchObject({ completedCount: 3, averageTimeInSystem: (1 + 2 + 3) / 3 });
    expect(res(r, "r").utilization).toBeCloseTo(3 / 10, 12);
  });

  it("simulate() with the same seed on a deterministic model gives the same summary as the replication", async () => {
    const model = load("learn/actions/seize-release/model.json");
    const s = await simulate(model, { ...opts, replications: 2 });
    expect(s.resources.find((x) => x.resourceId === "nurse")!.averageWaitTime).toMatchObject({
      mean: 5,
      stdDev: 0,
      ciHalfWidth: 0,
      values: [5, 5],
    });
  });
});
