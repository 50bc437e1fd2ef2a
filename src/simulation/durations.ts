import type { DistributionName, Duration, ValidationIssue } from "./types.js";
import { TIME_UNITS, parseTimeUnit } from "./units.js";

/**
 * Parameter table of every supported distribution: the one source of truth
 * for validation, compilation and MULTIPLY overrides (`time` lists the
 * parameters measured in time units, which scale with the clock; shape
 * parameters do not).
 */
export const DISTRIBUTIONS: Record<
  DistributionName,
  { required: readonly string[]; optional: readonly string[]; time: readonly string[] }
> = {
  constant: { required: ["value"], optional: [], time: ["value"] },
  uniform: { required: ["min", "max"], optional: [], time: ["min", "max"] },
  triangular: { required: ["min", "mode", "max"], optional: [], time: ["min", "mode", "max"] },
  normal: { required: ["mean", "std"], optional: [], time: ["mean", "std"] },
  exponential: { required: ["scale"], optional: [], time: ["scale"] },
  // mean/sigma live on the log scale: scaling time by c adds ln(c) to mean (see scaleDuration).
  lognormal: { required: ["mean", "sigma"], optional: [], time: [] },
  gamma: { required: ["shape", "scale"], optional: [], time: ["scale"] },
  weibull: { required: ["shape"], optional: ["scale"], time: ["scale"] },
  erlang: { required: ["k", "scale"], optional: [], time: ["scale"] },
  beta: { required: ["alpha", "beta"], optional: ["min", "max"], time: ["min", "max"] },
  discrete: { required: ["values", "probabilities"], optional: [], time: ["values"] },
  empirical: { required: ["values", "probabilities"], optional: [], time: ["values"] },
};

export const DISTRIBUTION_NAMES = Object.keys(DISTRIBUTIONS) as DistributionName[];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const at = (path: string, key: string) => (path ? `${path}.${key}` : key);
const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * Validate one wire Duration: `{unit, value}` (constant) or
 * `{unit, distribution, ...params}`. Every problem is reported, each with a
 * path below `path` (e.g. `path.scale`).
 */
