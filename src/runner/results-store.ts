import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  forEachMetric,
  METRIC_ID_KEYS,
  METRICS,
  type CostObjectType,
  type MetricObjectType,
  type SimulationSummary,
} from "../simulation/index.js";

/**
 * The CSV tables written beside results.json; `results` is all summary metrics
 * in long form (state and cost results included), `states` the state results
 * alone with their scope, owner and state in columns (only a header when the
 * model declares no states), `costs` the cost results alone (only a header
 * when the model has no enabled financialProperties).
 */
export const RESULT_TABLES = [
  "results",
  "activities",
  "resources",
  "entities",
  "timeseries",
  "states",
  "costs",
] as const;
export type ResultTable = (typeof RESULT_TABLES)[number];

const STAT_COLUMNS = ["mean", "stdDev", "ciHalfWidth", "min", "max"] as const;
const COST_SCOPES: Record<CostObjectType, string> = {
  resourceCost: "resource",
  activityCost: "activity",
  scenarioCost: "scenario",
};

function csvCell(value: unknown): string {
  const text =
    typeof value === "string" || typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : value === null || value === undefined
        ? ""
        : JSON.stringify(value);
  // Quote when needed, and defuse spreadsheet formulas in names.
  const safe = /^[=+\-@]/.test(text) && Number.isNaN(Number(text)) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const csv = (rows: unknown[][]): string => rows.map((row) => row.map(csvCell).join(",")).join("\n") + "\n";

/**
 * Every result table of a summary as CSV text: `results` in long form (one row
 * per metric of each object), one wide table per object type (one row per
 * object, `<metric>_<stat>` columns in METRICS order, so headers do not depend
 * on whether a table has rows), and `states`: one row per state figure, with
 * `scope` (model, entity, resource, activity), the owner (entity type,
 * resource or activity; empty for model states), the state, the `metric`
 * (finalValue, timeAverage, min, max, atExit or finalShare) and, for a
 * finalShare, the final `value` it counts; `costs`: one row per cost figure,
 * with `scope` (resource, activity or scenario), the object (`scenario` for
 * the scenario totals) and the `metric` (seizeCost, ..., totalCost).
 */
export function resultTables(summary: SimulationSummary): Record<ResultTable, string> {
  const long: unknown[][] = [["section", "objectId", "name", "metric", ...STAT_COLUMNS, "reps"]];
  const wide: Record<MetricObjectType, unknown[][]> = { activity: [], resource: [], entity: [] };
  const states: unknown[][] = [
    ["scope", "ownerId", "ownerName", "stateId", "state", "metric", "value", ...STAT_COLUMNS, "reps"],
  ];
  const costs: unknown[][] = [["scope", "objectId", "name", "metric", ...STAT_COLUMNS, "reps"]];
  forEachMetric(summary, ({ objectType, objectId, name, index, metric, value, state }) => {
    const stats = STAT_COLUMNS.map((s) => value[s]);
    long.push([objectType, objectId, name, metric, ...stats, value.values.length]);
    if (state)
      states.push([
        state.scope,
        state.ownerId,
        state.ownerName,
        state.stateId,
        state.stateName,
        state.shareOf === undefined ? metric : "finalShare",
        state.shareOf,
        ...stats,
        value.values.length,
      ]);
    else if (objectType in COST_SCOPES)
      costs.push([
        COST_SCOPES[objectType as CostObjectType],
        objectId,
        name,
        metric,
        ...stats,
        value.values.length,
      ]);
    else (wide[objectType as MetricObjectType][index] ??= [objectId, name]).push(...stats);
  });
  const wideTable = (objectType: MetricObjectType) =>
    csv([
      [
        METRIC_ID_KEYS[objectType],
        "name",
        ...METRICS[objectType].flatMap((m) => STAT_COLUMNS.map((s) => `${m}_${s}`)),
      ],
      ...wide[objectType],
    ]);
  return {
    results: csv(long),
    activities: wideTable("activity"),
    resources: wideTable("resource"),
    entities: wideTable("entity"),
    // Calendar-time models add each bucket's wall-clock start (ISO, with the model's offset).
    timeseries: csv(
      summary.timeSeries.startDateTime === undefined
        ? [
            ["start", "end", "throughput", "wip"],
            ...summary.timeSeries.buckets.map((b) => [b.start, b.end, b.throughput, b.wip]),
          ]
        : [
            ["start", "end", "throughput", "wip", "start_date_time"],
            ...summary.timeSeries.buckets.map((b) => [b.start, b.end, b.throughput, b.wip, b.startDateTime]),
          ],
    ),
    states: csv(states),
    costs: csv(costs),
  };
}

/** Result files under DATA_DIR/results/<tenant>/<scenario>/<run>/. */
export class ResultsStore {
  constructor(private readonly dataDir: string) {}

  folder(tenantId: string, scenarioId: string, runId: string): string {
    return path.join(this.dataDir, "results", tenantId, scenarioId, runId);
  }

  /** Writes results.json and one CSV per table; returns the folder. */
  async write(
    tenantId: string,
    scenarioId: string,
    runId: string,
    summary: SimulationSummary,
  ): Promise<string> {
    const dir = this.folder(tenantId, scenarioId, runId);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "results.json"), JSON.stringify(summary, null, 2));
    await Promise.all(
      Object.entries(resultTables(summary)).map(([name, text]) =>
        writeFile(path.join(dir, `${name}.csv`), text),
      ),
    );
    return dir;
  }

  async read(folder: string, table: ResultTable): Promise<string> {
    return readFile(path.join(folder, `${table}.csv`), "utf8");
  }

  async remove(folder: string): Promise<void> {
    await rm(folder, { recursive: true, force: true });
  }
}
