import { badInput, notFound } from "../../errors.js";
import {
  forEachMetric,
  type MetricSummary,
  type MetricVisit,
  type SimulationSummary,
} from "../../simulation/index.js";
import type { RunService } from "../run/run.service.js";
import { toSimulationResults } from "../run/results.type.js";
import type { ScenarioService } from "../scenario/scenario.service.js";
import type { MetricComparison, ScenarioComparison } from "./compare.type.js";
import { welchTest } from "./welch.js";

export const MAX_COMPARED = 50;

type FlatMetric = Pick<MetricVisit<MetricSummary>, "objectType" | "objectId" | "name" | "metric" | "value">;

/** Every metric of a summary as one row, in forEachMetric order. */
function flatten(summary: SimulationSummary): FlatMetric[] {
  const rows: FlatMetric[] = [];
  forEachMetric(summary, ({ objectType, objectId, name, metric, value }) => {
    rows.push({ objectType, objectId, name, metric, value });
  });
  return rows;
}

export class CompareService {
  constructor(
    private readonly scenarios: ScenarioService,
    private readonly runs: RunService,
  ) {}

  /** Each scenario's latest results against the baseline's, metric by metric, with Welch's t-test. */
  async compare(ids: string[], baselineId?: string): Promise<ScenarioComparison> {
    const unique = [...new Set(ids)];
    if (unique.length === 0 || unique.length > MAX_COMPARED) {
      throw badInput(`Compare 1 to ${MAX_COMPARED} scenarios`, [
        { path: "ids", message: `must list 1 to ${MAX_COMPARED} scenario ids` },
      ]);
    }
    const baseId = baselineId ?? unique[0];
    const all = baseId && !unique.includes(baseId) ? [baseId, ...unique] : unique;
    const scenarios = await Promise.all(all.map((id) => this.scenarios.require(id)));
    const results = await Promise.all(scenarios.map((s) => this.runs.latest(s)));
    const baseIndex = all.indexOf(baseId);
    const baseRun = results[baseIndex];
    if (!baseRun?.summary)
      throw badInput("The baseline scenario has no results yet; run it first", [
        { path: "baselineId", message: "has no results" },
      ]);
    const baseline = new Map(
      flatten(baseRun.summary).map((m) => [`${m.objectType}/${m.objectId}/${m.metric}`, m.value]),
    );
    const compared = unique.map((id) => {
      const index = all.indexOf(id);
      const run = results[index];
      const summary = run?.summary ?? null;
      const metrics: MetricComparison[] = summary
        ? flatten(summary).map((m) => {
            const base = baseline.get(`${m.objectType}/${m.objectId}/${m.metric}`) ?? null;
            if (!base)
              return {
                ...m,
                baseline: null,
                difference: null,
                relativeDifference: null,
                pValue: null,
                significant: false,
              };
            const test = welchTest(m.value.values, base.values);
            return {
              ...m,
              baseline: base,
              difference: test.difference,
              relativeDifference: base.mean === 0 ? null : test.difference / Math.abs(base.mean),
              pValue: test.pValue,
              significant: test.significant,
            };
          })
        : [];
      return {
        scenario: scenarios[index],
        runId: summary ? run!.id : null,
        results: summary ? toSimulationResults(summary) : null,
        metrics,
      };
    });
    if (!scenarios[baseIndex]) throw notFound("Scenario", baseId);
    return { baseline: scenarios[baseIndex], scenarios: compared };
  }
}
