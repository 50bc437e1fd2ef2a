import { describe, expect, it } from "vitest";
import { pyFloorDiv, pyMod, pyRound, pyRoundDigits } from "./expr-python.js";

/*
 * Expected values are CPython 3's (float operands): `a % b`, `a // b`, `round(x)`, `round(x, n)`.
 * Signed zeros matter (Python prints -0.0), so every value is compared with Object.is.
 */
/** Each result against its expected value, listing the cases that differ (with what they gave). */
const same = (expected: number[], actual: number[]) =>
  expect(
    actual.flatMap((v, i) => (Object.is(v, expected[i]) ? [] : [{ case: i, expected: expected[i], got: v }])),
  ).toEqual([]);

describe("Python float arithmetic", () => {
  it("% takes the sign of the divisor, zero included", () => {
    const cases: Array<[number, number, number]> = [
      [7, 3, 1],
      [-7, 3, 2],
      [7, -3, -2],
      [-7, -3, -1],
      [5.5, 2, 1.5],
      [-5.5, 2, 0.5],
      [6, 3, 0],
      [6, -3, -0],
      [-6, 3, 0],
      [0, -5, -0],
      [-0, 5, 0],
      [1e-300, -1, -1],
    ];
    same(
      cases.map((c) => c[2]),
      cases.map(([a, b]) => pyMod(a, b)),
    );
  });

  it("// floors the exact quotient, zero keeps the sign of a / b", () => {
    const cases: Array<[number, number, number]> = [
      [7, 2, 3],
      [-7, 2, -4],
      [7, -2, -4],
      [-7, -2, 3],
      [1, 5, 0],
      [1, -5, -1],
      [-1, 5, -1],
      [-0.5, 5, -1],
      [0, 5, 0],
      [0, -5, -0],
      [-0, 5, -0],
      [1, 0.1, 9],
      [6, 3, 2],
      [-6, 3, -2],
    ];
    same(
      cases.map((c) => c[2]),
      cases.map(([a, b]) => pyFloorDiv(a, b)),
    );
  });

  it("round(x): nearest integer, ties to even; NaN and infinities pass through", () => {
    const cases: Array<[number, number]> = [
      [0.5, 0],
      [1.5, 2],
      [2.5, 2],
      [3.5, 4],
      [-0.5, 0],
      [-1.5, -2],
      [-2.5, -2],
      [0.4999, 0],
      [0.5001, 1],
      [-0.5001, -1],
      [7, 7],
      [Infinity, Infinity],
      [-Infinity, -Infinity],
    ];
    same(
      cases.map((c) => c[1]),
      cases.map(([x]) => pyRound(x)),
    );
    expect(pyRound(NaN)).toBeNaN();
  });

  it("round(x, n): the exact binary value rounded, exact ties to even", () => {
    const cases: Array<[number, number, number]> = [
      [2.675, 2, 2.67], // 2.67499999…
      [1.35, 1, 1.4], // 1.3500000000000000888…
      [1.25, 1, 1.2], // exact tie
      [1.75, 1, 1.8], // exact tie, odd digit
      [-1.25, 1, -1.2],
      [0.5, 0, 0],
      [1.5, 0, 2],
      [2.5, 0, 2],
      [-2.5, 0, -2],
      [0.125, 2, 0.12],
      [0.375, 2, 0.38],
      [0.1, 3, 0.1],
      [15, -1, 20],
      [25, -1, 20],
      [-25, -1, -20],
      [-4, -1, -0],
      [4, -1, 0],
      [123.456, -2, 100],
      [5e300, -400, 0],
      [-5e300, -400, -0],
      [0, 3, 0],
      [-0, 3, -0],
      [2 ** 53 + 2, 2, 2 ** 53 + 2],
      [0.1, 101, 0.1],
      [1 / 3, 45, 0.333333333333333314829616256247390992939472198486328125],
    ];
    same(
      cases.map((c) => c[2]),
      cases.map(([x, n]) => pyRoundDigits(x, n)),
    );
    expect(pyRoundDigits(NaN, 2)).toBeNaN();
    expect(pyRoundDigits(-Infinity, 2)).toBe(-Infinity);
  });
});
