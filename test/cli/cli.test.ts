import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../helpers/backends.js";
import {
  cliEnvironment,
  killLeftovers,
  runCli,
  startServe,
  type CliEnvironment,
} from "../helpers/process.js";

const query = async (url: string, apiKey: string, q: string) => {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify({ query: q }),
  });
  return (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
};

interface CreatedTenant {
  tenantId: string;
  userId: string;
  apiKey: string;
}

// Every test starts several processes that each open the database (seconds apiece on a busy machine).
const PROCESS_TIMEOUT = 120_000;

// A server left running by a failed test would hold the embedded database of the next one.
afterEach(killLeftovers);

describe.each(backends())("the scenariolab CLI on $name", { timeout: PROCESS_TIMEOUT }, (backend) => {
  let cli: CliEnvironment;
  let env: Record<string, string>;

  beforeAll(async () => {
    cli = await cliEnvironment(backend, "scenariolab-cli-");
    ({ env } = cli);
  });
  afterAll(() => cli.dispose());

  /** Each test makes the tenant it needs, under a name no other test uses (slugs are unique). */
  async function createTenant(name: string, adminEmail: string): Promise<CreatedTenant> {
    const res = await runCli(["create-tenant", "--name", name, "--admin-email", adminEmail], env);
    expect(res.code, res.stderr).toBe(0);
    return JSON.parse(res.stdout.trim()) as CreatedTenant;
  }

  it("migrate applies migrations and exits 0", async () => {
    const res = await runCli(["migrate"], env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout.trim())).toEqual({ migrated: true });
  });

  it("create-tenant prints one JSON line with tenantId, userId and apiKey", async () => {
    const res = await runCli(
      ["create-tenant", "--name", "Globex Corp", "--admin-email", "boss@globex.test"],
      env,
    );
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const tenant = JSON.parse(lines[0]) as CreatedTenant;
    expect(Object.keys(tenant).sort()).toEqual(["apiKey", "tenantId", "userId"]);
  });

  it("create-tenant refuses a taken slug and missing options", async () => {
    await createTenant("Initech", "bill@initech.test");
    const again = await runCli(
      ["create-tenant", "--name", "Initech", "--admin-email", "x@initech.test"],
      env,
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    expect((await runCli(["create-tenant", "--name", "Only name"], env)).code).toBe(2);
  });

  it("create-api-key creates a viewer by tenant slug", async () => {
    const tenant = await createTenant("Hooli", "gavin@hooli.test");
    const res = await runCli(
      ["create-api-key", "--tenant", "hooli", "--email", "viewer@hooli.test", "--role", "VIEWER"],
      env,
    );
    expect(res.code).toBe(0);
    const created = JSON.parse(res.stdout.trim());
    expect(Object.keys(created).sort()).toEqual(["apiKey", "userId"]);
    expect(created.userId).not.toBe(tenant.userId);
    const bad = await runCli(
      ["create-api-key", "--tenant", "hooli", "--email", "v@hooli.test", "--role", "ROOT"],
      env,
    );
    expect(bad.code).toBe(2);
    const unknown = await runCli(
      ["create-api-key", "--tenant", "nope", "--email", "v@hooli.test", "--role", "EDITOR"],
      env,
    );
    expect(unknown.code).toBe(1);
  });

  it("serve accepts the CLI's key over HTTP and WebSocket, drains on SIGTERM and keeps data across restarts", async () => {
    const tenant = await createTenant("Umbrella", "boss@umbrella.test");
    const first = await startServe(env);
    const created = await query(
      first.url,
      tenant.apiKey,
      `mutation { createModel(input: { name: "Kept", definition: { schemaVersion: "2026.11.01", name: "m", timeUnit: "minutes", runTime: { unit: "minutes", value: 10 }, entities: [{ id: "e" }], activities: [{ id: "a", actions: [] }], generators: [{ id: "g", entityId: "e", interarrivalTime: { unit: "minutes", value: 1 } }], connectors: [{ id: "c", sourceId: "g", targetId: "a" }] } }) { id } }`,
    );
    expect(created.errors).toBeUndefined();
    const ws = createClient({
      url: first.url.replace("http", "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { apiKey: tenant.apiKey },
      retryAttempts: 0,
    });
    const viaWs = await ws.iterate({ query: "{ me { email tenant { slug } } }" }).next();
    expect(viaWs.value).toMatchObject({
      data: { me: { email: "boss@umbrella.test", tenant: { slug: "umbrella" } } },
    });
    await ws.dispose();

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    const second = await startServe(env);
    try {
      const listed = await query(
        second.url,
        tenant.apiKey,
        "{ models { totalCount edges { node { name } } } }",
      );
      expect(listed.data).toEqual({ models: { totalCount: 1, edges: [{ node: { name: "Kept" } }] } });
      // Not an empty database, so no second demo tenant and no key printed.
      expect(second.stdout()).not.toMatch(/Demo API key/);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });
});

describe("first start on an empty embedded database", { timeout: PROCESS_TIMEOUT }, () => {
  it("seeds the demo tenant and prints a working demo key", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "scenariolab-seed-"));
    const serve = await startServe({ DATA_DIR: dir, DATABASE_URL: "" });
    try {
      const key = /Demo API key \(shown once\): (\S+)/.exec(serve.stdout())?.[1];
      expect(key).toMatch(/^slk_/);
      const res = await query(
        serve.url,
        key!,
        "{ me { tenant { slug } } analyses { edges { node { name model { name } scenarios { totalCount } } } } }",
      );
      expect(res.data).toEqual({
        me: { tenant: { slug: "demo" } },
        analyses: {
          edges: [
            {
              node: {
                name: "Morning staffing",
                model: { name: "Coffee Shop" },
                scenarios: { totalCount: 3 },
              },
            },
          ],
        },
      });
    } finally {
      serve.child.kill("SIGTERM");
      await serve.exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("run limits from the environment", { timeout: PROCESS_TIMEOUT }, () => {
  it("serve applies RUN_DEFAULT_TIMEOUT_SECONDS, RUN_MAX_TIMEOUT_SECONDS and MODEL_MAX_RUN_TIME_DAYS", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "scenariolab-limits-"));
    const serve = await startServe({
      DATA_DIR: dir,
      DATABASE_URL: "",
      RUNNER_CONCURRENCY: "1",
      RUN_DEFAULT_TIMEOUT_SECONDS: "120",
      RUN_MAX_TIMEOUT_SECONDS: "600",
      MODEL_MAX_RUN_TIME_DAYS: "1",
    });
    try {
      const key = /Demo API key \(shown once\): (\S+)/.exec(serve.stdout())?.[1];
      const scenarios = await query(serve.url, key!, "{ scenarios(first: 2) { edges { node { id } } } }");
      const [first, second] = (scenarios.data!.scenarios as { edges: { node: { id: string } }[] }).edges.map(
        (e) => e.node.id,
      );
      const tooLong = await query(
        serve.url,
        key!,
        `mutation { runScenario(id: "${first}", options: { timeoutSeconds: 601 }) { id } }`,
      );
      expect(tooLong.errors).toMatchObject([
        { extensions: { code: "BAD_USER_INPUT", details: [{ path: "options.timeoutSeconds" }] } },
      ]);
      await query(serve.url, key!, `mutation { runScenario(id: "${second}") { id } }`);
      const run = await query(serve.url, key!, `{ scenario(id: "${second}") { runs { timeoutSeconds } } }`);
      expect(run.data).toEqual({ scenario: { runs: [{ timeoutSeconds: 120 }] } });

      const definition = {
        schemaVersion: "2026.11.01",
        timeUnit: "hours",
        runTime: { unit: "hours", value: 25 },
        entities: [{ id: "e", name: "E" }],
      };
      const res = await fetch(serve.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key! },
        body: JSON.stringify({
          query:
            'mutation ($definition: JSON!) { createModel(input: { name: "Long", definition: $definition }) { id } }',
          variables: { definition },
        }),
      });
      const model = (await res.json()) as { errors?: unknown[] };
      expect(model.errors).toMatchObject([
        { extensions: { code: "BAD_USER_INPUT", details: [{ path: "definition.runTime.value" }] } },
      ]);
    } finally {
      serve.child.kill("SIGTERM");
      await serve.exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
