import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { checkRunnable, simulate, validateModel, type QuodsiModel } from "./index.js";
import { EXAMPLES_DIR as ROOT, jsonFilesUnder } from "./testing/models.js";

/** What each reference model must produce: runnable, or the exact unsupported features (paths). */
const EXPECTED: Record<string, { runnable: true } | { invalid: string[] } | { unsupported: string[] }> = {
  "industries/food-service/coffee-shop/model.json": { runnable: true },
  "learn/actions/seize-release/model.json": { runnable: true },
  "lucid-shared-fixtures/model_def_mixed_distributions.json": { runnable: true },
  "agent-models/01-coffee-shop/model.json": { invalid: ["schemaVersion"] },
  "agent-models/02-action-tour/model.json": { runnable: true },
  "learn/actions/branch/model.json": { runnable: true },
  "learn/actions/assign/model.json": { runnable: true },
  "learn/actions/join/model.json": { runnable: true },
  "learn/actions/split/model.json": { runnable: true },
  "learn/actions/loop/model.json": { runnable: true },
};

describe("Quodsi reference models", () => {
  const files = jsonFilesUnder(ROOT);

  it("every example file has an expectation (a new example must be classified)", () => {
    expect(files.map((f) => relative(ROOT, f)).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files.map((f) => [relative(ROOT, f), f]))("%s", async (name, file) => {
    const expected = EXPECTED[name];
    const v = validateModel(JSON.parse(readFileSync(file, "utf8")));
    if ("invalid" in expected) {
      expect(v.ok).toBe(false);
      if (!v.ok) expect(v.issues.map((i) => i.path)).toEqual(expected.invalid);
      return;
    }
    expect(v.ok, JSON.stringify(!v.ok && v.issues)).toBe(true);
    if (!v.ok) return;
    const issues = checkRunnable(v.value);
    if ("unsupported" in expected) {
      expect(issues.length).toBe(expected.unsupported.length);
      expected.unsupported.forEach((want, i) => {
        const [path, feature] = want.split(":");
        expect(issues[i].path).toBe(path);
        expect(issues[i].message).toContain(feature);
      });
      return;
    }
    expect(issues).toEqual([]);
    const model: QuodsiModel = v.value;
    const s = await simulate(model, {
      replications: model.replications ?? 1,
      seed: model.seed ?? 1,
      timePeriod: "hourly",
    });
    expect(s.reps).toBe(model.replications ?? 1);
    // No warm-up in these models, so no entity can complete that was not created in the same replication.
    expect(s.warmupTime).toBe(0);
    for (const e of s.entities) {
      expect(e.completedCount.values, e.entityId).toHaveLength(s.reps);
      e.completedCount.values.forEach((done, rep) =>
        expect(done, `${e.entityId} rep ${rep}`).toBeLessThanOrEqual(e.createdCount.values[rep]),
      );
    }
    const completed = s.entities.reduce((n, e) => n + e.completedCount.mean, 0);
    expect(completed).toBeGreaterThan(0);
    expect(s.timeSeries.buckets.length).toBe(Math.ceil(s.runTime / 60));
  });

  it("coffee shop: ~240 customers in 8 h, 80/20 split between espresso bar and pastry counter", async () => {
    const model = JSON.parse(
      readFileSync(join(ROOT, "industries/food-service/coffee-shop/model.json"), "utf8"),
    ) as QuodsiModel;
    const s = await simulate(model, { replications: 5, seed: 20260807, timePeriod: "hourly" });
    const created = s.entities[0].createdCount;
    expect(Math.abs(created.mean - 240)).toBeLessThan(created.ciHalfWidth + 10);
    const [order, espresso, pastry] = s.activities;
    const share = espresso.throughput.mean / (espresso.throughput.mean + pastry.throughput.mean);
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.9);
    expect(order.utilization.mean).toBeGreaterThan(0.35);
    expect(order.utilization.mean).toBeLessThan(0.65);
  });

  it("mixed distributions fixture: all 10 entities of the 10 generator cycles pass the three stations", async () => {
    const model = JSON.parse(
      readFileSync(join(ROOT, "lucid-shared-fixtures/model_def_mixed_distributions.json"), "utf8"),
    ) as QuodsiModel;
    const s = await simulate(model, { replications: 3, seed: 12345, timePeriod: "hourly" });
    const e1 = s.entities.find((e) => e.entityId === "entity-1")!;
    expect(e1.createdCount.values).toEqual([10, 10, 10]);
    expect(e1.completedCount.values).toEqual([10, 10, 10]);
    // Each visit: two resource delays per station (normal 1±0.2, triangular mean 1, constant 1) = ~6 min.
    expect(Math.abs(e1.averageTimeInSystem.mean - 6)).toBeLessThan(0.5);
    expect(s.runTime).toBe(24 * 60);
  });
});
