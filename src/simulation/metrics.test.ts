import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { forEachMetric, type MetricVisit } from "./metrics.js";
import { runReplication, summarize } from "./simulate.js";
import { EXAMPLES_DIR, mmcResource, tandem } from "./testing/models.js";
import type { QuodsiModel, ReplicationResult } from "./types.js";

const isMetricSummary = (v: unknown) => typeof v === "object" && v !== null && "mean" in v && "values" in v;

/** Two activities, one resource, one entity type; names on some objects only. */
function model(): QuodsiModel {
  const m = mmcResource(0.8, 1, 2, { runTime: 300, warmupTime: 20 });
  const t = tandem(0.5, 1, 1, { runTime: 300 });
  m.activities = [...m.activities!, ...t.activities!.map((a) => ({ ...a, name: `Stage ${a.id}` }))];
  m.connectors = [...m.connectors!, ...t.connectors!.filter((c) => c.sourceId !== t.generators![0].id)];
  m.connectors.push({ id: "to-stage", sourceId: "service", targetId: t.activities![0].id });
  m.resources![0].name = "Servers";
  return m;
}

const visits = <V>(tables: Parameters<typeof forEachMetric<V>>[0]) => {
  const seen: MetricVisit<V>[] = [];
  forEachMetric(tables, (m) => {
    seen.push(m);
  });
  return seen;
};

describe("forEachMetric", async () => {
  const m = model();
  const opts = { replications: 3, seed: 11, timePeriod: "hourly" as const };
  const reps: ReplicationResult[] = [];
  for (let i = 0; i < 3; i++) reps.push(await runReplication(m, i, opts));
  const summary = summarize(m, reps, "hourly");

  it("visits every figure the engine reports, summarised, for every object exactly once", () => {
    expect(summary.activities).toHaveLength(3);
    const rep = reps[0];
    const figures = (type: string, items: object[], idKey: string) =>
      items.flatMap((item) => {
        const id = (item as Record<string, unknown>)[idKey] as string;
        return Object.keys(item)
          .filter((k) => k !== idKey)
          .map((metric) => `${type}/${id}/${metric}`);
      });
    const expected = [
      ...figures("activity", rep.activities, "activityId"),
      ...figures("resource", rep.resources, "resourceId"),
      ...figures("entity", rep.entities, "entityId"),
    ];
    const seen = visits(summary);
    expect(seen.map((v) => `${v.objectType}/${v.objectId}/${v.metric}`).sort()).toEqual(expected.sort());
    expect(seen.every((v) => isMetricSummary(v.value))).toBe(true);
  });

  it("visits every numeric figure of a replication result, with ids as names", () => {
    const rep = reps[0];
    const seen = visits(rep);
    const count = (items: object[], id: string) =>
      items.reduce((n, item) => n + Object.keys(item).filter((k) => k !== id).length, 0);
    expect(seen).toHaveLength(
      count(rep.activities, "activityId") +
        count(rep.resources, "resourceId") +
        count(rep.entities, "entityId"),
    );
    for (const v of seen) {
      expect(typeof v.value).toBe("number");
      expect(v.name).toBe(v.objectId);
    }
  });

  it("summarises each metric from the same object's value in every replication, named from the model", () => {
    const perRep = reps.map((r) => visits(r));
    visits(summary).forEach((v, i) => {
      expect(v.value.values).toEqual(perRep.map((seen) => seen[i].value));
    });
    expect(summary.resources[0]).toMatchObject({ resourceId: "servers", name: "Servers" });
    expect(summary.activities[0]).toMatchObject({ activityId: "service", name: "service" });
    expect(summary.activities[1].name).toBe(`Stage ${summary.activities[1].activityId}`);
  });
});

