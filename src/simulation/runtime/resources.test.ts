import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runReplication, type QuodsiModel, type ReplicationResult } from "../index.js";
import type { Action } from "../model/wire.js";
import { EXAMPLES_DIR, constant } from "../testing/models.js";

const load = (rel: string) => JSON.parse(readFileSync(`${EXAMPLES_DIR}/${rel}`, "utf8")) as QuodsiModel;
const run = (m: QuodsiModel) => runReplication(m, 0, { replications: 1, seed: 1, timePeriod: "hourly" });
const act = (r: ReplicationResult, id: string) => r.activities.find((a) => a.activityId === id)!;
const res = (r: ReplicationResult, id: string) => r.resources.find((a) => a.resourceId === id)!;

/**
 * One activity "work" (capacity 10, so nobody queues for a slot) fed by a
 * generator; `actions` run there. Resources "x" (capacity cx) and "y".
 */
function workModel(opts: {
  actions: Action[];
  arrivals: number[];
  cx?: number;
  cy?: number;
  requirements?: QuodsiModel["resourceRequirements"];
  runTime?: number;
}): QuodsiModel {
  const { arrivals } = opts;
  return {
    schemaVersion: "2026.12.01",
    timeUnit: "minutes",
    runTime: constant(opts.runTime ?? 100),
    entities: [{ id: "e" }],
    resources: [
      { id: "x", capacity: opts.cx ?? 1 },
      { id: "y", capacity: opts.cy ?? 1 },
    ],
    resourceRequirements: opts.requirements ?? [
      { id: "rx", rootClause: { id: "c1", requests: [{ resourceId: "x" }] } },
      { id: "ry", rootClause: { id: "c2", requests: [{ resourceId: "y" }] } },
    ],
    activities: [{ id: "work", capacity: 10, actions: opts.actions }],
    // One generator per arrival time (maxEntities 1, startDelay = the time), in arrival order.
    generators: arrivals.map((t, i) => ({
      id: `g${i}`,
      entityId: "e",
      interarrivalTime: constant(1000),
      startDelay: constant(t),
      maxEntities: 1,
    })),
    connectors: arrivals.map((_, i) => ({ id: `c${i}`, sourceId: `g${i}`, targetId: "work" })),
  };
}

describe("seize-release example: resource wait inside the activity", () => {
  /*
   * Nurse waits at Admit: patient 1 none, patient 2 6 min (7-13), patient 3
   * 9 min (15-24) after 3 min queued for Admit's single slot (12-15), which
   * counts as queue wait, not resource wait. Mean resource wait (0+6+9)/3 = 5.
   */
  it("average wait for the nurse is 5, separate from Admit's queue wait", async () => {
    const r = await run(load("learn/actions/seize-release/model.json"));
    expect(r.entities[0].completedCount).toBe(3);
    expect(res(r, "nurse").utilization * 120).toBeCloseTo(33, 9);
    expect(act(r, "admit").averageTimeWaitingForResource).toBeCloseTo(5, 12);
    expect(act(r, "admit").averageWaitTime).toBeCloseTo((0 + 6 + 12) / 3, 12);
    // The clerk: 1 min per patient, nobody waits for it.
    expect(res(r, "clerk").utilization * 120).toBeCloseTo(3, 9);
    expect(act(r, "register").averageTimeWaitingForResource).toBe(0);
    expect(act(r, "treat").averageTimeWaitingForResource).toBe(0);
  });

  it("with two nurses the average nurse wait is 1/3 (patient 3 waits 1 min)", async () => {
    const m = load("learn/actions/seize-release/model.json");
    m.resources!.find((x) => x.id === "nurse")!.capacity = 2;
    const r = await run(m);
    expect(act(r, "admit").averageTimeWaitingForResource).toBeCloseTo(1 / 3, 12);
    expect(res(r, "nurse").averageWaitTime).toBeCloseTo(1 / 3, 12);
  });

  it("delay_with_resource + keepResource at Admit gives identical results", async () => {
    const base = load("learn/actions/seize-release/model.json");
    const keep = structuredClone(base);
    keep.activities!.find((a) => a.id === "admit")!.actions = [
      {
        type: "delay_with_resource",
        resourceRequirementId: "req-nurse",
        keepResource: true,
        duration: constant(2),
      },
    ];
    const a = await run(base);
    const b = await run(keep);
    expect(b.activities).toEqual(a.activities);
    expect(b.resources).toEqual(a.resources);
    expect(b.entities).toEqual(a.entities);
  });
});

