import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 4000,
      host: "127.0.0.1",
      databaseUrl: undefined,
      redisUrl: undefined,
      logLevel: "info",
      shutdownGraceMs: 10_000,
    });
    expect(c.dataDir).toMatch(/\.data$/);
    expect(c.runnerConcurrency).toBeGreaterThanOrEqual(1);
  });

  it.each([
    [{ PORT: "http" }, /PORT/],
    [{ PORT: "70000" }, /PORT/],
    [{ RUNNER_CONCURRENCY: "0" }, /RUNNER_CONCURRENCY/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL/],
    [{ REDIS_URL: "not a url" }, /REDIS_URL/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL/],
    [{ GRAPHQL_MAX_DEPTH: "0" }, /GRAPHQL_MAX_DEPTH/],
    [{ GRAPHQL_TIMEOUT_MS: "-1" }, /GRAPHQL_TIMEOUT_MS/],
    [{ GRAPHQL_INTROSPECTION: "maybe" }, /GRAPHQL_INTROSPECTION/],
    [{ RATE_LIMIT_AUTH_FAILURES: "ten" }, /RATE_LIMIT_AUTH_FAILURES/],
    [{ WS_MAX_PAYLOAD_BYTES: "10" }, /WS_MAX_PAYLOAD_BYTES/],
    [{ RUNNER_TENANT_CONCURRENCY: "0" }, /RUNNER_TENANT_CONCURRENCY/],
    [{ RUN_MAX_TIMEOUT_SECONDS: "86401" }, /RUN_MAX_TIMEOUT_SECONDS/],
    [{ RUN_DEFAULT_TIMEOUT_SECONDS: "7200", RUN_MAX_TIMEOUT_SECONDS: "3600" }, /RUN_DEFAULT_TIMEOUT_SECONDS/],
    [{ RUN_MAX_PRIORITY_WITHOUT_ADMIN: "101" }, /RUN_MAX_PRIORITY_WITHOUT_ADMIN/],
    [{ MODEL_MAX_RUN_TIME_DAYS: "1e308" }, /MODEL_MAX_RUN_TIME_DAYS/],
    [{ MODEL_MAX_REPLICATIONS: "10001" }, /MODEL_MAX_REPLICATIONS/],
    [{ MODEL_MAX_GENERATOR_ENTITIES: "-1" }, /MODEL_MAX_GENERATOR_ENTITIES/],
    [{ INPUT_MAX_JSON_DEPTH: "1" }, /INPUT_MAX_JSON_DEPTH/],
    [{ INPUT_MAX_JSON_BYTES: "2MB" }, /INPUT_MAX_JSON_BYTES/],
    [{ RESPONSE_MAX_BYTES: "0" }, /RESPONSE_MAX_BYTES/],
    [{ RUN_MODE: "cluster" }, /RUN_MODE/],
    [{ RUN_MODE: "queue" }, /RUN_MODE=queue needs DATABASE_URL/],
    [{ RUN_MODE: "queue", DATABASE_URL: "" }, /RUN_MODE=queue needs DATABASE_URL/],
    [{ QUEUE_WORKER_IN_API: "sometimes" }, /QUEUE_WORKER_IN_API/],
    [{ QUEUE_HEARTBEAT_SECONDS: "9" }, /QUEUE_HEARTBEAT_SECONDS/],
    [{ QUEUE_SUPERVISE_SECONDS: "0" }, /QUEUE_SUPERVISE_SECONDS/],
    [{ QUEUE_RUN_ATTEMPTS: "0" }, /QUEUE_RUN_ATTEMPTS/],
  ])("names the variable of a bad value %o", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("runs inline by default; queue mode with its documented lease settings", () => {
    expect(loadConfig({}).runMode).toBe("inline");
    expect(loadConfig({ RUN_MODE: "inline" }).runMode).toBe("inline");
    const q = loadConfig({ RUN_MODE: "Queue", DATABASE_URL: "postgres://db/x" });
    expect(q.runMode).toBe("queue");
    expect(q.queue).toEqual({
      workerInApi: false,
      heartbeatSeconds: 30,
      superviseSeconds: 10,
      runAttempts: 3,
    });
    expect(
      loadConfig({
        RUN_MODE: "queue",
        DATABASE_URL: "postgresql://db/x",
        QUEUE_WORKER_IN_API: "true",
        QUEUE_HEARTBEAT_SECONDS: "10",
        QUEUE_SUPERVISE_SECONDS: "1",
        QUEUE_RUN_ATTEMPTS: "1",
      }).queue,
    ).toEqual({ workerInApi: true, heartbeatSeconds: 10, superviseSeconds: 1, runAttempts: 1 });
  });

  it("has the documented run limits, the per-tenant cap half the slots rounded up", () => {
    expect(loadConfig({ RUNNER_CONCURRENCY: "5" }).runs).toEqual({
      perTenantConcurrency: 3,
      defaultTimeoutSeconds: 3600,
      maxTimeoutSeconds: 86_400,
      maxPriorityWithoutAdmin: 10,
      model: { maxRunTimeDays: 1_000_000, maxReplications: 10_000, maxGeneratorEntities: 1_000_000 },
    });
    expect(loadConfig({ RUNNER_CONCURRENCY: "1" }).runs.perTenantConcurrency).toBe(1);
    expect(
      loadConfig({ RUNNER_CONCURRENCY: "4", RUNNER_TENANT_CONCURRENCY: "4" }).runs.perTenantConcurrency,
    ).toBe(4);
    // A lower maximum lowers the default with it.
    expect(loadConfig({ RUN_MAX_TIMEOUT_SECONDS: "600" }).runs.defaultTimeoutSeconds).toBe(600);
  });

  it("turns introspection and suggestions off in production unless asked for", () => {
    expect(loadConfig({ NODE_ENV: "production" }).hardening.operations).toMatchObject({
      introspection: false,
      suggestions: false,
    });
    expect(loadConfig({}).hardening.operations).toMatchObject({ introspection: true, suggestions: true });
    expect(
      loadConfig({ NODE_ENV: "production", GRAPHQL_INTROSPECTION: "true" }).hardening.operations
        .introspection,
    ).toBe(true);
  });

  it("bounds JSON inputs and answers by the documented defaults", () => {
    expect(loadConfig({}).hardening).toMatchObject({
      input: { maxJsonDepth: 100, maxJsonBytes: 2 * 1024 * 1024 },
      response: { maxBytes: 32 * 1024 * 1024 },
    });
    expect(
      loadConfig({ INPUT_MAX_JSON_DEPTH: "20", INPUT_MAX_JSON_BYTES: "4096", RESPONSE_MAX_BYTES: "65536" })
        .hardening,
    ).toMatchObject({ input: { maxJsonDepth: 20, maxJsonBytes: 4096 }, response: { maxBytes: 65536 } });
  });

  it("serves /metrics openly only outside production without METRICS_TOKEN", () => {
    expect(loadConfig({}).hardening.metrics).toEqual({ token: undefined, openWithoutToken: true });
    expect(loadConfig({ NODE_ENV: "production" }).hardening.metrics).toEqual({
      token: undefined,
      openWithoutToken: false,
    });
    expect(loadConfig({ NODE_ENV: "production", METRICS_TOKEN: "s3cret" }).hardening.metrics.token).toBe(
      "s3cret",
    );
  });

  it("keeps the rate-limit counters in Redis when REDIS_URL is set", () => {
    expect(loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" }).hardening.rate.redisUrl).toBe(
      "redis://127.0.0.1:6379",
    );
  });
});
