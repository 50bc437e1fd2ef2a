/** A run waiting to execute; higher priority first, then first come first served. */
export interface QueuedRun {
  runId: string;
  priority: number;
  queuedAt: Date;
}

/** Why a run's AbortSignal fired. */
export type AbortReason = { kind: "cancel" } | { kind: "timeout"; seconds: number } | { kind: "shutdown" };

/** Executes one run; resolves when the run reached a final (or requeued) state. */
export type ExecuteRun = (runId: string, signal: AbortSignal) => Promise<void>;

/**
 * Where runs execute. The inline driver runs them in this process's worker
 * threads; a queue driver would hand them to worker processes.
 */
export interface RunDriver {
  /** Called once the run's QUEUED row is committed. */
  enqueue(run: QueuedRun): void;
  /** Aborts a run that is executing, or drops one that waits. */
  cancel(runId: string): void;
  start(): void;
  /** Stops taking work; waits up to graceMs for running runs, then aborts them as "shutdown". */
  stop(graceMs: number): Promise<void>;
  /** Runs executing now, and waiting for a slot (for metrics). */
  readonly active: number;
  readonly waiting: number;
}
