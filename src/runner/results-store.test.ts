import { describe, expect, it } from "vitest";
import { simulate } from "../simulation/index.js";
import { mm1 } from "../simulation/testing/models.js";
import { resultTables } from "./results-store.js";

describe("result CSV tables", async () => {
  const model = mm1(0.8, 1, { runTime: 200 });
  model.activities![0].name = '=HYPERLINK("x"), "quoted"';
  const summary = await simulate(model, { replications: 2, seed: 3, timePeriod: "hourly" });
  const tables = resultTables(summary);

  it("lists every summary metric in long form with one header", () => {
    const lines = tables.results.trim().split("\n");
    expect(lines[0]).toBe("section,objectId,name,metric,mean,stdDev,ciHalfWidth,min,max,reps");
    const metricCount = summary.activities.length + summary.resources.length + summary.entities.length;
    expect(lines.length).toBeGreaterThan(metricCount);
  });

  it("quotes commas and quotes, and defuses spreadsheet formulas in names", () => {
    expect(tables.activities).toContain(`"'=HYPERLINK(""x""), ""quoted"""`);
  });

  it("has one time-series row per bucket", () => {
    expect(tables.timeseries.trim().split("\n")).toHaveLength(summary.timeSeries.buckets.length + 1);
  });
});
