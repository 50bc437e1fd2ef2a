import { describe, expect, it } from "vitest";
import { DurationTable } from "./distributions.js";
import { RandomStreams } from "./rng.js";
import type { Duration } from "./types.js";

const N = 20_000;

/** N seeded draws of one duration, sampled in minutes. */
function draws(d: Duration, seed = 1, n = N): Float64Array {
  const table = new DurationTable([{ duration: d, stream: 0 }], "minutes");
  const rng = new RandomStreams(seed, 0, ["d"]);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = table.sample(0, rng);
  return out;
}

function moments(xs: Float64Array) {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = sum / xs.length;
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  return { mean, variance: ss / (xs.length - 1), min, max };
}

const D = (unit: string, distribution: string, params: Record<string, unknown>) =>
  ({ unit, distribution, ...params }) as unknown as Duration;

// Expected moments in minutes (scipy 1.17: mean, variance, excess kurtosis); [lo, hi] is the support.
// Tolerances are 4 standard errors of the sample mean and variance for N draws, so a wrong
// transform, a parameter in the wrong slot or a unit left unconverted fails.
const CASES: Array<[string, Duration, number, number, number, [number, number]]> = [
  ["uniform 30-90 s", D("seconds", "uniform", { min: 30, max: 90 }), 1, 1 / 12, -1.2, [0.5, 1.5]],
  [
    "triangular 1/2/4 min",
    D("minutes", "triangular", { min: 1, mode: 2, max: 4 }),
    7 / 3,
    7 / 18,
    -0.6,
    [1, 4],
  ],
  [
    "triangular 10/11/12 min (far from 0)",
    D("minutes", "triangular", { min: 10, mode: 11, max: 12 }),
    11,
    1 / 6,
    -0.6,
    [10, 12],
  ],
  [
    "triangular 0/1/1 h (mode at max)",
    D("hours", "triangular", { min: 0, mode: 1, max: 1 }),
    40,
    200,
    -0.6,
    [0, 60],
  ],
  ["normal 10 ± 2 min", D("minutes", "normal", { mean: 10, std: 2 }), 10, 4, 0, [0, Infinity]],
  [
    "normal 0.5 ± 1 min, truncated at 0",
    D("minutes", "normal", { mean: 0.5, std: 1 }),
    1.0091604338370335,
    0.4861754356963671,
    0.373,
    [0, Infinity],
  ],
  ["exponential 0.05 h", D("hours", "exponential", { scale: 0.05 }), 3, 9, 6, [0, Infinity]],
  [
    "lognormal 0, 0.5",
    D("minutes", "lognormal", { mean: 0, sigma: 0.5 }),
    1.1331484530668263,
    0.3646958540123865,
    5.898,
    [0, Infinity],
  ],
  [
    "lognormal 0, 0.25 in hours",
    D("hours", "lognormal", { mean: 0, sigma: 0.25 }),
    61.90460444994615,
    247.15437893628035,
    1.096,
    [0, Infinity],
  ],
  ["gamma 2, 1.5", D("minutes", "gamma", { shape: 2, scale: 1.5 }), 3, 4.5, 3, [0, Infinity]],
  ["gamma 0.5, 2 (shape < 1)", D("minutes", "gamma", { shape: 0.5, scale: 2 }), 1, 2, 12, [0, Infinity]],
  [
    "weibull 1.5, 3",
    D("minutes", "weibull", { shape: 1.5, scale: 3 }),
    2.7082358788528005,
    3.3812125633253873,
    1.39,
    [0, Infinity],
  ],
  [
    "weibull 2, default scale 1 h",
    D("hours", "weibull", { shape: 2 }),
    53.173615527165474,
    772.5666117691866,
    0.245,
    [0, Infinity],
  ],
  ["erlang 3, 1 (product of uniforms)", D("minutes", "erlang", { k: 3, scale: 1 }), 3, 3, 2, [0, Infinity]],
  [
    "erlang 20, 0.5 (through gamma)",
    D("minutes", "erlang", { k: 20, scale: 0.5 }),
    10,
    5,
    0.3,
    [0, Infinity],
  ],
  [
    "beta 2, 5 on [1, 4]",
    D("minutes", "beta", { alpha: 2, beta: 5, min: 1, max: 4 }),
    1.8571428571428572,
    0.22959183673469388,
    -0.12,
    [1, 4],
  ],
  [
    "beta 0.5, 0.5 on the default [0, 1] h",
    D("hours", "beta", { alpha: 0.5, beta: 0.5 }),
    30,
    450,
    -1.5,
    [0, 60],
  ],
  [
    "discrete 1/2/5",
    D("minutes", "discrete", { values: [1, 2, 5], probabilities: [0.2, 0.3, 0.5] }),
    3.3,
    3.01,
    -1.827,
    [1, 5],
  ],
  [
    "empirical 1/2 h, weights 1:3",
    D("hours", "empirical", { values: [1, 2], probabilities: [1, 3] }),
    105,
    675,
    -0.667,
    [60, 120],
  ],
];

