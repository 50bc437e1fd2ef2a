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
