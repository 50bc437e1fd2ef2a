import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  forEachMetric,
  knownKeysOnly,
  runReplication,
  simulate,
  validateModel,
  type QuodsiModel,
  type ReplicationResult,
} from "../index.js";
import { EXAMPLES_DIR, constant } from "../testing/models.js";

const opts = { replications: 1, seed: 1, timePeriod: "hourly" as const };

/**
 * learn/actions/seize-release (deterministic, 120 min): 3 patients; the clerk
 * is busy 1 min per patient (3 min), the nurse 11 min per patient (33 min),
 * seized at Admit and released at Discharge; Treatment is occupied 6 min per
 * patient (18 min), capacity 1.
 */
function seizeRelease(): QuodsiModel {
  return JSON.parse(
    readFileSync(`${EXAMPLES_DIR}/learn/actions/seize-release/model.json`, "utf8"),
  ) as QuodsiModel;
}

function withCosts(m: QuodsiModel): QuodsiModel {
  const nurse = m.resources!.find((r) => r.id === "nurse")!;
  nurse.financialProperties = {
    enabled: true,
    costPerSeize: 5,
    costPerHourUtilized: 30,
    costPerHourIdle: 12,
  };
  const clerk = m.resources!.find((r) => r.id === "clerk")!;
  clerk.financialProperties = { enabled: true, costPerHourUtilized: 60 };
  const treat = m.activities!.find((a) => a.id === "treat")!;
  treat.financialProperties = {
    enabled: true,
    fixedCost: 100,
    costPerEntityProcessed: 2,
    costPerHourActive: 40,
    costPerHourIdle: 10,
  };
  return m;
}

const costs = (r: ReplicationResult) => r.costs!;

describe("costs of a deterministic model", () => {
  it("equal the hand-computed sums (rates per hour, model in minutes)", async () => {
    const r = await runReplication(withCosts(seizeRelease()), 0, opts);
    // Nurse: 3 seizes × 5; busy 33 min = 0.55 h × 30; idle 87 min = 1.45 h × 12.
    // Clerk: busy 3 min = 0.05 h × 60. Order: model order (clerk, nurse).
    expect(costs(r).resources.map((x) => x.resourceId)).toEqual(["clerk", "nurse"]);
    const [clerk, nurse] = costs(r).resources;
    expect(clerk).toEqual({
      resourceId: "clerk",
      seizeCost: 0,
      utilizationCost: 3,
      idleCost: 0,
      totalCost: 3,
    });
    expect(nurse.seizeCost).toBe(15);
    expect(nurse.utilizationCost).toBeCloseTo(16.5, 12);
    expect(nurse.idleCost).toBeCloseTo(17.4, 12);
    expect(nurse.totalCost).toBeCloseTo(48.9, 12);
    // Treatment: fixed 100; 3 patients × 2; occupied 18 min = 0.3 h × 40 + 102 min = 1.7 h × 10.
    expect(costs(r).activities).toHaveLength(1);
    const treat = costs(r).activities[0];
    expect(treat.activityId).toBe("treat");
    expect(treat.fixedCost).toBe(100);
    expect(treat.processingCost).toBe(6);
    expect(treat.operationalCost).toBeCloseTo(12 + 17, 12);
    expect(treat.totalCost).toBeCloseTo(135, 12);
    expect(costs(r).scenario.totalActivityCost).toBeCloseTo(135, 12);
    expect(costs(r).scenario.totalResourceCost).toBeCloseTo(51.9, 12);
    expect(costs(r).scenario.totalCost).toBeCloseTo(186.9, 12);
  });

  it("hourly rates do not depend on the model's time unit", async () => {
    // The same model in seconds: every time × 60, the same costs.
    const m = withCosts(seizeRelease());
    const toSeconds = (d: { unit: string; value: number }) => ({ unit: "seconds", value: d.value * 60 });
    const json = JSON.stringify(m, (key, v: unknown) =>
      v && typeof v === "object" && (v as { unit?: string }).unit === "minutes"
        ? toSeconds(v as { unit: string; value: number })
        : v,
    );
    const inSeconds = { ...(JSON.parse(json) as QuodsiModel), timeUnit: "seconds" as const };
    const r = await runReplication(inSeconds, 0, opts);
    expect(costs(r).scenario.totalCost).toBeCloseTo(186.9, 9);
  });

  it("resourceCostMultiplier scales the seize and busy costs of the seizes made at the activity", async () => {
    const m = withCosts(seizeRelease());
    m.activities!.find((a) => a.id === "admit")!.financialProperties = {
      enabled: true,
      resourceCostMultiplier: 1.5,
    };
    const r = await runReplication(m, 0, opts);
    const [clerk, nurse] = costs(r).resources;
    // The nurse is seized at Admit (× 1.5); her idle time is not scaled. The clerk is seized at Register (× 1).
    expect(nurse.seizeCost).toBeCloseTo(3 * 5 * 1.5, 12);
    expect(nurse.utilizationCost).toBeCloseTo(0.55 * 30 * 1.5, 12);
    expect(nurse.idleCost).toBeCloseTo(17.4, 12);
    expect(clerk.utilizationCost).toBeCloseTo(3, 12);
    // Admit costs nothing itself: the scaled amounts are the nurse's.
    expect(costs(r).activities.find((a) => a.activityId === "admit")).toEqual({
      activityId: "admit",
      fixedCost: 0,
      processingCost: 0,
      operationalCost: 0,
      totalCost: 0,
    });
  });

  it("after a warm-up only the measured period costs, and the multiplier's split agrees with the resource figures", async () => {
    const m = withCosts(seizeRelease());
    m.warmupTime = constant(10);
    m.activities!.find((a) => a.id === "admit")!.financialProperties = {
      enabled: true,
      resourceCostMultiplier: 2,
    };
    const r = await runReplication(m, 0, opts);
    const nurseStats = r.resources.find((x) => x.resourceId === "nurse")!;
    const busyHours = (nurseStats.utilization * 110) / 60;
    const nurse = costs(r).resources.find((x) => x.resourceId === "nurse")!;
    // Nurse held 2-13 (3 min after warm-up), 13-24, 24-35: 25 min; seizes after 10: at 13 and 24.
    expect(busyHours).toBeCloseTo(25 / 60, 12);
    expect(nurseStats.grants).toBe(2);
    expect(nurse.seizeCost).toBeCloseTo(2 * 5 * 2, 12);
    expect(nurse.utilizationCost).toBeCloseTo(busyHours * 30 * 2, 12);
    expect(nurse.idleCost).toBeCloseTo(((110 - 25) / 60) * 12, 12);
    // Fixed cost is charged once per replication, warm-up or not.
    expect(costs(r).activities.find((a) => a.activityId === "treat")!.fixedCost).toBe(100);
  });

  it("are only enabled objects' costs; a model without enabled costs reports none", async () => {
    const m = withCosts(seizeRelease());
    m.resources!.find((r) => r.id === "clerk")!.financialProperties!.enabled = false;
    const r = await runReplication(m, 0, opts);
    expect(costs(r).resources.map((x) => x.resourceId)).toEqual(["nurse"]);

    const plain = await runReplication(seizeRelease(), 0, opts);
    expect(plain).not.toHaveProperty("costs");
    const summary = await simulate(seizeRelease(), { ...opts, replications: 2 });
    expect(summary).not.toHaveProperty("costs");
    const objectTypes = new Set<string>();
    forEachMetric(summary, (v) => objectTypes.add(v.objectType));
    expect([...objectTypes].some((t) => t.endsWith("Cost"))).toBe(false);
  });

  it("are summarised over replications like every metric, and walked by forEachMetric", async () => {
    const s = await simulate(withCosts(seizeRelease()), { ...opts, replications: 3 });
    expect(s.costs!.scenario.totalCost.mean).toBeCloseTo(186.9, 12);
    expect(s.costs!.scenario.totalCost.values).toHaveLength(3);
    expect(s.costs!.scenario.totalCost.ciHalfWidth).toBeCloseTo(0, 12);
    expect(s.costs!.resources[1]).toMatchObject({ resourceId: "nurse", name: "Nurse" });
    const visited: string[] = [];
    forEachMetric(s, (v) => {
      if (v.objectType.endsWith("Cost")) visited.push(`${v.objectType}/${v.objectId}/${v.metric}`);
    });
    expect(visited).toEqual([
      ...["clerk", "nurse"].flatMap((id) =>
        ["seizeCost", "utilizationCost", "idleCost", "totalCost"].map((k) => `resourceCost/${id}/${k}`),
      ),
      ...["fixedCost", "processingCost", "operationalCost", "totalCost"].map(
        (k) => `activityCost/treat/${k}`,
      ),
      "scenarioCost/scenario/totalActivityCost",
      "scenarioCost/scenario/totalResourceCost",
      "scenarioCost/scenario/totalCost",
    ]);
  });
});

