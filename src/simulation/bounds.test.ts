import { describe, expect, it } from "vitest";
import { checkBounds, validateModel, type QuodsiModel } from "./index.js";
import { mm1 } from "./testing/models.js";

const bounds = { maxRunTimeDays: 10, maxReplications: 100, maxGeneratorEntities: 1000 };

/** An M/M/1 that validateModel accepts, changed by `edit`. */
function model(edit: (m: QuodsiModel) => void = () => undefined): QuodsiModel {
  const m = mm1(0.8, 1, { runTime: 60 });
  edit(m);
  const validated = validateModel(m);
  if (!validated.ok) throw new Error(JSON.stringify(validated.issues));
  return validated.value;
}

describe("checkBounds", () => {
  it("accepts a model within every bound, at the bounds included", () => {
    expect(checkBounds(model(), bounds)).toEqual([]);
    const atBounds = model((m) => {
      m.runTime = { unit: "days", value: 10 };
      m.replications = 100;
      m.generators![0].maxEntities = 1000;
    });
    expect(checkBounds(atBounds, bounds)).toEqual([]);
  });

  it("measures runTime in simulated days whatever its unit", () => {
    const minutes = model((m) => (m.runTime = { unit: "minutes", value: 10 * 1440 + 1 }));
    expect(checkBounds(minutes, bounds)).toEqual([
      { path: "runTime.value", message: expect.stringMatching(/^must be at most 10 days/) as unknown },
    ]);
    const seconds = model((m) => (m.runTime = { unit: "seconds", value: 10 * 86400 }));
    expect(checkBounds(seconds, bounds)).toEqual([]);
  });

  it("refuses an absurd runTime, replications and generator maxEntities with their paths", () => {
    const absurd = model((m) => {
      m.runTime = { unit: "minutes", value: 1e308 };
      m.replications = 101;
      m.generators![0].maxEntities = 1001;
    });
    expect(checkBounds(absurd, bounds)).toEqual([
      { path: "runTime.value", message: "must be at most 10 days of simulated time (got 1e+308 minutes)" },
      { path: "replications", message: "must be at most 100" },
      { path: "generators[0].maxEntities", message: "must be at most 1000" },
    ]);
  });

  it("a model without generators or activities has nothing to bound but its run", () => {
    const bare = model((m) => {
      delete m.generators;
      delete m.activities;
      delete m.connectors;
    });
    expect(checkBounds(bare, bounds)).toEqual([]);
  });

  it("bounds an activity's sourceConfig like a generator, and leaves unlimited (null) to runTime", () => {
    const source = model((m) => {
      m.generators![0].maxEntities = null;
      m.activities![0].sourceConfig = {
        entityId: "customer",
        interarrivalTime: { unit: "minutes", value: 1 },
        maxEntities: 5000,
      };
    });
    expect(checkBounds(source, bounds)).toEqual([
      { path: "activities[0].sourceConfig.maxEntities", message: "must be at most 1000" },
    ]);
  });
});
