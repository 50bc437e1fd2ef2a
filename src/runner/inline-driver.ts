import type { Logger } from "../logger.js";
import {
  drainRuns,
  type AbortReason,
  type EnqueueTx,
  type ExecuteRun,
  type QueuedRun,
  type RunConsumer,
  type RunningRun,
  type RunProducer,
} from "./driver.js";
import { pickNext, type FairPolicy, type TenantShare } from "./fair-share.js";

/**
 * Both sides in one process: runs at most `policy.concurrency` runs at once in
 * this process and at most `policy.perTenant` of one tenant; the rest wait and
 * are taken fairly across tenants, then by priority and first come first
 * served within a tenant (see fair-share.ts). A run enqueued in a transaction
 * is taken once that transaction committed.
 */
export class InlineDriver implements RunProducer, RunConsumer {
  private readonly waitingRuns: QueuedRun[] = [];
  private readonly running = new Map<string, RunningRun>();
  /** Tenants with runs executing or waiting (entries of idle tenants are dropped). */
  private readonly shares = new Map<string, TenantShare>();
  /** Counts slots handed out: a share's `lastStarted`. */
  private started = 0;
  private accepting = false;

  constructor(
    private readonly execute: ExecuteRun,
    private readonly policy: FairPolicy,
    private readonly logger: Logger,
    /** Queued runs a dead process left behind, taken before new work (see RunStore.recover). */
    private readonly recover: () => Promise<QueuedRun[]> = () => Promise.resolve([]),
  ) {}

  enqueue(run: QueuedRun, tx: EnqueueTx): Promise<void> {
    tx.afterCommit(() => this.accept(run));
    return Promise.resolve();
  }

  /** Takes a committed QUEUED run (a no-op for one already waiting or running). */
  accept(run: QueuedRun): void {
    if (this.running.has(run.runId) || this.waitingRuns.some((w) => w.runId === run.runId)) return;
    this.waitingRuns.push(run);
    this.pump();
  }

  cancel(runId: string): void {
    const at = this.waitingRuns.findIndex((w) => w.runId === runId);
    if (at !== -1) {
      const [dropped] = this.waitingRuns.splice(at, 1);
      this.forgetIfIdle(dropped.tenantId);
    }
    this.running.get(runId)?.controller.abort({ kind: "cancel" } satisfies AbortReason);
  }

  async start(): Promise<void> {
    for (const run of await this.recover()) this.accept(run);
    this.accepting = true;
    this.pump();
  }

  async stop(graceMs: number): Promise<void> {
    this.accepting = false;
    this.waitingRuns.length = 0;
    await drainRuns(this.running, graceMs);
  }

  /** Runs executing now (for metrics). */
  get active(): number {
    return this.running.size;
  }

  /** Runs waiting for a free slot (for metrics). */
  get waiting(): number {
    return this.waitingRuns.length;
  }

  private pump(): void {
    while (this.accepting) {
      const at = pickNext(this.waitingRuns, (t) => this.shares.get(t), this.policy, this.running.size);
      if (at === -1) return;
      const [next] = this.waitingRuns.splice(at, 1);
      const { tenantId } = next;
      const share = this.shares.get(tenantId) ?? { running: 0 };
      this.shares.set(tenantId, { running: share.running + 1, lastStarted: ++this.started });
      const controller = new AbortController();
      const done = this.execute(next.runId, controller.signal)
        .catch((err: unknown) =>
          this.logger.error({ err, runId: next.runId }, "run execution failed unexpectedly"),
        )
        .finally(() => {
          this.running.delete(next.runId);
          const ended = this.shares.get(tenantId);
          if (ended) ended.running--;
          this.forgetIfIdle(tenantId);
          this.pump();
        });
      this.running.set(next.runId, { controller, done });
    }
  }

  /** Keeps the share table as small as the set of busy tenants. */
  private forgetIfIdle(tenantId: string): void {
    const share = this.shares.get(tenantId);
    if (share && share.running <= 0 && !this.waitingRuns.some((w) => w.tenantId === tenantId))
      this.shares.delete(tenantId);
  }
}
