import { describe, expect, it } from "vitest";
import { samplePoisson } from "../distributions.js";
import {
  runReplication,
  simulate,
  validateModel,
  type QuodsiModel,
  type ReplicationResult,
} from "../index.js";
import type { ArrivalPattern, Generator, StateDeclaration, StateModification } from "../model/wire.js";
import { RandomStreams } from "../rng.js";
import { constant } from "../testing/models.js";

const run = (m: QuodsiModel, seed = 1, timePeriod: "hourly" | "daily" | "monthly" = "hourly") =>
  runReplication(m, 0, { replications: 1, seed, timePeriod });
const modelState = (r: ReplicationResult, name: string) =>
  r.modelStates!.find((s) => s.name === name)!.finalValue;
const created = (r: ReplicationResult, id = "e") => r.entities.find((e) => e.entityId === id)!.createdCount;

const num = (
  id: string,
  componentType: "model" | "entity" = "model",
  initialValue = 0,
): StateDeclaration => ({
  id,
  name: id,
  componentType,
  dataType: "number",
  initialValue,
});
const expr = (stateId: string, expression: string): StateModification => ({
  stateId,
  operation: "assign",
  expression,
});

/**
 * A generator into "log" (capacity 1000, no delay: every entity leaves at
 * its arrival instant), whose assign records what arrives in model states:
 * `n` counts, `bad` counts arrivals failing `check` (an expression, 1 when bad).
 */
function model(
  gen: Partial<Generator>,
  extra: Partial<QuodsiModel>,
  runTime: number,
  log: StateModification[] = [],
): QuodsiModel {
  return {
    schemaVersion: "2026.12.01",
    timeUnit: "minutes",
    runTime: constant(runTime),
    entities: [{ id: "e" }, { id: "other" }],
    states: [num("n"), num("bad"), num("sig"), num("tags"), num("tag", "entity")],
    activities: [
      {
        id: "log",
        capacity: 1000,
        actions: [{ type: "assign", id: "a", modifications: [expr("n", "n + 1"), ...log] }],
      },
    ],
    generators: [{ id: "g", entityId: "e", ...gen }],
    connectors: [{ id: "c", sourceId: "g", targetId: "log" }],
    ...extra,
  };
}

describe("scheduled generators (§5.3, Q12)", () => {
  // sig = sig * 1000 + now() writes the arrival times in order; tags = tags * 10 + tag their tags.
  const timeline = [expr("sig", "sig * 1000 + now()"), expr("tags", "tags * 10 + tag")];
  const schedule = (gen: Partial<Generator> = {}) =>
    model(
      {
        mode: "scheduled",
        arrivalScheduleId: "s",
        initialStates: [{ stateId: "tag", operation: "assign", value: 9 }],
        ...gen,
      },
      {
        arrivalSchedules: [
          {
            id: "s",
            arrivals: [
              { time: 12, quantity: 2, stateValues: { tag: 3 } },
              { time: 40, entityId: "other" },
              { time: 5, stateValues: { tag: 1 } },
              { time: 500, stateValues: { tag: 4 } }, // after the run: never happens
            ],
          },
        ],
      },
      100,
      timeline,
    );

  it("creates exactly the rows' entities at their times, in time order, with their state values", async () => {
    const r = await run(schedule());
    // 5 (tag 1), 12 and 12 (tag 3), 40 (an "other": the generator's initialStates give 9).
    expect(modelState(r, "sig")).toBe(5_012_012_040);
    expect(modelState(r, "tags")).toBe(1339);
    expect(created(r, "e")).toBe(3);
    expect(created(r, "other")).toBe(1);
  });

  it("stops at maxEntities, mid-row", async () => {
    const r = await run(schedule({ maxEntities: 2 }));
    expect(modelState(r, "sig")).toBe(5012);
    expect(modelState(r, "n")).toBe(2);
  });

  it("reads a row's time in the schedule's unit and a state by id before its name", async () => {
    const m = schedule();
    m.states!.push({ id: "st-tag", name: "tag2", componentType: "entity", dataType: "number" });
    m.arrivalSchedules![0] = {
      id: "s",
      timeUnit: "hours",
      arrivals: [{ time: 0.5, stateValues: { "st-tag": 6 } }],
    };
    m.activities![0].actions![0] = {
      type: "assign",
      id: "a",
      modifications: [expr("sig", "now()"), expr("tags", "tag2")],
    };
    const r = await run(m);
    expect(modelState(r, "sig")).toBe(30);
    expect(modelState(r, "tags")).toBe(6);
  });

  it("in calendar mode reads ISO date-times from startDateTime, shifting other offsets into the model's", async () => {
    const m = schedule();
    Object.assign(m, { timeMode: "calendar", startDateTime: "2026-03-02T08:00:00" });
    m.arrivalSchedules![0].arrivals = [
      { time: "2026-03-02T08:30:00", stateValues: { tag: 2 } },
      { time: "2026-03-02T09:15:00+01:00", stateValues: { tag: 1 } }, // 08:15 here
      { time: 45, stateValues: { tag: 5 } }, // a number is still an offset
    ];
    const r = await run(m);
    expect(modelState(r, "sig")).toBe(15_030_045);
    expect(modelState(r, "tags")).toBe(125);
  });
});

