import { describe, expect, it } from "vitest";
import { forEachMetric, type MetricVisit } from "./metrics.js";
import { runReplication, summarize } from "./simulate.js";
import { mmcResource, tandem } from "./testing/models.js";
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
