import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InvalidModelError, simulate, type SimulateOptions } from "../simulation/index.js";
import { mm1, mmcResource } from "../simulation/testing/models.js";
import { getEventListeners } from "node:events";
import os from "node:os";
import { deserializeError, ThreadPool } from "./thread-pool.js";

const opts = { replications: 5, seed: 17, timePeriod: "hourly" as const };

type Progress = Parameters<NonNullable<SimulateOptions["onProgress"]>>[0];

describe("ThreadPool", () => {
  // A fresh pool per test, so no test sees workers another one left busy. The long grace period
  // means a cancel only succeeds if the worker stops by itself (it is not terminated in time).
  let pool: ThreadPool;
  beforeEach(() => {
    pool = new ThreadPool({ size: 2, cancelGraceMs: 60_000 });
  });
  afterEach(async () => {
    await pool.close();
  });

  it("gives results identical to sequential simulate, with monotone progress", async () => {
    const model = mmcResource(2.4, 1, 3, { runTime: 20_000, warmupTime: 500 });
    // Collected, then checked: the pool swallows whatever a progress listener throws.
    const progress: Progress[] = [];
    const parallel = await pool.runReplications(model, { ...opts, onProgress: (p) => progress.push(p) });
    const sequential = await simulate(model, opts);
    expect(parallel).toEqual(sequential);
    expect(JSON.stringify(parallel)).toBe(JSON.stringify(sequential));
    expect(parallel.entities[0].averageTimeInSystem.values).toHaveLength(5);
    expect(progress.length).toBeGreaterThan(0);
    expect(new Set(progress.map((p) => p.totalReps))).toEqual(new Set([5]));
    expect(Math.max(...progress.map((p) => p.currentRepFraction))).toBeLessThan(1);
    const done = progress.map((p) => p.completedReps + p.currentRepFraction);
    for (let i = 1; i < done.length; i++) expect(done[i]).toBeGreaterThanOrEqual(done[i - 1]);
    expect(done.at(-1)).toBeGreaterThanOrEqual(4);
    expect(pool.statuses).toEqual(["idle", "idle"]);
  });

  it("sends a run's model to each worker once, not with every replication", async () => {
    const model = mm1(0.8, 1, { runTime: 2_000 });
    const before = pool.modelTransfers;
    const first = await pool.runReplications(model, { ...opts, replications: 8 });
    const sent = pool.modelTransfers - before;
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThanOrEqual(pool.size);
    // A later run of the same model is a new run: its model crosses again, and its results are the same.
    const again = await pool.runReplications(model, { ...opts, replications: 8 });
    expect(pool.modelTransfers - before - sent).toBeGreaterThanOrEqual(1);
    expect(again).toEqual(first);
  });

  it("cancels through the AbortSignal: the workers stop by themselves, become idle and keep working", async () => {
    const ac = new AbortController();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const p = pool.runReplications(mm1(0.9, 1, { runTime: 1e9 }), {
      replications: 4,
      seed: 1,
      timePeriod: "daily",
      signal: ac.signal,
      onProgress: () => started(),
    });
    await running;
    ac.abort();
    const err = await p.catch((e: Error) => e);
    expect((err as Error).name).toBe("AbortError");
    expect(pool.statuses).toEqual(["idle", "idle"]);
    // The pool keeps working afterwards.
    const s = await pool.runReplications(mm1(0.5, 1, { runTime: 100 }), { ...opts, replications: 2 });
    expect(s.reps).toBe(2);
  });

  it("rejects an already-aborted signal and an invalid model without running anything", async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      pool.runReplications(mm1(0.5, 1, { runTime: 100 }), { ...opts, signal: ac.signal }),
    ).rejects.toMatchObject({
      name: "AbortError",
    });
    const bad = mm1(0.5, 1, { runTime: 100 });
    bad.connectors![0].actions = [{ type: "dispose", id: "j" }];
    await expect(pool.runReplications(bad, opts)).rejects.toMatchObject({
      name: "InvalidModelError",
      issues: [{ path: "connectors[0].actions[0].type", message: expect.stringContaining("dispose") }],
    });
  });
});

