import { describe, expect, it } from "vitest";
import { simulate, MAX_ENTITIES_IN_SYSTEM } from "./index.js";
import type { QuodsiModel } from "./types.js";

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

describe("runaway models", () => {
  it("fails with a clear ModelRuntimeError instead of exhausting memory", async () => {
    const run = simulate(unstableModel(), { replications: 1, seed: 1, timePeriod: "daily" });
    await expect(run).rejects.toMatchObject({ name: "ModelRuntimeError", message: expect.stringContaining(`More than ${MAX_ENTITIES_IN_SYSTEM} entities`) });
  });
});
