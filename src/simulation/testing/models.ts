/**
 * Small wire models for the engine's tests and benchmarks (queueing models
 * with known analytic answers).
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Duration, QuodsiModel } from "../types.js";

/** The public Quodsi example models, copied into the repo as test data (see its README for provenance). */
export const EXAMPLES_DIR = fileURLToPath(new URL("../../../test/fixtures/quodsi-examples", import.meta.url));

/** Every JSON file under `dir` (the example models), sorted, recursively. */
export function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? jsonFilesUnder(p) : p.endsWith(".json") ? [p] : [];
    });
}

export const exp = (mean: number): Duration => ({
  unit: "minutes",
  distribution: "exponential",
  scale: mean,
});
export const constant = (value: number): Duration => ({ unit: "minutes", value });

interface RunLength {
  runTime: number;
  warmupTime?: number;
}

function clock({
  runTime,
  warmupTime,
}: RunLength): Pick<QuodsiModel, "schemaVersion" | "timeUnit" | "runTime" | "warmupTime"> {
  return {
    schemaVersion: "2026.12.01",
    timeUnit: "minutes",
    runTime: constant(runTime),
    ...(warmupTime ? { warmupTime: constant(warmupTime) } : {}),
  };
}

/** M/M/1: one activity of capacity 1 with an exponential delay. */
export function mm1(lambda: number, mu: number, len: RunLength): QuodsiModel {
  return {
    ...clock(len),
    entities: [{ id: "customer", name: "Customer" }],
    activities: [
      {
        id: "server",
        name: "Server",
        capacity: 1,
        actions: [{ id: "serve", type: "delay", duration: exp(1 / mu) }],
      },
    ],
    generators: [{ id: "arrivals", entityId: "customer", interarrivalTime: exp(1 / lambda) }],
    connectors: [{ id: "to-server", sourceId: "arrivals", targetId: "server" }],
  };
}

/**
 * M/M/c where the c servers are a resource of capacity c seized by
 * delay_with_resource, in an activity with room for everyone (the queue forms
 * at the resource).
 */
export function mmcResource(
  lambda: number,
  mu: number,
  c: number,
  len: RunLength,
  activityCapacity = 10_000,
): QuodsiModel {
  return {
    ...clock(len),
    entities: [{ id: "customer" }],
    resources: [{ id: "servers", capacity: c }],
    resourceRequirements: [
      { id: "one-server", rootClause: { requests: [{ resourceId: "servers", quantity: 1 }] } },
    ],
    activities: [
      {
        id: "service",
        capacity: activityCapacity,
        actions: [
          {
            id: "serve",
            type: "delay_with_resource",
            resourceRequirementId: "one-server",
            duration: exp(1 / mu),
          },
        ],
      },
    ],
    generators: [{ id: "arrivals", entityId: "customer", interarrivalTime: exp(1 / lambda) }],
    connectors: [{ id: "to-service", sourceId: "arrivals", targetId: "service" }],
  };
}

/** Two M/M/1 stations in series (a Jackson network). */
export function tandem(lambda: number, mu1: number, mu2: number, len: RunLength): QuodsiModel {
  return {
    ...clock(len),
    entities: [{ id: "job" }],
    activities: [
      { id: "s1", actions: [{ id: "d1", type: "delay", duration: exp(1 / mu1) }] },
      { id: "s2", actions: [{ id: "d2", type: "delay", duration: exp(1 / mu2) }] },
    ],
    generators: [{ id: "arrivals", entityId: "job", interarrivalTime: exp(1 / lambda) }],
    connectors: [
      { id: "in", sourceId: "arrivals", targetId: "s1" },
      { id: "s1-s2", sourceId: "s1", targetId: "s2" },
    ],
  };
}

/** Poisson arrivals into a dispatch point that routes by weight to two infinite-capacity branches. */
export function split(weightA: number, weightB: number, len: RunLength): QuodsiModel {
  return {
    ...clock(len),
    entities: [{ id: "item" }],
    activities: [
      { id: "dispatch", capacity: 1000, actions: [] },
      { id: "a", capacity: 1000, actions: [{ type: "delay", duration: exp(1) }] },
      { id: "b", capacity: 1000, actions: [{ type: "delay", duration: exp(1) }] },
    ],
    generators: [{ id: "arrivals", entityId: "item", interarrivalTime: exp(1) }],
    connectors: [
      { id: "in", sourceId: "arrivals", targetId: "dispatch" },
      { id: "to-a", sourceId: "dispatch", targetId: "a", weight: weightA },
      { id: "to-b", sourceId: "dispatch", targetId: "b", weight: weightB },
    ],
  };
}

/** Arrivals every 0.0001 min into a 1000-minute single server: the queue grows without bound. */
export const unstableModel = (): QuodsiModel => ({
  schemaVersion: "2026.11.01",
  name: "Unstable",
  timeUnit: "minutes",
  runTime: { unit: "minutes", value: 1000 },
  entities: [{ id: "e" }],
  activities: [{ id: "a", actions: [{ type: "delay", duration: { unit: "minutes", value: 1000 } }] }],
  generators: [{ id: "g", entityId: "e", interarrivalTime: { unit: "minutes", value: 0.0001 } }],
  connectors: [{ id: "c", sourceId: "g", targetId: "a" }],
});
