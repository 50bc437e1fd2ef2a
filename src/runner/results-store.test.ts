import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  forEachMetric,
  METRICS,
  simulate,
  type QuodsiModel,
  type SimulationSummary,
} from "../simulation/index.js";
import { EXAMPLES_DIR, mm1 } from "../simulation/testing/models.js";
import { RESULT_TABLES, resultTables, ResultsStore } from "./results-store.js";

let summary: SimulationSummary;
beforeAll(async () => {
  const model = mm1(0.8, 1, { runTime: 200 });
  model.activities![0].name = '=HYPERLINK("x"), "quoted"';
  summary = await simulate(model, { replications: 2, seed: 3, timePeriod: "hourly" });
});

describe("result CSV tables", () => {
  // Built in each test (not while collecting), so that each test covers the code it checks.
  let tables: ReturnType<typeof resultTables>;
  beforeEach(() => {
    tables = resultTables(summary);
  });

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

  it("writes one long row per metric forEachMetric visits, in its order", () => {
    const visited: string[] = [];
    forEachMetric(summary, (m) => {
      visited.push(`${m.objectType},${m.objectId},${m.metric},${m.value.mean}`);
    });
    const rows = tables.results
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => {
        const [section, objectId] = line.split(",", 2);
        const cells = line.split(",");
        return `${section},${objectId},${cells.at(-7)},${cells.at(-6)}`;
      });
    expect(rows).toEqual(visited);
    expect(new Set(rows.map((r) => r.split(",")[2]))).toContain("averageTimeInActivity");
  });

  it("gives each wide table a mean column for every metric of its object type, even when empty", () => {
    const header = (csv: string) => csv.split("\n")[0].split(",");
    for (const [table, type] of [
      ["activities", "activity"],
      ["resources", "resource"],
      ["entities", "entity"],
    ] as const) {
      const means = header(tables[table]).filter((h) => h.endsWith("_mean"));
      expect(means).toEqual(METRICS[type].map((m) => `${m}_mean`));
    }
    const empty = resultTables({ ...summary, resources: [] });
    expect(header(empty.resources)).toEqual(header(tables.resources));
    expect(empty.resources.trim().split("\n")).toHaveLength(1);
  });

  it("writes empty cells for missing values, JSON for objects, and leaves numbers and safe text alone", () => {
    const odd = {
      ...summary,
      entities: [{ ...summary.entities[0], entityId: { a: 1 }, name: undefined }],
      timeSeries: {
        ...summary.timeSeries,
        buckets: [{ start: true, end: 60, throughput: null, wip: undefined }],
      },
    } as unknown as SimulationSummary;
    const t = resultTables(odd);
    expect(t.timeseries).toBe("start,end,throughput,wip\ntrue,60,,\n");
    // An entity without a name is listed under its id.
    expect(t.entities.split("\n")[1]).toMatch(/^"\{""a"":1\}","\{""a"":1\}",\d/);
    expect(t.results.split("\n")[1]).toMatch(/^activity,server,"'=HYPERLINK/);
    // Numbers as JavaScript writes them; a formula sign only counts at the start.
    expect(
      resultTables({
        ...odd,
        timeSeries: {
          ...odd.timeSeries,
          buckets: [{ start: NaN, end: Infinity, throughput: "a=b", wip: "@x" }],
        },
      } as unknown as SimulationSummary).timeseries,
    ).toBe("start,end,throughput,wip\nNaN,Infinity,a=b,'@x\n");
    expect(t.entities.split("\n")[0].split(",").slice(0, 2)).toEqual(["entityId", "name"]);
    // A negative number is a number, not a formula.
    expect(
      resultTables({
        ...odd,
        timeSeries: { ...odd.timeSeries, buckets: [{ start: -1, end: 0, throughput: 2, wip: 0 }] },
      }).timeseries,
    ).toBe("start,end,throughput,wip\n-1,0,2,0\n");
    // Calendar-time buckets carry their wall-clock start.
    expect(
      resultTables({
        ...odd,
        timeSeries: {
          ...odd.timeSeries,
          startDateTime: "2026-03-02T08:30:00+01:00",
          buckets: [
            { start: 0, end: 30, throughput: 1, wip: 2, startDateTime: "2026-03-02T08:30:00+01:00" },
            { start: 30, end: 90, throughput: 3, wip: 1, startDateTime: "2026-03-02T09:00:00+01:00" },
          ],
        },
      }).timeseries,
    ).toBe(
      "start,end,throughput,wip,start_date_time\n0,30,1,2,2026-03-02T08:30:00+01:00\n30,90,3,1,2026-03-02T09:00:00+01:00\n",
    );
  });
});