describe("financialProperties validation", () => {
  const check = (fp: unknown, on: "resources" | "activities" = "resources") => {
    const m = seizeRelease() as unknown as Record<string, Array<Record<string, unknown>>>;
    m[on][1].financialProperties = fp;
    return validateModel(m);
  };

  it("refuses negative and non-finite rates, naming the object and the field", () => {
    const v = check({ enabled: true, costPerSeize: -1, costPerHourIdle: Infinity });
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.issues).toEqual([
      { path: "resources[1].financialProperties.costPerSeize", message: expect.stringContaining(">= 0") },
      {
        path: "resources[1].financialProperties.costPerHourIdle",
        message: expect.stringContaining("finite"),
      },
    ]);
    const a = check({ enabled: true, resourceCostMultiplier: "2" }, "activities");
    expect(a.ok ? [] : a.issues.map((i) => i.path)).toEqual([
      "activities[1].financialProperties.resourceCostMultiplier",
    ]);
  });

  it("refuses a non-object block and a non-boolean enabled", () => {
    const v = check(5);
    expect(v.ok ? [] : v.issues.map((i) => i.path)).toEqual(["resources[1].financialProperties"]);
    const e = check({ enabled: "yes" }, "activities");
    expect(e.ok ? [] : e.issues.map((i) => i.path)).toEqual(["activities[1].financialProperties.enabled"]);
  });

  it("warns about rates that are not enabled", () => {
    const v = check({ costPerHourUtilized: 20 });
    expect(v.ok && v.warnings).toEqual([
      { path: "resources[1].financialProperties.enabled", message: expect.stringContaining("not applied") },
    ]);
    const quiet = check({ enabled: false });
    expect(quiet.ok && quiet.warnings).toBeUndefined();
  });
});

describe("a stored definition", () => {
  it("keeps financialProperties and drops unknown keys inside them", () => {
    const m = withCosts(seizeRelease()) as unknown as { resources: Array<Record<string, unknown>> };
    (m.resources[1].financialProperties as Record<string, unknown>).currency = "EUR";
    const { value, warnings } = knownKeysOnly(m);
    const kept = value as QuodsiModel;
    expect(kept.resources![1].financialProperties).toEqual({
      enabled: true,
      costPerSeize: 5,
      costPerHourUtilized: 30,
      costPerHourIdle: 12,
    });
    expect(kept.activities![2].financialProperties).toMatchObject({ enabled: true, fixedCost: 100 });
    expect(warnings).toEqual([
      { path: "resources[1].financialProperties.currency", message: "unknown key, dropped" },
    ]);
  });
});
