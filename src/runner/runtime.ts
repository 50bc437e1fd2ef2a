import type { RunLimits } from "../config.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PrismaRunStore } from "../lifecycle/prisma-run-store.js";
import type { Logger } from "../logger.js";
import type { AppPubSub } from "../pubsub/pubsub.js";
import { RunExecutor } from "./executor.js";
import { InlineDriver } from "./inline-driver.js";
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
}

/**
 * The inline runner of the embedded and server modes: one driver that is both
 * the producer the API enqueues on and the consumer over this process's worker
 * threads. A queue driver would split the two across processes; both sides
 * write rows only through the RunStore.
 */
export function createRunner(options: RunnerOptions) {
  const pool = new ThreadPool({ size: options.concurrency });
  const results = new ResultsStore(options.dataDir);
  const executor = new RunExecutor({
    store: new PrismaRunStore(options.prisma),
    pool,
    pubsub: options.pubsub,
    results,
    logger: options.logger,
  });
  const driver = new InlineDriver(
    (runId, signal) => executor.execute(runId, signal),
    { concurrency: options.concurrency, perTenant: options.limits.perTenantConcurrency },
    options.logger,
    () => executor.recover(),
  );
  return {
    /** Where the API enqueues and cancels runs. */
    driver,
    /** What executes them (for start, stop and metrics). */
    consumer: driver,
    pubsub: options.pubsub,
    /** What one run or model may ask for (the API checks). */
    limits: options.limits,
    results,
    /** Recovers runs a dead process left behind, then starts taking work. */
    start: (): Promise<void> => driver.start(),
    /** Stops taking work, lets running runs finish for graceMs, requeues the rest. */
    async stop(graceMs: number): Promise<void> {
      await driver.stop(graceMs);
      await pool.close();
    },
  };
}

export type Runner = ReturnType<typeof createRunner>;
