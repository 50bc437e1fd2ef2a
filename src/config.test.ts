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
  ])("names the variable of a bad value %o", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