describe("forEachMetric over state results", async () => {
  /** Quodsi's assign example, plus a category model state sampled by each order. */
  const m = JSON.parse(
    readFileSync(join(EXAMPLES_DIR, "learn/actions/assign/model.json"), "utf8"),
  ) as QuodsiModel;
  m.states!.push({
    id: "state-lane",
    name: "lane",
    componentType: "model",
    dataType: "category",
    categoryValues: ["x", "y", "z"],
    initialValue: "x",
  });
  m.activities![0].actions!.push({
    type: "assign",
    modifications: [
      {
        stateId: "state-lane",
        operation: "sample",
        sample: { distribution: "categorical", probabilities: { x: 0, y: 0.5, z: 0.5 } },
      },
    ],
  });
  const opts = { replications: 3, seed: 5, timePeriod: "hourly" as const };
  const reps: ReplicationResult[] = [];
  for (let i = 0; i < 3; i++) reps.push(await runReplication(m, i, opts));
  const summary = summarize(m, reps, "hourly");
  const seen = visits(summary).filter((v) => v.state);

  it("visits model number states, category shares and entity states at exit, after the object metrics", () => {
    const all = visits(summary);
    expect(all.slice(-seen.length)).toEqual(seen);
    expect(seen.map((v) => `${v.objectType} ${v.objectId} ${v.name} ${v.metric}`)).toEqual([
      ...["finalValue", "timeAverage", "min", "max"].map(
        (s) => `modelState state-orders-taken orders_taken ${s}`,
      ),
      ...["finalValue", "timeAverage", "min", "max"].map((s) => `modelState state-revenue revenue ${s}`),
      "modelState state-lane lane finalShare:x",
      "modelState state-lane lane finalShare:y",
      "modelState state-lane lane finalShare:z",
      "entityState order/state-order-no Order.order_no atExit",
      "entityState order/state-items Order.items atExit",
      "entityState order/state-total Order.total atExit",
    ]);
    expect(seen.find((v) => v.metric === "finalShare:z")!.state).toEqual({
      scope: "model",
      ownerId: null,
      ownerName: null,
      stateId: "state-lane",
      stateName: "lane",
      shareOf: "z",
    });
    expect(seen.find((v) => v.name === "Order.total")!.state).toMatchObject({
      scope: "entity",
      ownerId: "order",
      ownerName: "Order",
    });
  });

  it("carries the hand-computed revenue figures, and one 0/1 per replication for each final value", () => {
    const revenue = (metric: string) =>
      seen.find((v) => v.objectId === "state-revenue" && v.metric === metric)!.value;
    // Revenue 24 at t=2, 72 at 7, 144 at 15, 240 at 20 (approval takes 3 min), over 60 min.
    expect(revenue("finalValue").values).toEqual([240, 240, 240]);
    expect(revenue("timeAverage").mean).toBeCloseTo((24 * 5 + 72 * 8 + 144 * 5 + 240 * 40) / 60, 12);
    expect(revenue("min").mean).toBe(0);
    expect(revenue("max").mean).toBe(240);
    const share = (v: string) => seen.find((x) => x.metric === `finalShare:${v}`)!.value;
    expect(share("x").values).toEqual([0, 0, 0]);
    const finals = reps.map((r) => r.modelStates!.find((s) => s.name === "lane")!.finalValue);
    expect(share("y").values).toEqual(finals.map((f) => (f === "y" ? 1 : 0)));
    expect(share("z").values).toEqual(finals.map((f) => (f === "z" ? 1 : 0)));
    expect(seen.find((v) => v.name === "Order.total")!.value.values).toEqual([60, 60, 60]);
  });

  it("leaves out the states declared with collectStatistics: false", () => {
    const quiet = structuredClone(m);
    for (const st of quiet.states!)
      if (st.name === "revenue" || st.name === "total") st.collectStatistics = false;
    const names = visits(summarize(quiet, reps, "hourly"))
      .filter((v) => v.state)
      .map((v) => v.name);
    expect(names).not.toContain("revenue");
    expect(names).not.toContain("Order.total");
    expect(names).toContain("orders_taken");
    expect(names).toContain("Order.items");
  });

  it("a replication result has no state metrics (its states are summarised apart)", () => {
    expect(visits(reps[0]).some((v) => v.state)).toBe(false);
  });
});
