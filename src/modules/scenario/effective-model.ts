import type { ErrorDetail } from "../../errors.js";
import type { TenantTx } from "../../db/tenant.js";
import type { ScenarioItemProfile as ProfileRow } from "../../generated/prisma/client.js";
import {
  applyOverrides,
  checkBounds,
  checkRunnable,
  type ModelBounds,
  validateModel,
  type ModelOverride,
  type QuodsiModel,
  type Validated,
} from "../../simulation/index.js";
import {
  allowsScenario,
  revalidate,
  scenarioStateOf,
  toDbState,
  TRANSITIONS,
} from "../../lifecycle/index.js";
import { fromDbEnum } from "../common/enums.js";

/** A stored profile as the engine's override. */
export const toOverride = (
  row: Pick<
    ProfileRow,
    "targetObjectType" | "targetObjectId" | "propertyName" | "propertyValue" | "operation"
  >,
): ModelOverride => ({
  targetObjectType: fromDbEnum<ModelOverride["targetObjectType"]>(row.targetObjectType),
  targetObjectId: row.targetObjectId,
  propertyName: row.propertyName,
  propertyValue: row.propertyValue,
  operation: fromDbEnum<NonNullable<ModelOverride["operation"]>>(row.operation),
});

/** Issues re-rooted under `prefix` (e.g. an override's path under `itemProfiles[i]`). */
export const under = (prefix: string, issues: ErrorDetail[]) =>
  issues.map((i) => ({ path: i.path ? `${prefix}.${i.path}` : prefix, message: i.message }));

/**
 * The effective model of a base definition and a scenario's overrides, with
 * problems: override paths name the profile (`itemProfiles[i]`), model paths
 * are under `effectiveModel`.
 */
export function effectiveOf(
  definition: unknown,
  profiles: ModelOverride[],
  reps: number,
): Validated<QuodsiModel> {
  const base = validateModel(definition);
  if (!base.ok) return { ok: false, issues: under("effectiveModel", base.issues) };
  const applied = applyOverrides(base.value, profiles, { replications: reps });
  if (applied.ok) return applied;
  return {
    ok: false,
    issues: applied.issues.map((i) => {
      const m = /^overrides\[(\d+)\]\.?(.*)$/.exec(i.path);
      return m
        ? { path: `itemProfiles[${m[1]}]${m[2] ? `.${m[2]}` : ""}`, message: i.message }
        : { path: i.path ? `effectiveModel.${i.path}` : "effectiveModel", message: i.message };
    }),
  };
}

/** Every problem that keeps a scenario from running (invalid or unsupported effective model). */
export function runProblems(result: Validated<QuodsiModel>): ErrorDetail[] {
  if (!result.ok) return result.issues;
  return under("effectiveModel", checkRunnable(result.value));
}

/** Where a valid effective model asks for more than the service allows (its paths under `effectiveModel`). */
export function boundProblems(result: Validated<QuodsiModel>, bounds: ModelBounds): ErrorDetail[] {
  return result.ok ? under("effectiveModel", checkBounds(result.value, bounds)) : [];
}

/**
 * After a model's definition changed: every live scenario under it is checked
 * again. Scenarios whose overrides no longer apply (or whose model no longer
 * runs) become NOT_READY_TO_RUN with the reason; the others READY_TO_RUN, with
 * results of an earlier successful run marked stale. Returns the ids of the
 * scenarios that need attention.
 */
export async function revalidateScenarios(
  tx: TenantTx,
  modelId: string,
  definition: unknown,
): Promise<string[]> {
  const scenarios = await tx.scenario.findMany({
    where: { analysis: { modelId }, isDeleted: false },
    include: {
      itemProfiles: { where: { isDeleted: false }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
    },
  });
  const broken: string[] = [];
  for (const scenario of scenarios) {
    const problems = runProblems(
      effectiveOf(definition, scenario.itemProfiles.map(toOverride), scenario.reps),
    );
    if (problems.length) broken.push(scenario.id);
    const from = scenarioStateOf(scenario.state);
    // A scenario with a run under way keeps its state; the run uses its own snapshot.
    if (!allowsScenario(problems.length ? TRANSITIONS.invalidate : TRANSITIONS.revalidate, from)) continue;
    const next = revalidate({ state: from, resultsStale: scenario.resultsStale }, problems.length === 0);
    await tx.scenario.updateMany({
      where: { id: scenario.id, state: toDbState(from) },
      data: {
        state: toDbState(next.state),
        resultsStale: next.resultsStale,
        stateReason: problems.length
          ? [
              "The model changed and this scenario no longer applies:",
              ...problems.map((p) => `${p.path}: ${p.message}`),
            ].join("\n")
          : null,
      },
    });
  }
  return broken;
}
