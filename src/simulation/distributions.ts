import { distributionOf } from "./durations.js";
import type { RandomStreams } from "./rng.js";
import type { Duration, TimeUnit } from "./types.js";
import { convertTime, parseTimeUnit, unitFactor } from "./units.js";

export const enum DistKind {
  Constant = 0,
  Uniform = 1,
  Triangular = 2,
  Normal = 3,
  Exponential = 4,
  Lognormal = 5,
  Gamma = 6,
  Weibull = 7,
  Erlang = 8,
  Beta = 9,
  Discrete = 10,
}

/**
 * A table of compiled durations (already converted to the model's time unit)
 * sampled by index. Each duration draws from its own random stream.
 */
export class DurationTable {
  // `declare`: assigned once in the constructor, never first undefined, so V8 keeps the fields' exact types.
  declare readonly kind: Int32Array;
  declare readonly stream: Int32Array;
  /** Four parameters per duration. */
  declare readonly p: Float64Array;
  declare readonly tableValues: Float64Array;
  declare readonly tableCum: Float64Array;

  constructor(entries: ReadonlyArray<{ duration: Duration; stream: number }>, timeUnit: TimeUnit) {
    const n = entries.length;
    this.kind = new Int32Array(Math.max(1, n));
    this.stream = new Int32Array(Math.max(1, n));
    this.p = new Float64Array(Math.max(1, n) * 4);
    const vals: number[] = [];
    const cums: number[] = [];
    entries.forEach(({ duration: d, stream }, i) => {
      const from = parseTimeUnit(d.unit)!;
      const f = unitFactor(from, timeUnit);
      const c = (v: number) => convertTime(v, from, timeUnit);
      const p = this.p;
      const o = i * 4;
      this.stream[i] = stream;
      switch (distributionOf(d)) {
        case "constant":
          this.kind[i] = DistKind.Constant;
          p[o] = c((d as { value: number }).value);
          break;
        case "uniform": {
          const u = d as { min: number; max: number };
          this.kind[i] = DistKind.Uniform;
          p[o] = c(u.min);
          p[o + 1] = c(u.max) - c(u.min);
          break;
        }
        case "triangular": {
          const t = d as { min: number; mode: number; max: number };
          this.kind[i] = DistKind.Triangular;
          p[o] = c(t.min);
          p[o + 1] = c(t.mode);
          p[o + 2] = c(t.max);
          // Stryker disable next-line ConditionalExpression,EqualityOperator: with min = max both sampling branches return max, so the guard only keeps NaN out of the table
          p[o + 3] = t.max > t.min ? (t.mode - t.min) / (t.max - t.min) : 0;
          break;
        }
        case "normal": {
          const nd = d as { mean: number; std: number };
          this.kind[i] = DistKind.Normal;
          p[o] = c(nd.mean);
          p[o + 1] = c(nd.std);
          break;
        }
        case "exponential":
          this.kind[i] = DistKind.Exponential;
          p[o] = c((d as { scale: number }).scale);
          break;
        case "lognormal": {
          const l = d as { mean: number; sigma: number };
          this.kind[i] = DistKind.Lognormal;
          p[o] = l.mean + Math.log(f);
          p[o + 1] = l.sigma;
          break;
        }
        case "gamma": {
          const g = d as { shape: number; scale: number };
          this.kind[i] = DistKind.Gamma;
          p[o] = g.shape;
          p[o + 1] = c(g.scale);
          break;
        }
        case "weibull": {
          const w = d as { shape: number; scale?: number };
          this.kind[i] = DistKind.Weibull;
          p[o] = w.shape;
          p[o + 1] = c(w.scale ?? 1);
          break;
        }
        case "erlang": {
          const e = d as { k: number; scale: number };
          this.kind[i] = DistKind.Erlang;
          p[o] = e.k;
          p[o + 1] = c(e.scale);
          break;
        }
        case "beta": {
          const b = d as { alpha: number; beta: number; min?: number; max?: number };
          this.kind[i] = DistKind.Beta;
          p[o] = b.alpha;
          p[o + 1] = b.beta;
          p[o + 2] = c(b.min ?? 0);
          p[o + 3] = c(b.max ?? 1) - c(b.min ?? 0);
          break;
        }
        case "discrete":
        case "empirical": {
          const t = d as { values: number[]; probabilities: number[] };
          this.kind[i] = DistKind.Discrete;
          const total = t.probabilities.reduce((s, v) => s + v, 0);
          p[o] = vals.length;
          p[o + 1] = t.values.length;
          let acc = 0;
          t.values.forEach((v, j) => {
            acc += t.probabilities[j] / total;
            vals.push(c(v));
            // Stryker disable next-line ConditionalExpression,ArithmeticOperator: the search never looks past the last value, so forcing its cumulative weight to exactly 1 only guards against rounding
            cums.push(j === t.values.length - 1 ? 1 : acc);
          });
          break;
        }
      }
    });
    this.tableValues = Float64Array.from(vals);
    this.tableCum = Float64Array.from(cums);
  }

