import { describe, expect, it } from "vitest";
import { runReplication, type QuodsiModel, type ReplicationResult } from "../index.js";
import type { Generator } from "../model/wire.js";
import { constant } from "../testing/models.js";

const run = (m: QuodsiModel) => runReplication(m, 0, { replications: 1, seed: 1, timePeriod: "hourly" });
const act = (r: ReplicationResult, id: string) => r.activities.find((a) => a.activityId === id)!;

/** A generator into "work" (1 min, capacity 100: nobody waits), run for 100 min. */
function genModel(g: Partial<Generator>, runTime = 100): QuodsiModel {
  return {
    schemaVersion: "2026.12.01",
    timeUnit: "minutes",
    runTime: constant(runTime),
    entities: [{ id: "e" }],
    activities: [{ id: "work", capacity: 100, actions: [{ type: "delay", duration: constant(1) }] }],
    generators: [{ id: "g", entityId: "e", interarrivalTime: constant(10), ...g }],
    connectors: [{ id: "c", sourceId: "g", targetId: "work" }],
  };
}

describe("generators (§5.3)", () => {
  it("first creation at startDelay, then every interarrivalTime", async () => {
    // Creations at 3, 13, ..., 93: 10 entities in 100 min; the last one is still working at 93-94.
    const r = await run(genModel({ startDelay: constant(3) }));
    expect(r.entities[0].createdCount).toBe(10);
    // Each is in "work" 1 min: contents area 10 over 100 min.
    expect(act(r, "work").averageContents).toBeCloseTo(10 / 100, 12);
  });

  it("maxCycles bounds the creation events, batchSize the entities per event", async () => {
    const r = await run(genModel({ batchSize: 4, maxCycles: 3 }));
    // Events at 0, 10, 20 of 4 entities each.
    expect(r.entities[0].createdCount).toBe(12);
    expect(act(r, "work").maxContents).toBe(4);
  });

  it("maxEntities stops creation mid-batch when it comes first", async () => {
    // Batches of 4 at 0, 10, then 2 at 20 (10 in all), though maxCycles allows 5 events.
    const r = await run(genModel({ batchSize: 4, maxCycles: 5, maxEntities: 10 }));
    expect(r.entities[0].createdCount).toBe(10);
    expect(act(r, "work").throughput).toBe(10);
  });

  it("maxCycles comes first when cycles x batch is below maxEntities", async () => {
    const r = await run(genModel({ batchSize: 2, maxCycles: 2, maxEntities: 10 }));
    expect(r.entities[0].createdCount).toBe(4);
  });

  it("a generator with several connectors uses the first one only (Q4)", async () => {
    const m = genModel({ maxEntities: 5 });
    m.activities!.push({ id: "other", capacity: 100, actions: [{ type: "delay", duration: constant(1) }] });
    m.connectors!.push({ id: "c2", sourceId: "g", targetId: "other", weight: 1000 });
    const r = await run(m);
    expect(act(r, "work").throughput).toBe(5);
    expect(act(r, "other").throughput).toBe(0);
  });
});

describe("activity sourceConfig (§5.4)", () => {
  /*
   * "make" (capacity 1, 4 min) generates its own entities every 3 min from
   * t=1, 4 of them: they start in "make" itself (inbound queue, then its
   * actions), then leave by its connector to "ship" (1 min). make: 1-5,
   * 5-9, 9-13, 13-17; queue waits 0, 1, 2, 3.
   */
  const model = (): QuodsiModel => ({
    schemaVersion: "2026.12.01",
    timeUnit: "minutes",
    runTime: constant(100),
    entities: [{ id: "e" }],
    activities: [
      {
        id: "make",
        capacity: 1,
        actions: [{ type: "delay", duration: constant(4) }],
        sourceConfig: {
          entityId: "e",
          interarrivalTime: constant(3),
          startDelay: constant(1),
          maxEntities: 4,
        },
      },
      { id: "ship", capacity: 10, actions: [{ type: "delay", duration: constant(1) }] },
    ],
    connectors: [{ id: "c", sourceId: "make", targetId: "ship" }],
  });

  it("creates entities inside the activity, which run its actions and route on", async () => {
    const r = await run(model());
    expect(r.entities[0].createdCount).toBe(4);
    expect(r.entities[0].completedCount).toBe(4);
    expect(act(r, "make").throughput).toBe(4);
    expect(act(r, "make").averageWaitTime).toBeCloseTo((0 + 1 + 2 + 3) / 4, 12);
    expect(act(r, "make").averageTimeInActivity).toBeCloseTo((4 + 5 + 6 + 7) / 4, 12);
    expect(act(r, "ship").throughput).toBe(4);
    expect(r.entities[0].averageTimeInSystem).toBeCloseTo((5 + 6 + 7 + 8) / 4, 12);
  });

  it("waits at the source when the activity's inbound queue is full", async () => {
    // Inbound capacity 0: an entity waits "at the source" until make's slot frees;
    // creations at 1, 4, 7, 10: starts at 1, 5, 9, 13 exactly as before, but none queues.
    const m = model();
    m.activities![0].inboundCapacity = 0;
    const r = await run(m);
    expect(r.entities[0].completedCount).toBe(4);
    expect(act(r, "make").averageWaitTime).toBe(0);
    expect(r.entities[0].averageTimeInSystem).toBeCloseTo((5 + 6 + 7 + 8) / 4, 12);
  });
});
