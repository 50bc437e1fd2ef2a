import DataLoader from "dataloader";
import type { TenantDb } from "./tenant.js";
import { isUuid } from "./ids.js";

function byId<Row extends { id: string }>(load: (ids: string[]) => Promise<Row[]>) {
  return new DataLoader<string, Row | null>(async (ids) => {
    // UUIDs in any case name the same row, as in PostgreSQL's uuid type.
    const valid = ids.filter(isUuid).map((id) => id.toLowerCase());
    const rows = valid.length ? await load([...new Set(valid)]) : [];
    const map = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => map.get(id.toLowerCase()) ?? null);
  });
}

function byParent<Row>(load: (ids: string[]) => Promise<Row[]>, parentOf: (row: Row) => string) {
  return new DataLoader<string, Row[]>(async (ids) => {
    const rows = await load([...new Set(ids)]);
    const groups = new Map<string, Row[]>(ids.map((id) => [id, []]));
    for (const row of rows) groups.get(parentOf(row))?.push(row);
    return ids.map((id) => groups.get(id) ?? []);
  });
}

const ORDER = [{ createdAt: "asc" as const }, { id: "asc" as const }];

/**
 * Per-request batch loaders for every parent/child edge, so nested queries
 * take a constant number of statements. By-id loaders include soft-deleted
 * rows (a relation must still resolve); child lists exclude them.
 */
export function createLoaders(db: TenantDb) {
  return {
    user: byId((ids) => db.user.findMany({ where: { id: { in: ids } } })),
    model: byId((ids) => db.model.findMany({ where: { id: { in: ids } } })),
    analysis: byId((ids) => db.analysis.findMany({ where: { id: { in: ids } } })),
    scenario: byId((ids) => db.scenario.findMany({ where: { id: { in: ids } } })),
    run: byId((ids) =>
      db.scenarioRun.findMany({ where: { id: { in: ids } }, omit: { effectiveModel: true } }),
    ),
    analysesByModel: byParent(
      (ids) => db.analysis.findMany({ where: { modelId: { in: ids }, isDeleted: false }, orderBy: ORDER }),
      (row) => row.modelId,
    ),
    itemProfilesByScenario: byParent(
      (ids) =>
        db.scenarioItemProfile.findMany({
          where: { scenarioId: { in: ids }, isDeleted: false },
          orderBy: ORDER,
        }),
      (row) => row.scenarioId,
    ),
    runsByScenario: byParent(
      (ids) =>
        db.scenarioRun.findMany({
          where: { scenarioId: { in: ids } },
          orderBy: [{ attempt: "asc" }],
          omit: { effectiveModel: true },
        }),
      (row) => row.scenarioId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
