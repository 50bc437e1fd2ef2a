import type { IncomingMessage } from "node:http";
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, Kind, OperationTypeNode, getOperationAST, type GraphQLSchema } from "graphql";
import { handleProtocols, makeServer, type Context, type ServerOptions } from "graphql-ws";
import type { WebSocket, WebSocketServer } from "ws";
import type { WebSocketLimits } from "../config.js";
import { ErrorCode, RateLimitedError } from "../errors.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Logger } from "../logger.js";
import type { AppPubSub } from "../pubsub/pubsub.js";
import { liveApiKeyIds } from "../modules/auth/auth.service.js";
import type { Principal } from "../modules/auth/principal.js";
import type { OperationGuard } from "./limits.js";
import type { Metrics } from "./metrics.js";
import { clientAddress, expensiveFieldCount, type RateLimitGuard } from "./rate-limit.js";
import { SocketLeases, type SocketLease } from "./ws-leases.js";

/** Close codes of the graphql-ws protocol and RFC 6455 that this module uses or counts. */
const CLOSE = {
  goingAway: 1001,
  internalError: 4500,
  forbidden: 4403,
  initTimeout: 4408,
  /** graphql-ws's "too many" code, reused for budgets that ran out. */
  tooMany: 4429,
} as const;

export type WsParams = Record<string, unknown>;
/** What graphql-ws hooks find in `ctx.extra`. */
export interface WsExtra {
  readonly socket: WebSocket;
  /** The HTTP upgrade request. */
  readonly request: IncomingMessage;
  /** Set once connection_init authenticated the socket. */
  principal?: Principal;
}
export type WsContext = Context<WsParams, WsExtra>;
export type WsOptions = ServerOptions<WsParams, WsExtra>;

/** How often an idle socket is pinged; one that does not answer within the same time is dropped. */
const KEEP_ALIVE_MS = 12_000;

/** The key of `connectionParams`: `apiKey`, or `authorization` with or without "Bearer ". */
function keyFromParams(params: Readonly<WsParams> | undefined): string | undefined {
  const raw = params?.apiKey ?? params?.authorization ?? params?.Authorization;
  return typeof raw === "string" ? raw.replace(/^Bearer\s+/i, "").trim() : undefined;
}

/** Close reasons are limited to 123 bytes by the protocol. */
const reason = (text: string) => text.slice(0, 120);

export interface WsHygieneDeps {
  schema: GraphQLSchema;
  limits: WebSocketLimits;
  operations: OperationGuard;
  rate: RateLimitGuard;
  metrics: Metrics;
  logger: Logger;
  prisma: PrismaClient;
  /** Resolves an API key to its principal, or throws UNAUTHENTICATED. */
  authenticate(key: string | undefined): Promise<Principal>;
  /** The service's pub/sub (Redis across instances when configured): revocations reach every instance. */
  pubsub?: AppPubSub;
}

/**
 * What graphql-ws connections may cost: the address budget per connection, the
 * failed-authentication budget at connection_init, open sockets per API key
 * (across the instances sharing Redis, see SocketLeases), operations at once per socket, the key's request and
 * expensive-mutation budgets per operation, the operation limits of HTTP, and
 * sockets of revoked keys closed (checked every `keyRecheckSeconds`, and at once
 * after a revokeApiKey served by any instance that shares the pub/sub). The connection-init timeout and
 * the payload limit are graphql-ws's and ws's own options.
 */
export class WsHygiene {
  private readonly sockets = new Map<WebSocket, { principal: Principal; lease: SocketLease }>();
  private readonly leases: SocketLeases;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(private readonly deps: WsHygieneDeps) {
    const { rate, limits, logger } = deps;
    this.leases = new SocketLeases(
      rate.redis,
      rate.config.keyPrefix,
      limits.connectionLeaseSeconds * 1000,
      logger,
    );
  }

  /** Options of the `ws` server: a larger message closes the socket with 1009. */
  get serverOptions(): { maxPayload: number } {
    return { maxPayload: this.deps.limits.maxPayloadBytes };
  }

