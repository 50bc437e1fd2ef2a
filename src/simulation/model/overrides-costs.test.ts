import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runReplication } from "../simulate.js";
import {
  applyOverrides,
  OVERRIDABLE_PROPERTIES,
  validateOverride,
  type ModelOverride,
} from "../overrides.js";
import { EXAMPLES_DIR } from "../testing/models.js";
import type { QuodsiModel } from "../types.js";

/** learn/actions/seize-release: the nurse costs by seize and by hour; Treatment has no costs. */
function model(): QuodsiModel {
  const m = JSON.parse(
    readFileSync(join(EXAMPLES_DIR, "learn/actions/seize-release/model.json"), "utf8"),
  ) as QuodsiModel;
  m.resources![1].financialProperties = { enabled: true, costPerSeize: 5, costPerHourUtilized: 30 };
  return m;
}

const o = (
  targetObjectType: ModelOverride["targetObjectType"],
  targetObjectId: string,
  propertyName: string,
  propertyValue: unknown,
  operation?: ModelOverride["operation"],
): ModelOverride => ({ targetObjectType, targetObjectId, propertyName, propertyValue, operation });

const apply = (...overrides: ModelOverride[]) => {
  const v = applyOverrides(model(), overrides);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.value;
};

describe("overrides of cost rates", () => {
  it("are named after the wire fields", () => {
    expect(OVERRIDABLE_PROPERTIES.RESOURCE).toEqual([
      "capacity",
      "financialProperties.enabled",
      "financialProperties.costPerSeize",
      "financialProperties.costPerHourUtilized",
      "financialProperties.costPerHourIdle",
    ]);
    expect(OVERRIDABLE_PROPERTIES.ACTIVITY).toEqual(
      expect.arrayContaining([
        "financialProperties.enabled",
        "financialProperties.fixedCost",
        "financialProperties.costPerEntityProcessed",
        "financialProperties.costPerHourActive",
        "financialProperties.costPerHourIdle",
        "financialProperties.resourceCostMultiplier",
      ]),
    );
  });

  it("read the current rate, or the default when it is absent", () => {
    expect(validateOverride(model(), o("RESOURCE", "nurse", "financialProperties.costPerSeize", 8))).toEqual({
      ok: true,
      value: { originalValue: 5 },
    });
    expect(
      validateOverride(model(), o("RESOURCE", "nurse", "financialProperties.costPerHourIdle", 8)),
    ).toEqual({ ok: true, value: { originalValue: 0 } });
    expect(
      validateOverride(model(), o("ACTIVITY", "treat", "financialProperties.resourceCostMultiplier", 2)),
    ).toEqual({ ok: true, value: { originalValue: 1 } });
    expect(validateOverride(model(), o("RESOURCE", "clerk", "financialProperties.enabled", true))).toEqual({
      ok: true,
      value: { originalValue: false },
    });
  });

  it("SET and MULTIPLY change the rate, and the run's costs follow", async () => {
    const set = apply(o("RESOURCE", "nurse", "financialProperties.costPerSeize", 10));
    expect(set.resources![1].financialProperties).toEqual({
      enabled: true,
      costPerSeize: 10,
      costPerHourUtilized: 30,
    });
    const doubled = apply(o("RESOURCE", "nurse", "financialProperties.costPerHourUtilized", 2, "MULTIPLY"));
    expect(doubled.resources![1].financialProperties!.costPerHourUtilized).toBe(60);
    const opts = { replications: 1, seed: 1, timePeriod: "hourly" as const };
    const base = await runReplication(model(), 0, opts);
    const r = await runReplication(doubled, 0, opts);
    // 33 busy minutes: 0.55 h × 30 = 16.5, doubled 33.
    expect(base.costs!.resources[0].utilizationCost).toBeCloseTo(16.5, 12);
    expect(r.costs!.resources[0].utilizationCost).toBeCloseTo(33, 12);
  });

  it("a rate given to an object without financialProperties enables its costs; a disabled block stays disabled", () => {
    const m = apply(o("ACTIVITY", "treat", "financialProperties.fixedCost", 100));
    expect(m.activities![2].financialProperties).toEqual({ enabled: true, fixedCost: 100 });
    const off = model();
    off.resources![1].financialProperties!.enabled = false;
    const v = applyOverrides(off, [o("RESOURCE", "nurse", "financialProperties.costPerSeize", 7)]);
    expect(v.ok && v.value.resources![1].financialProperties).toMatchObject({
      enabled: false,
      costPerSeize: 7,
    });
    const on = applyOverrides(off, [o("RESOURCE", "nurse", "financialProperties.enabled", true)]);
    expect(on.ok && on.value.resources![1].financialProperties!.enabled).toBe(true);
  });

  it.each<[string, ModelOverride, { path: string; message: string }]>([
    [
      "a negative rate",
      o("RESOURCE", "nurse", "financialProperties.costPerSeize", -1),
      { path: "overrides[0].propertyValue", message: "must be a finite number >= 0" },
    ],
    [
      "a rate that is not a number",
      o("ACTIVITY", "treat", "financialProperties.costPerHourActive", "12"),
      { path: "overrides[0].propertyValue", message: "must be a finite number >= 0" },
    ],
    [
      "a non-finite factor",
      o("ACTIVITY", "treat", "financialProperties.fixedCost", Infinity, "MULTIPLY"),
      { path: "overrides[0].propertyValue", message: "MULTIPLY needs a factor: a finite number > 0" },
    ],
    [
      "enabled that is not a boolean",
      o("RESOURCE", "nurse", "financialProperties.enabled", 1),
      { path: "overrides[0].propertyValue", message: "must be true or false" },
    ],
    [
      "enabled multiplied",
      o("RESOURCE", "nurse", "financialProperties.enabled", 2, "MULTIPLY"),
      {
        path: "overrides[0].operation",
        message: "financialProperties.enabled is true or false and cannot be multiplied; use SET",
      },
    ],
  ])("refuse %s", (_, override, issue) => {
    expect(applyOverrides(model(), [override])).toEqual({ ok: false, issues: [issue] });
  });

  it("refuse a field of the other object type, naming the allowed ones", () => {
    const v = applyOverrides(model(), [o("RESOURCE", "nurse", "financialProperties.fixedCost", 1)]);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.issues[0].path).toBe("overrides[0].propertyName");
    expect(v.issues[0].message).toContain("financialProperties.costPerHourUtilized");
  });
});
