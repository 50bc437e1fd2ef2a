import { describe, expect, it } from "vitest";
import { simulate, type MetricSummary, type SimulationSummary } from "./index.js";
import { mm1, mmcResource, split, tandem } from "./testing/models.js";

/**
 * The analytic value must lie inside the 95% confidence interval, and the
 * estimate must be precise: mean within `relTol` of the answer and the
 * half-width below `relTol` (so a loose, noisy run cannot pass by accident).
 */
function expectAnalytic(m: MetricSummary, expected: number, relTol: number) {
  const label = `mean ${m.mean} ± ${m.ciHalfWidth} vs ${expected}`;
  expect(Math.abs(m.mean - expected), label).toBeLessThanOrEqual(m.ciHalfWidth);
  expect(Math.abs(m.mean - expected) / expected, label).toBeLessThan(relTol);
  expect(m.ciHalfWidth / expected, label).toBeLessThan(relTol);
}

/** Little's law per replication: L = λW with λ = throughput / measured time. */
function expectLittle(s: SimulationSummary, relTol: number) {
  const T = s.runTime - s.warmupTime;
  for (const a of s.activities) {
    a.averageContents.values.forEach((L, i) => {
      const lambdaW = (a.throughput.values[i] / T) * a.averageTimeInActivity.values[i];
      const label = `${a.activityId} rep ${i}: L=${L} λW=${lambdaW}`;
      if (L === 0)
        expect(lambdaW, label).toBe(0); // zero-time pass-through station
      else expect(Math.abs(L - lambdaW) / L, label).toBeLessThan(relTol);
    });
  }
}

describe("analytic queueing results", () => {
  it("M/M/1 at rho = 0.8 gives W = 5 and Wq = 4 (5% tolerance)", async () => {
    const s = await simulate(mm1(0.8, 1, { runTime: 60_000, warmupTime: 2_000 }), {
      replications: 10,
      seed: 11,
      timePeriod: "daily",
    });
    expectAnalytic(s.entities[0].averageTimeInSystem, 5, 0.05);
    expectAnalytic(s.activities[0].averageWaitTime, 4, 0.05);
    expectAnalytic(s.activities[0].utilization, 0.8, 0.02);
    expectAnalytic(s.activities[0].averageContents, 4, 0.06);
    expectLittle(s, 0.01);
  });

  it("M/M/3 (Erlang C, lambda 2.4, mu 1) gives P(wait) 0.6472, Wq 1.0787, W 2.0787 (4% tolerance)", async () => {
    const s = await simulate(mmcResource(2.4, 1, 3, { runTime: 60_000, warmupTime: 1_000 }), {
      replications: 10,
      seed: 23,
      timePeriod: "daily",
    });
    const servers = s.resources[0];
    expectAnalytic(servers.waitProbability, 0.6472, 0.04);
    expectAnalytic(servers.averageWaitTime, 1.0787, 0.04);
    expectAnalytic(servers.utilization, 0.8, 0.02);
    expectAnalytic(s.entities[0].averageTimeInSystem, 2.0787, 0.04);
    // The queue is at the resource, so the activity's wait is the same Wq.
    expectAnalytic(s.activities[0].averageWaitTime, 1.0787, 0.04);
    expectLittle(s, 0.01);
  });

  it("M/M/3 modelled with activity capacity 3 (queue at the activity) gives the same Wq (6% tolerance)", async () => {
    const s = await simulate(mmcResource(2.4, 1, 3, { runTime: 40_000, warmupTime: 1_000 }, 3), {
      replications: 6,
      seed: 29,
      timePeriod: "daily",
    });
    expectAnalytic(s.activities[0].averageWaitTime, 1.0787, 0.06);
    expect(s.resources[0].averageWaitTime.max).toBe(0);
  });

  it("two M/M/1 stations in series give E[T] = 1/(mu1-lambda) + 1/(mu2-lambda) = 5.333 (5% tolerance)", async () => {
    const s = await simulate(tandem(0.5, 1, 0.8, { runTime: 60_000, warmupTime: 2_000 }), {
      replications: 10,
      seed: 31,
      timePeriod: "daily",
    });
    expectAnalytic(s.entities[0].averageTimeInSystem, 1 / 0.5 + 1 / 0.3, 0.05);
    expectAnalytic(s.activities[0].averageTimeInActivity, 2, 0.05);
    expectAnalytic(s.activities[1].averageTimeInActivity, 1 / 0.3, 0.05);
    expectLittle(s, 0.01);
  });

  it("routes 80/20 by connector weight (share within 1.5 percentage points)", async () => {
    const s = await simulate(split(80, 20, { runTime: 20_000, warmupTime: 100 }), {
      replications: 10,
      seed: 41,
      timePeriod: "daily",
    });
    const [, a, b] = s.activities;
    const shares = a.throughput.values.map((v, i) => v / (v + b.throughput.values[i]));
    const { summarizeMetric } = await import("./stats.js");
    const share = summarizeMetric(shares);
    expect(Math.abs(share.mean - 0.8)).toBeLessThanOrEqual(share.ciHalfWidth);
    expect(Math.abs(share.mean - 0.8)).toBeLessThan(0.015);
    expectLittle(s, 0.02);
  });
});