  /**
   * Serves graphql-ws on the ws server: graphql-ws's core (makeServer) with this
   * adapter, which is its `useServer` with the hygiene added: the address budget
   * for every new socket, close metrics, errors logged as warnings with our
   * logger (an oversized message is the client's fault: ws closes it with 1009),
   * and the periodic check of the keys of open sockets.
   */
  serve(
    base: Omit<WsOptions, "onConnect" | "onSubscribe" | "onClose">,
    wss: WebSocketServer,
  ): { dispose(): Promise<void> } {
    const { rate, metrics, logger, limits } = this.deps;
    const server = makeServer<WsParams, WsExtra>({
      ...base,
      connectionInitWaitTimeout: limits.initTimeoutMs,
      onConnect: (ctx) => this.onConnect(ctx),
      onSubscribe: (ctx, _id, payload) => this.onSubscribe(ctx, payload),
      onClose: (ctx) => this.forget(ctx.extra.socket),
    });
    wss.options.handleProtocols = handleProtocols;
    wss.on("error", (err) => logger.error({ err }, "WebSocket server error"));
    wss.on("connection", (socket, request) => {
      socket.once("error", (err: Error & { code?: string }) => {
        // ws has already closed the socket with 1009 when a message is too large.
        if (err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
          metrics.wsClosed.inc({ reason: "payload_too_large" });
          return;
        }
        logger.warn({ err: err.message }, "WebSocket connection error");
        socket.close(CLOSE.internalError, "Internal server error");
      });
      rate.admitAddress(clientAddress(request, rate.config.trustProxyHops), "ws").catch((err: unknown) => {
        if (err instanceof RateLimitedError) socket.close(CLOSE.tooMany, reason(err.message));
        else logger.error({ err }, "address budget check failed");
      });
      let pongWait: NodeJS.Timeout | undefined;
      const ping = setInterval(() => {
        if (socket.readyState !== socket.OPEN) return;
        pongWait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
        socket.once("pong", () => clearTimeout(pongWait));
        socket.ping();
      }, KEEP_ALIVE_MS);
      const closed = server.opened(
        {
          protocol: socket.protocol,
          send: (data) =>
            new Promise<void>((resolve, reject) => {
              if (socket.readyState !== socket.OPEN) return resolve();
              socket.send(data, (err) => (err ? reject(err) : resolve()));
            }),
          close: (code, why) => {
            if (code === CLOSE.initTimeout) metrics.wsClosed.inc({ reason: "init_timeout" });
            socket.close(code, why);
          },
          onMessage: (handle) =>
            socket.on("message", (data) => {
              // eslint-disable-next-line @typescript-eslint/no-base-to-string -- text frames arrive as Buffers
              handle(String(data)).catch((err: unknown) => {
                logger.error({ err }, "WebSocket message handling failed");
                socket.close(CLOSE.internalError, "Internal server error");
              });
            }),
        },
        { socket, request },
      );
      socket.once("close", (code, why) => {
        clearTimeout(pongWait);
        clearInterval(ping);
        void closed(code, why.toString());
      });
    });
    this.timer = setInterval(() => void this.sweep(), limits.keyRecheckSeconds * 1000);
    this.timer.unref();
    const revocations = this.listenForRevocations();
    return {
      dispose: async () => {
        clearInterval(this.timer);
        await revocations.stop();
        for (const client of wss.clients) client.close(CLOSE.goingAway, "Going away");
        wss.removeAllListeners();
        await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
        // Sockets still closing count no more on the other instances.
        await this.leases.close();
      },
    };
  }

  private async onConnect(ctx: WsContext): Promise<boolean> {
    const { rate, limits, metrics } = this.deps;
    const socket = ctx.extra.socket;
    let principal: Principal;
    try {
      principal = await rate.authenticate(
        clientAddress(ctx.extra.request, rate.config.trustProxyHops),
        keyFromParams(ctx.connectionParams),
        (key) => this.deps.authenticate(key),
        "ws",
      );
    } catch (err) {
      if (err instanceof RateLimitedError) socket.close(CLOSE.tooMany, reason(err.message));
      return false; // graphql-ws closes with 4403 Forbidden (a no-op after our own close)
    }
    const lease = await this.leases.acquire(principal.apiKeyId, limits.maxConnectionsPerKey);
    if (!lease) {
      metrics.rateLimited.inc({ budget: "ws_connections", transport: "ws" });
      socket.close(
        CLOSE.tooMany,
        reason(`Too many open connections for this API key (at most ${limits.maxConnectionsPerKey})`),
      );
      return false;
    }
    if (socket.readyState !== socket.OPEN) {
      // Closed while its slot was taken: onClose has already run for it.
      lease.release();
      return false;
    }
    this.sockets.set(socket, { principal, lease });
    ctx.extra.principal = principal;
    return true;
  }

