import type { QueueSettings, RunLimits } from "../config.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PrismaRunStore } from "../lifecycle/prisma-run-store.js";
import type { Logger } from "../logger.js";
import type { AppPubSub } from "../pubsub/pubsub.js";
import type { RunConsumer, RunProducer } from "./driver.js";
import { RunExecutor } from "./executor.js";
import { InlineDriver } from "./inline-driver.js";
import { JobQueue, NO_CONSUMER, QueueConsumer, QueueProducer } from "./queue-driver.js";
import { ResultsStore } from "./results-store.js";
import { ThreadPool } from "./thread-pool.js";

export interface RunnerOptions {
  prisma: PrismaClient;
  pubsub: AppPubSub;
  dataDir: string;
  /** Runs executing at once; also the number of worker threads. */
  concurrency: number;
  /** The per-tenant cap of the runner, and what the API lets one run ask for. */
  limits: RunLimits;
  logger: Logger;
  /**
   * Queue mode: runs go through the PostgreSQL job queue. `consume` says whether
   * this process executes them too (a worker, or an API with QUEUE_WORKER_IN_API).
   */
  queue?: { databaseUrl: string; settings: QueueSettings; consume: boolean; applicationName: string };
}

/**
 * The runner of a process: the producer the API enqueues on, and the consumer
 * that executes runs (if this process executes any). Inline mode: one driver is
 * both, over this process's worker threads. Queue mode: the producer writes
 * pg-boss jobs, and the consumer (in `scenariolab worker`) takes them. Both
 * sides write rows only through the RunStore, with the one executor.
 */
export function createRunner(options: RunnerOptions) {
  const { queue: queueMode } = options;
  const consumes = !queueMode || queueMode.consume;
  // An API process of queue mode executes nothing: it needs no threads.
  const pool = consumes ? new ThreadPool({ size: options.concurrency }) : undefined;
  const results = new ResultsStore(options.dataDir);
  const executor = pool
    ? new RunExecutor({
        store: new PrismaRunStore(options.prisma),
        pool,
        pubsub: options.pubsub,
        results,
        logger: options.logger,
      })
    : undefined;
  const policy = { concurrency: options.concurrency, perTenant: options.limits.perTenantConcurrency };
  let driver: RunProducer;
  let consumer: RunConsumer;
  let jobQueue: JobQueue | undefined;
  if (queueMode) {
    jobQueue = new JobQueue(
      queueMode.databaseUrl,
      queueMode.settings,
      options.limits.maxTimeoutSeconds,
      options.logger,
      queueMode.applicationName,
    );
    driver = new QueueProducer(jobQueue, options.pubsub, options.logger);
    consumer = executor
      ? new QueueConsumer(
          jobQueue,
          (runId, signal) => executor.execute(runId, signal),
          executor,
          policy,
          options.pubsub,
          options.logger,
        )
      : NO_CONSUMER;
  } else {
    const inline = new InlineDriver(
      (runId, signal) => executor!.execute(runId, signal),
      policy,
      options.logger,
      () => executor!.recover(),
    );
    driver = inline;
    consumer = inline;
  }
  return {
    /** Where the API enqueues and cancels runs. */
    driver,
    /** What executes them in this process (for start, stop and metrics). */
    consumer,
    pubsub: options.pubsub,
    /** What one run or model may ask for (the API checks). */
    limits: options.limits,
    results,
    /**
     * Inline: recovers runs a dead process left behind, then starts taking work.
     * Queue: starts the job queue (pg-boss installs its schema), then takes jobs if
     * this process executes runs; nothing is "recovered": a run belongs to the
     * worker holding its job, and pg-boss hands the jobs of dead workers on.
     */
    async start(): Promise<void> {
      await jobQueue?.start();
      await consumer.start();
    },
    /** Stops taking work, lets running runs finish for graceMs, requeues the rest. */
    async stop(graceMs: number): Promise<void> {
      await consumer.stop(graceMs);
      await jobQueue?.stop();
      await pool?.close();
    },
  };
}

export type Runner = ReturnType<typeof createRunner>;
