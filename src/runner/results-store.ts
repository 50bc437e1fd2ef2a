import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { MetricSummary, SimulationSummary } from "../simulation/index.js";

/** The CSV tables written beside results.json; `results` is all summary metrics in long form. */
export const RESULT_TABLES = ["results", "activities", "resources", "entities", "timeseries"] as const;
export type ResultTable = (typeof RESULT_TABLES)[number];

const STAT_COLUMNS = ["mean", "stdDev", "ciHalfWidth", "min", "max"] as const;

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

const isMetric = (v: unknown): v is MetricSummary =>
  typeof v === "object" && v !== null && "mean" in v && "values" in v;

type Row = Record<string, unknown>;

function wide(items: Row[], idKey: string): string {
  if (!items.length) return csv([[idKey, "name"]]);
  const metrics = Object.keys(items[0]).filter((k) => isMetric(items[0][k]));
  const header = [idKey, "name", ...metrics.flatMap((m) => STAT_COLUMNS.map((s) => `${m}_${s}`))];
  return csv([
    header,
    ...items.map((item) => [
      item[idKey],
      item.name,
      ...metrics.flatMap((m) => STAT_COLUMNS.map((s) => (item[m] as MetricSummary)[s])),
    ]),
  ]);
}

/** Every result table of a summary as CSV text. */
export function resultTables(summary: SimulationSummary): Record<ResultTable, string> {
  const long: unknown[][] = [["section", "objectId", "name", "metric", ...STAT_COLUMNS, "reps"]];
  const sections: [string, Row[], string][] = [
    ["activity", summary.activities, "activityId"],
    ["resource", summary.resources, "resourceId"],
    ["entity", summary.entities, "entityId"],
  ];
  for (const [section, items, idKey] of sections) {
    for (const item of items) {
      for (const [metric, value] of Object.entries(item)) {
        if (isMetric(value))
          long.push([
            section,
            item[idKey],
            item.name,
            metric,
            ...STAT_COLUMNS.map((s) => value[s]),
            value.values.length,
          ]);
      }
    }
  }
  return {
    results: csv(long),
    activities: wide(summary.activities, "activityId"),
    resources: wide(summary.resources, "resourceId"),
    entities: wide(summary.entities, "entityId"),
    timeseries: csv([
      ["start", "end", "throughput", "wip"],
      ...summary.timeSeries.buckets.map((b) => [b.start, b.end, b.throughput, b.wip]),
    ]),
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
