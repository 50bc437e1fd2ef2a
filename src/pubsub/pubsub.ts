import { createPubSub, type PubSub, type PubSubEventTarget } from "@graphql-yoga/subscription";
import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { Redis } from "ioredis";
import type { ScenarioState } from "../lifecycle/states.js";

/** One progress event of a scenario's run. JSON-safe: it may travel through Redis. */
export interface ProgressEvent {
  tenantId: string;
  scenarioId: string;
  analysisId: string;
  runId: string | null;
  /** The scenario's state at this event (GraphQL spelling: JSON-safe as it is). */
  state: ScenarioState;
  currentRep: number;
  totalReps: number;
  progressPercentage: number;
  message: string | null;
  /** ISO-8601. */
  emittedAt: string;
}

/** Which scenario and run an event is about. */
export interface ProgressScope {
  tenantId: string;
  scenarioId: string;
  analysisId: string;
  runId: string | null;
}

/** Where a run got to. */
export interface ProgressPoint {
  currentRep: number;
  totalReps: number;
  progressPercentage: number;
}

/**
 * The one builder of progress events (runner, run service and subscription
 * snapshots alike), stamped now so that every event carries its emission time.
 */
export function progressEvent(
  scope: ProgressScope,
  state: ScenarioState,
  point: ProgressPoint,
  message: string | null = null,
): ProgressEvent {
  return {
    tenantId: scope.tenantId,
    scenarioId: scope.scenarioId,
    analysisId: scope.analysisId,
    runId: scope.runId,
    state,
    currentRep: point.currentRep,
    totalReps: point.totalReps,
    progressPercentage: point.progressPercentage,
    message,
    emittedAt: new Date().toISOString(),
  };
}

/** The typed topic map: every progress event is published per scenario and per analysis. */
export type Topics = {
  "scenario-progress": [scenarioId: string, event: ProgressEvent];
  "analysis-progress": [analysisId: string, event: ProgressEvent];
  /** An API key was revoked: every API instance closes the sockets of keys no longer live. */
  "api-keys-revoked": [event: { revokedAt: string }];
  /** Queue mode: a run was cancelled; the worker executing it (on any host) stops it. */
  "run-cancel": [event: { runId: string }];
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
