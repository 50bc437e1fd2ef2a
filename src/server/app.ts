import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import express, { type NextFunction, type Request, type Response } from "express";
import { GraphQLError, OperationTypeNode, getOperationAST, type GraphQLSchema } from "graphql";
import { WebSocketServer } from "ws";
import type { Database } from "../db/client.js";
import { createLoaders } from "../db/loaders.js";
import { StatementLane, inLane } from "../db/scheduler.js";
import { tenantScoped, type TenantDb } from "../db/tenant.js";
import { defaultHardening, type Hardening } from "../config.js";
import { AppError, formatError, type RequestScope } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Principal } from "../modules/auth/principal.js";
import type { RunRuntime } from "../modules/deps.js";
import { mountResultsRoute } from "../modules/run/results.route.js";
import { createServices } from "../modules/services.js";
import type { ResultsStore } from "../runner/results-store.js";
import type { AppContext } from "../modules/context.js";
import { createHardening } from "./hardening.js";
import { createMetrics, metricsDenied, type Metrics, type RunnerGauges } from "./metrics.js";
import { errorHttpHead } from "./rate-limit.js";
import { createSharedSubscribe } from "./shared-execution.js";

export interface ServerOptions {
  host: string;
  port: number;
  database: Database;
  schema: GraphQLSchema;
  logger: Logger;
  /** Where runs are enqueued, and (for /metrics) what executes them in this process. */
  runtime: RunRuntime & { consumer: RunnerGauges };
  results: ResultsStore;
  /** "production" serves Apollo's production landing page instead of the embedded Sandbox. */
  nodeEnv?: string;
  /** Operation limits, rate limits and WebSocket hygiene (default: the documented defaults for nodeEnv). */
  hardening?: Hardening;
}

export interface RunningServer {
  url: string;
  port: number;
  metrics: Metrics;
  markReady(): void;
  /** Stops accepting work, lets in-flight requests finish, closes sockets. */
  close(): Promise<void>;
}

const MAX_TENANT_CLIENTS = 1000;

/** A refused key, answered before GraphQL runs with the status HTTP_STATUS gives its code. */
function refused(err: AppError): GraphQLError {
  return new GraphQLError(err.message, {
    originalError: err,
    extensions: { code: err.code, http: errorHttpHead(err) },
  });
}

const REQUEST_ID = /^[\w.:@/+=-]{1,100}$/;

/** The caller's `x-request-id` when it is a sane token, else a new id. */
function requestIdOf(req: Request): string {
  const header = req.headers["x-request-id"];
  return typeof header === "string" && REQUEST_ID.test(header) ? header : randomUUID();
}

/** A resolver context seen by a graphql-ws hook, which types it `unknown`. */
const isRequestScope = (value: unknown): value is RequestScope =>
  typeof value === "object" && value !== null && "requestId" in value && "logger" in value;

