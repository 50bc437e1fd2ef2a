import { parseTimeUnit, convertTime } from "./units.js";
import type { QuodsiModel, ValidationIssue } from "./types.js";

/**
 * What a service lets one model ask for. The engine has no configuration of its
 * own: the caller passes these (the service reads them from its environment).
 */
export interface ModelBounds {
  /** Longest `runTime`, in simulated days. */
  maxRunTimeDays: number;
  /** Most `replications`. */
  maxReplications: number;
  /** Largest `maxEntities` of a generator or an activity's `sourceConfig`. */
  maxGeneratorEntities: number;
}

/**
 * Every place where a model that `validateModel` accepted asks for more than
 * `bounds` allow, with its path. An absent `maxEntities` (unlimited) is left to
 * `runTime`, which bounds it.
 */
export function checkBounds(model: QuodsiModel, bounds: ModelBounds): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const runTime = model.runTime as { unit: unknown; value?: unknown };
  const unit = parseTimeUnit(runTime.unit);
  if (unit && typeof runTime.value === "number") {
    const days = convertTime(runTime.value, unit, "days");
    if (!(days <= bounds.maxRunTimeDays))
      issues.push({
        path: "runTime.value",
        message: `must be at most ${bounds.maxRunTimeDays} days of simulated time (got ${runTime.value} ${unit})`,
      });
  }
  if (typeof model.replications === "number" && model.replications > bounds.maxReplications)
    issues.push({ path: "replications", message: `must be at most ${bounds.maxReplications}` });
  const entities = (path: string, max: unknown) => {
    if (typeof max === "number" && max > bounds.maxGeneratorEntities)
      issues.push({ path: `${path}.maxEntities`, message: `must be at most ${bounds.maxGeneratorEntities}` });
  };
  model.generators?.forEach((g, i) => entities(`generators[${i}]`, g.maxEntities));
  model.activities?.forEach((a, i) => {
    if (a.sourceConfig) entities(`activities[${i}].sourceConfig`, a.sourceConfig.maxEntities);
  });
  return issues;
}
