import { PgBoss, type Db, type JobWithMetadata } from "pg-boss";
import type { QueueSettings } from "../config.js";
import type { Logger } from "../logger.js";
import type { AppPubSub } from "../pubsub/pubsub.js";
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

/** The pg-boss queue every run's job goes to. */
export const RUN_QUEUE = "scenario-runs";
/** The schema pg-boss keeps its tables in (created and migrated by pg-boss at start). */
export const QUEUE_SCHEMA = "pgboss";
/** A job outlives its run's own time limit by this much before pg-boss expires it. */
const EXPIRY_MARGIN_SECONDS = 300;
/** pg-boss's ceiling of a job's expiry. */
const MAX_EXPIRY_SECONDS = 24 * 3600;
/** How often an idle worker slot asks the queue for a job (pg-boss's smallest interval). */
const POLL_SECONDS = 0.5;

/** What a run's job carries: just enough to find the run; its inputs are on the run row. */
export interface RunJob {
  runId: string;
  tenantId: string;
}

/** A statement runner for pg-boss inside the caller's transaction (what pg-boss's `fromPrisma` does). */
function inTransaction(tx: EnqueueTx): Db {
  return {
    executeSql: async (text: string, values?: unknown[]) => ({ rows: await tx.query(text, values ?? []) }),
  };
}

/**
 * The PostgreSQL job queue of queue mode, over pg-boss: one per process. pg-boss
 * creates and migrates its own schema (`pgboss`) when it starts; several processes
 * starting at once are safe (it serialises its migrations with an advisory lock).
 * Every process supervises: it fails the jobs whose heartbeat (lease) expired, so
 * that pg-boss retries them on a live worker.
 */
export class JobQueue {
  readonly boss: PgBoss;
  private started: Promise<void> | undefined;

  constructor(
    databaseUrl: string,
    readonly settings: QueueSettings,
    /** The largest time limit a run may have (RUN_MAX_TIMEOUT_SECONDS), for the default expiry. */
    private readonly maxTimeoutSeconds: number,
    private readonly logger: Logger,
    applicationName: string,
  ) {
    this.boss = new PgBoss({
      connectionString: databaseUrl,
      schema: QUEUE_SCHEMA,
      application_name: applicationName,
      max: 4,
      migrate: true,
      createSchema: true,
      supervise: true,
      schedule: false,
      superviseIntervalSeconds: settings.superviseSeconds,
      monitorIntervalSeconds: settings.superviseSeconds,
    });
    this.boss.on("error", (err: unknown) => this.logger.error({ err }, "job queue error"));
  }

  /** Starts pg-boss (installing or migrating its schema) and creates the run queue; once. */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      if (!(await this.boss.getQueue(RUN_QUEUE))) await this.boss.createQueue(RUN_QUEUE);
    })();
    return this.started;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    await this.started.catch(() => undefined);
    await this.boss.stop({ graceful: true, timeout: 5_000 });
  }

  /**
   * Writes the run's job through `tx`, so that it commits or rolls back with the
   * run row. The job's id is the run's: one job per run. pg-boss retries it
   * (QUEUE_RUN_ATTEMPTS) when its worker stops refreshing the heartbeat.
   */
  async send(run: QueuedRun, tx: EnqueueTx): Promise<void> {
    await this.start();
    const limit = run.timeoutSeconds ?? this.maxTimeoutSeconds;
    const id = await this.boss.send(
      RUN_QUEUE,
      { runId: run.runId, tenantId: run.tenantId } satisfies RunJob,
      {
        id: run.runId,
        priority: run.priority,
        group: { id: run.tenantId },
        // One delivery per attempt, and one more that only records that the attempts ran out.
        retryLimit: this.settings.runAttempts,
        retryDelay: 0,
        heartbeatSeconds: this.settings.heartbeatSeconds,
        expireInSeconds: Math.min(MAX_EXPIRY_SECONDS, limit + EXPIRY_MARGIN_SECONDS),
        db: inTransaction(tx),
      },
    );
    if (id !== run.runId) throw new Error(`the job queue did not take run ${run.runId}`);
  }

  /** Removes the job of a run that no worker has taken yet; false when there is none such. */
  async removeWaiting(runId: string): Promise<boolean> {
    await this.start();
    const job = await this.boss.getJobById(RUN_QUEUE, runId);
    // Only a job never taken: a retried one still has a run to end (its next holder ends it cancelled).
    if (job?.state !== "created") return false;
    await this.boss.cancel(RUN_QUEUE, runId);
    return true;
  }
}

/**
 * The API side of queue mode: a run is enqueued as a pg-boss job in the
 * transaction that makes it QUEUED; a cancel removes a job still waiting and
 * tells every worker (through the pub/sub, Redis across hosts) to stop the run
 * if it holds it.
 */