  /** True when duration `i` has no randomness. */
  isConstant(i: number): boolean {
    return this.kind[i] === DistKind.Constant;
  }

  /** Draw one value of duration `i` (>= 0). Small on purpose so it inlines: the common cases first. */
  sample(i: number, rng: RandomStreams): number {
    const k = this.kind[i];
    if (k === DistKind.Exponential) return -this.p[i << 2] * Math.log(1 - rng.next(this.stream[i]));
    if (k === DistKind.Constant) return this.p[i << 2];
    return this.sampleOther(i, k, rng);
  }

  private sampleOther(i: number, kind: number, rng: RandomStreams): number {
    const o = i << 2;
    const p = this.p;
    const s = this.stream[i];
    switch (kind) {
      case DistKind.Uniform:
        return p[o] + p[o + 1] * rng.next(s);
      case DistKind.Triangular: {
        const u = rng.next(s);
        const a = p[o],
          c = p[o + 1],
          b = p[o + 2];
        // Stryker disable next-line EqualityOperator: u exactly at the mode's quantile has probability 0 (and both formulas give the mode there)
        return u < p[o + 3]
          ? a + Math.sqrt(u * (b - a) * (c - a))
          : b - Math.sqrt((1 - u) * (b - a) * (b - c));
      }
      case DistKind.Normal: {
        // Truncated at 0: negative draws are re-drawn (bounded tries, then 0).
        // Stryker disable next-line EqualityOperator: 1000 or 1001 tries; the bound matters only when nearly every draw is negative
        for (let k = 0; k < 1000; k++) {
          // Stryker disable next-line ArithmeticOperator: mean - std Z has the distribution of mean + std Z
          const x = p[o] + p[o + 1] * stdNormal(rng, s);
          // Stryker disable next-line EqualityOperator: a draw of exactly 0 has probability 0
          if (x >= 0) return x;
        }
        return 0;
      }
      case DistKind.Lognormal:
        // Stryker disable next-line ArithmeticOperator: mean - sigma Z has the distribution of mean + sigma Z
        return Math.exp(p[o] + p[o + 1] * stdNormal(rng, s));
      case DistKind.Gamma:
        return p[o + 1] * gamma(p[o], rng, s);
      case DistKind.Weibull:
        return p[o + 1] * Math.pow(-Math.log(1 - rng.next(s)), 1 / p[o]);
      case DistKind.Erlang: {
        const k = p[o];
        // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: both paths sample the same Erlang distribution; 16 only picks the faster one
        if (k <= 16) {
          let prod = 1;
          for (let j = 0; j < k; j++) prod *= 1 - rng.next(s);
          return -p[o + 1] * Math.log(prod);
        }
        return p[o + 1] * gamma(k, rng, s);
      }
      case DistKind.Beta: {
        const x = gamma(p[o], rng, s);
        const y = gamma(p[o + 1], rng, s);
        return p[o + 2] + p[o + 3] * (x + y > 0 ? x / (x + y) : 0.5);
      }
      case DistKind.Discrete: {
        const u = rng.next(s);
        const start = p[o],
          len = p[o + 1];
        let lo = start,
          hi = start + len - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          // Stryker disable next-line EqualityOperator: u equal to a cumulative weight has probability 0
          if (u < this.tableCum[mid]) hi = mid;
          else lo = mid + 1;
        }
        return this.tableValues[lo];
      }
      // Stryker disable next-line ConditionalExpression: unreachable, every kind has its case
      default:
        return 0;
    }
  }
}

