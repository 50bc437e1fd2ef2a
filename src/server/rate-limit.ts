import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { GraphQLError, Kind, OperationTypeNode, type OperationDefinitionNode } from "graphql";
import { Redis } from "ioredis";
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import type { RateLimits } from "../config.js";
import { AppError, ErrorCode, HTTP_STATUS, RateLimitedError } from "../errors.js";
import type { Logger } from "../logger.js";
import { apiKeyFromHeaders } from "../modules/auth/auth.service.js";
import type { Principal } from "../modules/auth/principal.js";
import type { Metrics } from "./metrics.js";
import type { Transport } from "./limits.js";

/** The budgets of README "Configuration"; also the label of scenariolab_rate_limited_total. */
export type Budget =
  "requests" | "address" | "auth_failures" | "expensive" | "ws_connections" | "ws_subscriptions";

/** Mutations that start simulation work; each root field counts once against the expensive budget. */
export const EXPENSIVE_MUTATIONS: ReadonlySet<string> = new Set([
  "runScenario",
  "runAnalysis",
  "createExperiment",
  "runExperiment",
]);

/** How often one instance refreshes a key's "recently used" mark in the store. */
const SEEN_REFRESH_MS = 60_000;
const SEEN_CACHE_MAX = 10_000;

/**
 * The address a request comes from: the socket's peer, or with `trustProxyHops`
 * proxies in front, the address those proxies appended to X-Forwarded-For.
 * IPv6 clients are grouped by their /64 network (one host usually has all of it).
 */
export function clientAddress(req: IncomingMessage, trustProxyHops: number): string {
  const peer = req.socket.remoteAddress ?? "unknown";
  let address = peer;
  if (trustProxyHops > 0) {
    const header = req.headers["x-forwarded-for"];
    const forwarded = (Array.isArray(header) ? header.join(",") : (header ?? ""))
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const chain = [peer, ...forwarded.reverse()];
    address = chain[Math.min(trustProxyHops, chain.length - 1)];
  }
  return networkOf(address);
}

function networkOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(":")) return address;
  // Expand "::" and keep the first four groups: the /64 network.
  const [head, tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** The HTTP head of an answer refused with an AppError: its code's status, and Retry-After when it has one. */
export function errorHttpHead(error: AppError): { status: number; headers?: HeaderMap } {
  return {
    status: HTTP_STATUS[error.code],
    ...(error instanceof RateLimitedError
      ? { headers: new HeaderMap([["retry-after", String(error.retryAfter)]]) }
      : {}),
  };
}

/** A RateLimitedError as Apollo sends it from a plugin hook: its code, retryAfter, status and header. */
function toGraphQLError(error: RateLimitedError): GraphQLError {
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: { code: error.code, retryAfter: error.retryAfter, http: errorHttpHead(error) },
  });
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** What a key in use is remembered by: a hash of its own, not the one stored in the database. */
const inUseMark = (key: string) => createHash("sha256").update(`in use:${key}`).digest("base64url");

/** Root fields of a mutation that start simulation work. */
export function expensiveFieldCount(operation: OperationDefinitionNode | null | undefined): number {
  if (operation?.operation !== OperationTypeNode.MUTATION) return 0;
  return operation.selectionSet.selections.filter(
    (s) => s.kind === Kind.FIELD && EXPENSIVE_MUTATIONS.has(s.name.value),
  ).length;
}

/**
 * Request budgets per API key and per client address, with rate-limiter-flexible:
 * counters in memory, or in Redis (REDIS_URL) so they hold across API instances;
 * if Redis is unreachable, each instance falls back to its own memory counters.
 */
export class RateLimitGuard {
  /** The store shared by the API instances (REDIS_URL), also for WebSocket connection counts. */
  readonly redis: Redis | undefined;
  private readonly requests: RateLimiterAbstract | undefined;
  private readonly address: RateLimiterAbstract | undefined;
  private readonly authFailures: RateLimiterAbstract | undefined;
  private readonly expensive: RateLimiterAbstract | undefined;
  /** Keys that authenticated in the last auth window: they pass an address blocked for failures. */
  private readonly seen: RateLimiterAbstract | undefined;
  private readonly seenMarked = new Map<string, number>();

