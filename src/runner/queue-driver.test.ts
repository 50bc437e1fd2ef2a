import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/backends.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { createLogger } from "../logger.js";
import { createAppPubSub } from "../pubsub/pubsub.js";
import type { EnqueueTx, QueuedRun } from "./driver.js";
import { JobQueue, QueueProducer, RUN_QUEUE } from "./queue-driver.js";

const postgres = process.env.DATABASE_URL;
const logger = createLogger("silent");
const settings = { workerInApi: false, heartbeatSeconds: 10, superviseSeconds: 1, runAttempts: 2 };

describe.skipIf(!postgres)("the job queue on PostgreSQL (needs DATABASE_URL)", { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let queue: JobQueue;

  beforeAll(async () => {
    db = await createTestDatabase({ name: "postgres", adminUrl: postgres });
    prisma = db.database.prisma;
    queue = new JobQueue(db.url!, settings, 3600, logger, "scenariolab-test");
    await queue.start();
  });
  afterAll(async () => {
    await queue?.stop();
    await db?.dispose();
  });

  const run = (): QueuedRun => ({
    runId: randomUUID(),
    tenantId: randomUUID(),
    priority: 3,
    queuedAt: new Date(),
    timeoutSeconds: 60,
  });

  /** Sends the run's job inside a Prisma transaction that commits, or rolls back when `fail`. */
  async function sendIn(queued: QueuedRun, fail: boolean): Promise<void> {
    await prisma
      .$transaction(async (tx) => {
        const enqueueTx: EnqueueTx = {
          query: (sql, values) => tx.$queryRawUnsafe<unknown[]>(sql, ...values),
          afterCommit: () => undefined,
        };
        await queue.send(queued, enqueueTx);
        if (fail) throw new Error("rolled back");
      })
      .catch((err: unknown) => {
        if (!fail) throw err;
      });
  }

  it("writes a run's job in the caller's transaction: gone with a rollback, there with a commit", async () => {
    const lost = run();
    await sendIn(lost, true);
    expect(await queue.boss.getJobById(RUN_QUEUE, lost.runId)).toBeNull();

    const kept = run();
    await sendIn(kept, false);
    const job = await queue.boss.getJobById<{ runId: string; tenantId: string }>(RUN_QUEUE, kept.runId);
    expect(job).toMatchObject({
      id: kept.runId,
      state: "created",
      data: { runId: kept.runId, tenantId: kept.tenantId },
      priority: 3,
      retryLimit: settings.runAttempts,
      heartbeatSeconds: settings.heartbeatSeconds,
      // The run's own limit plus a margin: the run times out before its job expires.
      expireInSeconds: 60 + 300,
    });
  });

  it("cancelling removes a job no worker took yet, and leaves one a worker holds", async () => {
    const pubsub = createAppPubSub();
    const producer = new QueueProducer(queue, pubsub.pubsub, logger);
    const waiting = run();
    await sendIn(waiting, false);
    producer.cancel(waiting.runId);
    await expect
      .poll(async () => (await queue.boss.getJobById(RUN_QUEUE, waiting.runId))?.state)
      .toBe("cancelled");

    const held = { ...run(), priority: 50 };
    await sendIn(held, false);
    const [fetched] = await queue.boss.fetch(RUN_QUEUE);
    expect(fetched.id).toBe(held.runId);
    expect(await queue.removeWaiting(held.runId)).toBe(false);
    expect((await queue.boss.getJobById(RUN_QUEUE, held.runId))?.state).toBe("active");
  });
});