/** 168 hour-of-week weights, all 0 but the given slots. */
const onlyHours = (...slots: number[]) => Array.from({ length: 168 }, (_, i) => (slots.includes(i) ? 1 : 0));

describe("pattern generators (§5.3, Q5)", () => {
  const WEEK = 7 * 24 * 60;
  const pattern = (
    p: Omit<ArrivalPattern, "id">,
    volume: number,
    runTime: number,
    check: string,
    extra: Partial<QuodsiModel> = {},
  ) =>
    model(
      { mode: "pattern", arrivalPatternId: "p", volume },
      { arrivalPatterns: [{ id: "p", ...p }], ...extra },
      runTime,
      [expr("bad", `bad + (${check})`)],
    );

  it("puts every arrival in the one hour with weight (Tuesday 10:00, weeks from Monday 00:00 at t = 0)", async () => {
    // Tuesday 10:00-11:00 is minutes [2040, 2100) of each week.
    const m = pattern(
      { hourWeights: onlyHours(24 + 10) },
      40,
      2 * WEEK,
      `0 if (now() % ${WEEK} >= 2040 and now() % ${WEEK} < 2100) else 1`,
    );
    const r = await run(m);
    expect(modelState(r, "bad")).toBe(0);
    expect(created(r)).toBeGreaterThan(40); // two weeks of ~40
    const busy = r.timeSeries.buckets.filter((b) => b.throughput > 0).map((b) => b.start / 60);
    expect(busy).toEqual([34, 168 + 34]);
  });

  it("places arrivals at the withinHourOffset minute", async () => {
    const m = pattern(
      { hourWeights: onlyHours(0), withinHourOffset: { value: 15 } },
      10,
      WEEK,
      "0 if now() == 15 else 1",
    );
    const r = await run(m);
    expect(modelState(r, "bad")).toBe(0);
    expect(modelState(r, "n")).toBe(created(r));
    expect(created(r)).toBeGreaterThan(0);
  });

  it("a day cycle expects volume arrivals each day with weight; day-of-week weights close days", async () => {
    // Mondays only: days 0 and 7 of a 14-day run.
    const m = pattern(
      { cycle: "day", dayOfWeekWeights: [1, 0, 0, 0, 0, 0, 0] },
      30,
      2 * WEEK,
      `0 if now() % ${WEEK} < 1440 else 1`,
    );
    const s = await simulate(m, { replications: 40, seed: 3, timePeriod: "daily" });
    expect(s.states!.model.find((x) => x.name === "bad")!.finalValue!.max).toBe(0);
    const mean = s.entities[0].createdCount.mean;
    // Poisson(60) per replication: the mean of 40 has sd 1.22.
    expect(Math.abs(mean - 60)).toBeLessThan(5);
  });

  it("a year cycle with month seasons puts January's share in January (clock mode: 364-day year)", async () => {
    const seasonWeights = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    // January is days 0-30 of the nominal year (⌊12 d / 364⌋ = 0): all 500 expected arrivals, none after.
    const m = pattern(
      { cycle: "year", seasonMode: "month", seasonWeights },
      500,
      60 * 1440,
      "0 if now() < 31 * 1440 else 1",
    );
    const r = await run(m);
    expect(modelState(r, "bad")).toBe(0);
    expect(Math.abs(created(r) - 500)).toBeLessThan(5 * Math.sqrt(500));
  });

  it("counts are Poisson with mean volume × the hour's share (many replications, fixed seed)", async () => {
    // Week cycle, 2 of 168 hours with weight 1 and 3: the run covers only the first (Monday 00:00-01:00).
    const m = pattern({ hourWeights: onlyHours(0, 1).map((w, i) => (i === 1 ? 3 * w : w)) }, 80, 60, "0");
    const s = await simulate(m, { replications: 400, seed: 11, timePeriod: "hourly" });
    const v = s.entities[0].createdCount.values;
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1);
    // Expected 80 × 1/4 = 20 per replication; Poisson, so the variance is 20 too.
    expect(Math.abs(mean - 20)).toBeLessThan(4 * Math.sqrt(20 / 400));
    expect(variance).toBeGreaterThan(14);
    expect(variance).toBeLessThan(27);
  });

  it("a calendar run starting mid-hour drops that hour's arrivals drawn before the start", async () => {
    // Wednesday 2026-03-04 10:30; weight only on Wednesday 10:00-11:00.
    const cal = { timeMode: "calendar" as const, startDateTime: "2026-03-04T10:30:00" };
    const early = pattern(
      { hourWeights: onlyHours(2 * 24 + 10), withinHourOffset: { value: 15 } },
      50,
      120,
      "0",
      cal,
    );
    expect(created(await run(early))).toBe(0);
    const late = pattern(
      { hourWeights: onlyHours(2 * 24 + 10), withinHourOffset: { value: 45 } },
      50,
      120,
      "0 if now() == 15 else 1",
      cal,
    );
    const r = await run(late);
    expect(created(r)).toBeGreaterThan(20);
    expect(modelState(r, "bad")).toBe(0);
  });

  it("maxEntities caps the arrivals, and the same seed gives the same arrivals", async () => {
    const m = pattern({}, 10_000, WEEK, "0");
    m.generators![0].maxEntities = 7;
    expect(created(await run(m))).toBe(7);
    const free = pattern({}, 500, WEEK, "0");
    expect(created(await run(free, 5))).toBe(created(await run(free, 5)));
  });
});

