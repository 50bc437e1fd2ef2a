import type * as WorkerThreads from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runReplication, type QuodsiModel } from "../simulation/index.js";
import { mm1 } from "../simulation/testing/models.js";
import type { WorkerCommand, WorkerReply } from "./thread-pool.js";
// Loaded like any module under test; it answers on the mocked parentPort.
import "./simulation.worker.js";

// The worker module runs in this thread, its parentPort one end of a real MessageChannel: the
// protocol is exercised as the pool speaks it, and the code is measured where the tests run.
const channel = await vi.hoisted(async () => {
  const { MessageChannel } = await import("node:worker_threads");
  return new MessageChannel();
});
vi.mock("node:worker_threads", async (importOriginal) => ({
  ...(await importOriginal<typeof WorkerThreads>()),
  parentPort: channel.port2,
}));

const pool: MessagePort = channel.port1;
const replies: WorkerReply[] = [];
pool.on("message", (msg: WorkerReply) => replies.push(msg));

const quick = mm1(0.8, 1, { runTime: 300 });
const endless = mm1(0.9, 1, { runTime: 1e9 });
const opts = { replications: 4, seed: 11, timePeriod: "hourly" as const };

let nextJob = 1;
const send = (cmd: WorkerCommand) => pool.postMessage(cmd);

/** Sends a run command; resolves with that job's replies once it is done or failed. */
function run(runKey: number, model?: QuodsiModel, extra: Partial<WorkerCommand & { type: "run" }> = {}) {
  const jobId = nextJob++;
  send({ type: "run", jobId, runKey, ...(model ? { model } : {}), repIndex: 0, ...opts, ...extra });
  return { jobId, replies: repliesOf(jobId) };
}

async function repliesOf(jobId: number): Promise<WorkerReply[]> {
  for (;;) {
    const mine = replies.filter((r) => "jobId" in r && r.jobId === jobId);
    if (mine.some((r) => r.type === "done" || r.type === "error")) return mine;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const final = async (job: { replies: Promise<WorkerReply[]> }) => (await job.replies).at(-1)!;

// Each test uses its own run keys: the worker's model cache is shared by the tests of this file.
describe("simulation worker", () => {
  beforeAll(async () => {
    while (!replies.some((r) => r.type === "ready")) await new Promise((resolve) => setTimeout(resolve, 5));
  });
  afterAll(() => {
    pool.close();
  });

  it("announces that it listens", () => {
    expect(replies[0]).toEqual({ type: "ready" });
  });

  it("runs a replication with the model sent, then others of the run by its key alone", async () => {
    const first = await run(1, quick, { repIndex: 2 }).replies;
    expect(first.at(-1)).toEqual({
      type: "done",
      jobId: expect.any(Number) as unknown,
      result: await runReplication(quick, 2, opts),
    });
    // Progress ends at 1 just before the result.
    expect(first.at(-2)).toMatchObject({ type: "progress", fraction: 1 });
    expect(first.filter((r) => r.type === "progress").every((r) => r.fraction > 0 && r.fraction <= 1)).toBe(
      true,
    );
    const second = await final(run(1, undefined, { repIndex: 3 }));
    expect(second).toMatchObject({ type: "done", result: await runReplication(quick, 3, opts) });
  });

  it("refuses a replication of a run whose model it does not hold, or was told to forget", async () => {
    const unknown = run(77);
    expect(await final(unknown)).toEqual({
      type: "error",
      jobId: unknown.jobId,
      error: { name: "WorkerStateError", message: "worker has no model for run 77" },
    });
    expect(await final(run(5, quick))).toMatchObject({ type: "done" });
    send({ type: "forget", runKey: 5 });
    expect(await final(run(5))).toMatchObject({ type: "error", error: { name: "WorkerStateError" } });
  });

  it("keeps the models of the last eight runs it was sent", async () => {
    for (let key = 101; key <= 108; key++)
      expect(await final(run(key, quick, { replications: 1 }))).toMatchObject({ type: "done" });
    // Sent again, run 101 is the most recent; the ninth run then evicts run 102, the oldest.
    expect(await final(run(101, quick, { replications: 1 }))).toMatchObject({ type: "done" });
    expect(await final(run(109, quick, { replications: 1 }))).toMatchObject({ type: "done" });
    expect(await final(run(101, undefined, { replications: 1 }))).toMatchObject({ type: "done" });
    expect(await final(run(103, undefined, { replications: 1 }))).toMatchObject({ type: "done" });
    expect(await final(run(102, undefined, { replications: 1 }))).toMatchObject({
      type: "error",
      error: { name: "WorkerStateError" },
    });
  });

  it("ignores a cancel while idle", async () => {
    send({ type: "cancel", jobId: 12345 });
    expect(await final(run(500, quick, { replications: 1 }))).toMatchObject({ type: "done" });
  });

  it("runs one replication at a time and stops the running one on cancel, then works again", async () => {
    const long = run(200, endless);
    while (!replies.some((r) => r.type === "progress" && r.jobId === long.jobId))
      await new Promise((resolve) => setTimeout(resolve, 5));
    const busy = run(201);
    expect(await final(busy)).toEqual({
      type: "error",
      jobId: busy.jobId,
      error: { name: "WorkerBusyError", message: "worker is running" },
    });
    // A cancel of another job leaves the running one alone.
    send({ type: "cancel", jobId: busy.jobId });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(replies.some((r) => r.type === "error" && r.jobId === long.jobId)).toBe(false);
    send({ type: "cancel", jobId: long.jobId });
    expect(await final(long)).toMatchObject({
      type: "error",
      jobId: long.jobId,
      error: { name: "AbortError", message: "simulation aborted" },
    });
    expect(await final(run(202, quick))).toMatchObject({ type: "done" });
  });

  it("reports a failure with its name, message and stack, and validation issues when there are", async () => {
    const bad = structuredClone<QuodsiModel>(quick);
    bad.activities![0].capacity = -1;
    const invalid = (await final(run(300, bad))) as Extract<WorkerReply, { type: "error" }>;
    expect(invalid.error).toMatchObject({
      name: "InvalidModelError",
      issues: [{ path: "activities[0].capacity" }],
    });
    expect(invalid.error.stack).toMatch(/^InvalidModelError: model is not runnable/);
    const wrong = (await final(run(301, quick, { timePeriod: "weekly" as "hourly" }))) as Extract<
      WorkerReply,
      { type: "error" }
    >;
    expect(wrong.error).toMatchObject({ name: "RangeError", message: expect.stringMatching(/^timePeriod/) });
    expect(wrong.error).not.toHaveProperty("issues");
  });
});