/** Starts HTTP (Apollo on express 5) and graphql-ws on the same port and path. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { database, schema, logger } = options;
  const metrics = createMetrics(options.runtime.consumer, database.statements);
  let ready = false;

  // One tenant-scoped client per tenant, reused across requests.
  const tenantDbs = new Map<string, TenantDb>();
  const tenantDb = (tenantId: string): TenantDb => {
    let db = tenantDbs.get(tenantId);
    if (!db) {
      if (tenantDbs.size >= MAX_TENANT_CLIENTS) tenantDbs.clear();
      db = tenantScoped(database.prisma, tenantId);
      tenantDbs.set(tenantId, db);
    }
    return db;
  };
  const contextFor = (principal: Principal, requestId: string): AppContext => {
    const db = tenantDb(principal.tenantId);
    const log = logger.child({ requestId, tenantId: principal.tenantId });
    const loaders = createLoaders(db);
    return {
      requestId,
      logger: log,
      principal,
      services: createServices({ db, loaders, principal, logger: log, runtime: options.runtime }),
    };
  };
  const config = options.hardening ?? defaultHardening(options.nodeEnv);
  const hardening = createHardening({
    config,
    schema,
    metrics,
    logger,
    prisma: database.prisma,
    pubsub: options.runtime.pubsub,
  });
  const auth = (req: Request) => hardening.authenticate(req);
  // The HTTP request being served, for hooks that get no context: Apollo's formatError, the REST routes.
  const requests = new AsyncLocalStorage<RequestScope>();
  const currentScope = (): RequestScope => requests.getStore() ?? { logger };

  const app = express();
  app.disable("x-powered-by");
  const httpServer = http.createServer(app);
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: "/graphql",
    ...hardening.ws.serverOptions,
  });
  const wsCleanup = hardening.ws.serve(
    {
      schema,
      subscribe: createSharedSubscribe(),
      execute: hardening.execute,
      context: (ctx) => contextFor(ctx.extra.principal as Principal, randomUUID()),
      onNext: (_ctx, _id, _payload, args, result) => {
        const mutation =
          getOperationAST(args.document, args.operationName)?.operation === OperationTypeNode.MUTATION;
        const refused = hardening.wsResponse(result, mutation);
        if (refused) return refused;
        if (!result.errors) return undefined;
        const scope = isRequestScope(args.contextValue) ? args.contextValue : { logger };
        return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e, scope)) };
      },
      // Errors before execution (parse, validation): there is no operation context yet.
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e, { logger })),
    },
    wsServer,
  );

  const wsDrain: ApolloServerPlugin = {
    async serverWillStart() {
      return {
        async drainServer() {
          await wsCleanup.dispose();
        },
      };
    },
  };
  /** Metrics and one log line per HTTP operation, with the request's id and tenant in scope. */
  const observePlugin: ApolloServerPlugin<AppContext> = {
    async requestDidStart() {
      const end = metrics.graphqlDuration.startTimer();
      return {
        async willSendResponse(rc) {
          const seconds = end();
          const type = rc.operation?.operation ?? "unknown";
          metrics.graphqlOperations.inc({ type, outcome: rc.errors?.length ? "error" : "ok" });
          const codes = rc.errors?.map((e) => e.extensions?.code ?? "INTERNAL_SERVER_ERROR");
          // No context when authentication failed: nothing to log beyond the metric.
          rc.contextValue?.logger?.info(
            {
              operation: rc.operationName ?? type,
              type,
              durationMs: Math.round(seconds * 1000),
              ...(codes ? { errors: codes } : {}),
            },
            "graphql",
          );
        },
      };
    },
  };
  const apollo = new ApolloServer<AppContext>({
    schema,
    ...hardening.apollo,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT (drain, runner, database); Apollo's own handlers would race it.
    stopOnTerminationSignals: false,
    // Every call carries a key header, which already forces a CORS preflight in browsers.
    csrfPrevention: {
      requestHeaders: ["x-api-key", "authorization", "apollo-require-preflight", "x-apollo-operation-name"],
    },
    plugins: [
      ...hardening.apollo.plugins,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      wsDrain,
      observePlugin,
      options.nodeEnv === "production"
        ? ApolloServerPluginLandingPageProductionDefault()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
    ],
    formatError: (formatted, error) => formatError(formatted, error, currentScope()),
  });
  await apollo.start();

  // Every response names its request: the caller's x-request-id or a new one, also on every log line.
  // Its database statements take turns with other requests' (a lane of its own, src/db/scheduler.ts).
  app.use((req: Request, res: Response, next: NextFunction) => {
    const requestId = requestIdOf(req);
    res.setHeader("x-request-id", requestId);
    inLane(new StatementLane(), () => requests.run({ requestId, logger: logger.child({ requestId }) }, next));
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader(
      "Access-Control-Allow-Headers",
      "content-type, x-api-key, authorization, apollo-require-preflight, x-request-id",
    );
    res.setHeader("Access-Control-Expose-Headers", "x-request-id");
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    if (req.method === "OPTIONS") return void res.sendStatus(204);
    next();
  });
  app.get("/healthz", (_req, res) => void res.json({ status: "ok" }));
  app.get(
    "/readyz",
    (_req, res) => void res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "starting" }),
  );
  app.get("/metrics", async (req, res) => {
    const denied = metricsDenied(config.metrics, req.headers.authorization);
    if (denied) {
      if (denied.status === 401) res.setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
      return void res.status(denied.status).json(denied.body);
    }
    res.setHeader("Content-Type", metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  app.use("/runs", ...hardening.restGuards);
  mountResultsRoute(app, { prisma: database.prisma, results: options.results, auth, scope: currentScope });
  app.use(
    "/graphql",
    hardening.graphqlGuard,
    express.json({ limit: "5mb" }),
    hardening.operationGate,
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const scope = currentScope();
        let principal: Principal;
        try {
          principal = await auth(req);
        } catch (err) {
          // A bad key is the caller's; anything else (the database) is masked by formatError.
          throw err instanceof AppError ? refused(err) : err;
        }
        const context = contextFor(principal, scope.requestId ?? randomUUID());
        // From here on, errors of this request are logged with its tenant too.
        scope.logger = context.logger;
        return context;
      },
    }),
  );
  // Bodies that are not JSON or too large never reach Apollo: answer in GraphQL's shape.
  app.use(
    "/graphql",
    (err: { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (!err.status || err.status >= 500) return next(err);
      const message =
        err.type === "entity.too.large" ? "Request body larger than 5 MB" : "Request body is not valid JSON";
      res.status(err.status).json({ errors: [{ message, extensions: { code: "BAD_USER_INPUT" } }] });
    },
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    metrics,
    markReady: () => {
      ready = true;
    },
    close: async () => {
      ready = false;
      await apollo.stop();
    },
  };
}
