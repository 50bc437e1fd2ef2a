import type { Express, Request } from "express";
import { tenantScoped } from "../../db/tenant.js";
import { isUuid } from "../../db/ids.js";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { AppError, ErrorCode, httpError, invalidState, notFound, type RequestScope } from "../../errors.js";
import { RunState, runStateOf } from "../../lifecycle/states.js";
import { RESULT_TABLES, type ResultsStore, type ResultTable } from "../../runner/results-store.js";
import type { Principal } from "../auth/principal.js";

/**
 * GET /runs/<runId>/<table>.csv (results.csv and the per-table CSVs) for a
 * caller of the run's tenant; another tenant's run is a 404 like a missing one.
 * Failures answer with the status of their ErrorCode (HTTP_STATUS); anything
 * unexpected is logged with the request's scope and masked as a 500 carrying
 * the request id.
 */
export function mountResultsRoute(
  app: Express,
  deps: {
    prisma: PrismaClient;
    results: ResultsStore;
    auth: (req: Request) => Promise<Principal>;
    /** The current request's id and logger. */
    scope: () => RequestScope;
  },
): void {
  app.get("/runs/:runId/:file", async (req, res) => {
    let scope = deps.scope();
    try {
      const principal = await deps.auth(req);
      scope = { ...scope, logger: scope.logger.child({ tenantId: principal.tenantId }) };
      const runId = req.params.runId;
      const table = /^([a-z]+)\.csv$/.exec(req.params.file)?.[1] as ResultTable | undefined;
      if (!table || !RESULT_TABLES.includes(table))
        throw new AppError(
          ErrorCode.NOT_FOUND,
          `Unknown file; one of ${RESULT_TABLES.map((t) => `${t}.csv`).join(", ")}`,
        );
      const run = isUuid(runId)
        ? await tenantScoped(deps.prisma, principal.tenantId).scenarioRun.findFirst({
            where: { id: runId },
            select: { state: true, blobStoragePath: true },
          })
        : null;
      if (!run) throw notFound("Run", runId);
      if (runStateOf(run.state) !== RunState.SUCCEEDED || !run.blobStoragePath)
        throw invalidState(`Run ${runId} has no results (state ${run.state.toUpperCase()})`);
      const text = await deps.results.read(run.blobStoragePath, table).catch((err: unknown) => {
        // states.csv and costs.csv came after the other tables: a run written before them has none
        // (any other missing file is a fault).
        if ((table === "states" || table === "costs") && (err as NodeJS.ErrnoException).code === "ENOENT")
          throw new AppError(
            ErrorCode.NOT_FOUND,
            `Run ${runId} has no ${table}.csv (it predates that table)`,
          );
        throw err;
      });
      res.setHeader("Content-Type", "text/csv; charset=utf-8");
      res.setHeader("Content-Disposition", `attachment; filename="${runId}-${table}.csv"`);
      res.send(text);
    } catch (err) {
      const { status, body } = httpError(err, scope);
      res.status(status).json(body);
    }
  });
}