describe("calendar time-series buckets", () => {
  const cal = (
    startDateTime: string,
    runTime: number,
    timeUnit: "minutes" | "days" = "minutes",
  ): QuodsiModel => ({
    ...model({ interarrivalTime: constant(10) }, { timeMode: "calendar", startDateTime }, runTime),
    timeUnit,
    runTime: { unit: timeUnit, value: runTime },
  });

  it("hourly buckets end on the hour; the first runs from startDateTime", async () => {
    const r = await run(cal("2026-03-02T08:30:00", 180));
    expect(r.timeSeries.buckets.map((b) => [b.start, b.end, b.startDateTime])).toEqual([
      [0, 30, "2026-03-02T08:30:00"],
      [30, 90, "2026-03-02T09:00:00"],
      [90, 150, "2026-03-02T10:00:00"],
      [150, 180, "2026-03-02T11:00:00"],
    ]);
    expect(r.timeSeries.startDateTime).toBe("2026-03-02T08:30:00");
  });

  it("daily buckets end at midnight, monthly ones on the first of the month", async () => {
    const d = await run(cal("2026-03-02T08:30:00+02:00", 2 * 1440), 1, "daily");
    expect(d.timeSeries.buckets.map((b) => [b.start, b.end, b.startDateTime])).toEqual([
      [0, 930, "2026-03-02T08:30:00+02:00"],
      [930, 2370, "2026-03-03T00:00:00+02:00"],
      [2370, 2880, "2026-03-04T00:00:00+02:00"],
    ]);
    const m = await run(cal("2026-01-15T00:00:00", 60, "days"), 1, "monthly");
    expect(m.timeSeries.buckets.map((b) => [b.start, b.end])).toEqual([
      [0, 17],
      [17, 45],
      [45, 60],
    ]);
  });

  it("clock mode keeps buckets from t = 0", async () => {
    const r = await run(model({ interarrivalTime: constant(10) }, {}, 150));
    expect(r.timeSeries.buckets.map((b) => [b.start, b.end])).toEqual([
      [0, 60],
      [60, 120],
      [120, 150],
    ]);
    expect(r.timeSeries.startDateTime).toBeUndefined();
  });
});

describe("samplePoisson", () => {
  it.each([0.5, 3, 29.9, 30, 250])("mean %s: sample mean and variance match", (mean) => {
    const rng = new RandomStreams(42, 0, ["p"]);
    const n = 20_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const k = samplePoisson(mean, rng, 0);
      expect(Number.isInteger(k) && k >= 0).toBe(true);
      sum += k;
      sq += k * k;
    }
    const m = sum / n;
    const v = sq / n - m * m;
    expect(Math.abs(m - mean)).toBeLessThan(5 * Math.sqrt(mean / n));
    expect(Math.abs(v / mean - 1)).toBeLessThan(0.06);
  });

  it("P(0) for mean 3 is e^-3", () => {
    const rng = new RandomStreams(7, 0, ["p"]);
    let zeros = 0;
    for (let i = 0; i < 20_000; i++) if (samplePoisson(3, rng, 0) === 0) zeros++;
    expect(Math.abs(zeros / 20_000 - Math.exp(-3))).toBeLessThan(0.008);
  });
});

