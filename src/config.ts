import os from "node:os";
import path from "node:path";
import { MAX_GENERATOR_ENTITIES, type ModelBounds } from "./simulation/index.js";

/** Typed service configuration, read from the environment once at start. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Unset: embedded PGlite under `dataDir`. */
  databaseUrl: string | undefined;
  /** Unset: in-memory pub/sub. */
  redisUrl: string | undefined;
  runnerConcurrency: number;
  /** On SIGTERM, how long running simulations may finish before they are requeued. */
  shutdownGraceMs: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  nodeEnv: string;
  /** What one request, key or socket may cost the service. */
  hardening: Hardening;
  /** Fair sharing of the runner across tenants, and what one run or model may ask for. */
  runs: RunLimits;
  /**
   * Where runs execute: `inline` in this process's worker threads, or `queue` on
   * the PostgreSQL job queue that `scenariolab worker` processes take from.
   */
  runMode: RunMode;
  /** The job queue of `runMode: "queue"`. */
  queue: QueueSettings;
}

export type RunMode = "inline" | "queue";

/** How the PostgreSQL job queue (pg-boss) hands runs to worker processes, and takes them back. */
export interface QueueSettings {
  /** `serve` in queue mode also executes runs (API and worker in one process). */
  workerInApi: boolean;
  /**
   * A worker refreshes the lease of each run it holds every half of this; a run whose
   * lease is this old (its worker was killed or cut off) goes back to the queue.
   */
  heartbeatSeconds: number;
  /** How often every process of the queue looks for expired leases (and timed-out jobs). */
  superviseSeconds: number;
  /** Executions a run gets when workers stop under it; after the last it ends RAN_WITH_ERRORS. */
  runAttempts: number;
}

/** How runs share the runner, and what one run may ask for. */
export interface RunLimits {
  /** Runs of one tenant executing at once (in one process). */
  perTenantConcurrency: number;
  /** `timeoutSeconds` of a run started without one. */
  defaultTimeoutSeconds: number;
  /** Largest `timeoutSeconds` a run may ask for. */
  maxTimeoutSeconds: number;
  /** Highest `priority` without the ADMIN role (the field itself goes up to 100). */
  maxPriorityWithoutAdmin: number;
  /** Bounds of a model (and of a scenario's effective model), checked when it is stored and run. */
  model: ModelBounds;
}

/** The field bounds of RunOptionsInput.priority; the configurable limits live inside them. */
export const PRIORITY_RANGE = { min: -100, max: 100 } as const;
/** The field bound of RunOptionsInput.timeoutSeconds (RUN_MAX_TIMEOUT_SECONDS may only lower it). */
export const TIMEOUT_SECONDS_CEILING = 86_400;
/** Upper bound of every replications count (scenario reps, analysis defaults, model replications). */
export const REPLICATIONS_CEILING = 10_000;

/** Limits on one GraphQL operation, checked before it executes, over HTTP and WebSocket alike. */
export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  /** Estimated cost (src/server/limits.ts): `first` multiplies, expensive fields weigh more. */
  maxCost: number;
  /** How long one operation may run before it is aborted with an error; 0 = no limit. */
  timeoutMs: number;
  introspection: boolean;
  /** "Did you mean …" in validation errors. */
  suggestions: boolean;
}

/** Budgets per API key and per client address; 0 turns a budget off. */
export interface RateLimits {
  /** GraphQL operations (HTTP requests and WebSocket operations) per API key per minute. */
  requestsPerMinute: number;
  /** HTTP requests and WebSocket connections per client address per minute, keys or not. */
  addressRequestsPerMinute: number;
  /** Failed authentications per client address per window before the address is refused. */
  authFailures: number;
  authWindowSeconds: number;
  /** runScenario, runAnalysis, createExperiment and runExperiment calls per API key per minute. */
  expensivePerMinute: number;
  /** Reverse proxies in front of the service whose X-Forwarded-For is trusted (0: the socket's peer). */
  trustProxyHops: number;
  /** Shared store for the counters (REDIS_URL); in memory when unset. */
  redisUrl: string | undefined;
  /** Prefix of the counters' keys in the store. */
  keyPrefix: string;
}

/** Hygiene of graphql-ws connections. */
export interface WebSocketLimits {
  /** A socket that sends no connection_init within this time is closed (4408). */
  initTimeoutMs: number;
  /** A larger message closes the socket (1009). */
  maxPayloadBytes: number;
  maxSubscriptionsPerSocket: number;
  /** Open sockets per API key: across the API instances that share REDIS_URL, else on this instance. */
  maxConnectionsPerKey: number;
  /** How often open sockets' keys are checked; sockets of revoked keys are closed (4403). */
  keyRecheckSeconds: number;
  /**
   * With Redis: how long a socket counts for its key without its instance renewing it (every
   * third of this), i.e. how soon the sockets of an instance that crashed stop counting.
   */
  connectionLeaseSeconds: number;
}

