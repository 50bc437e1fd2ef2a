import { describe, expect, it } from "vitest";
import { welchTest } from "./welch.js";

describe("welchTest", () => {
  it("matches SciPy's ttest_ind(equal_var=False): t = -2.9604, df = 18.11, p = 0.0083346", () => {
    const a = [17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8, 18.4, 19.4, 19.5, 18.6, 18.0];
    const b = [21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6];
    const r = welchTest(a, b);
    expect(r.difference).toBeCloseTo(-2.1266667, 6);
    expect(r.pValue!).toBeCloseTo(0.0083346, 5);
    expect(r.significant).toBe(true);
  });

  it("finds no difference between identical samples", () => {
    expect(welchTest([1, 2, 3], [1, 2, 3])).toEqual({ difference: 0, pValue: 1, significant: false });
  });

  it("calls overlapping noisy samples not significant", () => {
    expect(welchTest([10, 12, 9, 11, 13], [11, 10, 12, 13, 9]).significant).toBe(false);
  });

  it("treats spread-free samples as different exactly when the means differ", () => {
    expect(welchTest([2, 2], [3, 3])).toMatchObject({ difference: -1, significant: true, pValue: 0 });
  });

  it("cannot test one replication", () => {
    expect(welchTest([5], [1, 2])).toEqual({ difference: 3.5, pValue: null, significant: false });
  });
});