describe("validation of patterns, schedules and calendar time", () => {
  const issues = (m: unknown) => {
    const v = validateModel(m);
    return v.ok ? [] : v.issues;
  };
  const base = () =>
    model({ mode: "pattern", arrivalPatternId: "p", volume: 10 }, { arrivalPatterns: [{ id: "p" }] }, 60);

  it("accepts a valid pattern and a valid schedule", () => {
    expect(issues(base())).toEqual([]);
    const s = model(
      { mode: "scheduled", arrivalScheduleId: "s" },
      { arrivalSchedules: [{ id: "s", arrivals: [{ time: 1 }] }] },
      60,
    );
    expect(issues(s)).toEqual([]);
  });

  it("refuses negative, all-zero and wrongly sized weights, other count modes and offsets outside the hour", () => {
    const m = base();
    m.arrivalPatterns = [
      {
        id: "p",
        dayOfWeekWeights: [1, -1, 1, 1, 1, 1, 1],
        hourWeights: new Array(168).fill(0),
        seasonWeights: [1, 2],
        countMode: "uniform" as never,
        withinHourOffset: { value: 75 },
        cycle: "month" as never,
      },
    ];
    expect(issues(m).map((i) => i.path)).toEqual([
      "arrivalPatterns[0].cycle",
      "arrivalPatterns[0].seasonWeights",
      "arrivalPatterns[0].dayOfWeekWeights[1]",
      "arrivalPatterns[0].hourWeights",
      "arrivalPatterns[0].countMode",
      "arrivalPatterns[0].withinHourOffset.value",
    ]);
    expect(issues(m)[3].message).toMatch(/all weights are 0/);
    expect(issues(m)[1].message).toMatch(/must have 52 values/);
  });

  it("refuses a pattern generator without pattern or with volume <= 0", () => {
    const m = base();
    m.generators![0] = { id: "g", entityId: "e", mode: "pattern", arrivalPatternId: "nope", volume: 0 };
    expect(issues(m)).toEqual([
      { path: "generators[0].arrivalPatternId", message: 'references unknown arrival pattern "nope"' },
      { path: "generators[0].volume", message: "must be a finite number > 0 (got 0)" },
    ]);
  });

  it("refuses schedule rows with unknown entities or states, bad values, bad dates, dates in clock mode", () => {
    const m = model(
      { mode: "scheduled", arrivalScheduleId: "s" },
      {
        arrivalSchedules: [
          {
            id: "s",
            arrivals: [
              { time: -1, entityId: "ghost", quantity: 1.5 },
              { time: "2026-03-02T08:00:00", stateValues: { nope: 1, tag: "x", n: 2 } },
            ],
          },
        ],
      },
      60,
    );
    expect(issues(m)).toEqual([
      {
        path: "arrivalSchedules[0].arrivals[0].time",
        message: "must be a finite number >= 0 (an offset from the start)",
      },
      { path: "arrivalSchedules[0].arrivals[0].entityId", message: 'references unknown entity "ghost"' },
      { path: "arrivalSchedules[0].arrivals[0].quantity", message: "must be an integer from 0 to 1000" },
      {
        path: "arrivalSchedules[0].arrivals[1].time",
        message: expect.stringMatching(/needs timeMode "calendar"/),
      },
      {
        path: "arrivalSchedules[0].arrivals[1].stateValues.nope",
        message: 'references unknown entity state "nope" (an id or the name of an entity state)',
      },
      {
        path: "arrivalSchedules[0].arrivals[1].stateValues.tag",
        message: expect.stringMatching(/must be a number/),
      },
      {
        path: "arrivalSchedules[0].arrivals[1].stateValues.n",
        message: expect.stringMatching(/must name an entity state/),
      },
    ]);
  });

  it("refuses calendar mode without startDateTime, impossible dates, and times before the start", () => {
    const m = model(
      { mode: "scheduled", arrivalScheduleId: "s" },
      { timeMode: "calendar", arrivalSchedules: [{ id: "s", arrivals: [{ time: "2026-02-30T08:00" }] }] },
      60,
    );
    expect(issues(m).map((i) => i.path)).toEqual(["startDateTime", "arrivalSchedules[0].arrivals[0].time"]);
    expect(issues(m)[1].message).toMatch(/day 30 does not exist/);
    m.startDateTime = "2026-03-02T08:00:00Z";
    m.arrivalSchedules![0].arrivals = [{ time: "2026-03-02T09:30:00+02:00" }];
    expect(issues(m)).toEqual([
      {
        path: "arrivalSchedules[0].arrivals[0].time",
        message: '"2026-03-02T09:30:00+02:00" is before startDateTime "2026-03-02T08:00:00Z"',
      },
    ]);
    expect(issues({ ...m, timeMode: "sundial" }).map((i) => i.path)).toContain("timeMode");
    expect(issues({ ...m, startDateTime: "yesterday" }).map((i) => i.path)).toContain("startDateTime");
  });

  it("warns that frequency fields are ignored in pattern mode", () => {
    const m = base();
    m.generators![0].interarrivalTime = constant(5);
    const v = validateModel(m);
    expect(v.ok && v.warnings).toEqual([
      { path: "generators[0].interarrivalTime", message: "is ignored: the generator's mode is pattern" },
    ]);
  });
});