describe("seize and request priority (Q3)", () => {
  /*
   * x has 1 unit. e0 arrives at 0 (activity w0) and holds x 0-10. e1 (t=1,
   * w1), e2 (t=2, w2), e3 (t=3, w3) wait, each seizing with its activity's
   * priority. With e3's priority 0 it is served first at 10 (wait 7), then
   * e1 at 20 (19), then e2 at 30 (28). FIFO gives 9, 18, 27.
   */
  function prioModel(prios: [number, number, number]): QuodsiModel {
    const m = workModel({ actions: [], arrivals: [0, 1, 2, 3], runTime: 200 });
    // Each generator feeds its own activity so that each entity seizes with its own priority.
    m.activities = [0, 1, 2, 3].map((i) => ({
      id: `w${i}`,
      capacity: 10,
      actions: [
        { type: "seize", resourceRequirementId: "rx", ...(i > 0 ? { priority: prios[i - 1] } : {}) },
        { type: "delay", duration: constant(10) },
        { type: "release", resourceRequirementId: "rx" },
      ],
    })) as never;
    m.connectors = [0, 1, 2, 3].map((i) => ({ id: `c${i}`, sourceId: `g${i}`, targetId: `w${i}` }));
    return m;
  }

  it("a lower priority number is served first; equal priorities in arrival order", async () => {
    const r = await run(prioModel([1, 1, 0]));
    expect(act(r, "w1").averageTimeWaitingForResource).toBe(19);
    expect(act(r, "w2").averageTimeWaitingForResource).toBe(28);
    expect(act(r, "w3").averageTimeWaitingForResource).toBe(7);
    const fifo = await run(prioModel([1, 1, 1]));
    expect([1, 2, 3].map((i) => act(fifo, `w${i}`).averageTimeWaitingForResource)).toEqual([9, 18, 27]);
  });

  it("the request priority is the queue priority when the seize sets none", async () => {
    const m = prioModel([1, 1, 1]);
    m.resourceRequirements!.push({
      id: "rx0",
      rootClause: { id: "c3", requests: [{ resourceId: "x", priority: 0 }] },
    });
    (m.activities![3].actions as Array<{ resourceRequirementId?: string; priority?: number }>).forEach(
      (a) => {
        if (a.resourceRequirementId) a.resourceRequirementId = "rx0";
        delete a.priority;
      },
    );
    const r = await run(m);
    expect([1, 2, 3].map((i) => act(r, `w${i}`).averageTimeWaitingForResource)).toEqual([19, 28, 7]);
  });
});

