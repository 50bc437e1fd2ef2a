import { createPubSub, type PubSub, type PubSubEventTarget } from "@graphql-yoga/subscription";
import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { Redis } from "ioredis";

/** One progress event of a scenario's run. JSON-safe: it may travel through Redis. */
export interface ProgressEvent {
  tenantId: string;
  scenarioId: string;
  analysisId: string;
  runId: string | null;
  /** GraphQL ScenarioState name (e.g. IS_RUNNING). */
  state: string;
  currentRep: number;
  totalReps: number;
  progressPercentage: number;
  message: string | null;
  /** ISO-8601. */
  emittedAt: string;
}

/** The typed topic map: every event is published per scenario and per analysis. */
export type Topics = {
  "scenario-progress": [scenarioId: string, event: ProgressEvent];
  "analysis-progress": [analysisId: string, event: ProgressEvent];
};

export type AppPubSub = PubSub<Topics>;

export interface PubSubHandle {
  pubsub: AppPubSub;
  kind: "memory" | "redis";
  close(): Promise<void>;
}

/** In-memory pub/sub (one process), or Redis when a URL is given (any instance serves any subscriber). */
export function createAppPubSub(redisUrl?: string): PubSubHandle {
  if (!redisUrl) return { pubsub: createPubSub<Topics>(), kind: "memory", close: () => Promise.resolve() };
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const eventTarget = createRedisEventTarget({
    publishClient,
    subscribeClient,
  }) as unknown as PubSubEventTarget<Topics>;
  return {
    pubsub: createPubSub<Topics>({ eventTarget }),
    kind: "redis",
    close() {
      publishClient.disconnect();
      subscribeClient.disconnect();
      return Promise.resolve();
    },
  };
}

/** Publishes one event on both of its topics. */
export function publishProgress(pubsub: AppPubSub, event: ProgressEvent): void {
  pubsub.publish("scenario-progress", event.scenarioId, event);
  pubsub.publish("analysis-progress", event.analysisId, event);
}
