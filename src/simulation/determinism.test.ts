import { describe, expect, it } from "vitest";
import { DurationTable } from "./distributions.js";
import { runReplication, simulate, studentTQuantile, summarizeMetric, type Duration } from "./index.js";
import { RandomStreams, deriveStreamState } from "./rng.js";
import { exp, mm1 } from "./testing/models.js";

const opts = { replications: 3, seed: 99, timePeriod: "hourly" as const };

describe("seeded randomness", () => {
  it("the same seed gives bit-identical results; another seed differs", async () => {
    const model = mm1(0.8, 1, { runTime: 5_000, warmupTime: 100 });
    const a = await simulate(model, opts);
    const b = await simulate(structuredClone(model), opts);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const c = await simulate(model, { ...opts, seed: 100 });
    expect(c.entities[0].averageTimeInSystem.values).not.toEqual(a.entities[0].averageTimeInSystem.values);
    // Replications draw from different streams.
    const [r0, r1] = a.entities[0].averageTimeInSystem.values;
    expect(r0).not.toBe(r1);
  });

  it("rejects bad run options", async () => {
    const m = mm1(0.8, 1, { runTime: 10 });
    await expect(runReplication(m, 0, { ...opts, timePeriod: "weekly" as never })).rejects.toThrow(
      new RangeError("timePeriod must be one of hourly, daily, monthly"),
    );
    for (const rep of [-1, 0.5, NaN])
      await expect(runReplication(m, rep, opts)).rejects.toThrow(
        new RangeError("repIndex must be an integer >= 0"),
      );
    await expect(runReplication(m, 0, { ...opts, seed: 1.5 })).rejects.toThrow(
      new RangeError("seed must be a safe integer"),
    );
    await expect(simulate(m, { ...opts, replications: 0 })).rejects.toThrow(/replications/);
  });

  it("results are plain JSON-safe data (no NaN, no class instances)", async () => {
    const r = await runReplication(mm1(0.8, 1, { runTime: 500, warmupTime: 499.9 }), 0, opts);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    const s = await simulate(mm1(0.8, 1, { runTime: 500 }), { ...opts, replications: 1 });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it("common random numbers: changing the service time keeps the arrival stream", async () => {
    const slow = mm1(0.8, 1, { runTime: 2_000 });
    const fast = mm1(0.8, 1, { runTime: 2_000 });
    fast.activities![0].actions![0] = { id: "serve", type: "delay", duration: exp(0.9) };
    const a = await runReplication(slow, 0, opts);
    const b = await runReplication(fast, 0, opts);
    expect(b.entities[0].createdCount).toBe(a.entities[0].createdCount);
    expect(b.entities[0].averageTimeInSystem).toBeLessThan(a.entities[0].averageTimeInSystem);
    // Same arrivals and every service time 10% shorter (the same service stream): no customer leaves
    // the fast server later, so by the end of every hour it has let out at least as many. With an
    // independent service stream some hour falls behind.
    const cumulative = (r: typeof a) => {
      let n = 0;
      return r.timeSeries.buckets.map((x) => (n += x.throughput));
    };
    const slowExits = cumulative(a);
    const fastExits = cumulative(b);
    expect(fastExits).toHaveLength(slowExits.length);
    const behind = fastExits.flatMap((n, i) => (n < slowExits[i] ? [i] : []));
    expect(behind, "hours in which the faster server had let out fewer customers").toEqual([]);
  });

  it("stream states depend on seed, replication and key", () => {
    const s = deriveStreamState(1, 0, "generator:g/interarrivalTime");
    expect(deriveStreamState(1, 0, "generator:g/interarrivalTime")).toEqual(s);
    expect(deriveStreamState(2, 0, "generator:g/interarrivalTime")).not.toEqual(s);
    expect(deriveStreamState(1, 1, "generator:g/interarrivalTime")).not.toEqual(s);
    expect(deriveStreamState(1, 0, "generator:h/interarrivalTime")).not.toEqual(s);
  });

  it("xoshiro128** uniforms look uniform (mean 1/2, variance 1/12)", () => {
    const rng = new RandomStreams(5, 0, ["k"]);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next(0);
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      sq += u * u;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.003);
    expect(Math.abs(sq / n - (sum / n) ** 2 - 1 / 12)).toBeLessThan(0.001);
  });
});

describe("distributions (sample means and unit conversion)", () => {
  const cases: Array<[string, Duration, number]> = [
    ["constant in hours", { unit: "hours", value: 2 }, 120],
    ["uniform", { unit: "minutes", distribution: "uniform", min: 1, max: 3 }, 2],
    ["triangular", { unit: "minutes", distribution: "triangular", min: 0, mode: 3, max: 6 }, 3],
    ["normal", { unit: "minutes", distribution: "normal", mean: 5, std: 1 }, 5],
    ["exponential in seconds", { unit: "seconds", distribution: "exponential", scale: 120 }, 2],
    ["lognormal", { unit: "minutes", distribution: "lognormal", mean: 0, sigma: 0.5 }, Math.exp(0.125)],
    ["gamma", { unit: "minutes", distribution: "gamma", shape: 2.5, scale: 2 }, 5],
    ["gamma shape < 1", { unit: "minutes", distribution: "gamma", shape: 0.5, scale: 2 }, 1],
    ["weibull", { unit: "minutes", distribution: "weibull", shape: 2, scale: 3 }, 3 * 0.886226925452758],
    ["erlang", { unit: "minutes", distribution: "erlang", k: 3, scale: 2 }, 6],
    ["beta", { unit: "minutes", distribution: "beta", alpha: 2, beta: 6, min: 1, max: 5 }, 1 + 4 * 0.25],
    ["discrete", { unit: "hours", distribution: "discrete", values: [1, 2], probabilities: [3, 1] }, 75],
  ];
  it.each(cases)("%s has the right mean (1%)", (_name, d, mean) => {
    const table = new DurationTable([{ duration: d, stream: 0 }], "minutes");
    const rng = new RandomStreams(7, 0, ["k"]);
    const n = 100_000;
    let sum = 0;
    let min = Infinity;
    for (let i = 0; i < n; i++) {
      const x = table.sample(0, rng);
      sum += x;
      min = Math.min(min, x);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(Math.abs(sum / n - mean) / mean).toBeLessThan(0.01);
  });

  it("normal is truncated at 0 (never negative)", () => {
    const table = new DurationTable(
      [{ duration: { unit: "minutes", distribution: "normal", mean: 0.1, std: 1 }, stream: 0 }],
      "minutes",
    );
    const rng = new RandomStreams(7, 0, ["k"]);
    let min = Infinity;
    for (let i = 0; i < 10_000; i++) min = Math.min(min, table.sample(0, rng));
    expect(min).toBeGreaterThanOrEqual(0);
  });
});

describe("statistics", () => {
  it("Student t 0.975 quantiles match the tables", () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.3027, 4);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764, 4);
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.2622, 4);
    expect(studentTQuantile(0.975, 29)).toBeCloseTo(2.0452, 4);
    expect(studentTQuantile(0.975, 1000)).toBeCloseTo(1.9623, 4);
    expect(studentTQuantile(0.025, 9)).toBeCloseTo(-2.2622, 4);
  });

  it("summarizeMetric: mean, sample std dev, t half-width; one value has zero spread", () => {
    const s = summarizeMetric([1, 2, 3, 4, 5]);
    expect(s).toMatchObject({ mean: 3, min: 1, max: 5, values: [1, 2, 3, 4, 5] });
    expect(s.stdDev).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(s.ciHalfWidth).toBeCloseTo((2.7764451 * Math.sqrt(2.5)) / Math.sqrt(5), 6);
    expect(summarizeMetric([7])).toEqual({ mean: 7, stdDev: 0, ciHalfWidth: 0, min: 7, max: 7, values: [7] });
  });
});

