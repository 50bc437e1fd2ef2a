import os from "node:os";
import path from "node:path";

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
  return {
    port: intVar(env, "PORT", 4000, 0, 65535),
    host: env.HOST || "127.0.0.1",
    dataDir: path.resolve(env.DATA_DIR || "./.data"),
    databaseUrl: urlVar(env, "DATABASE_URL", ["postgres:", "postgresql:"]),
    redisUrl: urlVar(env, "REDIS_URL", ["redis:", "rediss:"]),
    runnerConcurrency: intVar(env, "RUNNER_CONCURRENCY", os.availableParallelism(), 1, 256),
    shutdownGraceMs: intVar(env, "SHUTDOWN_GRACE_SECONDS", 10, 0, 3600) * 1000,
    logLevel: logLevel as Config["logLevel"],
    nodeEnv: env.NODE_ENV || "development",
  };
}