export function validateDuration(input: unknown, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (p: string, message: string) => issues.push({ path: p, message });
  if (!isObject(input)) {
    add(path, "must be a Duration object: {unit, value} or {unit, distribution, ...parameters}");
    return issues;
  }
  if (input.unit === undefined) add(at(path, "unit"), `is required (one of ${TIME_UNITS.join(", ")})`);
  else if (parseTimeUnit(input.unit) === undefined)
    add(at(path, "unit"), `must be one of ${TIME_UNITS.join(", ")} (got ${JSON.stringify(input.unit)})`);

  let dist: DistributionName;
  if (input.distribution === undefined || input.distribution === null) dist = "constant";
  else if (
    typeof input.distribution === "string" &&
    (DISTRIBUTION_NAMES as string[]).includes(input.distribution.toLowerCase())
  )
    dist = input.distribution.toLowerCase() as DistributionName;
  else {
    add(
      at(path, "distribution"),
      `must be one of ${DISTRIBUTION_NAMES.join(", ")} (got ${JSON.stringify(input.distribution)})`,
    );
    return issues;
  }
  const spec = DISTRIBUTIONS[dist];
  const allowed = new Set(["unit", "distribution", ...spec.required, ...spec.optional]);
  for (const key of Object.keys(input)) {
    if (!allowed.has(key))
      add(
        at(path, key),
        `is not a parameter of the ${dist} distribution (expected ${[...spec.required, ...spec.optional].join(", ")})`,
      );
  }
  for (const key of spec.required)
    if (input[key] === undefined) add(at(path, key), `is required for the ${dist} distribution`);

  const num = (key: string, check: (v: number) => boolean, rule: string): number | undefined => {
    const v = input[key];
    if (v === undefined) return undefined;
    if (!finite(v)) {
      add(at(path, key), `must be a finite number${rule ? ` ${rule}` : ""}`);
      return undefined;
    }
    if (!check(v)) {
      add(at(path, key), `must be ${rule} (got ${v})`);
      return undefined;
    }
    return v;
  };
  const any = () => true;
  const nonNeg = (v: number) => v >= 0;
  const pos = (v: number) => v > 0;
  switch (dist) {
    case "constant":
      num("value", nonNeg, ">= 0");
      break;
    case "uniform": {
      const a = num("min", nonNeg, ">= 0");
      const b = num("max", nonNeg, ">= 0");
      if (a !== undefined && b !== undefined && a > b) add(at(path, "max"), `must be >= min (${a})`);
      break;
    }
    case "triangular": {
      const a = num("min", nonNeg, ">= 0");
      const m = num("mode", nonNeg, ">= 0");
      const b = num("max", nonNeg, ">= 0");
      if (a !== undefined && m !== undefined && m < a) add(at(path, "mode"), `must be >= min (${a})`);
      if (m !== undefined && b !== undefined && b < m) add(at(path, "max"), `must be >= mode (${m})`);
      else if (a !== undefined && b !== undefined && b < a) add(at(path, "max"), `must be >= min (${a})`);
      break;
    }
    case "normal":
      num("mean", any, "");
      num("std", nonNeg, ">= 0");
      break;
    case "exponential":
      num("scale", pos, "> 0");
      break;
    case "lognormal":
      num("mean", any, "");
      num("sigma", nonNeg, ">= 0");
      break;
    case "gamma":
      num("shape", pos, "> 0");
      num("scale", pos, "> 0");
      break;
    case "weibull":
      num("shape", pos, "> 0");
      num("scale", pos, "> 0");
      break;
    case "erlang":
      num("k", (v) => Number.isInteger(v) && v >= 1, "an integer >= 1");
      num("scale", pos, "> 0");
      break;
    case "beta": {
      num("alpha", pos, "> 0");
      num("beta", pos, "> 0");
      const a = num("min", nonNeg, ">= 0");
      const b = num("max", nonNeg, ">= 0");
      if ((b ?? 1) < (a ?? 0)) add(at(path, "max"), `must be >= min (${a ?? 0}); max defaults to 1`);
      break;
    }
    case "discrete":
    case "empirical": {
      const vals = input.values;
      const probs = input.probabilities;
      if (vals !== undefined) {
        if (!Array.isArray(vals) || vals.length === 0)
          add(at(path, "values"), "must be a non-empty array of numbers");
        else
          vals.forEach((v, i) => {
            if (!finite(v) || v < 0) add(`${at(path, "values")}[${i}]`, "must be a finite number >= 0");
          });
      }
      if (probs !== undefined) {
        if (!Array.isArray(probs) || probs.length === 0)
          add(at(path, "probabilities"), "must be a non-empty array of numbers");
        else {
          probs.forEach((v, i) => {
            if (!finite(v) || v < 0)
              add(`${at(path, "probabilities")}[${i}]`, "must be a finite number >= 0");
          });
          if (
            probs.every((v) => finite(v) && v >= 0) &&
            probs.reduce((s: number, v: number) => s + v, 0) <= 0
          )
            add(at(path, "probabilities"), "must have a positive sum (relative weights)");
          if (Array.isArray(vals) && vals.length !== probs.length)
            add(
              at(path, "probabilities"),
              `must have one entry per value (${vals.length}), got ${probs.length}`,
            );
        }
      }
      break;
    }
  }
  return issues;
}

/** Distribution name of a validated Duration ("constant" when absent). */
export function distributionOf(d: Duration): DistributionName {
  return (d.distribution?.toLowerCase() ?? "constant") as DistributionName;
}

/** True for a Duration without randomness. */
export function isConstantDuration(d: Duration): boolean {
  return distributionOf(d) === "constant";
}

/**
 * Multiply every time-valued parameter of a Duration by `factor` (> 0),
 * leaving shape parameters alone; lognormal's log-scale mean moves by ln(factor).
 */
export function scaleDuration(d: Duration, factor: number): Duration {
  const dist = distributionOf(d);
  const out: Record<string, unknown> = { ...d };
  for (const key of DISTRIBUTIONS[dist].time) {
    const v = out[key];
    if (typeof v === "number") out[key] = v * factor;
    else if (Array.isArray(v)) out[key] = v.map((x: number) => x * factor);
  }
  if (dist === "weibull" && out.scale === undefined) out.scale = factor;
  if (dist === "lognormal") out.mean = (out.mean as number) + Math.log(factor);
  return out as unknown as Duration;
}