describe("ResultsStore", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sl-results-"));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  it("writes results.json and every table under results/<tenant>/<scenario>/<run>, reads and removes them", async () => {
    const store = new ResultsStore(dir);
    const folder = await store.write("t1", "s1", "r1", summary);
    expect(folder).toBe(join(dir, "results", "t1", "s1", "r1"));
    expect(store.folder("t1", "s1", "r1")).toBe(folder);
    expect(JSON.parse(readFileSync(join(folder, "results.json"), "utf8"))).toEqual(
      JSON.parse(JSON.stringify(summary)),
    );
    const tables = resultTables(summary);
    for (const table of RESULT_TABLES) expect(await store.read(folder, table)).toBe(tables[table]);
    await store.remove(folder);
    expect(existsSync(folder)).toBe(false);
    expect(existsSync(join(dir, "results", "t1", "s1"))).toBe(true);
    // Removing again is harmless.
    await store.remove(folder);
  });
});

describe("the states CSV table", async () => {
  const model = JSON.parse(
    readFileSync(join(EXAMPLES_DIR, "learn/actions/assign/model.json"), "utf8"),
  ) as QuodsiModel;
  model.states!.push({
    id: "state-mood",
    name: "mood",
    componentType: "model",
    dataType: "string",
    initialValue: "calm",
  });
  const summary = await simulate(model, { replications: 2, seed: 3, timePeriod: "hourly" });
  const tables = resultTables(summary);
  const rows = tables.states.trim().split("\n");

  it("has one row per state figure, with scope, owner, state, metric and share value in columns", () => {
    expect(rows[0]).toBe(
      "scope,ownerId,ownerName,stateId,state,metric,value,mean,stdDev,ciHalfWidth,min,max,reps",
    );
    expect(rows).toContain("model,,,state-revenue,revenue,finalValue,,240,0,0,240,240,2");
    expect(rows).toContain("model,,,state-mood,mood,finalShare,calm,1,0,0,1,1,2");
    expect(rows).toContain("entity,order,Order,state-total,total,atExit,,60,0,0,60,60,2");
    expect(rows).toHaveLength(1 + 2 * 4 + 1 + 3);
  });

  it("the long results table carries the same figures, after the object metrics", () => {
    const long = tables.results.trim().split("\n");
    expect(long).toContain("modelState,state-revenue,revenue,finalValue,240,0,0,240,240,2");
    expect(long).toContain("modelState,state-mood,mood,finalShare:calm,1,0,0,1,1,2");
    expect(long.at(-1)).toBe("entityState,order/state-total,Order.total,atExit,60,0,0,60,60,2");
  });

  it("is only a header for a model without states", () => {
    const plain = resultTables({ ...summary, states: undefined });
    expect(plain.states).toBe(`${rows[0]}\n`);
  });
});

describe("the costs CSV table", async () => {
  const model = JSON.parse(
    readFileSync(join(EXAMPLES_DIR, "learn/actions/seize-release/model.json"), "utf8"),
  ) as QuodsiModel;
  // The nurse is busy 33 of 120 min: 0.55 h × 20 = 11; 3 seizes × 2 = 6.
  model.resources![1].financialProperties = { enabled: true, costPerSeize: 2, costPerHourUtilized: 20 };
  model.activities![0].financialProperties = { enabled: true, fixedCost: 50 };
  const summary = await simulate(model, { replications: 2, seed: 3, timePeriod: "hourly" });
  const tables = resultTables(summary);
  const rows = tables.costs.trim().split("\n");

  it("has one row per cost figure: resources, activities, then the scenario totals", () => {
    expect(rows[0]).toBe("scope,objectId,name,metric,mean,stdDev,ciHalfWidth,min,max,reps");
    expect(rows).toContain("resource,nurse,Nurse,seizeCost,6,0,0,6,6,2");
    expect(rows.find((r) => r.startsWith("resource,nurse,Nurse,totalCost,"))).toMatch(
      /^[^,]+,[^,]+,[^,]+,[^,]+,17(\.0+\d*)?,/,
    );
    expect(rows).toContain("activity,register,Register,fixedCost,50,0,0,50,50,2");
    expect(rows.at(-1)).toMatch(/^scenario,scenario,scenario,totalCost,67(\.0+\d*)?,/);
    expect(rows).toHaveLength(1 + 4 + 4 + 3);
  });

  it("the long results table carries the same figures, last", () => {
    const long = tables.results.trim().split("\n");
    expect(long).toContain("resourceCost,nurse,Nurse,seizeCost,6,0,0,6,6,2");
    expect(long.at(-1)).toMatch(/^scenarioCost,scenario,scenario,totalCost,67/);
  });

  it("is only a header for a model without costs, and the wide tables do not change", () => {
    const plain = resultTables({ ...summary, costs: undefined });
    expect(plain.costs).toBe(`${rows[0]}\n`);
    expect(plain.resources).toBe(tables.resources);
  });
});