  constructor(
    readonly config: RateLimits,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    if (config.redisUrl) {
      // Commands fail at once while Redis is down, so the memory insurance answers instead of waiting.
      this.redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      this.redis.on("error", (err: Error) => this.logger.warn({ err }, "rate limit store (Redis) error"));
    }
    const make = (name: string, points: number, duration: number): RateLimiterAbstract | undefined => {
      if (points <= 0) return undefined;
      const opts = { keyPrefix: `${config.keyPrefix}:${name}`, points, duration };
      if (!this.redis) return new RateLimiterMemory(opts);
      return new RateLimiterRedis({
        ...opts,
        storeClient: this.redis,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(opts),
      });
    };
    this.requests = make("requests", config.requestsPerMinute, 60);
    this.address = make("address", config.addressRequestsPerMinute, 60);
    this.authFailures = make("auth", config.authFailures, config.authWindowSeconds);
    this.expensive = make("expensive", config.expensivePerMinute, 60);
    this.seen = config.authFailures > 0 ? make("seen", 1, config.authWindowSeconds) : undefined;
  }

  private refuse(budget: Budget, transport: Transport, message: string, retryAfter: number): never {
    this.metrics.rateLimited.inc({ budget, transport });
    throw new RateLimitedError(`${message} Retry after ${retryAfter} s.`, retryAfter);
  }