/** Bounds of JSON arguments (model definitions, override values), checked at the edge before anything reads them. */
export interface InputLimits {
  /** Nesting depth of one JSON argument (objects and arrays). */
  maxJsonDepth: number;
  /** Size of one JSON argument as JSON text, in bytes. */
  maxJsonBytes: number;
}

/** The answer to one operation. */
export interface ResponseLimits {
  /** A larger result is replaced by a BAD_USER_INPUT error (`extensions.limit: "response"`). */
  maxBytes: number;
}

/** Who may read GET /metrics. */
export interface MetricsAccess {
  /** When set, /metrics answers only `Authorization: Bearer <token>`. */
  token: string | undefined;
  /** Without a token, whether /metrics is open (development) or refused (production). */
  openWithoutToken: boolean;
}

export interface Hardening {
  operations: OperationLimits;
  rate: RateLimits;
  ws: WebSocketLimits;
  input: InputLimits;
  response: ResponseLimits;
  metrics: MetricsAccess;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function boolVar(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function urlVar(env: NodeJS.ProcessEnv, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(" or ")}`);
  }
  return raw;
}

/** Reads and validates the environment; throws a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = (env.LOG_LEVEL || "info").toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${env.LOG_LEVEL}"`);
  }
  const nodeEnv = env.NODE_ENV || "development";
  const redisUrl = urlVar(env, "REDIS_URL", ["redis:", "rediss:"]);
  const runnerConcurrency = intVar(env, "RUNNER_CONCURRENCY", os.availableParallelism(), 1, 256);
  const databaseUrl = urlVar(env, "DATABASE_URL", ["postgres:", "postgresql:"]);
  const runMode = (env.RUN_MODE || "inline").toLowerCase();
  if (runMode !== "inline" && runMode !== "queue")
    throw new ConfigError(`RUN_MODE must be inline or queue, got "${env.RUN_MODE}"`);
  if (runMode === "queue" && !databaseUrl)
    throw new ConfigError(
      "RUN_MODE=queue needs DATABASE_URL: the job queue lives in PostgreSQL (the embedded database serves one process)",
    );
  return {
    port: intVar(env, "PORT", 4000, 0, 65535),
    host: env.HOST || "127.0.0.1",
    dataDir: path.resolve(env.DATA_DIR || "./.data"),
    databaseUrl,
    redisUrl,
    runnerConcurrency,
    shutdownGraceMs: intVar(env, "SHUTDOWN_GRACE_SECONDS", 10, 0, 3600) * 1000,
    logLevel: logLevel as Config["logLevel"],
    nodeEnv,
    hardening: hardeningFromEnv(env, nodeEnv, redisUrl),
    runs: runLimitsFromEnv(env, runnerConcurrency),
    runMode,
    queue: {
      workerInApi: boolVar(env, "QUEUE_WORKER_IN_API", false),
      // pg-boss refuses a heartbeat below 10 s.
      heartbeatSeconds: intVar(env, "QUEUE_HEARTBEAT_SECONDS", 30, 10, 3600),
      superviseSeconds: intVar(env, "QUEUE_SUPERVISE_SECONDS", 10, 1, 3600),
      runAttempts: intVar(env, "QUEUE_RUN_ATTEMPTS", 3, 1, 100),
    },
  };
}

/** The limits of README "Configuration", "Runs"; the per-tenant cap defaults to half the slots. */
function runLimitsFromEnv(env: NodeJS.ProcessEnv, concurrency: number): RunLimits {
  const maxTimeoutSeconds = intVar(env, "RUN_MAX_TIMEOUT_SECONDS", 86_400, 1, TIMEOUT_SECONDS_CEILING);
  const defaultTimeoutSeconds = intVar(
    env,
    "RUN_DEFAULT_TIMEOUT_SECONDS",
    Math.min(3600, maxTimeoutSeconds),
    1,
    TIMEOUT_SECONDS_CEILING,
  );
  if (defaultTimeoutSeconds > maxTimeoutSeconds)
    throw new ConfigError(
      `RUN_DEFAULT_TIMEOUT_SECONDS (${defaultTimeoutSeconds}) must not exceed RUN_MAX_TIMEOUT_SECONDS (${maxTimeoutSeconds})`,
    );
  return {
    perTenantConcurrency: intVar(
      env,
      "RUNNER_TENANT_CONCURRENCY",
      Math.max(1, Math.ceil(concurrency / 2)),
      1,
      256,
    ),
    defaultTimeoutSeconds,
    maxTimeoutSeconds,
    maxPriorityWithoutAdmin: intVar(
      env,
      "RUN_MAX_PRIORITY_WITHOUT_ADMIN",
      10,
      PRIORITY_RANGE.min,
      PRIORITY_RANGE.max,
    ),
    model: {
      maxRunTimeDays: intVar(env, "MODEL_MAX_RUN_TIME_DAYS", 1_000_000, 1, 1_000_000_000),
      maxReplications: intVar(env, "MODEL_MAX_REPLICATIONS", REPLICATIONS_CEILING, 1, REPLICATIONS_CEILING),
      maxGeneratorEntities: intVar(
        env,
        "MODEL_MAX_GENERATOR_ENTITIES",
        MAX_GENERATOR_ENTITIES,
        0,
        MAX_GENERATOR_ENTITIES,
      ),
    },
  };
}

