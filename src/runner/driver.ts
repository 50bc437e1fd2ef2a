import type { QueuedRun } from "../lifecycle/index.js";

export type { QueuedRun } from "../lifecycle/index.js";

/**
 * Why a run's AbortSignal fired. `lease`: queue mode, the worker no longer holds
 * the run's job (its lease expired), so another worker owns the run now.
 */
export type AbortReason =
  { kind: "cancel" } | { kind: "timeout"; seconds: number } | { kind: "shutdown" } | { kind: "lease" };

/** Executes one run; resolves when the run reached a final (or requeued) state. */
export type ExecuteRun = (runId: string, signal: AbortSignal) => Promise<void>;

/**
 * The transaction that moves a scenario to QUEUED, as a producer sees it. A
 * queue driver writes its job through `query` so that the job exists exactly
 * when the state change commits; the inline driver waits for `afterCommit`.
 */
export interface EnqueueTx {
  /** Runs SQL inside the transaction (for a job queue's insert); resolves to the rows. */
  query(sql: string, values: unknown[]): Promise<unknown[]>;
  /** Calls `fn` once the transaction committed (never when it rolled back). */
  afterCommit(fn: () => void): void;
}

/**
 * The side the API calls: hands a run to wherever runs execute and asks for
 * cancellation. `enqueue` runs inside the state-change transaction.
 */
export interface RunProducer {
  enqueue(run: QueuedRun, tx: EnqueueTx): Promise<void>;
  /** Aborts a run that is executing, or drops one that waits (its row is already CANCELLED or CANCELLING). */
  cancel(runId: string): void;
}

/**
 * The side that executes: the inline driver in the API process, or a worker
 * process fed by a job queue. Either takes waiting runs in the order of
 * fair-share.ts's `pickNext` (per-tenant cap, tenants in turn, then priority),
 * so that no tenant's backlog starves another's.
 */
export interface RunConsumer {
  /** Recovers what a dead process left behind, then starts taking work. */
  start(): Promise<void>;
  /** Stops taking work; waits up to graceMs for running runs, then aborts them as "shutdown". */
  stop(graceMs: number): Promise<void>;
  /** Runs executing now, and waiting for a slot (for metrics). */
  readonly active: number;
  readonly waiting: number;
}

/** A run a consumer is executing: how to stop it, and when it has ended. */
export interface RunningRun {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The end of a consumer's graceful stop: the runs in hand get `graceMs` to
 * finish; those still running then are aborted as a shutdown (requeued) and
 * awaited.
 */
export async function drainRuns(running: ReadonlyMap<string, RunningRun>, graceMs: number): Promise<void> {
  const all = () => Promise.allSettled([...running.values()].map((r) => r.done));
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<"timeout">(
    (resolve) => (timer = setTimeout(() => resolve("timeout"), graceMs)),
  );
  // Stryker disable next-line ArrowFunction: any value but "timeout" means the runs ended; they are gone from `running` then
  const outcome = await Promise.race([all().then(() => "done" as const), graceOver]);
  clearTimeout(timer);
  // Stryker disable next-line ConditionalExpression: after "done" `running` is empty, so aborting all of it does nothing
  if (outcome === "timeout") {
    for (const { controller } of running.values())
      controller.abort({ kind: "shutdown" } satisfies AbortReason);
    await all();
  }
}