describe("DurationTable sampling", () => {
  it.each(CASES)("%s: mean, variance and support", (_name, d, mean, variance, exKurt, [lo, hi]) => {
    const m = moments(draws(d));
    expect(Math.abs(m.mean - mean)).toBeLessThan(4 * Math.sqrt(variance / N));
    expect(Math.abs(m.variance - variance)).toBeLessThan(4 * variance * Math.sqrt((exKurt + 2) / N));
    expect(m.min).toBeGreaterThanOrEqual(lo);
    expect(m.max).toBeLessThanOrEqual(hi);
  });

  it.each([
    // Accepting every Marsaglia-Tsang proposal keeps the mean of gamma(2) but gives variance 2.11.
    [2, 3],
    // A squeeze in x^2 instead of x^4 accepts 2% too many proposals at shape 1: mean 0.987, variance 1.031.
    [1, 6],
  ])(
    "gives the gamma sampler's rejection step its due: 200 000 draws of gamma(%f) have the right mean and variance",
    (shape, exKurt) => {
      const n = 200_000;
      const m = moments(draws(D("minutes", "gamma", { shape, scale: 1 }), 3, n));
      expect(Math.abs(m.mean - shape)).toBeLessThan(4 * Math.sqrt(shape / n));
      expect(Math.abs(m.variance - shape)).toBeLessThan(4 * shape * Math.sqrt((exKurt + 2) / n));
    },
  );

  it("draws the discrete values with their probabilities, and only those", () => {
    const xs = draws(D("minutes", "discrete", { values: [1, 2, 5], probabilities: [2, 3, 5] }));
    const count = (v: number) => xs.filter((x) => x === v).length / N;
    // Standard error of a frequency near 0.3: sqrt(0.21 / N) = 0.0032.
    expect(Math.abs(count(1) - 0.2)).toBeLessThan(0.013);
    expect(Math.abs(count(2) - 0.3)).toBeLessThan(0.013);
    expect(Math.abs(count(5) - 0.5)).toBeLessThan(0.013);
    expect(count(1) + count(2) + count(5)).toBe(1);
  });

  it("keeps each discrete table apart when a model has several", () => {
    const table = new DurationTable(
      [
        { duration: D("minutes", "discrete", { values: [1, 2], probabilities: [1, 1] }), stream: 0 },
        { duration: D("minutes", "empirical", { values: [7, 8, 9], probabilities: [0, 0, 1] }), stream: 1 },
        { duration: D("minutes", "discrete", { values: [4], probabilities: [3] }), stream: 2 },
      ],
      "minutes",
    );
    const rng = new RandomStreams(2, 0, ["a", "b", "c"]);
    const seen = (i: number) => new Set(Array.from({ length: 200 }, () => table.sample(i, rng)));
    expect([...seen(0)].sort()).toEqual([1, 2]);
    expect([...seen(1)]).toEqual([9]);
    expect([...seen(2)]).toEqual([4]);
  });

  it("gives constants exactly, converted to the model's unit", () => {
    const table = new DurationTable(
      [
        { duration: { unit: "minutes", value: 2.5 }, stream: 0 },
        { duration: { unit: "hours", distribution: "constant", value: 0.5 }, stream: 0 },
        { duration: D("minutes", "exponential", { scale: 1 }), stream: 0 },
      ],
      "minutes",
    );
    const rng = new RandomStreams(1, 0, ["s"]);
    expect([table.sample(0, rng), table.sample(1, rng)]).toEqual([2.5, 30]);
    expect([table.isConstant(0), table.isConstant(1), table.isConstant(2)]).toEqual([true, true, false]);
  });

  it("samples by inverse transform from the duration's own stream", () => {
    const table = new DurationTable(
      [
        { duration: D("minutes", "uniform", { min: 2, max: 5 }), stream: 1 },
        { duration: D("minutes", "exponential", { scale: 4 }), stream: 0 },
        { duration: D("minutes", "weibull", { shape: 2, scale: 3 }), stream: 1 },
      ],
      "minutes",
    );
    const rng = new RandomStreams(9, 0, ["a", "b"]);
    const ref = new RandomStreams(9, 0, ["a", "b"]);
    for (let i = 0; i < 20; i++) {
      expect(table.sample(0, rng)).toBe(2 + 3 * ref.next(1));
      expect(table.sample(1, rng)).toBe(-4 * Math.log(1 - ref.next(0)));
      expect(table.sample(2, rng)).toBe(3 * Math.pow(-Math.log(1 - ref.next(1)), 1 / 2));
    }
  });

  it("returns 0 for a normal whose mass lies far below 0 instead of looping", () => {
    expect(draws(D("minutes", "normal", { mean: -100, std: 1 }), 1, 5)).toEqual(new Float64Array(5));
  });

  it("stays finite and inside [min, max] for a beta whose gamma draws underflow to 0", () => {
    const m = moments(draws(D("minutes", "beta", { alpha: 0.001, beta: 0.001, min: 2, max: 3 })));
    expect(Number.isFinite(m.mean)).toBe(true);
    expect(m.min).toBeGreaterThanOrEqual(2);
    expect(m.max).toBeLessThanOrEqual(3);
  });

  it("gives a triangular with min = max its single value", () => {
    const xs = draws(D("minutes", "triangular", { min: 2, mode: 2, max: 2 }));
    expect(moments(xs)).toMatchObject({ min: 2, max: 2 });
  });

  it("draws the same values for the same seed and other values for another seed", () => {
    const d = D("minutes", "gamma", { shape: 3, scale: 1 });
    expect(draws(d, 5, 100)).toEqual(draws(d, 5, 100));
    expect(draws(d, 5, 100)).not.toEqual(draws(d, 6, 100));
  });
});
