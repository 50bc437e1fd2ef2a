import type { IncomingMessage } from "node:http";
import type { ApolloServerPlugin } from "@apollo/server";
import type { RequestHandler } from "express";
import type { ExecutionArgs, ExecutionResult, GraphQLSchema, ValidationRule } from "graphql";
import type { Hardening } from "../config.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Logger } from "../logger.js";
import type { AppPubSub } from "../pubsub/pubsub.js";
import { apiKeyFromHeaders, authenticate } from "../modules/auth/auth.service.js";
import type { Principal } from "../modules/auth/principal.js";
import { applyInputHygiene, httpSubscriptionPlugin } from "./input-hygiene.js";
import { OperationGuard } from "./limits.js";
import type { Metrics } from "./metrics.js";
import { RateLimitGuard, clientAddress } from "./rate-limit.js";
import { budgetedWsResult, responseBudgetPlugin } from "./response-budget.js";
import { applyTimeBudget, budgetedExecute, laneExecute, timeBudgetPlugin } from "./time-budget.js";
import { WsHygiene } from "./ws-hygiene.js";

export interface HardeningDeps {
  config: Hardening;
  schema: GraphQLSchema;
  metrics: Metrics;
  logger: Logger;
  prisma: PrismaClient;
  /** Announces key revocations to the other API instances (see WsHygiene). */
  pubsub?: AppPubSub;
}

/** Everything app.ts wires in so that one request, key or socket cannot take the service down. */
export interface ServerHardening {
  /** Spread into the ApolloServer options. */
  apollo: {
    introspection: boolean;
    hideSchemaDetailsFromClientErrors: boolean;
    parseOptions: { maxTokens: number };
    validationRules: ValidationRule[];
    plugins: ApolloServerPlugin[];
  };
  /** graphql-js `execute` for graphql-ws: each operation's statements in a lane, under the time budget if any. */
  execute: (args: ExecutionArgs) => Promise<ExecutionResult>;
  /** A graphql-ws result over the response budget: the error result that replaces it (undefined: send as is). */
  wsResponse(result: ExecutionResult, mutation: boolean): ExecutionResult | undefined;
  /** An HTTP request's key under the failed-authentication and per-key budgets. */
  authenticate(req: IncomingMessage): Promise<Principal>;
  /** Express middleware before /graphql: the address budget, answered in GraphQL's shape. */
  graphqlGuard: RequestHandler;
  /** Express middleware after the body is read, before Apollo: documents over a shape limit (400). */
  operationGate: RequestHandler;
  /** Express middleware before the REST routes: the address budget and Retry-After on RATE_LIMITED. */
  restGuards: RequestHandler[];
  ws: WsHygiene;
}

/**
 * Builds the operation limits, the time budget, the rate limits and the
 * WebSocket hygiene of one server from its configuration (README "Configuration").
 */
export function createHardening({
  config,
  schema,
  metrics,
  logger,
  prisma,
  pubsub,
}: HardeningDeps): ServerHardening {
  const operations = new OperationGuard(schema, config.operations, metrics);
  const rate = new RateLimitGuard(config.rate, metrics, logger);
  const check = (key: string | undefined) => authenticate(prisma, key);
  const ws = new WsHygiene({
    schema,
    limits: config.ws,
    operations,
    rate,
    metrics,
    logger,
    prisma,
    authenticate: check,
    pubsub,
  });
  const timeoutMs = config.operations.timeoutMs;
  if (timeoutMs > 0) applyTimeBudget(schema);
  applyInputHygiene(schema, config.input);
  const lifecycle: ApolloServerPlugin = {
    serverWillStart: async () => {
      await rate.ready();
      return {
        serverWillStop: async () => rate.close(),
      };
    },
  };
  return {
    apollo: {
      introspection: config.operations.introspection,
      hideSchemaDetailsFromClientErrors: !config.operations.suggestions,
      parseOptions: operations.parseOptions,
      validationRules: operations.httpValidationRules,
      plugins: [
        lifecycle,
        httpSubscriptionPlugin(),
        operations.apolloPlugin(),
        ...(timeoutMs > 0 ? [timeBudgetPlugin(timeoutMs, operations)] : []),
        rate.apolloPlugin(),
        ws.revocationPlugin(),
        responseBudgetPlugin(config.response, operations),
      ],
    },
    execute: timeoutMs > 0 ? budgetedExecute(timeoutMs, operations) : laneExecute,
    wsResponse: (result, mutation) => budgetedWsResult(result, config.response, operations, mutation),
    async authenticate(req) {
      const principal = await rate.authenticate(
        clientAddress(req, config.rate.trustProxyHops),
        apiKeyFromHeaders(req.headers),
        check,
        "http",
        rate.prechecked.has(req),
      );
      await rate.admitKey(principal, "http");
      return principal;
    },
    graphqlGuard: rate.addressLimit("graphql"),
    operationGate: operations.httpGate(),
    restGuards: [RateLimitGuard.retryAfterHeader(), rate.addressLimit("rest")],
    ws,
  };
}
