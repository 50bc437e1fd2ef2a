import type { Express, Request } from "express";
import { tenantScoped } from "../../db/tenant.js";
import { isUuid } from "../../db/ids.js";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { AppError } from "../../errors.js";
import { RunState, runStateOf } from "../../lifecycle/states.js";
import type { Logger } from "../../logger.js";
import { RESULT_TABLES, type ResultsStore, type ResultTable } from "../../runner/results-store.js";
import type { Principal } from "../auth/principal.js";

/**
 * GET /runs/<runId>/<table>.csv (results.csv and the per-table CSVs) for a
 * caller of the run's tenant; another tenant's run is a 404 like a missing one.
 */
export function mountResultsRoute(
  app: Express,
  deps: {
    prisma: PrismaClient;
    results: ResultsStore;
    auth: (req: Request) => Promise<Principal>;
    logger: Logger;
  },
): void {
  app.get("/runs/:runId/:file", async (req, res) => {
    let principal: Principal;
    try {
      principal = await deps.auth(req);
    } catch (err) {
      res
        .status(401)
        .json({ error: err instanceof AppError ? err.message : "Invalid API key", code: "UNAUTHENTICATED" });
      return;
    }
    const runId = req.params.runId;
    const table = /^([a-z]+)\.csv$/.exec(req.params.file)?.[1] as ResultTable | undefined;
    if (!table || !RESULT_TABLES.includes(table)) {
      res.status(404).json({
        error: `Unknown file; one of ${RESULT_TABLES.map((t) => `${t}.csv`).join(", ")}`,
        code: "NOT_FOUND",
      });
      return;
    }
    const run = isUuid(runId)
      ? await tenantScoped(deps.prisma, principal.tenantId).scenarioRun.findFirst({
          where: { id: runId },
          select: { state: true, blobStoragePath: true },
        })
      : null;
    if (!run) {
      res.status(404).json({ error: `Run ${runId} not found`, code: "NOT_FOUND" });
      return;
    }
    if (runStateOf(run.state) !== RunState.SUCCEEDED || !run.blobStoragePath) {
      res.status(409).json({
        error: `Run ${runId} has no results (state ${run.state.toUpperCase()})`,
        code: "INVALID_STATE",
      });
      return;
    }
    try {
      const text = await deps.results.read(run.blobStoragePath, table);
      res.setHeader("Content-Type", "text/csv; charset=utf-8");
      res.setHeader("Content-Disposition", `attachment; filename="${runId}-${table}.csv"`);
      res.send(text);
    } catch (err) {
      deps.logger.error({ err, runId }, "result file missing");
      res.status(500).json({ error: "Result file unavailable", code: "INTERNAL_SERVER_ERROR" });
    }
  });
}