  /** Consumes points of a budget; throws RateLimitedError when it is spent. A broken store lets requests through. */
  private async take(
    budget: Budget,
    limiter: RateLimiterAbstract | undefined,
    key: string,
    transport: Transport,
    message: string,
    points = 1,
  ): Promise<void> {
    if (!limiter) return;
    try {
      await limiter.consume(key, points);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes)
        this.refuse(budget, transport, message, seconds(rejection.msBeforeNext));
      this.logger.warn({ err: rejection, budget }, "rate limit store failed; request let through");
    }
  }

  /** Every HTTP request and WebSocket connection of a client address, before anything else is done. */
  admitAddress(address: string, transport: Transport): Promise<void> {
    return this.take(
      "address",
      this.address,
      address,
      transport,
      `Too many requests from this address (at most ${this.config.addressRequestsPerMinute} a minute).`,
    );
  }

  /** One GraphQL operation (or REST request) of an API key. */
  admitKey(principal: Principal, transport: Transport): Promise<void> {
    return this.take(
      "requests",
      this.requests,
      principal.apiKeyId,
      transport,
      `Too many requests for this API key (at most ${this.config.requestsPerMinute} a minute).`,
    );
  }

  /** Root fields that start simulation work (runScenario, runAnalysis, experiments). */
  async admitExpensive(principal: Principal, count: number, transport: Transport): Promise<void> {
    if (count <= 0) return;
    await this.take(
      "expensive",
      this.expensive,
      principal.apiKeyId,
      transport,
      `Too many runs started with this API key (at most ${this.config.expensivePerMinute} a minute: ${[...EXPENSIVE_MUTATIONS].join(", ")}).`,
      count,
    );
  }

  /** Seconds until an address refused for failed authentications may try again; undefined when it is not. */
  private async authBlocked(address: string): Promise<number | undefined> {
    if (!this.authFailures) return undefined;
    try {
      const res = await this.authFailures.get(address);
      return res && res.consumedPoints > this.config.authFailures ? seconds(res.msBeforeNext) : undefined;
    } catch (err) {
      this.logger.warn({ err }, "rate limit store failed; request let through");
      return undefined;
    }
  }

  private async recentlyUsed(mark: string): Promise<boolean> {
    try {
      return (await this.seen?.get(mark)) != null;
    } catch {
      return false;
    }
  }

  /** Marks a key as in use (at most once a minute per key and instance, so the store sees few writes). */
  private markUsed(mark: string, principal: Principal): Principal {
    if (!this.seen) return principal;
    const now = Date.now();
    const last = this.seenMarked.get(mark);
    if (last === undefined || now - last > SEEN_REFRESH_MS) {
      if (this.seenMarked.size >= SEEN_CACHE_MAX) this.seenMarked.clear();
      this.seenMarked.set(mark, now);
      this.seen.set(mark, 1, this.config.authWindowSeconds).catch((err: unknown) => {
        this.seenMarked.delete(mark);
        this.logger.warn({ err }, "rate limit store failed to mark a key as used");
      });
    }
    return principal;
  }

  /**
   * Authentication under the failed-authentication budget of the address: the
   * first `authFailures` bad keys in the window answer UNAUTHENTICATED, the next
   * one and every later request of the address answer RATE_LIMITED until the
   * window ends, except requests with a key that authenticated within the last
   * window (a dashboard already at work behind the same address). A key guessed
   * right meanwhile looks exactly like a wrong one, so guessing gains nothing;
   * and a refused guess costs no database lookup (keys in use are remembered by
   * a hash of their own, not the stored one).
   */
  async authenticate(
    address: string,
    key: string | undefined,
    check: (key: string | undefined) => Promise<Principal>,
    transport: Transport,
    /** The address was already checked for this request (addressLimit). */
    prechecked = false,
  ): Promise<Principal> {
    const message = this.authMessage();
    const mark = key ? inUseMark(key) : "";
    const blockedFor = prechecked ? undefined : await this.authBlocked(address);
    if (blockedFor !== undefined) {
      if (key && (await this.recentlyUsed(mark))) return this.markUsed(mark, await check(key));
      this.refuse("auth_failures", transport, message, blockedFor);
    }
    try {
      const principal = await check(key);
      return key ? this.markUsed(mark, principal) : principal;
    } catch (err) {
      // A request without a key is no guess; it only spends the address budget.
      if (key && err instanceof AppError && err.code === ErrorCode.UNAUTHENTICATED)
        await this.take("auth_failures", this.authFailures, address, transport, message);
      throw err;
    }
  }

  /**
   * Express middleware for a path: the address budget before the body is read.
   * Refusals answer 429 with Retry-After, in GraphQL's response shape or the
   * REST routes' `{ error, code, retryAfter }`.
   */
  addressLimit(shape: "graphql" | "rest"): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const address = clientAddress(req, this.config.trustProxyHops);
      const admit = async () => {
        await this.admitAddress(address, "http");
        // An address refused for failed authentications is answered here, before its body is read.
        const key = apiKeyFromHeaders(req.headers);
        const blockedFor = await this.authBlocked(address);
        if (blockedFor !== undefined && !(key && (await this.recentlyUsed(inUseMark(key)))))
          this.refuse("auth_failures", "http", this.authMessage(), blockedFor);
        this.prechecked.add(req);
      };
      admit().then(
        () => next(),
        (err: unknown) => {
          if (!(err instanceof RateLimitedError)) return next(err);
          res.status(HTTP_STATUS[err.code]).setHeader("Retry-After", String(err.retryAfter));
          const extensions = { code: err.code, retryAfter: err.retryAfter };
          res.json(
            shape === "graphql"
              ? { errors: [{ message: err.message, extensions }] }
              : { error: err.message, ...extensions },
          );
        },
      );
    };
  }

  /** Requests whose address addressLimit found not refused for failed authentications. */
  readonly prechecked = new WeakSet<IncomingMessage>();

  private authMessage(): string {
    return `Too many failed authentications from this address (at most ${this.config.authFailures} in ${this.config.authWindowSeconds} s).`;
  }

  /** REST answers that carry `retryAfter` in their body also carry the Retry-After header. */
  static retryAfterHeader(): RequestHandler {
    return (_req: Request, res: Response, next: NextFunction) => {
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        const retryAfter = (body as { retryAfter?: unknown } | null)?.retryAfter;
        if (typeof retryAfter === "number") res.setHeader("Retry-After", String(retryAfter));
        return json(body);
      };
      next();
    };
  }

  /** Apollo plugin: the expensive-mutation budget, once the operation is known. */
  apolloPlugin(): ApolloServerPlugin {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async (rc) => {
          const principal = (rc.contextValue as { principal?: Principal }).principal;
          if (!principal) return;
          try {
            await this.admitExpensive(principal, expensiveFieldCount(rc.operation), "http");
          } catch (err) {
            throw err instanceof RateLimitedError ? toGraphQLError(err) : err;
          }
        },
      }),
    };
  }

  /**
   * Waits (at most `timeoutMs`) until Redis is connected: until then every
   * instance would count in its own memory and the shared budgets would not hold.
   */
  async ready(timeoutMs = 5000): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === "ready") return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        redis.off("ready", done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.logger.warn("rate limit store (Redis) not ready; counting in memory until it is");
        done();
      }, timeoutMs);
      redis.once("ready", done);
    });
  }

  close(): void {
    this.redis?.disconnect();
  }
}
