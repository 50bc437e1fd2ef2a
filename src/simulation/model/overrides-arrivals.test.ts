import { describe, expect, it } from "vitest";
import { runReplication } from "../index.js";
import {
  applyOverrides,
  OVERRIDABLE_PROPERTIES,
  validateOverride,
  type ModelOverride,
} from "../overrides.js";
import { constant } from "../testing/models.js";
import type { QuodsiModel } from "../types.js";

/** A pattern generator (100 a week, all on Monday 00:00-01:00) and a frequency one, into "work". */
function model(): QuodsiModel {
  return {
    schemaVersion: "2026.12.01",
    timeUnit: "minutes",
    runTime: constant(7 * 1440),
    entities: [{ id: "e" }],
    activities: [{ id: "work", capacity: 1000, actions: [{ type: "delay", duration: constant(0) }] }],
    arrivalPatterns: [
      { id: "p", hourWeights: Array.from({ length: 168 }, (_, i) => (i === 0 ? 1 : 0)) },
      { id: "uniform", seasonMode: "month" },
    ],
    generators: [
      { id: "g", entityId: "e", mode: "pattern", arrivalPatternId: "p", volume: 100 },
      { id: "f", entityId: "e", interarrivalTime: constant(10), maxEntities: 0 },
    ],
    connectors: [
      { id: "c", sourceId: "g", targetId: "work" },
      { id: "c2", sourceId: "f", targetId: "work" },
    ],
  };
}

const o = (
  targetObjectType: ModelOverride["targetObjectType"],
  targetObjectId: string,
  propertyName: string,
  propertyValue: unknown,
  operation?: ModelOverride["operation"],
): ModelOverride => ({ targetObjectType, targetObjectId, propertyName, propertyValue, operation });
const fails = (path: string, message: string) => ({ ok: false, issues: [{ path, message }] });
const apply = (...list: ModelOverride[]) => applyOverrides(model(), list);
const effective = (...list: ModelOverride[]) => {
  const r = apply(...list);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
};

describe("overrides of pattern generators", () => {
  it("lists volume and the pattern weights among the overridable properties", () => {
    expect(OVERRIDABLE_PROPERTIES.GENERATOR).toContain("volume");
    expect(OVERRIDABLE_PROPERTIES.MODEL).toContain("arrivalPatterns.<patternId>.hourWeights");
  });

  it("GENERATOR volume: SET a number > 0, MULTIPLY by a factor; only on pattern generators", () => {
    expect(effective(o("GENERATOR", "g", "volume", 250)).generators![0].volume).toBe(250);
    expect(effective(o("GENERATOR", "g", "volume", 1.5, "MULTIPLY")).generators![0].volume).toBe(150);
    expect(validateOverride(model(), o("GENERATOR", "g", "volume", 7))).toEqual({
      ok: true,
      value: { originalValue: 100 },
    });
    expect(validateOverride(model(), o("GENERATOR", "g", "volume", 0))).toEqual(
      fails("propertyValue", "must be a finite number > 0"),
    );
    expect(validateOverride(model(), o("GENERATOR", "f", "volume", 5))).toEqual(
      fails("propertyName", 'volume applies to pattern generators; generator "f" is frequency'),
    );
  });

  it("MODEL arrivalPatterns.<id>.<list>: a whole weight list, checked like the wire", () => {
    const days = [1, 1, 1, 1, 1, 0.5, 0];
    expect(
      effective(o("MODEL", "model", "arrivalPatterns.p.dayOfWeekWeights", days)).arrivalPatterns![0]
        .dayOfWeekWeights,
    ).toEqual(days);
    expect(
      effective(o("MODEL", "model", "arrivalPatterns.p.hourWeights", [])).arrivalPatterns![0].hourWeights,
    ).toEqual([]);
    const check = (name: string, value: unknown, op?: ModelOverride["operation"]) =>
      validateOverride(model(), o("MODEL", "model", name, value, op));
    expect(check("arrivalPatterns.p.dayOfWeekWeights", [1, 2])).toEqual(
      fails("propertyValue", "must have 7 values (got 2); [] means uniform"),
    );
    expect(check("arrivalPatterns.p.dayOfWeekWeights", [1, 1, 1, -1, 1, 1, 1])).toEqual(
      fails("propertyValue[3]", "must be a finite number >= 0"),
    );
    expect(check("arrivalPatterns.p.dayOfWeekWeights", new Array(7).fill(0))).toEqual(
      fails("propertyValue", "all weights are 0: the pattern would never create anything"),
    );
    // Season lists follow the pattern's seasonMode: 12 for months.
    expect(check("arrivalPatterns.uniform.seasonWeights", new Array(52).fill(1))).toEqual(
      fails("propertyValue", "must have 12 values (got 52); [] means uniform"),
    );
    expect(check("arrivalPatterns.p.hourWeights", 2, "MULTIPLY").ok).toBe(false);
    expect(check("arrivalPatterns.nope.hourWeights", [])).toEqual(
      fails("propertyName", 'the model has no arrival pattern with id "nope"'),
    );
  });

  it("MODEL arrivalPatterns.<id>.<list>.<index>: one weight; an empty list becomes 1s first", () => {
    const m = effective(o("MODEL", "model", "arrivalPatterns.uniform.seasonWeights.2", 3));
    expect(m.arrivalPatterns![1].seasonWeights).toEqual([1, 1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(
      validateOverride(model(), o("MODEL", "model", "arrivalPatterns.uniform.seasonWeights.2", 3)),
    ).toEqual({
      ok: true,
      value: { originalValue: 1 },
    });
    const doubled = effective(o("MODEL", "model", "arrivalPatterns.p.hourWeights.1", 2, "MULTIPLY"));
    expect(doubled.arrivalPatterns![0].hourWeights!.slice(0, 3)).toEqual([1, 0, 0]);
    expect(validateOverride(model(), o("MODEL", "model", "arrivalPatterns.p.hourWeights.168", 1))).toEqual(
      fails("propertyName", 'hourWeights of arrival pattern "p" has 168 values (index 0 to 167)'),
    );
    // Setting the only positive weight to 0 leaves the list all 0: the effective model is refused.
    const zero = apply(o("MODEL", "model", "arrivalPatterns.p.hourWeights.0", 0));
    expect(zero.ok).toBe(false);
    expect(!zero.ok && zero.issues[0].path).toBe("arrivalPatterns[0].hourWeights");
  });

  it("a weight override moves the arrivals: Monday 00:00 becomes Monday 05:00", async () => {
    const hours = Array.from({ length: 168 }, (_, i) => (i === 5 ? 1 : 0));
    const m = effective(o("MODEL", "model", "arrivalPatterns.p.hourWeights", hours));
    const r = await runReplication(m, 0, { replications: 1, seed: 2, timePeriod: "hourly" });
    const busy = r.timeSeries.buckets.filter((b) => b.throughput > 0).map((b) => b.start / 60);
    expect(busy).toEqual([5]);
  });
});