describe("ThreadPool inputs and lifetime", () => {
  it("refuses a replication count that is not an integer >= 1, and runs one replication", async () => {
    const pool = new ThreadPool({ size: 1 });
    try {
      expect(pool.size).toBe(1);
      const model = mm1(0.5, 1, { runTime: 50 });
      for (const replications of [0, 1.5])
        await expect(pool.runReplications(model, { ...opts, replications })).rejects.toThrow(
          new RangeError("replications must be an integer >= 1"),
        );
      expect((await pool.runReplications(model, { ...opts, replications: 1 })).reps).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it("refuses an invalid or unrunnable model before sending it to a worker", async () => {
    const pool = new ThreadPool({ size: 1 });
    try {
      const invalid = mm1(0.5, 1, { runTime: 0 });
      const unrunnable = mm1(0.5, 1, { runTime: 50 });
      unrunnable.resources = [{ id: "spare", failureProperties: { enabled: true } }];
      for (const model of [invalid, unrunnable]) {
        const err = await pool.runReplications(model, opts).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidModelError);
      }
      expect(pool.modelTransfers).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it("removes its abort listener once a run settles", async () => {
    const pool = new ThreadPool({ size: 1 });
    try {
      const ac = new AbortController();
      await pool.runReplications(mm1(0.5, 1, { runTime: 50 }), { ...opts, signal: ac.signal });
      expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
    } finally {
      await pool.close();
    }
  });

  it("has one worker per core by default, and terminates them all on close", async () => {
    const pool = new ThreadPool();
    expect(pool.size).toBe(os.availableParallelism());
    expect(pool.statuses).toHaveLength(pool.size);
    await pool.close();
    expect(pool.statuses.every((s) => s === "terminating")).toBe(true);
    await pool.close(); // a second close is harmless
  });
});

describe("deserializeError", () => {
  it("rebuilds an error with its name, message, stack and validation issues", () => {
    const issues = [{ path: "runTime", message: "is required" }];
    const invalid = deserializeError({ name: "InvalidModelError", message: "m", stack: "S", issues });
    expect(invalid).toBeInstanceOf(InvalidModelError);
    expect(invalid).toMatchObject({ name: "InvalidModelError", message: "m", stack: "S", issues });
    const plain = deserializeError({ name: "RangeError", message: "bad" });
    expect(plain).not.toBeInstanceOf(InvalidModelError);
    expect(plain).toMatchObject({ name: "RangeError", message: "bad" });
    expect(plain).not.toHaveProperty("issues");
    // Without a stack of its own it keeps the one made here.
    expect(plain.stack).toMatch(/thread-pool/);
  });
});

describe("ThreadPool worker failures", () => {
  let dir: string;
  beforeAll(() => {
    // A worker that dies (uncaught exception) when asked to run a model named "crash",
    // and otherwise behaves like the real worker. The model comes with the first
    // replication of a run that a worker gets only.
    dir = mkdtempSync(join(tmpdir(), "sl-pool-"));
    const real = pathToFileURL(fileURLToPath(new URL("./simulation.worker.ts", import.meta.url))).href;
    writeFileSync(
      join(dir, "crashing.worker.mts"),
      `import { parentPort } from "node:worker_threads";
parentPort.on("message", (m) => {
  if (m.type === "run" && m.model?.name === "crash") setTimeout(() => { throw new Error("boom in worker"); }, 5);
});
await import(${JSON.stringify(real)});
`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a crashing worker rejects its run with an error and is replaced", async () => {
    const pool = new ThreadPool({ size: 1, workerUrl: pathToFileURL(join(dir, "crashing.worker.mts")) });
    try {
      const model = { ...mm1(0.9, 1, { runTime: 1e7 }), name: "crash" };
      const err = await pool.runReplications(model, opts).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).name).toBe("WorkerCrashError");
      expect((err as Error).message).toMatch(/exited unexpectedly.*boom in worker/);
      const ok = await pool.runReplications(mm1(0.5, 1, { runTime: 200 }), { ...opts, replications: 2 });
      expect(ok.reps).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it("gives up on a worker module that cannot start, failing what waits and refusing new runs", async () => {
    writeFileSync(join(dir, "broken.worker.mjs"), 'throw new Error("no such module");\n');
    const pool = new ThreadPool({ size: 1, workerUrl: pathToFileURL(join(dir, "broken.worker.mjs")) });
    try {
      const err = await pool.runReplications(mm1(0.5, 1, { runTime: 50 }), opts).catch((e: Error) => e);
      expect(err).toMatchObject({
        name: "WorkerStartError",
        message: "simulation workers fail to start (3 in a row): no such module",
        cause: { message: "no such module" },
      });
      expect(pool.statuses).toEqual([]);
      await expect(pool.runReplications(mm1(0.5, 1, { runTime: 50 }), opts)).rejects.toThrow(
        "thread pool has no working worker thread left",
      );
    } finally {
      await pool.close();
    }
  });

  it("close() rejects runs still in progress", async () => {
    const pool = new ThreadPool({ size: 1 });
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const p = pool
      .runReplications(mm1(0.9, 1, { runTime: 1e9 }), { ...opts, onProgress: () => started() })
      .catch((e: Error) => e);
    await running;
    await pool.close();
    expect(await p).toMatchObject({ message: "thread pool closed" });
    await expect(pool.runReplications(mm1(0.5, 1, { runTime: 10 }), opts)).rejects.toThrow("closed");
  });
});
