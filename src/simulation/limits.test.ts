import { describe, expect, it } from "vitest";
import { simulate, MAX_ENTITIES_IN_SYSTEM } from "./index.js";
import { unstableModel } from "./testing/models.js";

describe("runaway models", () => {
  it("fails with a clear ModelRuntimeError instead of exhausting memory", async () => {
    const run = simulate(unstableModel(), { replications: 1, seed: 1, timePeriod: "daily" });
    await expect(run).rejects.toMatchObject({
      name: "ModelRuntimeError",
      message: expect.stringContaining(`More than ${MAX_ENTITIES_IN_SYSTEM} entities`),
    });
  });
});