/** The defaults of the run limits for a runner of `concurrency` slots (tests, embedding). */
export function defaultRunLimits(concurrency: number): RunLimits {
  return runLimitsFromEnv({}, concurrency);
}

/**
 * The limits of README "Configuration": production answers neither introspection
 * nor field suggestions unless asked to; every other default is the same everywhere.
 */
function hardeningFromEnv(env: NodeJS.ProcessEnv, nodeEnv: string, redisUrl: string | undefined): Hardening {
  const development = nodeEnv !== "production";
  const MAX = 1_000_000_000;
  return {
    operations: {
      maxDepth: intVar(env, "GRAPHQL_MAX_DEPTH", 12, 1, 1000),
      maxAliases: intVar(env, "GRAPHQL_MAX_ALIASES", 20, 0, 100_000),
      maxDirectives: intVar(env, "GRAPHQL_MAX_DIRECTIVES", 20, 0, 100_000),
      maxTokens: intVar(env, "GRAPHQL_MAX_TOKENS", 3000, 100, 10_000_000),
      maxCost: intVar(env, "GRAPHQL_MAX_COST", 5000, 1, MAX),
      timeoutMs: intVar(env, "GRAPHQL_TIMEOUT_MS", 10_000, 0, 3_600_000),
      introspection: boolVar(env, "GRAPHQL_INTROSPECTION", development),
      suggestions: boolVar(env, "GRAPHQL_SUGGESTIONS", development),
    },
    rate: {
      requestsPerMinute: intVar(env, "RATE_LIMIT_REQUESTS_PER_MINUTE", 1200, 0, MAX),
      addressRequestsPerMinute: intVar(env, "RATE_LIMIT_ADDRESS_REQUESTS_PER_MINUTE", 3000, 0, MAX),
      authFailures: intVar(env, "RATE_LIMIT_AUTH_FAILURES", 10, 0, MAX),
      authWindowSeconds: intVar(env, "RATE_LIMIT_AUTH_WINDOW_SECONDS", 600, 1, 86_400),
      expensivePerMinute: intVar(env, "RATE_LIMIT_EXPENSIVE_PER_MINUTE", 30, 0, MAX),
      trustProxyHops: intVar(env, "TRUST_PROXY_HOPS", 0, 0, 10),
      redisUrl,
      keyPrefix: "scenariolab:rl",
    },
    ws: {
      initTimeoutMs: intVar(env, "WS_CONNECTION_INIT_TIMEOUT_MS", 3000, 100, 600_000),
      maxPayloadBytes: intVar(env, "WS_MAX_PAYLOAD_BYTES", 262_144, 1024, 100 * 1024 * 1024),
      maxSubscriptionsPerSocket: intVar(env, "WS_MAX_SUBSCRIPTIONS_PER_SOCKET", 20, 1, 100_000),
      maxConnectionsPerKey: intVar(env, "WS_MAX_CONNECTIONS_PER_KEY", 100, 1, 1_000_000),
      keyRecheckSeconds: intVar(env, "WS_KEY_RECHECK_SECONDS", 30, 1, 86_400),
      connectionLeaseSeconds: intVar(env, "WS_CONNECTION_LEASE_SECONDS", 30, 1, 3600),
    },
    input: {
      maxJsonDepth: intVar(env, "INPUT_MAX_JSON_DEPTH", 100, 2, 10_000),
      maxJsonBytes: intVar(env, "INPUT_MAX_JSON_BYTES", 2 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    },
    response: {
      maxBytes: intVar(env, "RESPONSE_MAX_BYTES", 32 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    },
    metrics: {
      token: env.METRICS_TOKEN || undefined,
      openWithoutToken: development,
    },
  };
}

/** The defaults of every limit, as `loadConfig({ NODE_ENV })` gives them (tests, embedding). */
export function defaultHardening(nodeEnv = "development"): Hardening {
  return hardeningFromEnv({}, nodeEnv, undefined);
}
