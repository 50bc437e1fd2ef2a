/**
 * Durations on the wire (ENGINE-SEMANTICS §2.2): a constant `{unit, value}`
 * or `{unit, distribution, ...parameters}`; checked by `validateDuration`.
 */

/** Time units accepted on the wire (case-insensitive on input). */
export type TimeUnit = "seconds" | "minutes" | "hours" | "days";

interface DurationBase {
  unit: TimeUnit;
}

/** `{unit, value}` or `{unit, distribution: "constant", value}`. */
export interface ConstantDuration extends DurationBase {
  distribution?: "constant";
  value: number;
}
export interface UniformDuration extends DurationBase {
  distribution: "uniform";
  min: number;
  max: number;
}
export interface TriangularDuration extends DurationBase {
  distribution: "triangular";
  min: number;
  mode: number;
  max: number;
}
/** Normal(mean, std) truncated at 0 (negative draws are re-drawn). */
export interface NormalDuration extends DurationBase {
  distribution: "normal";
  mean: number;
  std: number;
}
/** Exponential with `scale` = mean. */
export interface ExponentialDuration extends DurationBase {
  distribution: "exponential";
  scale: number;
}
/**
 * Lognormal as numpy's `lognormal(mean, sigma)`: `mean` and `sigma` are the
 * mean and standard deviation of the underlying normal (log of the time in
 * `unit`), as in Quodsi's own distribution definitions.
 */
export interface LognormalDuration extends DurationBase {
  distribution: "lognormal";
  mean: number;
  sigma: number;
}
/** Gamma(shape k, scale θ): mean kθ. */
export interface GammaDuration extends DurationBase {
  distribution: "gamma";
  shape: number;
  scale: number;
}
/** Weibull(shape, scale); scale defaults to 1 (numpy's `weibull(a)`). */
export interface WeibullDuration extends DurationBase {
  distribution: "weibull";
  shape: number;
  scale?: number;
}
/** Erlang: sum of `k` exponentials, each with mean `scale` (total mean k·scale). */
export interface ErlangDuration extends DurationBase {
  distribution: "erlang";
  k: number;
  scale: number;
}
/** Beta(alpha, beta) scaled to [min, max] (defaults 0 and 1). */
export interface BetaDuration extends DurationBase {
  distribution: "beta";
  alpha: number;
  beta: number;
  min?: number;
  max?: number;
}
/** Discrete/empirical: `values[i]` with relative weight `probabilities[i]`. */
export interface DiscreteDuration extends DurationBase {
  distribution: "discrete" | "empirical";
  values: number[];
  probabilities: number[];
}

export type Duration =
  | ConstantDuration
  | UniformDuration
  | TriangularDuration
  | NormalDuration
  | ExponentialDuration
  | LognormalDuration
  | GammaDuration
  | WeibullDuration
  | ErlangDuration
  | BetaDuration
  | DiscreteDuration;

export type DistributionName = NonNullable<Duration["distribution"]>;
