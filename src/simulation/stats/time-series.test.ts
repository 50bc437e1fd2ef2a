import { describe, expect, it } from "vitest";
import { ModelCalendar } from "../model/calendar-time.js";
import { Clock } from "../runtime/clock.js";
import { TimeSeriesCollector } from "./time-series.js";

/** A collector over `runTime` minutes in hourly buckets, driven by hand through its clock. */
function collector(runTime: number) {
  const clock = new Clock(true);
  const series = new TimeSeriesCollector(
    clock,
    runTime,
    "minutes",
    "hourly",
    new ModelCalendar(false, null, 60),
  );
  const at = (now: number) => {
    clock.now = now;
    return series;
  };
  return { series, at };
}

describe("TimeSeriesCollector", () => {
  /*
   * 150 min in hourly buckets: [0, 60), [60, 120), [120, 150]. One entity in the system from 30
   * to 60 (its exit at 60 falls in the second bucket), a second from 90 to the end of the run.
   */
  it("counts an exit at a bucket's end in the next bucket and closes the last bucket at the run time", () => {
    const { series, at } = collector(150);
    at(30).wipChange(1);
    at(60).exit();
    at(90).wipChange(1);
    at(150).wipChange(0);
    expect(series.result()).toEqual({
      period: "hourly",
      bucketSize: 60,
      buckets: [
        { start: 0, end: 60, throughput: 0, wip: 30 / 60 },
        { start: 60, end: 120, throughput: 1, wip: 30 / 60 },
        { start: 120, end: 150, throughput: 0, wip: 1 },
      ],
    });
  });

  it("closes several buckets at once when nothing happened in between", () => {
    const { series, at } = collector(240);
    at(0).wipChange(2);
    at(200).exit();
    at(240).wipChange(0);
    expect(series.result().buckets.map((b) => [b.throughput, b.wip])).toEqual([
      [0, 2],
      [0, 2],
      [0, 2],
      [1, (2 * 20 + 1 * 40) / 60],
    ]);
  });

  it("keeps one bucket per period up to 10 000 buckets", () => {
    const { series } = collector(10_000 * 60);
    const r = series.result();
    expect(r.bucketSize).toBe(60);
    expect(r.buckets).toHaveLength(10_000);
  });

  it("beyond 10 000 periods, makes the buckets a whole multiple of the period", () => {
    // 10 002 hours: two hours a bucket, exactly 5 001 of them.
    const { series, at } = collector(10_002 * 60);
    at(0).wipChange(1);
    at(10_002 * 60 - 1).exit();
    at(10_002 * 60).wipChange(0);
    const r = series.result();
    expect(r.bucketSize).toBe(120);
    expect(r.buckets).toHaveLength(5_001);
    expect(r.buckets[0]).toEqual({ start: 0, end: 120, throughput: 0, wip: 1 });
    expect(r.buckets[5_000]).toEqual({ start: 600_000, end: 600_120, throughput: 1, wip: 119 / 120 });
  });

  it("a run shorter than one period has one bucket ending at the run time", () => {
    const { series, at } = collector(45);
    at(0).wipChange(1);
    at(45).wipChange(0);
    expect(series.result().buckets).toEqual([{ start: 0, end: 45, throughput: 0, wip: 1 }]);
  });
});
