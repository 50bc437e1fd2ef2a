import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createClient, type Client } from "graphql-ws";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { mm1 } from "../fixtures/models.js";
import { createTestDatabase, type TestDatabase } from "../helpers/backends.js";
import {
  gql,
  killLeftovers,
  runCli,
  startServe,
  startWorker,
  type ServeProcess,
  type WorkerProcess,
} from "../helpers/process.js";
import { isTerminal, record } from "../helpers/scenarios.js";

const postgres = process.env.DATABASE_URL;
const redis = process.env.REDIS_URL;

interface ScenarioView {
  state: string;
  errorMessage: string | null;
  runs: { id: string; state: string; startedAt: string | null; errorMessage: string | null }[];
}

async function scenarioOf(url: string, apiKey: string, id: string): Promise<ScenarioView> {
  return (
    await gql(
      url,
      apiKey,
      `query($id: ID!) { scenario(id: $id) { state errorMessage runs { id state startedAt errorMessage } } }`,
      { id },
    )
  ).scenario;
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The run ids a worker took, from its "run taken" log lines, with the attempt of each. */
function taken(worker: WorkerProcess): { runId: string; jobAttempt: number }[] {
  return worker
    .output()
    .split("\n")
    .filter((line) => line.includes('"run taken"'))
    .map((line) => JSON.parse(line) as { runId: string; jobAttempt: number });
}

// A CLI process takes seconds to start on a busy machine.
describe("queue mode configuration", { timeout: 180_000 }, () => {
  it("refuses RUN_MODE=queue without DATABASE_URL, for serve and for worker", async () => {
    for (const command of ["serve", "worker"]) {
      const { code, stderr } = await runCli([command], { RUN_MODE: "queue", DATABASE_URL: "" });
      expect(code).toBe(1);
      expect(stderr).toMatch(/RUN_MODE=queue needs DATABASE_URL/);
    }
  });

  it("refuses a worker outside queue mode", async () => {
    const { code, stderr } = await runCli(["worker"], { RUN_MODE: "inline", DATABASE_URL: "" });
    expect(code).toBe(2);
    expect(stderr).toMatch(/set RUN_MODE=queue/);
  });
});

// Every test starts several processes, and a lost lease is found only after its heartbeat expired.
const PROCESS_TIMEOUT = 600_000;
/** How long a process may take to start on a busy machine. */
const START_MS = 180_000;

describe.skipIf(!postgres || !redis)(
  "queue mode with an API and worker processes (needs DATABASE_URL and REDIS_URL)",
  { timeout: PROCESS_TIMEOUT },
  () => {
    let env: Record<string, string>;
    let dir: string;
    let db: TestDatabase;
    let apiKey: string;
    let api: ServeProcess;
    /** Workers running now, and every worker started (for their "run taken" lines). */
    let live: WorkerProcess[] = [];
    const started: WorkerProcess[] = [];
    const clients: Client[] = [];
    /** Scenarios a test started; cancelled after it, so a failed test leaves no endless run behind. */
    const active: string[] = [];

    async function spawnWorker(): Promise<WorkerProcess> {
      const worker = await startWorker({ ...env, LOG_LEVEL: "info" }, START_MS);
      live.push(worker);
      started.push(worker);
      return worker;
    }

    async function kill(worker: WorkerProcess, signal: "SIGKILL" | "SIGTERM"): Promise<number | string> {
      live = live.filter((w) => w !== worker);
      worker.child.kill(signal);
      return worker.exited;
    }

    const ws = (): Client => {
      const client = createClient({
        url: api.url.replace(/^http/, "ws"),
        webSocketImpl: WebSocket,
        connectionParams: { apiKey },
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    };

    /** The queue's jobs of the given runs, by pg-boss, read from the test database. */
    async function jobsOf(runIds: string[]): Promise<{ id: string; state: string; retry_count: number }[]> {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ id: string; state: string; retry_count: number }>(
          `SELECT id::text, state::text, retry_count FROM pgboss.job WHERE name = 'scenario-runs' AND id = ANY($1::uuid[]) ORDER BY id`,
          [runIds],
        );
        return rows;
      } finally {
        await client.end();
      }
    }

    async function analysisWith(definition: Record<string, unknown>, scenarios: number, reps: number) {
      const modelId = (
        await gql(
          api.url,
          apiKey,
          `mutation($d: JSON!) { createModel(input: { name: "Q ${Math.random()}", definition: $d }) { id } }`,
          { d: definition },
        )
      ).createModel.id;
      const analysisId = (
        await gql(
          api.url,
          apiKey,
          `mutation($m: ID!) { createAnalysis(input: { modelId: $m, name: "A ${Math.random()}" }) { id } }`,
          { m: modelId },
        )
      ).createAnalysis.id as string;
      const ids: string[] = [];
      for (let i = 0; i < scenarios; i++)
        ids.push(
          (
            await gql(
              api.url,
              apiKey,
              `mutation($a: ID!, $n: String!, $r: Int!) { createScenario(input: { analysisId: $a, name: $n, reps: $r }) { id } }`,
              { a: analysisId, n: `S${i}`, r: reps },
            )
          ).createScenario.id as string,
        );
      return { analysisId, ids };
    }

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), "scenariolab-queue-"));
      db = await createTestDatabase({ name: "postgres", adminUrl: postgres });
      await db.database.close();
      env = {
        DATA_DIR: dir,
        DATABASE_URL: db.url!,
        REDIS_URL: redis!,
        RUN_MODE: "queue",
        RUNNER_CONCURRENCY: "1",
        SHUTDOWN_GRACE_SECONDS: "0",
        // The shortest lease pg-boss allows, looked after every second: a killed worker's run moves on quickly.
        QUEUE_HEARTBEAT_SECONDS: "10",
        QUEUE_SUPERVISE_SECONDS: "1",
        QUEUE_RUN_ATTEMPTS: "2",
      };
      apiKey = JSON.parse(
        (await runCli(["create-tenant", "--name", "Queued", "--admin-email", "a@queued.test"], env)).stdout,
      ).apiKey;
      api = await startServe(env, START_MS);
      await Promise.all([spawnWorker(), spawnWorker()]);
    }, PROCESS_TIMEOUT);

    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => Promise.resolve(c.dispose())));
      for (const id of active.splice(0))
        await gql(api.url, apiKey, `mutation($id: ID!) { cancelScenario(id: $id) { state } }`, { id }).catch(
          () => undefined,
        );
    });
    afterAll(async () => {
      // Graceful stops, like serve: every process still running exits 0 on SIGTERM.
      const codes = await Promise.all([
        ...live.map((w) => kill(w, "SIGTERM")),
        ...(api ? [(api.child.kill("SIGTERM"), api.exited)] : []),
      ]);
      await killLeftovers();
      await db?.dispose().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      expect(codes).toEqual(codes.map(() => 0));
    });

    it("executes 10 runs started through the API exactly once each, on the workers, with every terminal event delivered", async () => {
      const { analysisId, ids } = await analysisWith(mm1({ replications: 2 }), 10, 2);
      const progress = record(ws(), { analysisId });
      // Subscribed: the current state of every scenario comes first.
      await progress.until(() => progress.events.length >= 10, 120_000);
      await gql(api.url, apiKey, `mutation($a: ID!) { runAnalysis(id: $a) { id } }`, { a: analysisId });
      for (const id of ids)
        await progress.until((e) => e.scenarioId === id && e.runId !== null && isTerminal(e), 120_000);

      const runIds: string[] = [];
      for (const id of ids) {
        const s = await scenarioOf(api.url, apiKey, id);
        expect(s.state).toBe("RAN_SUCCESS");
        expect(s.runs).toHaveLength(1);
        expect(s.runs[0].state).toBe("SUCCEEDED");
        runIds.push(s.runs[0].id);
        // One terminal event per run: it ended once.
        expect(progress.events.filter((e) => e.runId === s.runs[0].id && isTerminal(e))).toHaveLength(1);
      }
      // Each run was taken once, by one of the workers (the API executes nothing in queue mode)…
      const takenRuns = started.flatMap(taken).filter((t) => runIds.includes(t.runId));
      expect(takenRuns.map((t) => t.runId).sort()).toEqual([...runIds].sort());
      expect(takenRuns.every((t) => t.jobAttempt === 1)).toBe(true);
      expect(api.stdout()).not.toMatch(/run taken/);
      // …from its one job, completed.
      const jobs = await jobsOf(runIds);
      expect(jobs.map((j) => j.id).sort()).toEqual([...runIds].sort());
      expect(jobs.every((j) => j.state === "completed")).toBe(true);
    });

    it("removes the job of a cancelled queued run; a killed worker's run moves to a live worker, the other worker's run is untouched, then ends failed once its attempts ran out", async () => {
      // Runs that do not end by themselves; one worker slot each, so the third waits in the queue.
      const { ids } = await analysisWith(mm1({ runTime: { unit: "minutes", value: 1_000_000_000 } }), 3, 1);
      active.push(...ids);
      const watch = ids.map((scenarioId) => record(ws(), { scenarioId }));
      for (const id of ids)
        await gql(api.url, apiKey, `mutation($id: ID!) { runScenario(id: $id) { id } }`, { id });
      const states = async () => Promise.all(ids.map((id) => scenarioOf(api.url, apiKey, id)));
      let all = await until(states, (s) => s.filter((x) => x.state === "IS_RUNNING").length === 2);

      // The waiting one: cancelled at once, and its job removed from the queue.
      const waitingAt = all.findIndex((s) => s.state === "QUEUED");
      expect(waitingAt).not.toBe(-1);
      const waitingRun = all[waitingAt].runs[0].id;
      await gql(api.url, apiKey, `mutation($id: ID!) { cancelScenario(id: $id) { state } }`, {
        id: ids[waitingAt],
      });
      await until(
        () => jobsOf([waitingRun]),
        (j) => j[0]?.state === "cancelled",
      );
      expect((await scenarioOf(api.url, apiKey, ids[waitingAt])).state).toBe("CANCELLED");

      // Which worker holds which run (earlier tests' runs left aside).
      const [a, b] = live;
      all = await states();
      const byRun = new Map(
        all.map((s, i) => [s.runs[0].id, { scenarioId: ids[i], startedAt: s.runs[0].startedAt }]),
      );
      const holds = (w: WorkerProcess) =>
        taken(w)
          .map((t) => t.runId)
          .find((r) => byRun.has(r) && r !== waitingRun);
      await until(
        () => Promise.resolve([holds(a), holds(b)]),
        ([ra, rb]) => ra !== undefined && rb !== undefined,
      );
      const runA = holds(a)!;
      const runB = holds(b)!;
      expect(runA).not.toBe(runB);
      const scenarioA = byRun.get(runA)!.scenarioId;
      const scenarioB = byRun.get(runB)!.scenarioId;

      // SIGKILL the worker of run A; a fresh worker has a free slot for it.
      await kill(a, "SIGKILL");
      const c = await spawnWorker();
      await until(
        () => Promise.resolve(taken(c)),
        (t) => t.some((x) => x.runId === runA && x.jobAttempt === 2),
        START_MS,
      );
      const movedA = await until(
        () => scenarioOf(api.url, apiKey, scenarioA),
        (s) => s.state === "IS_RUNNING" && s.runs[0].startedAt !== byRun.get(runA)!.startedAt,
      );
      // The same run, executed afresh by its new holder: no second run, no result.
      expect(movedA.runs).toHaveLength(1);
      expect(movedA.runs[0]).toMatchObject({ id: runA, state: "RUNNING" });
      // Worker B's run was never touched.
      const stillB = await scenarioOf(api.url, apiKey, scenarioB);
      expect(stillB.state).toBe("IS_RUNNING");
      expect(stillB.runs).toEqual([
        expect.objectContaining({ id: runB, state: "RUNNING", startedAt: byRun.get(runB)!.startedAt }),
      ]);
      expect(taken(b).filter((t) => t.runId === runA)).toEqual([]);

      // Killed again: QUEUE_RUN_ATTEMPTS=2 executions are spent, the next delivery ends it failed.
      await kill(c, "SIGKILL");
      await spawnWorker();
      const endedA = await until(
        () => scenarioOf(api.url, apiKey, scenarioA),
        (s) => s.state === "RAN_WITH_ERRORS",
        START_MS,
      );
      expect(endedA.errorMessage).toMatch(/interrupted 2 times/);
      expect(endedA.runs).toEqual([
        expect.objectContaining({ id: runA, state: "FAILED", errorMessage: endedA.errorMessage }),
      ]);
      const terminalA = await watch[ids.indexOf(scenarioA)].until((e) => e.runId === runA && isTerminal(e));
      expect(terminalA.state).toBe("RAN_WITH_ERRORS");

      // A cancel through the API reaches the worker executing the run (through Redis).
      expect((await scenarioOf(api.url, apiKey, scenarioB)).runs[0].startedAt).toBe(
        byRun.get(runB)!.startedAt,
      );
      await gql(api.url, apiKey, `mutation($id: ID!) { cancelScenario(id: $id) { state } }`, {
        id: scenarioB,
      });
      const terminalB = await watch[ids.indexOf(scenarioB)].until(
        (e) => e.runId === runB && e.state === "CANCELLED",
      );
      expect(terminalB.state).toBe("CANCELLED");
      expect((await scenarioOf(api.url, apiKey, scenarioB)).runs).toEqual([
        expect.objectContaining({ id: runB, state: "CANCELLED" }),
      ]);
    });
  },
);
