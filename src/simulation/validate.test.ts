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
    expect(validateModel(m).ok).toBe(true);
  });
});

describe("validateModel, rule by rule", () => {
  /** A runnable base model with the given fields replaced. */
  const base = () => mm1(1, 2, { runTime: 10 }) as unknown as Record<string, unknown>;
  const issuesOf = (m: unknown) => {
    const r = validateModel(m);
    return r.ok ? [] : r.issues;
  };

  it("refuses a run time of zero and a warm-up as long as the run, in the model's time unit", () => {
    expect(issuesOf({ ...base(), runTime: constant(0) })).toEqual([
      { path: "runTime.value", message: "must be > 0" },
    ]);
    const hour = { unit: "hours", value: 1 };
    expect(issuesOf({ ...base(), runTime: hour, warmupTime: constant(59) })).toEqual([]);
    expect(issuesOf({ ...base(), runTime: hour, warmupTime: constant(60) })).toEqual([
      { path: "warmupTime.value", message: "must be less than runTime" },
    ]);
    expect(
      issuesOf({ ...base(), warmupTime: { unit: "minutes", distribution: "exponential", scale: 1 } }),
    ).toEqual([
      { path: "warmupTime.distribution", message: "must be a constant Duration (no distribution)" },
    ]);
    expect(issuesOf({ ...base(), runTime: undefined })).toEqual([
      {
        path: "runTime",
        message: 'is required (a constant Duration, e.g. {"unit": "minutes", "value": 480})',
      },
    ]);
    // Without a valid time unit the clock is not compared (the unit is reported instead).
    expect(issuesOf({ ...base(), timeUnit: "eons", warmupTime: constant(20) }).map((i) => i.path)).toEqual([
      "timeUnit",
    ]);
  });

  it("checks the top-level fields", () => {
    expect(issuesOf({ ...base(), name: 5 })).toEqual([{ path: "name", message: "must be a string" }]);
    expect(issuesOf({ ...base(), name: "M", replications: 1, seed: 7 })).toEqual([]);
    expect(issuesOf({ ...base(), replications: 1.5 })).toEqual([
      { path: "replications", message: "must be an integer >= 1" },
    ]);
    expect(issuesOf({ ...base(), seed: 2 ** 53 })).toEqual([
      { path: "seed", message: "must be a (safe) integer" },
    ]);
    expect(issuesOf({ ...base(), schemaVersion: 5 })).toEqual([
      { path: "schemaVersion", message: "unsupported schemaVersion 5; supported: 2026.11.01, 2026.12.01" },
    ]);
    expect(issuesOf({ ...base(), schemaVersion: "2026.11.01" })).toEqual([]);
    expect(issuesOf({ ...base(), schemaVersion: undefined })).toEqual([]);
  });

  it("recognises the legacy format by its nested model block", () => {
    const legacy = (m: Record<string, unknown>) => issuesOf(m).map((i) => i.message.includes("legacy"));
    expect(legacy({ model: {}, entities: [] })).toEqual([true]);
    expect(legacy({ schemaVersion: "2025.01.01", model: {} })).toEqual([true]);
    // A nested model block beside a clean clock is not the legacy format.
    expect(issuesOf({ ...base(), model: {} })).toEqual([]);
    expect(legacy({ ...base(), schemaVersion: "2025.01.01" })).toEqual([false]);
  });

  it("requires every collection to be an array of objects, and keeps the input's indexes in paths", () => {
    for (const key of [
      "entities",
      "states",
      "resources",
      "resourceRequirements",
      "activities",
      "generators",
      "connectors",
    ]) {
      expect(issuesOf({ ...base(), [key]: { a: 1 } })).toContainEqual({
        path: key,
        message: "must be an array",
      });
      expect(issuesOf({ ...base(), [key]: null }).map((i) => i.path)).not.toContain(key);
    }
    const m = base();
    m.entities = [7, ...(m.entities as unknown[])];
    m.resources = [{ id: "r", capacity: 1.5 }];
    expect(issuesOf(m)).toEqual([
      { path: "entities[0]", message: "must be an object" },
      { path: "resources[0].capacity", message: "must be an integer >= 0" },
    ]);
  });

  it("requires ids, checks names, and keeps resource requirements in their own namespace", () => {
    const m = base();
    m.entities = [{ id: "" }, { id: "customer", name: 3 }, { name: null, id: "other" }];
    m.resourceRequirements = [
      { id: "customer", rootClause: {} },
      { id: "customer", rootClause: {} },
    ];
    expect(issuesOf(m)).toEqual([
      { path: "entities[0].id", message: "is required (non-empty string)" },
      { path: "entities[1].name", message: "must be a string" },
      { path: "resourceRequirements[1].id", message: 'duplicate resource requirement id "customer"' },
    ]);
  });

  it("checks every part of a resource requirement's clauses", () => {
    const m = base();
    m.resources = [{ id: "r", capacity: 0 }];
    let nested: Record<string, unknown> = { requests: [{ resourceId: "r" }] };
    for (let d = 0; d < 33; d++) nested = { clauses: [nested] };
    m.resourceRequirements = [
      { id: "none" },
      { id: "text", rootClause: "all" },
      { id: "deep", rootClause: nested },
      { id: "lists", rootClause: { requests: {}, clauses: "x" } },
      {
        id: "requests",
        rootClause: {
          mode: "require_any",
          requests: [
            5,
            { quantity: 1 },
            { resourceId: "r", quantity: 2, priority: "high", keepResource: "yes" },
            { resourceId: "r", quantity: 1, priority: 2, keepResource: false },
          ],
          clauses: [{ mode: 1 }],
        },
      },
      { id: "empty", rootClause: { mode: "REQUIRE_ALL", requests: null, clauses: null } },
    ];
    expect(issuesOf(m)).toEqual([
      { path: "resourceRequirements[0].rootClause", message: "is required" },
      {
        path: "resourceRequirements[1].rootClause",
        message: "must be a clause object {mode, requests, clauses}",
      },
      {
        path: `resourceRequirements[2].rootClause${".clauses[0]".repeat(33)}`,
        message: "clauses are nested too deeply (max 32)",
      },
      { path: "resourceRequirements[3].rootClause.requests", message: "must be an array" },
      { path: "resourceRequirements[3].rootClause.clauses", message: "must be an array" },
      {
        path: "resourceRequirements[4].rootClause.requests[0]",
        message: "must be an object {resourceId, quantity}",
      },
      { path: "resourceRequirements[4].rootClause.requests[1].resourceId", message: "is required (string)" },
      { path: "resourceRequirements[4].rootClause.requests[2].priority", message: "must be a finite number" },
      { path: "resourceRequirements[4].rootClause.requests[2].keepResource", message: "must be a boolean" },
      {
        path: "resourceRequirements[4].rootClause.clauses[0].mode",
        message: "must be one of REQUIRE_ALL, REQUIRE_ANY (got 1)",
      },
    ]);
  });

  it("checks activity capacities, null meaning unlimited only where it may", () => {
    const m = base();
    const activity = (m.activities as Record<string, unknown>[])[0];
    Object.assign(activity, { capacity: null, inboundCapacity: null, outboundCapacity: -1 });
    expect(issuesOf(m)).toEqual([
      { path: "activities[0].capacity", message: "must be an integer >= 1" },
      { path: "activities[0].outboundCapacity", message: "must be an integer >= 0 (or null for unlimited)" },
    ]);
    Object.assign(activity, { capacity: 1, inboundCapacity: 0, outboundCapacity: 0 });
    expect(issuesOf(m)).toEqual([]);
  });

  it("checks connector ends and weights", () => {
    const m = base();
    m.connectors = [
      { id: "c0", targetId: "server" },
      { id: "c1", sourceId: "arrivals" },
      { id: "c2", sourceId: "server", targetId: "nowhere" },
      { id: "c3", sourceId: "arrivals", targetId: "server", weight: Infinity },
      { id: "c4", sourceId: "arrivals", targetId: "server", weight: "1" },
      { id: "c5", sourceId: "server", targetId: "server", weight: null },
      { id: "c6", sourceId: "arrivals", targetId: "server", weight: 0 },
      { id: "c7", sourceId: "nowhere", targetId: "arrivals" },
    ];
    expect(issuesOf(m)).toEqual([
      { path: "connectors[0].sourceId", message: "is required (string)" },
      { path: "connectors[1].targetId", message: "is required (string)" },
      { path: "connectors[2].targetId", message: 'references unknown activity "nowhere"' },
      { path: "connectors[3].weight", message: "must be a finite number >= 0" },
      { path: "connectors[4].weight", message: "must be a finite number >= 0" },
      { path: "connectors[7].sourceId", message: 'references unknown activity or generator "nowhere"' },
      { path: "connectors[7].targetId", message: 'must reference an activity ("arrivals" is a generator)' },
    ]);
  });

  it("returns warnings beside a valid model only when there are some", () => {
    const m = mm1(1, 2, { runTime: 10 });
    m.states = [{ id: "s", name: "s", componentType: "entity", dataType: "number" }];
    m.connectors![0].condition = { stateId: "s", comparison: "equal", value: 1 };
    const r = validateModel(m);
    expect(r).toMatchObject({
      ok: true,
      warnings: [{ path: "connectors[0].condition", message: expect.stringContaining("is ignored") }],
    });
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
    m.generators![0].initialStates = [{ stateId: "s", operation: "assign", value: 1 }];
    m.connectors![0].condition = { stateId: "s", comparison: "equal", value: 1 };
    m.connectors![0].actions = [{ type: "assign", id: "x" }];
    const issues = checkRunnable(m);
    // Split, scripts, state-condition routing, initialStates and connector conditions run (engine logic).
    expect(paths(issues)).toEqual(["connectors[0].actions[0].type"]);
    const msg = (p: string) => issues.find((i) => i.path === p)!.message;
    expect(msg("connectors[0].actions[0].type")).toBe(
      'connector "to-server": action type "assign" is not supported by this engine; a connector supports only delay (travel time)',
    );
    expect(msg("connectors[0].actions[0].type")).toMatch(/a connector supports only delay/);
  });

  it("names unsupported routing, resource failures and schedules and connector modifications", () => {
    const m = mm1(1, 2, { runTime: 10 });
    m.states = [{ id: "s3", name: "s3", componentType: "entity", dataType: "number" }];
    m.resources = [
      // Empty values count as absent.
      {
        id: "r",
        name: "Clerk",
        failureProperties: { mtbf: 1 },
        workSchedule: "day",
        shifts: [],
        schedule: {},
      },
      { id: "q", failureProperties: {}, workScheduleId: false, schedule: null },
    ];
    m.generators![0].mode = "frequency";
    Object.assign(m.activities![0], { connectType: "round_robin", queueRanking: "fifo" });
    m.connectors![0].stateModifications = [{ stateId: "s3", operation: "assign", value: 1 }];
    const server = 'activity "server" (Server)';
    expect(checkRunnable(m)).toEqual([
      {
        path: "activities[0].connectType",
        message: `${server}: routing "round_robin" is not supported; only probabilistic routing by connector weight, state-condition routing, entity-type routing`,
      },
      {
        path: "resources[0].failureProperties",
        message: 'resource "r" (Clerk): failures (failureProperties) are not supported',
      },
      {
        path: "resources[0].workSchedule",
        message:
          'resource "r" (Clerk): work schedules (workSchedule) are not supported; resources are always available',
      },
      {
        path: "connectors[0].stateModifications",
        message: 'connector "to-server": state modifications on connectors are not supported',
      },
    ]);
    // A routing value that names state routing says so; routing by its own field is reported there.
    const r = mm1(1, 2, { runTime: 10 });
    r.activities![0].routing = "STATE_MACHINE" as never;
    expect(checkRunnable(r)).toEqual([
      {
        path: "activities[0].routing",
        message: expect.stringMatching(
          /^activity "server" \(Server\): routing "STATE_MACHINE" \(state routing\) is not supported/,
        ),
      },
    ]);
    // Every runnable routing mode passes.
    for (const routing of ["probability", "state_condition", "entity_type", null]) {
      const ok = mm1(1, 2, { runTime: 10 });
      ok.activities![0].routing = routing as never;
      expect([routing, checkRunnable(ok)]).toEqual([routing, []]);
    }
  });

  it("flags a source whose outgoing connectors all have weight 0", () => {
    const m = mm1(1, 2, { runTime: 10 });
    m.connectors![0].weight = 0;
    expect(checkRunnable(m)).toEqual([
      {
        path: "connectors[0].weight",
        message: 'all outgoing connectors of "arrivals" have weight 0; at least one needs a positive weight',
      },
    ]);
    // One more connector without a weight (1 by default) or with a positive one is enough.
    m.connectors!.push({ id: "again", sourceId: "arrivals", targetId: "server" });
    expect(checkRunnable(m)).toEqual([]);
    m.connectors![1].weight = 0.5;
    expect(checkRunnable(m)).toEqual([]);
    m.connectors![1].weight = 0;
    expect(checkRunnable(m).map((i) => i.path)).toEqual(["connectors[0].weight"]);
  });

  it("InvalidModelError's message lists the first five issues and counts the others", () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `p${i}`, message: `m${i}` }));
    expect(new InvalidModelError(list(5)).message).toBe(
      "model is not runnable: p0: m0; p1: m1; p2: m2; p3: m3; p4: m4",
    );
    const seven = new InvalidModelError(list(7));
    expect(seven.message).toBe("model is not runnable: p0: m0; p1: m1; p2: m2; p3: m3; p4: m4 (+2 more)");
    expect(seven.issues).toHaveLength(7);
    expect(seven.name).toBe("InvalidModelError");
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

  it("names the rule each bad parameter breaks", () => {
    const issues = (d: Record<string, unknown>) => validateDuration({ unit: "minutes", ...d }, "d");
    const issue = (path: string, message: string) => ({ path, message });
    expect(issues({ value: Infinity })).toEqual([issue("d.value", "must be a finite number >= 0")]);
    expect(issues({ distribution: "normal", mean: NaN, std: 1 })).toEqual([
      issue("d.mean", "must be a finite number"),
    ]);
    expect(issues({ distribution: "uniform", min: 3, max: 2 })).toEqual([
      issue("d.max", "must be >= min (3)"),
    ]);
    expect(issues({ distribution: "uniform", min: 2, max: 2 })).toEqual([]);
    expect(issues({ distribution: "triangular", min: 1, mode: 3, max: 2 })).toEqual([
      issue("d.max", "must be >= mode (3)"),
    ]);
    // Without a usable mode, max is held against min.
    expect(issues({ distribution: "triangular", min: 3, mode: -1, max: 2 })).toEqual([
      issue("d.mode", "must be >= 0 (got -1)"),
      issue("d.max", "must be >= min (3)"),
    ]);
    expect(issues({ distribution: "triangular", min: 1, mode: 1, max: 1 })).toEqual([]);
    expect(issues({ distribution: "erlang", k: 0, scale: 1 })).toEqual([
      issue("d.k", "must be an integer >= 1 (got 0)"),
    ]);
    expect(issues({ distribution: "beta", alpha: 1, beta: 1, min: 3 })).toEqual([
      issue("d.max", "must be >= min (3); max defaults to 1"),
    ]);
    expect(issues({ distribution: "discrete", values: [], probabilities: {} })).toEqual([
      issue("d.values", "must be a non-empty array of numbers"),
      issue("d.probabilities", "must be a non-empty array of numbers"),
    ]);
    expect(issues({ distribution: "empirical", values: [1, "2"], probabilities: [1, -1] })).toEqual([
      issue("d.values[1]", "must be a finite number >= 0"),
      issue("d.probabilities[1]", "must be a finite number >= 0"),
    ]);
    expect(issues({ distribution: "discrete", values: [1, 2], probabilities: [0, 0] })).toEqual([
      issue("d.probabilities", "must have a positive sum (relative weights)"),
    ]);
    expect(issues({ distribution: "discrete", values: [1, 2, 3], probabilities: [1, 1] })).toEqual([
      issue("d.probabilities", "must have one entry per value (3), got 2"),
    ]);
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
