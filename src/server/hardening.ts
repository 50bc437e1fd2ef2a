import type { ApolloServerPlugin } from "@apollo/server";
import type { ExecutionArgs, ExecutionResult, GraphQLSchema, ValidationRule } from "graphql";
import type { Hardening } from "../config.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Logger } from "../logger.js";
import { authenticate } from "../modules/auth/auth.service.js";
import { OperationGuard } from "./limits.js";
import type { Metrics } from "./metrics.js";
import { applyTimeBudget, budgetedExecute, timeBudgetPlugin } from "./time-budget.js";
import { WsHygiene } from "./ws-hygiene.js";

export interface HardeningDeps {
  config: Hardening;
  schema: GraphQLSchema;
  metrics: Metrics;
  logger: Logger;
  prisma: PrismaClient;
}

/** Everything app.ts wires in so that one request cannot take the service down. */
export interface ServerHardening {
  /** Spread into the ApolloServer options. */
  apollo: {
    introspection: boolean;
    hideSchemaDetailsFromClientErrors: boolean;
    parseOptions: { maxTokens: number };
    validationRules: ValidationRule[];
    plugins: ApolloServerPlugin[];
  };
  /** graphql-js `execute` with the time budget, for graphql-ws (undefined: no budget). */
  execute: ((args: ExecutionArgs) => Promise<ExecutionResult>) | undefined;
  ws: WsHygiene;
}

/** Builds the operation limits and the time budget of one server from its configuration (README "Configuration"). */
export function createHardening({ config, schema, metrics, logger, prisma }: HardeningDeps): ServerHardening {
  const operations = new OperationGuard(schema, config.operations, metrics);
  const ws = new WsHygiene({ schema, operations, logger, authenticate: (key) => authenticate(prisma, key) });
  const timeoutMs = config.operations.timeoutMs;
  if (timeoutMs > 0) applyTimeBudget(schema);
  return {
    apollo: {
      introspection: config.operations.introspection,
      hideSchemaDetailsFromClientErrors: !config.operations.suggestions,
      parseOptions: operations.parseOptions,
      validationRules: operations.httpValidationRules,
      plugins: [
        operations.apolloPlugin(),
        ...(timeoutMs > 0 ? [timeBudgetPlugin(timeoutMs, operations)] : []),
      ],
    },
    execute: timeoutMs > 0 ? budgetedExecute(timeoutMs, operations) : undefined,
    ws,
  };
}
