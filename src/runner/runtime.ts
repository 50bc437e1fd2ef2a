import type { PrismaClient } from "../generated/prisma/client.js";
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
  logger: Logger;
}

/** The inline runner of the embedded and server modes: a driver over this process's worker threads. */
export function createRunner(options: RunnerOptions) {
  const pool = new ThreadPool({ size: options.concurrency });
  const results = new ResultsStore(options.dataDir);
  const executor = new RunExecutor({
    prisma: options.prisma,
    pool,
    pubsub: options.pubsub,
    results,
    logger: options.logger,
  });
  const driver = new InlineDriver(
    (runId, signal) => executor.execute(runId, signal),
    options.concurrency,
    options.logger,
  );
  return {
    driver,
    pubsub: options.pubsub,
    results,
    /** Recovers runs a dead process left behind, then starts taking work. */
    async start(): Promise<void> {
      for (const run of await executor.recover()) driver.enqueue(run);
      driver.start();
    },
    /** Stops taking work, lets running runs finish for graceMs, requeues the rest. */
    async stop(graceMs: number): Promise<void> {
      await driver.stop(graceMs);
      await pool.close();
    },
  };
}

export type Runner = ReturnType<typeof createRunner>;