describe("time series", () => {
  it("buckets cover [0, runTime] in the period converted to the model unit, averaged over reps", async () => {
    const model = mm1(0.5, 1, { runTime: 150, warmupTime: 10 }); // minutes: hourly buckets of 60
    const s = await simulate(model, { replications: 2, seed: 3, timePeriod: "hourly" });
    expect(s.timeSeries.period).toBe("hourly");
    expect(s.timeSeries.bucketSize).toBe(60);
    expect(s.timeSeries.buckets.map((b) => [b.start, b.end])).toEqual([
      [0, 60],
      [60, 120],
      [120, 150],
    ]);
    const total = s.timeSeries.buckets.reduce((n, b) => n + b.throughput, 0);
    const reps = await Promise.all(
      [0, 1].map((i) => runReplication(model, i, { replications: 2, seed: 3, timePeriod: "hourly" })),
    );
    expect(total).toBe((reps[0].exitsTotal + reps[1].exitsTotal) / 2);
    for (const b of s.timeSeries.buckets) expect(b.wip).toBeGreaterThan(0);
    const daily = await simulate(mm1(0.5, 1, { runTime: 3 * 1440 }), {
      replications: 1,
      seed: 3,
      timePeriod: "daily",
    });
    expect(daily.timeSeries.buckets).toHaveLength(3);
  });
});

describe("cancellation", () => {
  it("an aborted replication rejects with AbortError at its next yield, reporting no progress after the abort", async () => {
    const model = mm1(0.9, 1, { runTime: 1e9 });
    const ac = new AbortController();
    const seen: number[] = [];
    let reported!: () => void;
    const progressing = new Promise<void>((r) => (reported = r));
    const p = runReplication(model, 0, {
      replications: 1,
      seed: 1,
      timePeriod: "daily",
      signal: ac.signal,
      onRepProgress: (f) => {
        seen.push(f);
        reported();
      },
    });
    await progressing;
    // Abort from a timer: only reachable because the replication yields to the event loop.
    await new Promise((r) => setTimeout(r, 0));
    const before = seen.length;
    ac.abort();
    const err = await p.catch((e: Error) => e);
    expect((err as Error).name).toBe("AbortError");
    expect(seen).toHaveLength(before);
  });

  it("simulate reports monotone progress and stops on abort", async () => {
    const ac = new AbortController();
    const seen: number[] = [];
    const totals = new Set<number>();
    const p = simulate(mm1(0.9, 1, { runTime: 3e5 }), {
      replications: 50,
      seed: 1,
      timePeriod: "daily",
      signal: ac.signal,
      onProgress: ({ completedReps, currentRepFraction, totalReps }) => {
        totals.add(totalReps);
        seen.push(completedReps + currentRepFraction);
        if (completedReps >= 2) ac.abort();
      },
    });
    await expect(p).rejects.toMatchObject({ name: "AbortError" });
    expect(totals).toEqual(new Set([50]));
    expect(seen.length).toBeGreaterThan(2);
    // Aborted in the report of the second finished replication: nothing ran after it.
    expect(seen.at(-1)).toBe(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
  });
});
