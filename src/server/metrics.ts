import { createHash, timingSafeEqual } from "node:crypto";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { MetricsAccess } from "../config.js";
import { ErrorCode, type HttpErrorBody } from "../errors.js";

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Whether a GET /metrics may be answered (README "Operations endpoints"): with
 * METRICS_TOKEN set, only to `Authorization: Bearer <token>` (401 otherwise);
 * without one, outside production only (403 in production). Undefined: allowed.
 */
export function metricsDenied(
  access: MetricsAccess,
  authorization: string | undefined,
): { status: number; body: HttpErrorBody } | undefined {
  if (access.token) {
    const given = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim() ?? "";
    // Digests of equal length, so the comparison takes the same time whatever was sent.
    if (timingSafeEqual(digest(given), digest(access.token))) return undefined;
    return {
      status: 401,
      body: { error: "Metrics need Authorization: Bearer <METRICS_TOKEN>", code: ErrorCode.UNAUTHENTICATED },
    };
  }
  if (access.openWithoutToken) return undefined;
  return {
    status: 403,
    body: { error: "Metrics are not served in production without METRICS_TOKEN", code: ErrorCode.FORBIDDEN },
  };
}
import type { StatementStats } from "../db/scheduler.js";

/** What the runner reports to /metrics. */
export interface RunnerGauges {
  active: number;
  waiting: number;
}

/**
 * Prometheus metrics of one service instance (GET /metrics). No label names a
 * tenant, user or key: the counts are the instance's, summed over all tenants.
 */
export function createMetrics(runner: RunnerGauges, statements?: StatementStats) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: "scenariolab_runs_active",
    help: "Runs executing in this process",
    registers: [registry],
    collect() {
      this.set(runner.active);
    },
  });
  new Gauge({
    name: "scenariolab_runs_waiting",
    help: "Runs queued in this process, waiting for a slot",
    registers: [registry],
    collect() {
      this.set(runner.waiting);
    },
  });
  if (statements) {
    let reported = 0;
    new Counter({
      name: "scenariolab_db_statements_dropped_total",
      help: "Database statements dropped unexecuted because their request ran out of its time budget",
      registers: [registry],
      collect() {
        this.inc(statements.dropped - reported);
        reported = statements.dropped;
      },
    });
    new Gauge({
      name: "scenariolab_db_statements_waiting",
      help: "Database statements waiting for their request's turn",
      registers: [registry],
      collect() {
        this.set(statements.waiting);
      },
    });
    new Gauge({
      name: "scenariolab_db_statements_running",
      help: "Database statements running (at most 1 on the embedded database, the pool size on PostgreSQL)",
      registers: [registry],
      collect() {
        this.set(statements.running);
      },
    });
  }
  return {
    registry,
    graphqlOperations: new Counter({
      name: "scenariolab_graphql_operations_total",
      help: "GraphQL operations by type and outcome",
      labelNames: ["type", "outcome"] as const,
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: "scenariolab_graphql_duration_seconds",
      help: "GraphQL request duration over HTTP",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    refusedOperations: new Counter({
      name: "scenariolab_graphql_refused_total",
      help: "GraphQL operations refused or aborted by an operation limit (depth, aliases, directives, tokens, cost, time)",
      labelNames: ["limit", "transport"] as const,
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: "scenariolab_rate_limited_total",
      help: "Requests, operations and connections answered RATE_LIMITED, by budget",
      labelNames: ["budget", "transport"] as const,
      registers: [registry],
    }),
    wsClosed: new Counter({
      name: "scenariolab_ws_closed_total",
      help: "WebSocket connections closed by the server for hygiene (init timeout, payload size, revoked key, limits)",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
