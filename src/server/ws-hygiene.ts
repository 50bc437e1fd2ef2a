import type { IncomingMessage } from "node:http";
import { GraphQLError, getOperationAST, type GraphQLSchema } from "graphql";
import { handleProtocols, makeServer, type Context, type ServerOptions } from "graphql-ws";
import type { WebSocket, WebSocketServer } from "ws";
import { ErrorCode, RateLimitedError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Principal } from "../modules/auth/principal.js";
import type { OperationGuard } from "./limits.js";
import { clientAddress, expensiveFieldCount, type RateLimitGuard } from "./rate-limit.js";

/** Close codes of the graphql-ws protocol and RFC 6455 that this module uses. */
const CLOSE = {
  goingAway: 1001,
  internalError: 4500,
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
  operations: OperationGuard;
  rate: RateLimitGuard;
  logger: Logger;
  /** Resolves an API key to its principal, or throws UNAUTHENTICATED. */
  authenticate(key: string | undefined): Promise<Principal>;
}

/**
 * graphql-ws connections under the same operation limits and budgets as HTTP:
 * the address budget per connection, the failed-authentication budget at
 * connection_init, and per operation the key's request and expensive-mutation
 * budgets; every `subscribe` message is parsed, validated and priced here
 * before it runs.
 */
export class WsHygiene {
  constructor(private readonly deps: WsHygieneDeps) {}

  /**
   * Serves graphql-ws on the ws server: graphql-ws's core (makeServer) with this
   * adapter, which is its `useServer` with our logger instead of the console
   * and the address budget for every new socket.
   */
  serve(
    base: Omit<WsOptions, "onConnect" | "onSubscribe" | "onClose">,
    wss: WebSocketServer,
  ): { dispose(): Promise<void> } {
    const { logger, rate } = this.deps;
    const server = makeServer<WsParams, WsExtra>({
      ...base,
      onConnect: (ctx) => this.onConnect(ctx),
      onSubscribe: (ctx, _id, payload) => this.onSubscribe(ctx, payload),
    });
    wss.options.handleProtocols = handleProtocols;
    wss.on("error", (err) => logger.error({ err }, "WebSocket server error"));
    wss.on("connection", (socket, request) => {
      socket.once("error", (err: Error) => {
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
          close: (code, why) => socket.close(code, why),
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
    return {
      dispose: async () => {
        for (const client of wss.clients) client.close(CLOSE.goingAway, "Going away");
        wss.removeAllListeners();
        await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
      },
    };
  }

  private async onConnect(ctx: WsContext): Promise<boolean> {
    const { rate } = this.deps;
    try {
      ctx.extra.principal = await rate.authenticate(
        clientAddress(ctx.extra.request, rate.config.trustProxyHops),
        keyFromParams(ctx.connectionParams),
        (key) => this.deps.authenticate(key),
        "ws",
      );
      return true;
    } catch (err) {
      if (err instanceof RateLimitedError) ctx.extra.socket.close(CLOSE.tooMany, reason(err.message));
      return false; // graphql-ws closes with 4403 Forbidden (a no-op after our own close)
    }
  }

  private async onSubscribe(
    ctx: WsContext,
    payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  ) {
    const { rate, operations, schema } = this.deps;
    const principal = ctx.extra.principal;
    if (!principal)
      return [new GraphQLError("Not authenticated", { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
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
}
