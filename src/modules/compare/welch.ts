import { studentTCdf, studentTQuantile } from "../../simulation/index.js";

export interface WelchResult {
  /** a.mean − b.mean */
  difference: number;
  /** Two-sided p-value; null when it cannot be computed (fewer than two values on a side). */
  pValue: number | null;
  /** True when the means differ at the 95% level. */
  significant: boolean;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: number[], m: number) => xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);

/**
 * Welch's unequal-variance t-test of two samples (replication values).
 * Two samples without any spread differ significantly exactly when their means differ.
 */
export function welchTest(a: number[], b: number[]): WelchResult {
  const ma = mean(a);
  const mb = mean(b);
  const difference = ma - mb;
  if (a.length < 2 || b.length < 2) return { difference, pValue: null, significant: false };
  const va = variance(a, ma) / a.length;
  const vb = variance(b, mb) / b.length;
  const se2 = va + vb;
  if (se2 === 0) return { difference, pValue: difference === 0 ? 1 : 0, significant: difference !== 0 };
  const t = difference / Math.sqrt(se2);
  const df = se2 ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const pValue = 2 * (1 - studentTCdf(Math.abs(t), df));
  return { difference, pValue, significant: Math.abs(t) > studentTQuantile(0.975, df) };
}