  private forget(socket: WebSocket): void {
    const open = this.sockets.get(socket);
    if (!open) return;
    this.sockets.delete(socket);
    open.lease.release();
  }

  private async onSubscribe(
    ctx: WsContext,
    payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  ) {
    const { limits, rate, operations, metrics, schema } = this.deps;
    const principal = ctx.extra.principal;
    if (!principal)
      return [new GraphQLError("Not authenticated", { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
    // graphql-ws registers the operation before this hook: the count includes it.
    if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerSocket) {
      metrics.rateLimited.inc({ budget: "ws_subscriptions", transport: "ws" });
      return [
        new GraphQLError(
          `Too many operations at once on this connection (at most ${limits.maxSubscriptionsPerSocket}); complete one first.`,
          { extensions: { code: ErrorCode.RATE_LIMITED } },
        ),
      ];
    }
    try {
      await rate.admitKey(principal, "ws");
      const checked = operations.checkWs(payload);
      if ("errors" in checked) return checked.errors;
      const operation = getOperationAST(checked.document, payload.operationName);
      await rate.admitExpensive(principal, expensiveFieldCount(operation), "ws");
      return {
        schema,
        document: checked.document,
        operationName: payload.operationName,
        variableValues: payload.variables,
      };
    } catch (err) {
      if (err instanceof RateLimitedError) return [new GraphQLError(err.message, { originalError: err })];
      throw err;
    }
  }

  /**
   * Closes the sockets whose key, user or tenant is no longer live (4403).
   * One statement for all open sockets. Runs one after the other: a check
   * asked for after a revocation must not be answered by one that read the
   * keys before it.
   */
  sweep(): Promise<number> {
    const run = (this.sweeping ?? Promise.resolve(0)).then(
      () => this.closeRevoked(),
      () => this.closeRevoked(),
    );
    this.sweeping = run;
    return run;
  }

  private async closeRevoked(): Promise<number> {
    const { prisma, metrics, logger } = this.deps;
    // Sockets opened while the statement runs are not judged by it: their keys were not asked about.
    const checked = [...this.sockets];
    if (!checked.length) return 0;
    const ids = [...new Set(checked.map(([, o]) => o.principal.apiKeyId))];
    let live: Set<string>;
    try {
      live = await liveApiKeyIds(prisma, ids);
    } catch (err) {
      logger.warn({ err }, "could not check the keys of open WebSocket connections");
      return 0;
    }
    let closed = 0;
    for (const [socket, { principal }] of checked) {
      if (live.has(principal.apiKeyId) || !this.sockets.has(socket)) continue;
      socket.close(CLOSE.forbidden, "API key revoked");
      this.forget(socket);
      metrics.wsClosed.inc({ reason: "key_revoked" });
      closed++;
    }
    if (closed) logger.info({ closed }, "closed WebSocket connections of revoked keys");
    return closed;
  }

  /**
   * Sweeps whenever any instance announces a revocation on the pub/sub (its
   * own included), so that sockets on every instance close at once.
   */
  private listenForRevocations(): { stop(): Promise<void> } {
    const { pubsub, logger } = this.deps;
    if (!pubsub) return { stop: () => Promise.resolve() };
    const events = pubsub.subscribe("api-keys-revoked");
    const done = (async () => {
      for await (const _event of events) await this.sweep();
    })().catch((err: unknown) => logger.warn({ err }, "listening for key revocations failed"));
    return {
      stop: async () => {
        await events.return?.();
        await done;
      },
    };
  }

  /**
   * Apollo plugin: a key revoked through this instance closes its sockets at
   * once, and the revocation is announced to the other instances.
   */
  revocationPlugin(): ApolloServerPlugin {
    return {
      requestDidStart: async () => ({
        willSendResponse: async (rc) => {
          const revoked =
            rc.operation?.operation === OperationTypeNode.MUTATION &&
            !rc.errors?.length &&
            rc.operation.selectionSet.selections.some(
              (s) => s.kind === Kind.FIELD && s.name.value === "revokeApiKey",
            );
          if (!revoked) return;
          this.deps.pubsub?.publish("api-keys-revoked", { revokedAt: new Date().toISOString() });
          await this.sweep();
        },
      }),
    };
  }
}
