/**
 * Worker thread executing one simulation replication at a time for the
 * ThreadPool. Commands arrive as `WorkerCommand` messages; a "cancel" aborts
 * the running replication through its AbortSignal (the engine yields to the
 * event loop every ~15 ms, which is when this message gets delivered).
 */
import os from "node:os";
import { parentPort } from "node:worker_threads";
import { runReplication, type QuodsiModel } from "../simulation/index.js";
import type { SerializedError, WorkerCommand, WorkerReply, WorkerStatus } from "./thread-pool.js";

if (!parentPort) throw new Error("simulation.worker must run in a worker thread");
const port = parentPort;

/** Nice value of simulation threads: the thread serving GraphQL keeps the CPU when both want it. */
const SIMULATION_NICE = 10;
try {
  // On Linux a priority set with pid 0 applies to the calling thread only.
  os.setPriority(SIMULATION_NICE);
} catch {
  // Not permitted or not supported here: simulations run at normal priority.
}

let status: WorkerStatus = "idle";
/**
 * Models of the runs this worker serves, by run key: the same object for every
 * replication of a run, so the engine's per-model compile cache hits.
 */
const models = new Map<number, QuodsiModel>();
/** A bound in case a `forget` never arrives (its run settled while the message was lost). */
const MAX_MODELS = 8;
let current: { jobId: number; controller: AbortController } | undefined;

const send = (msg: WorkerReply) => port.postMessage(msg);

function serializeError(e: unknown): SerializedError {
  const err = e instanceof Error ? e : new Error(String(e));
  const issues = (err as { issues?: unknown }).issues;
  return {
    name: err.name,
    message: err.message,
    stack: err.stack,
    ...(Array.isArray(issues) ? { issues: issues as SerializedError["issues"] } : {}),
  };
}

async function run(cmd: Extract<WorkerCommand, { type: "run" }>): Promise<void> {
  if (status !== "idle") {
    send({
      type: "error",
      jobId: cmd.jobId,
      error: { name: "WorkerBusyError", message: `worker is ${status}` },
    });
    return;
  }
  if (cmd.model) {
    models.delete(cmd.runKey);
    models.set(cmd.runKey, cmd.model);
    if (models.size > MAX_MODELS) models.delete(models.keys().next().value!);
  }
  const model = models.get(cmd.runKey);
  if (!model) {
    send({
      type: "error",
      jobId: cmd.jobId,
      error: { name: "WorkerStateError", message: `worker has no model for run ${cmd.runKey}` },
    });
    return;
  }
  status = "running";
  const controller = new AbortController();
  current = { jobId: cmd.jobId, controller };
  try {
    const result = await runReplication(model, cmd.repIndex, {
      replications: cmd.replications,
      seed: cmd.seed,
      timePeriod: cmd.timePeriod,
      signal: controller.signal,
      onRepProgress: (fraction) => send({ type: "progress", jobId: cmd.jobId, fraction }),
    });
    send({ type: "done", jobId: cmd.jobId, result });
  } catch (e) {
    send({ type: "error", jobId: cmd.jobId, error: serializeError(e) });
  } finally {
    current = undefined;
    status = "idle";
  }
}

port.on("message", (cmd: WorkerCommand) => {
  switch (cmd.type) {
    case "run":
      void run(cmd);
      break;
    case "cancel":
      // Stryker disable next-line StringLiteral: the abort reason is not reported (the replication fails as an AbortError)
      if (current?.jobId === cmd.jobId) current.controller.abort(new Error("cancelled by the thread pool"));
      break;
    case "forget":
      models.delete(cmd.runKey);
      break;
  }
});

port.postMessage({ type: "ready" } satisfies WorkerReply);
