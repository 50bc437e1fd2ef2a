import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mm1 } from "../fixtures/models.js";
import { backends, createTestDatabase, type TestDatabase } from "../helpers/backends.js";
import { gql, killLeftovers, runCli, startServe } from "../helpers/process.js";

async function stateOf(
  url: string,
  apiKey: string,
  id: string,
): Promise<{
  state: string;
  errorMessage: string | null;
  runs: { state: string; errorMessage: string | null }[];
}> {
  return (
    await gql(
      url,
      apiKey,
      `query($id: ID!) { scenario(id: $id) { state errorMessage runs { state errorMessage } } }`,
      { id },
    )
  ).scenario;
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Every test starts several processes that each open the database (seconds apiece on a busy machine).
const PROCESS_TIMEOUT = 120_000;

describe.each(backends())("runs across restarts on $name", { timeout: PROCESS_TIMEOUT }, (backend) => {
  let env: Record<string, string>;
  let dir: string;
  let db: TestDatabase | undefined;
  let apiKey: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "scenariolab-restart-"));
    env = { DATA_DIR: dir, DATABASE_URL: "", RUNNER_CONCURRENCY: "1", SHUTDOWN_GRACE_SECONDS: "0" };
    if (backend.name === "postgres") {
      db = await createTestDatabase(backend);
      await db.database.close();
      env.DATABASE_URL = db.url!;
    }
    apiKey = JSON.parse(
      (await runCli(["create-tenant", "--name", "Crashy", "--admin-email", "a@crashy.test"], env)).stdout,
    ).apiKey;
  });
  // A server left running by a failed test would hold the embedded database of the next one.
  afterEach(killLeftovers);
  afterAll(async () => {
    await db?.dispose().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  async function longScenario(url: string): Promise<string> {
    const definition = mm1({ runTime: { unit: "minutes", value: 1_000_000_000 } });
    const modelId = (
      await gql(
        url,
        apiKey,
        `mutation($d: JSON!) { createModel(input: { name: "Long", definition: $d }) { id } }`,
        { d: definition },
      )
    ).createModel.id;
    const analysisId = (
      await gql(
        url,
        apiKey,
        `mutation($m: ID!) { createAnalysis(input: { modelId: $m, name: "A ${Math.random()}" }) { id } }`,
        { m: modelId },
      )
    ).createAnalysis.id;
    const id = (
      await gql(
        url,
        apiKey,
        `mutation($a: ID!) { createScenario(input: { analysisId: $a, name: "S", reps: 1 }) { id } }`,
        { a: analysisId },
      )
    ).createScenario.id;
    await gql(url, apiKey, `mutation($id: ID!) { runScenario(id: $id) { state } }`, { id });
    await until(
      () => stateOf(url, apiKey, id),
      (s) => s.state === "IS_RUNNING",
    );
    return id;
  }

  it("does not leave a scenario IS_RUNNING after the process is killed", async () => {
    let serve = await startServe(env);
    const id = await longScenario(serve.url);
    serve.child.kill("SIGKILL");
    await serve.exited;

    serve = await startServe(env);
    const after = await stateOf(serve.url, apiKey, id);
    expect(after.state).toBe("RAN_WITH_ERRORS");
    expect(after.errorMessage).toMatch(/interrupted by a restart/i);
    expect(after.runs).toEqual([{ state: "FAILED", errorMessage: after.errorMessage }]);
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
  });

  it("requeues a run interrupted by SIGTERM and resumes it on the next start", async () => {
    let serve = await startServe(env);
    const id = await longScenario(serve.url);
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);

    serve = await startServe(env);
    const resumed = await until(
      () => stateOf(serve.url, apiKey, id),
      (s) => s.state === "IS_RUNNING",
    );
    expect(resumed.runs).toHaveLength(1);
    await gql(serve.url, apiKey, `mutation($id: ID!) { cancelScenario(id: $id) { state } }`, { id });
    await until(
      () => stateOf(serve.url, apiKey, id),
      (s) => s.state === "CANCELLED",
    );
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
  });
});
