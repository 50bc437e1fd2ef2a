import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Prometheus metrics of one service instance (GET /metrics). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