/** Standard normal by Box-Muller (one value per pair of uniforms: no cached state). */
function stdNormal(rng: RandomStreams, s: number): number {
  const u1 = 1 - rng.next(s);
  const u2 = rng.next(s);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Gamma(shape, 1) by Marsaglia-Tsang, with the U^(1/a) boost for shape < 1. */
function gamma(shape: number, rng: RandomStreams, s: number): number {
  // Stryker disable next-line EqualityOperator: the boost is exact for any shape, so shape 1 may take either path
  if (shape < 1) {
    const g = gamma(shape + 1, rng, s);
    return g * Math.pow(1 - rng.next(s), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    // Stryker disable ConditionalExpression,EqualityOperator: a v <= 0 would be rejected below anyway (its x fails the squeeze, log(v) is NaN)
    do {
      x = stdNormal(rng, s);
      // Stryker disable next-line ArithmeticOperator: x and -x have the same distribution
      v = 1 + c * x;
    } while (v <= 0);
    // Stryker restore ConditionalExpression,EqualityOperator
    v = v * v * v;
    const u = 1 - rng.next(s);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the squeeze only saves the exact test below, which accepts every draw it accepts
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    // Stryker disable next-line EqualityOperator: u on the boundary exactly has probability 0
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** ln(k!) for k < LOG_FACTORIAL.length, exactly summed; Stirling's series beyond. */
const LOG_FACTORIAL = (() => {
  const t = new Float64Array(64);
  for (let k = 2; k < t.length; k++) t[k] = t[k - 1] + Math.log(k);
  return t;
})();

function logFactorial(k: number): number {
  if (k < LOG_FACTORIAL.length) return LOG_FACTORIAL[k];
  const x = k + 1;
  // ln Γ(x) by Stirling's series; at x > 64 the first three correction terms give ~1e-15 relative error.
  const ix2 = 1 / (x * x);
  return (
    (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + (1 / 12 - ix2 * (1 / 360 - ix2 / 1260)) / x
  );
}

/**
 * A Poisson count with mean `mean` (>= 0) from stream `s`: inversion by
 * sequential search below mean 30 (expected cost ~mean steps, i.e. O(1) per
 * counted arrival), Hörmann's transformed rejection with squeeze (PTRS,
 * "The transformed rejection method for generating Poisson random
 * variables", 1993) from 30 up (O(1)). Both are exact.
 */
export function samplePoisson(mean: number, rng: RandomStreams, s: number): number {
  if (mean <= 0) return 0;
  if (mean < 30) {
    let p = Math.exp(-mean);
    let sum = p;
    const u = rng.next(s);
    let k = 0;
    // The k < 1000 bound only stops a rounding tail (sum never reaching u) from looping forever.
    while (u > sum && k < 1000) {
      k++;
      p *= mean / k;
      sum += p;
    }
    return k;
  }
  const smu = Math.sqrt(mean);
  const b = 0.931 + 2.53 * smu;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  const logMean = Math.log(mean);
  for (;;) {
    const u = rng.next(s) - 0.5;
    const v = rng.next(s);
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
      -mean + k * logMean - logFactorial(k)
    )
      return k;
  }
}
