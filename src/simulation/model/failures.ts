/**
 * Activity `failureProperties` (§2.7, §5.8) on the wire: how they are read
 * (defaults, case), and the checks `validateModel` runs on them. The runtime
 * semantics are in runtime/failures.ts.
 */
import { distributionOf, validateDuration } from "../durations.js";
import type { Action, Duration, FailureProperties, QuodsiModel, RequirementClause } from "../types.js";
import { type Issues, isAbsent, isNoRef, isObject } from "./issues.js";
import { nestedActionLists } from "./normalize.js";

export const FAILURE_CLOCK_MODES = ["wall_clock", "active_time"] as const;
export type FailureClockMode = (typeof FAILURE_CLOCK_MODES)[number];

/**
 * True when the activity fails at all: `failureProperties` present with
 * `enabled: true`. An absent `enabled` is false, Quodsi's default, so a
 * disabled block keeps its durations without effect.
 */
export function failuresEnabled(fp: FailureProperties | null | undefined): fp is FailureProperties & {
  mtbfDuration: Duration;
  mttrDuration: Duration;
} {
  return isObject(fp) && fp.enabled === true;
}

/** The clock mode of a validated block: `wall_clock` when absent, any case on the wire. */
export function failureClockMode(fp: FailureProperties): FailureClockMode {
  return isAbsent(fp.failureClockMode)
    ? "wall_clock"
    : (fp.failureClockMode.toLowerCase() as FailureClockMode);
}

/** The repair requirement of a validated block, or null for none (absent, null or ""). */
export function repairRequirementId(fp: FailureProperties): string | null {
  return isNoRef(fp.repairResourceRequirementId) ? null : fp.repairResourceRequirementId!;
}

/**
 * Whether a validated Duration can ever sample a time above 0. An up time
 * that is always 0 would fail the activity again at the instant it is
 * repaired, for ever; one that is only sometimes 0 is allowed.
 */
export function canBePositive(d: Duration): boolean {
  const p = d as unknown as Record<string, number | number[] | undefined>;
  switch (distributionOf(d)) {
    case "constant":
      return (p.value as number) > 0;
    case "uniform":
    case "triangular":
      return (p.max as number) > 0;
    case "normal":
      // Truncated at 0: positive draws exist unless the mean is <= 0 with no spread.
      return (p.mean as number) > 0 || (p.std as number) > 0;
    case "beta":
      return ((p.max as number | undefined) ?? 1) > 0;
    case "discrete":
    case "empirical": {
      const values = p.values as number[];
      const probs = p.probabilities as number[];
      return values.some((v, i) => v > 0 && probs[i] > 0);
    }
    default:
      // exponential, lognormal, gamma, weibull, erlang: positive with probability 1.
      return true;
  }
}

/**
 * Checks an activity's `failureProperties` at `p` (e.g.
 * `activities[2].failureProperties`). Field types are checked whether or
 * not failures are enabled; durations are required only when enabled.
 * `mtbfDuration` must be able to give a time above 0 (a constant 0 would
 * fail the activity for ever); `mttrDuration` may be 0 (an interruption
 * without downtime). `repairResourceRequirementId` must name a resource
 * requirement of the model.
 */
export function checkFailureProperties(
  is: Issues,
  fp: unknown,
  p: string,
  requirementIds: ReadonlySet<string>,
): void {
  if (isAbsent(fp)) return;
  if (!isObject(fp)) {
    is.add(
      p,
      "must be an object {enabled, mtbfDuration, mttrDuration, failureClockMode, repairResourceRequirementId}",
    );
    return;
  }
  if (!isAbsent(fp.enabled) && typeof fp.enabled !== "boolean") is.add(`${p}.enabled`, "must be a boolean");
  const enabled = fp.enabled === true;
  for (const key of ["mtbfDuration", "mttrDuration"] as const) {
    const d = fp[key];
    if (isAbsent(d)) {
      if (enabled) is.add(`${p}.${key}`, "is required when failures are enabled (a Duration)");
      continue;
    }
    const issues = validateDuration(d, `${p}.${key}`);
    is.addAll(issues);
    if (!issues.length && key === "mtbfDuration" && !canBePositive(d as Duration))
      is.add(
        `${p}.mtbfDuration`,
        "must be able to give a time above 0 (the time between failures; a constant 0 would fail the activity for ever)",
      );
  }
  const mode = fp.failureClockMode;
  if (
    !isAbsent(mode) &&
    !(typeof mode === "string" && (FAILURE_CLOCK_MODES as readonly string[]).includes(mode.toLowerCase()))
  )
    is.add(
      `${p}.failureClockMode`,
      `must be one of ${FAILURE_CLOCK_MODES.join(", ")} (got ${JSON.stringify(mode)})`,
    );
  const rq = fp.repairResourceRequirementId;
  if (!isNoRef(rq)) {
    if (typeof rq !== "string") is.add(`${p}.repairResourceRequirementId`, 'must be a string ("" for none)');
    else if (!requirementIds.has(rq))
      is.add(
        `${p}.repairResourceRequirementId`,
        `references unknown resource requirement ${JSON.stringify(rq)}`,
      );
  }
  if (isAbsent(fp.enabled) && (!isAbsent(fp.mtbfDuration) || !isAbsent(fp.mttrDuration)))
    is.warn(
      `${p}.enabled`,
      "is absent, so failures are off (Quodsi's default); set enabled: true to use them",
    );
}

/**
 * Warnings for a valid model: an activity whose repair seizes a resource
 * that its own actions also seize. An entity interrupted while holding the
 * last units keeps them through the repair, which then waits for them for
 * ever (runtime/failures.ts); legal, and fine with spare units, but worth a
 * look.
 */
export function repairSharingWarnings(is: Issues, model: QuodsiModel): void {
  const requirements = new Map((model.resourceRequirements ?? []).map((r) => [r.id, r]));
  const resourcesOf = (id: string): Set<string> => {
    const out = new Set<string>();
    const walk = (c: RequirementClause | undefined): void => {
      for (const r of c?.requests ?? []) out.add(r.resourceId);
      for (const k of c?.clauses ?? []) walk(k);
    };
    walk(requirements.get(id)?.rootClause);
    return out;
  };
  (model.activities ?? []).forEach((a, i) => {
    const fp = a.failureProperties;
    if (!failuresEnabled(fp)) return;
    const repair = repairRequirementId(fp);
    if (repair === null) return;
    const needed = resourcesOf(repair);
    const shared = new Set<string>();
    const visit = (list: readonly Action[]): void => {
      for (const act of list) {
        const rq = (act as { resourceRequirementId?: string | null }).resourceRequirementId;
        if (typeof rq === "string" && rq !== "")
          for (const r of resourcesOf(rq)) if (needed.has(r)) shared.add(r);
        for (const [, nested] of nestedActionLists(act)) visit(nested);
      }
    };
    visit(a.actions ?? []);
    if (shared.size)
      is.warn(
        `activities[${i}].failureProperties.repairResourceRequirementId`,
        `the repair needs ${[...shared].map((r) => JSON.stringify(r)).join(", ")}, which this activity's work also holds: a failure that interrupts the entities holding the last units waits for them for ever`,
      );
  });
}
