import { describe, expect, it } from "vitest";
import { incompleteBeta, studentTCdf, studentTQuantile, summarizeMetric } from "./stats.js";

// Reference values: scipy 1.17 (stats.t.ppf, stats.t.cdf, special.betainc, numpy std with ddof=1).

describe("summarizeMetric", () => {
  it("gives the mean, the sample standard deviation and the Student-t 95% half width", () => {
    const s = summarizeMetric([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).toBe(5);
    expect(s.stdDev).toBeCloseTo(2.138089935299395, 12); // sqrt(32 / 7): divides by n - 1
    expect(s.ciHalfWidth).toBeCloseTo(1.7874879182362098, 10); // t(0.975, 7) = 2.3646 × sd / sqrt(8)
    expect(s.min).toBe(2);
    expect(s.max).toBe(9);
    expect(s.values).toEqual([2, 4, 4, 4, 5, 5, 7, 9]);
  });

  it("finds min and max wherever they are, negatives included", () => {
    const s = summarizeMetric([10.5, -3, 7.25]);
    expect(s.mean).toBeCloseTo(4.916666666666667, 12);
    expect(s.stdDev).toBeCloseTo(7.045979941309323, 12);
    expect(s.ciHalfWidth).toBeCloseTo(17.503184488442866, 9); // t(0.975, 2) = 4.3027
    expect(s.min).toBe(-3);
    expect(s.max).toBe(10.5);
  });

  it("keeps its precision for large values with a small spread", () => {
    const s = summarizeMetric([1e9 + 1, 1e9 + 2, 1e9 + 3]);
    expect(s.mean).toBe(1e9 + 2);
    expect(s.stdDev).toBe(1);
  });

  it("never takes the root of a negative sum of squares when the mean is rounded", () => {
    // 0.1 + 0.1 + 0.1 = 0.30000000000000004, so the mean is 0.10000000000000002: v - mean < 0 for every v.
    const s = summarizeMetric([0.1, 0.1, 0.1]);
    expect(s.stdDev).toBeGreaterThanOrEqual(0);
    expect(s.stdDev).toBeLessThan(1e-15);
    expect(s.ciHalfWidth).toBeLessThan(1e-15);
  });

  it("has no spread for one replication, and zeros for none", () => {
    expect(summarizeMetric([3.5])).toEqual({
      mean: 3.5,
      stdDev: 0,
      ciHalfWidth: 0,
      min: 3.5,
      max: 3.5,
      values: [3.5],
    });
    expect(summarizeMetric([])).toEqual({ mean: 0, stdDev: 0, ciHalfWidth: 0, min: 0, max: 0, values: [] });
  });

  it("gives zero spread for identical values", () => {
    const s = summarizeMetric([4, 4, 4]);
    expect(s).toMatchObject({ mean: 4, stdDev: 0, ciHalfWidth: 0, min: 4, max: 4 });
  });

  it("copies the values, so a later change to the input does not alter the summary", () => {
    const input = [1, 2];
    const single = [7];
    const s = summarizeMetric(input);
    const one = summarizeMetric(single);
    input.push(3);
    single.push(8);
    expect(s.values).toEqual([1, 2]);
    expect(one.values).toEqual([7]);
  });
});

describe("studentTQuantile", () => {
  it.each([
    [1, 12.706204736174694],
    [2, 4.302652729749462],
    [3, 3.1824463052837078],
    [5, 2.5705818356363146],
    [7, 2.364624251592784],
    [10, 2.228138851986274],
    [30, 2.0422724563012378],
    [100, 1.9839715185235518],
  ])("t(0.975, %i) = %f", (df, expected) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(expected, 10);
  });

  it("handles other levels, lower tails and fractional degrees of freedom", () => {
    expect(studentTQuantile(0.995, 3)).toBeCloseTo(5.840909309733355, 9);
    expect(studentTQuantile(0.025, 5)).toBeCloseTo(-2.5705818356363155, 10);
    expect(studentTQuantile(0.9, 0.5)).toBeCloseTo(10.27032441023451, 9);
    expect(studentTQuantile(0.5, 4)).toBeCloseTo(0, 12);
  });

  it("answers the same question the same way (cached) and a different question differently", () => {
    const first = studentTQuantile(0.975, 4);
    expect(studentTQuantile(0.975, 4)).toBe(first);
    expect(studentTQuantile(0.95, 4)).toBeCloseTo(2.1318467863266495, 10);
    expect(studentTQuantile(0.975, 6)).toBeCloseTo(2.4469118511449786, 10);
  });

  it.each([
    [0, 5],
    [1, 5],
    [-0.1, 5],
    [1.5, 5],
    [Number.NaN, 5],
    [0.975, 0],
    [0.975, -1],
    [0.975, Number.NaN],
  ])("refuses p = %f, df = %f", (p, df) => {
    expect(() => studentTQuantile(p, df)).toThrow(
      new RangeError("studentTQuantile: need 0 < p < 1 and df > 0"),
    );
  });
});

describe("studentTCdf", () => {
  it.each([
    [0, 3, 0.5],
    [1, 1, 0.75], // Cauchy: 1/2 + atan(1)/pi
    [2, 2, 0.908248290463863], // 1/2 + t / (2 sqrt(2 + t^2))
    [-1.5, 4, 0.104],
    [2.5, 0.5, 0.7995147354733534],
    [40, 3, 0.9999828096596054],
  ])("P(T <= %f | df %f) = %f", (t, df, expected) => {
    expect(studentTCdf(t, df)).toBeCloseTo(expected, 12);
  });
});

describe("incompleteBeta", () => {
  it.each([
    [0.2, 2, 3, 0.18080000000000004], // continued fraction on x
    [0.8, 2, 3, 0.9728], // continued fraction on 1 - x (x past the mean)
    [0.3, 0.25, 1, 0.7400828044922853], // x^a; log-gamma's reflection for a < 1/2
    [0.9, 5, 0.5, 0.3166429150200122],
    [0.99, 30, 0.5, 0.43933436890525074],
    [0.5, 4, 4, 0.5],
  ])("I_%f(%f, %f) = %f", (x, a, b, expected) => {
    expect(incompleteBeta(x, a, b)).toBeCloseTo(expected, 12);
  });

  it("is 0 at and below 0 and 1 at and above 1", () => {
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(-0.5, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
    expect(incompleteBeta(1.5, 2, 3)).toBe(1);
  });
});