describe("release, delay_with_resource and requirement trees", () => {
  it("a release without requirement frees everything the entity holds", async () => {
    // e0 seizes x and y, holds them 5 min, releases all; e1 (t=1) needs both: waits 4.
    const r = await run(
      workModel({
        arrivals: [0, 1],
        actions: [
          { type: "seize", resourceRequirementId: "rx" },
          { type: "seize", resourceRequirementId: "ry" },
          { type: "delay", duration: constant(5) },
          { type: "release" },
          { type: "delay", duration: constant(1) },
        ] as Action[],
      }),
    );
    expect(res(r, "x").utilization * 100).toBeCloseTo(10, 9);
    expect(res(r, "y").utilization * 100).toBeCloseTo(10, 9);
    expect(act(r, "work").averageTimeWaitingForResource).toBe(2);
    expect(act(r, "work").averageTimeInActivity).toBe((6 + 10) / 2);
  });

  it("a release of a requirement the entity does not hold leaves its one holding alone", async () => {
    // e0 holds x 0-5: the release of ry (not held) at 2 frees nothing, so e1 (t=1) waits for x until 5.
    const r = await run(
      workModel({
        arrivals: [0, 1],
        actions: [
          { type: "seize", resourceRequirementId: "rx" },
          { type: "delay", duration: constant(2) },
          { type: "release", resourceRequirementId: "ry" },
          { type: "delay", duration: constant(3) },
          { type: "release", resourceRequirementId: "rx" },
        ] as Action[],
      }),
    );
    expect(res(r, "x").utilization * 100).toBeCloseTo(10, 9);
    expect(act(r, "work").averageTimeWaitingForResource).toBe(2);
  });

  it("keepResource on a request keeps that request's units past the delay_with_resource (Q3)", async () => {
    // both = x (keepResource) + y. e0: DWR 0-5 frees y at 5, keeps x to its exit at 8.
    // e1 (t=1) needs x and y: waits until 8, DWR 8-13, exits 16.
    const r = await run(
      workModel({
        arrivals: [0, 1],
        requirements: [
          {
            id: "both",
            rootClause: { id: "c", requests: [{ resourceId: "x", keepResource: true }, { resourceId: "y" }] },
          },
        ],
        actions: [
          { type: "delay_with_resource", resourceRequirementId: "both", duration: constant(5) },
          { type: "delay", duration: constant(3) },
        ] as Action[],
      }),
    );
    expect(act(r, "work").averageTimeWaitingForResource).toBe(7 / 2);
    expect(res(r, "x").utilization * 100).toBeCloseTo(16, 9);
    expect(res(r, "y").utilization * 100).toBeCloseTo(10, 9);
  });

  it("a delay_with_resource without requirement is a plain delay", async () => {
    const r = await run(
      workModel({
        arrivals: [0, 0],
        actions: [{ type: "delay_with_resource", duration: constant(3) }] as Action[],
      }),
    );
    expect(act(r, "work").averageTimeInActivity).toBe(3);
    expect(res(r, "x").utilization).toBe(0);
  });

  /*
   * Action-tour station 2: a seize that is never released, then a DWR on the
   * same requirement: the DWR reuses the open capture (it does not wait for
   * a second unit, which would deadlock with capacity 1) and releases it at
   * its end. e0: seize 0, DWR 0-4, released at 4; e1 (t=1) gets x at 4, 4-8.
   */
  it("delay_with_resource reuses an open capture of the same requirement and releases it", async () => {
    const r = await run(
      workModel({
        arrivals: [0, 1],
        actions: [
          { type: "seize", resourceRequirementId: "rx" },
          { type: "delay_with_resource", resourceRequirementId: "rx", duration: constant(4) },
          { type: "delay", duration: constant(2) },
        ] as Action[],
      }),
    );
    expect(r.entities[0].completedCount).toBe(2);
    expect(res(r, "x").utilization * 100).toBeCloseTo(8, 9);
    expect(act(r, "work").averageTimeWaitingForResource).toBe(3 / 2);
    expect(act(r, "work").averageTimeInActivity).toBe((6 + 9) / 2);
  });

  it("a capture opened inside a loop is reused by a later delay_with_resource too", async () => {
    // The same timeline as above, the seize one level down: the delay_with_resource must know at
    // compile time that rx may be held, or it would wait for the unit its own entity holds.
    const r = await run(
      workModel({
        arrivals: [0, 1],
        actions: [
          { type: "loop", count: 1, actions: [{ type: "seize", resourceRequirementId: "rx" }] },
          { type: "delay_with_resource", resourceRequirementId: "rx", duration: constant(4) },
          { type: "delay", duration: constant(2) },
        ] as Action[],
      }),
    );
    expect(r.entities[0].completedCount).toBe(2);
    expect(res(r, "x").utilization * 100).toBeCloseTo(8, 9);
    expect(act(r, "work").averageTimeInActivity).toBe((6 + 9) / 2);
  });

  it("an entity that exits gives back what it still holds", async () => {
    // Seize without release: e0 exits at 2 holding x; e1 (t=1) gets it at 2.
    const r = await run(
      workModel({
        arrivals: [0, 1],
        actions: [
          { type: "seize", resourceRequirementId: "rx" },
          { type: "delay", duration: constant(2) },
        ] as Action[],
      }),
    );
    expect(r.entities[0].completedCount).toBe(2);
    expect(act(r, "work").averageTimeWaitingForResource).toBe(1 / 2);
    expect(res(r, "x").utilization * 100).toBeCloseTo(4, 9);
  });

  it("a request quantity takes that many units, atomically with the rest of the requirement", async () => {
    // x capacity 3. "both" = 2 x + 1 y. e0 holds y alone 0-5 (ry); e1 (t=1) needs 2 x + y:
    // it takes nothing while y is busy (x stays fully free), then all at 5; e2 (t=2) takes 1 x at 2.
    const m = workModel({ arrivals: [0, 1, 2], cx: 3, actions: [] });
    m.resourceRequirements = [
      { id: "ry", rootClause: { id: "c1", requests: [{ resourceId: "y" }] } },
      {
        id: "both",
        rootClause: {
          id: "c2",
          requests: [
            { resourceId: "x", quantity: 2 },
            { resourceId: "y", quantity: 1 },
          ],
        },
      },
      { id: "rx", rootClause: { id: "c3", requests: [{ resourceId: "x" }] } },
    ];
    const seq = (rq: string): Action[] =>
      [{ type: "delay_with_resource", resourceRequirementId: rq, duration: constant(5) }] as Action[];
    m.activities = [
      { id: "w0", capacity: 10, actions: seq("ry") },
      { id: "w1", capacity: 10, actions: seq("both") },
      { id: "w2", capacity: 10, actions: seq("rx") },
    ] as never;
    m.connectors = [0, 1, 2].map((i) => ({ id: `c${i}`, sourceId: `g${i}`, targetId: `w${i}` }));
    const out = await run(m);
    expect(act(out, "w1").averageTimeWaitingForResource).toBe(4);
    expect(act(out, "w2").averageTimeWaitingForResource).toBe(0);
    // x: 1 unit 2-7 and 2 units 5-10 = 15 unit-min of 300.
    expect(res(out, "x").utilization * 300).toBeCloseTo(15, 9);
  });

  it("require_any takes the first alternative that can be satisfied now, in order", async () => {
    // any(x, y): e0 (t=0) takes x, e1 (t=1) finds x busy and takes y, e2 (t=2) waits for x (free at 10).
    const m = workModel({
      arrivals: [0, 1, 2],
      requirements: [
        {
          id: "any",
          rootClause: { id: "c", mode: "require_any", requests: [{ resourceId: "x" }, { resourceId: "y" }] },
        },
      ],
      actions: [
        { type: "delay_with_resource", resourceRequirementId: "any", duration: constant(10) },
      ] as Action[],
    });
    const r = await run(m);
    expect(res(r, "x").utilization * 100).toBeCloseTo(20, 9);
    expect(res(r, "y").utilization * 100).toBeCloseTo(10, 9);
    expect(act(r, "work").averageTimeWaitingForResource).toBeCloseTo(8 / 3, 12);
  });
});
