import { describe, expect, it } from "vitest";
import {
  InvalidModelError,
  checkRunnable,
  runReplication,
  validateDuration,
  validateModel,
} from "./index.js";
import { constant, mm1 } from "./testing/models.js";

const paths = (issues: Array<{ path: string }>) => issues.map((i) => i.path).sort();

describe("validateModel", () => {
  it("accepts a minimal clean-wire model", () => {
    const r = validateModel(mm1(1, 2, { runTime: 100 }));
    expect(r).toEqual({ ok: true, value: expect.any(Object) });
  });

  it("rejects a non-object", () => {
    expect(validateModel("model")).toEqual({
      ok: false,
      issues: [{ path: "", message: "a model must be a JSON object" }],
    });
    expect(validateModel([]).ok).toBe(false);
  });

  it("reports every problem at once, each with its path", () => {
    const bad = {
      schemaVersion: "2026.12.01",
      replications: 0,
      seed: 1.5,
      timeUnit: "fortnights",
      runTime: { unit: "minutes", distribution: "uniform", min: 1, max: 2 },
      entities: [{ id: "e" }, { id: "e" }],
      resources: [{ id: "r", capacity: -1 }],
      resourceRequirements: [
        { id: "req", rootClause: { mode: "SOME", requests: [{ resourceId: "nope", quantity: 0 }] } },
      ],
      activities: [
        {
          id: "a",
          capacity: 0,
          inboundCapacity: -2,
          actions: [
            { type: "delay", duration: { unit: "minutes", distribution: "exponential", scale: -1 } },
            {
              type: "delay_with_resource",
              resourceRequirementId: "missing",
              duration: { unit: "minutes", value: 1 },
            },
            { type: "teleport" },
            { type: "seize" },
          ],
        },
      ],
      generators: [{ id: "g", entityId: "ghost", batchSize: 0 }],
      connectors: [
        { id: "c1", sourceId: "g", targetId: "g", weight: -1 },
        { id: "c2", sourceId: "nowhere", targetId: "a" },
        { id: "a", sourceId: "a", targetId: "a" },
      ],
    };
    const r = validateModel(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(paths(r.issues)).toEqual(
      [
        "replications",
        "seed",
        "timeUnit",
        "runTime.distribution",
        "entities[1].id",
        "resources[0].capacity",
        "resourceRequirements[0].rootClause.mode",
        "resourceRequirements[0].rootClause.requests[0].resourceId",
        "resourceRequirements[0].rootClause.requests[0].quantity",
        "activities[0].capacity",
        "activities[0].inboundCapacity",
        "activities[0].actions[0].duration.scale",
        "activities[0].actions[1].resourceRequirementId",
        "activities[0].actions[2].type",
        "activities[0].actions[3].resourceRequirementId",
        "generators[0].entityId",
        "generators[0].interarrivalTime",
        "generators[0].batchSize",
        "connectors[0].targetId",
        "connectors[0].weight",
        "connectors[1].sourceId",
        "connectors[2].id",
      ].sort(),
    );
    const msg = (p: string) => r.issues.find((i) => i.path === p)!.message;
    expect(msg("entities[1].id")).toMatch(/duplicate id "e"/);
    expect(msg("connectors[2].id")).toMatch(/duplicate id "a" \(already used at activities\[0\]\)/);
    expect(msg("connectors[0].targetId")).toMatch(/must reference an activity/);
    expect(msg("activities[0].actions[2].type")).toMatch(
      /must be one of delay, delay_with_resource, seize, release, assign/,
    );
    expect(msg("timeUnit")).toMatch(/seconds, minutes, hours, days/);
  });

  it("requires timeUnit and runTime, and warm-up shorter than the run", () => {
    const r = validateModel({ entities: [] });
    expect(!r.ok && paths(r.issues)).toEqual(["runTime", "timeUnit"]);
    const w = validateModel({
      timeUnit: "hours",
      runTime: constant(60),
      warmupTime: { unit: "hours", value: 1 },
    });
    expect(!w.ok && w.issues).toEqual([{ path: "warmupTime.value", message: "must be less than runTime" }]);
  });

  it("lets a resource requirement share its resource's id (as Quodsi's Lucid serializer writes it)", () => {
    const m = {
      timeUnit: "minutes",
      runTime: constant(10),
      resources: [{ id: "r1" }],
      resourceRequirements: [
        { id: "r1", rootClause: { id: "clause-1", mode: "require_all", requests: [{ resourceId: "r1" }] } },
      ],
    };
    expect(validateModel(m).ok).toBe(true);
  });

  it("rejects the legacy verbose 2026.08.20 format with one issue naming the schemaVersion", () => {
    const r = validateModel({ schemaVersion: "2026.08.20", model: { id: "x", reps: 1 }, entities: [] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0].path).toBe("schemaVersion");
    expect(r.issues[0].message).toMatch(
      /"2026\.08\.20" is the legacy verbose Quodsi wire format.*2026\.11\.01 \/ 2026\.12\.01/,
    );
  });

  it("rejects an unknown schemaVersion", () => {
    const r = validateModel({ ...mm1(1, 2, { runTime: 10 }), schemaVersion: "2030.01.01" });
    expect(!r.ok && r.issues).toEqual([
      { path: "schemaVersion", message: expect.stringContaining("unsupported schemaVersion") },
    ]);
  });

  it("accepts unsupported-but-well-formed features (they are store-able)", () => {
    const m = mm1(1, 2, { runTime: 10 });
    m.activities![0].actions!.push({ type: "loop", id: "b", count: 2, actions: [] });
    m.activities![0].routing = "state_condition";
    m.generators![0].mode = "PATTERN";
    expect(validateModel(m).ok).toBe(true);
  });
});

describe("checkRunnable", () => {
  it("names each unsupported feature and the object path", () => {
    const m = mm1(1, 2, { runTime: 10 });
    m.activities![0].actions!.push(
      { type: "split", id: "s", destinationId: "elsewhere" },
      { type: "script", id: "js", source: "" },
    );
    m.activities![0].routing = "state_condition";
    m.activities![0].failureProperties = { mtbf: 10 };
    m.generators![0].mode = "SCHEDULED";
    m.generators![0].initialStates = [{ stateId: "s", operation: "assign", value: 1 }];
    m.connectors![0].condition = { stateId: "s", comparison: "equal", value: 1 };
    m.connectors![0].actions = [{ type: "assign", id: "x" }];
    const issues = checkRunnable(m);
    // Split, scripts, state-condition routing, initialStates and connector conditions run (engine logic).
    expect(paths(issues)).toEqual(
      ["activities[0].failureProperties", "generators[0].mode", "connectors[0].actions[0].type"].sort(),
    );
    const msg = (p: string) => issues.find((i) => i.path === p)!.message;
    expect(msg("connectors[0].actions[0].type")).toBe(
      'connector "to-server": action type "assign" is not supported by this engine; a connector supports only delay (travel time)',
    );
    expect(msg("generators[0].mode")).toMatch(/generator "arrivals": SCHEDULED generators are not supported/);
    expect(msg("connectors[0].actions[0].type")).toMatch(/a connector supports only delay/);
  });

  it("flags a source whose outgoing connectors all have weight 0", () => {
    const m = mm1(1, 2, { runTime: 10 });
    m.connectors![0].weight = 0;
    expect(checkRunnable(m)).toEqual([
      { path: "connectors[0].weight", message: expect.stringContaining('"arrivals" have weight 0') },
    ]);
  });

  it("the engine refuses an unrunnable model with every issue attached", async () => {
    const m = mm1(1, 2, { runTime: 10 });
    m.connectors![0].actions = [{ type: "dispose", id: "l" }];
    const err = await runReplication(m, 0, { replications: 1, seed: 1, timePeriod: "daily" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidModelError);
    expect((err as InvalidModelError).issues).toEqual([
      { path: "connectors[0].actions[0].type", message: expect.stringContaining('"dispose"') },
    ]);
  });
});

describe("validateDuration", () => {
  const ok = (d: unknown) => expect(validateDuration(d, "d")).toEqual([]);
  const bad = (d: unknown) => paths(validateDuration(d, "d"));

  it("accepts every supported form", () => {
    ok({ unit: "minutes", value: 2 });
    ok({ unit: "MINUTES", distribution: "constant", value: 0 });
    ok({ unit: "seconds", distribution: "uniform", min: 1, max: 2 });
    ok({ unit: "hours", distribution: "triangular", min: 0.5, mode: 1, max: 1.5 });
    ok({ unit: "minutes", distribution: "normal", mean: 1, std: 0.2 });
    ok({ unit: "minutes", distribution: "exponential", scale: 2 });
    ok({ unit: "minutes", distribution: "lognormal", mean: 0, sigma: 0.5 });
    ok({ unit: "minutes", distribution: "gamma", shape: 2, scale: 1.5 });
    ok({ unit: "minutes", distribution: "weibull", shape: 1.5 });
    ok({ unit: "minutes", distribution: "weibull", shape: 1.5, scale: 3 });
    ok({ unit: "minutes", distribution: "erlang", k: 3, scale: 1 });
    ok({ unit: "minutes", distribution: "beta", alpha: 2, beta: 5, min: 1, max: 4 });
    ok({ unit: "days", distribution: "discrete", values: [1, 2, 5], probabilities: [0.2, 0.3, 0.5] });
    ok({ unit: "days", distribution: "empirical", values: [1, 2], probabilities: [1, 3] });
  });

  it("reports each bad parameter with its path", () => {
    expect(bad(null)).toEqual(["d"]);
    expect(bad({ value: 1 })).toEqual(["d.unit"]);
    expect(bad({ unit: "weeks", value: 1 })).toEqual(["d.unit"]);
    expect(bad({ unit: "minutes" })).toEqual(["d.value"]);
    expect(bad({ unit: "minutes", value: -1 })).toEqual(["d.value"]);
    expect(bad({ unit: "minutes", distribution: "poisson", lam: 2 })).toEqual(["d.distribution"]);
    expect(bad({ unit: "minutes", distribution: "exponential", scale: 0 })).toEqual(["d.scale"]);
    expect(bad({ unit: "minutes", distribution: "exponential", mean: 2 })).toEqual(["d.mean", "d.scale"]);
    expect(bad({ unit: "minutes", distribution: "uniform", min: 3, max: 2 })).toEqual(["d.max"]);
    expect(bad({ unit: "minutes", distribution: "triangular", min: 1, mode: 0.5, max: 2 })).toEqual([
      "d.mode",
    ]);
    expect(bad({ unit: "minutes", distribution: "normal", mean: 1, std: -1 })).toEqual(["d.std"]);
    expect(bad({ unit: "minutes", distribution: "erlang", k: 1.5, scale: 1 })).toEqual(["d.k"]);
    expect(bad({ unit: "minutes", distribution: "gamma", shape: "2", scale: 1 })).toEqual(["d.shape"]);
    expect(bad({ unit: "minutes", distribution: "beta", alpha: 1, beta: 1, min: 3 })).toEqual(["d.max"]);
    expect(bad({ unit: "minutes", distribution: "discrete", values: [1, 2], probabilities: [1] })).toEqual([
      "d.probabilities",
    ]);
    expect(
      bad({ unit: "minutes", distribution: "discrete", values: [1, -2], probabilities: [0, 0] }),
    ).toEqual(["d.probabilities", "d.values[1]"]);
  });

  it("validateModel uses the same duration rules, with the full path", () => {
    const m = mm1(1, 2, { runTime: 10 });
    m.activities![0].actions![0] = {
      type: "delay",
      duration: { unit: "minutes", distribution: "exponential", scale: -3 },
    };
    const r = validateModel(m);
    expect(!r.ok && r.issues).toEqual([
      { path: "activities[0].actions[0].duration.scale", message: "must be > 0 (got -3)" },
    ]);
  });
});