export class QueueProducer implements RunProducer {
  constructor(
    private readonly queue: JobQueue,
    private readonly pubsub: AppPubSub,
    private readonly logger: Logger,
  ) {}

  enqueue(run: QueuedRun, tx: EnqueueTx): Promise<void> {
    return this.queue.send(run, tx);
  }

  cancel(runId: string): void {
    this.pubsub.publish("run-cancel", { runId });
    this.queue
      .removeWaiting(runId)
      .catch((err: unknown) =>
        this.logger.warn({ err, runId }, "could not remove the job of a cancelled run"),
      );
  }
}

/** A cancel's view of the pub/sub: an async iterator it can end. */
type CancelFeed = AsyncIterableIterator<{ runId: string }> & { return?: () => unknown };

/**
 * The worker side of queue mode: takes jobs (`concurrency` at once, at most
 * `perTenant` of one tenant in this process, higher priority first), executes
 * each run with the shared executor and holds the job's lease while it runs.
 *
 * A job delivered again means its earlier holder lost it (killed, or its
 * heartbeat expired): the run is released and executed afresh; after
 * QUEUE_RUN_ATTEMPTS executions it ends RAN_WITH_ERRORS instead. A worker that
 * finds its own lease gone stops the run and writes nothing (its new holder owns
 * it; the store's writes are fenced on the execution's claim as well).
 */
export class QueueConsumer implements RunConsumer {
  private readonly running = new Map<string, RunningRun>();
  private cancels: CancelFeed | undefined;
  private stopping = false;

  constructor(
    private readonly queue: JobQueue,
    private readonly execute: ExecuteRun,
    private readonly runs: {
      release(runId: string): Promise<void>;
      abandon(runId: string, message: string): Promise<void>;
    },
    private readonly policy: { concurrency: number; perTenant: number },
    private readonly pubsub: AppPubSub,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.queue.start();
    this.listenForCancels();
    await this.queue.boss.work<RunJob>(
      RUN_QUEUE,
      {
        includeMetadata: true,
        batchSize: 1,
        localConcurrency: this.policy.concurrency,
        localGroupConcurrency: this.policy.perTenant,
        pollingIntervalSeconds: POLL_SECONDS,
      },
      // includeMetadata: pg-boss hands over the job with its retry count and limit.
      async ([job]) => this.handle(job as JobWithMetadata<RunJob>),
    );
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    // No new jobs from here on; the runs in hand get the grace period.
    const offWork = this.queue.boss.offWork(RUN_QUEUE, { wait: true });
    await drainRuns(this.running, graceMs);
    await offWork;
    await this.cancels?.return?.();
  }

  get active(): number {
    return this.running.size;
  }

  /** Runs wait in the queue, not in this process. */
  get waiting(): number {
    return 0;
  }

  private listenForCancels(): void {
    const feed = this.pubsub.subscribe("run-cancel") as unknown as CancelFeed;
    this.cancels = feed;
    void (async () => {
      try {
        for await (const { runId } of feed)
          this.running.get(runId)?.controller.abort({ kind: "cancel" } satisfies AbortReason);
      } catch (err) {
        this.logger.error({ err }, "cancel listener ended");
      }
    })();
  }

  private async handle(job: JobWithMetadata<RunJob>): Promise<void> {
    const { runId } = job.data;
    const log = this.logger.child({ runId, jobAttempt: job.retryCount + 1 });
    if (job.retryCount > 0 && job.retryCount >= job.retryLimit) {
      await this.runs.abandon(
        runId,
        `The run was interrupted ${job.retryCount} times (the worker executing it was stopped or lost its lease); giving up`,
      );
      return;
    }
    // Thrown before the claim: pg-boss hands the job to another worker.
    if (this.stopping) throw new Error("the worker is shutting down");
    if (job.retryCount > 0) await this.runs.release(runId);
    log.info("run taken");
    const controller = new AbortController();
    // pg-boss aborts the job's signal when its heartbeat finds the claim gone (or the job expired).
    const lost = () => {
      if (!controller.signal.aborted) controller.abort({ kind: "lease" } satisfies AbortReason);
    };
    job.signal.addEventListener("abort", lost, { once: true });
    const done = this.execute(runId, controller.signal);
    this.running.set(runId, { controller, done: done.catch(() => undefined) });
    try {
      await done;
    } finally {
      job.signal.removeEventListener("abort", lost);
      this.running.delete(runId);
    }
    // Requeued by a shutdown: failing the job hands it to another worker at once.
    if ((controller.signal.reason as AbortReason | undefined)?.kind === "shutdown")
      throw new Error("requeued: the worker shut down before the run ended");
  }
}

/** The consumer of an API process that executes no runs (queue mode without QUEUE_WORKER_IN_API). */
export const NO_CONSUMER: RunConsumer = {
  start: () => Promise.resolve(),
  stop: () => Promise.resolve(),
  active: 0,
  waiting: 0,
};
