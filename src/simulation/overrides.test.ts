import { describe, expect, it } from "vitest";
import {
  applyOverrides,
  checkRunnable,
  simulate,
  validateOverride,
  type ModelOverride,
  type QuodsiModel,
} from "./index.js";
import { constant, exp, mm1 } from "./testing/models.js";

/** A model with one of everything overridable. */
function base(): QuodsiModel {
  return {
    schemaVersion: "2026.12.01",
    timeUnit: "minutes",
    seed: 5,
    runTime: constant(480),
    warmupTime: constant(30),
    entities: [{ id: "customer" }],
    resources: [{ id: "clerk", capacity: 2 }, { id: "nurse" }],
    resourceRequirements: [
      {
        id: "req",
        rootClause: {
          mode: "REQUIRE_ALL",
          requests: [{ resourceId: "clerk" }],
          clauses: [{ mode: "REQUIRE_ANY", requests: [{ resourceId: "nurse", quantity: 2 }] }],
        },
      },
    ],
    activities: [
      {
        id: "desk",
        capacity: 3,
        inboundCapacity: 10,
        actions: [
          {
            id: "check",
            type: "delay",
            duration: { unit: "minutes", distribution: "triangular", min: 1, mode: 2, max: 4 },
          },
          { id: "serve", type: "delay_with_resource", resourceRequirementId: "req", duration: exp(2) },
          { id: "grab", type: "seize", resourceRequirementId: "req" },
          { id: "drop", type: "release", resourceRequirementId: "req" },
        ],
      },
    ],
    generators: [{ id: "arrivals", entityId: "customer", interarrivalTime: exp(3), batchSize: 2 }],
    connectors: [{ id: "in", sourceId: "arrivals", targetId: "desk", weight: 4 }],
  };
}

const o = (
  targetObjectType: ModelOverride["targetObjectType"],
  targetObjectId: string,
  propertyName: string,
  propertyValue: unknown,
  operation?: ModelOverride["operation"],
): ModelOverride => ({
  targetObjectType,
  targetObjectId,
  propertyName,
  propertyValue,
  ...(operation ? { operation } : {}),
});

/** Apply one override and return the effective model (asserting success). */
function apply1(ov: ModelOverride): QuodsiModel {
  const r = applyOverrides(base(), [ov]);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

function issuesOf(ov: ModelOverride) {
  const r = validateOverride(base(), ov);
  return r.ok ? [] : r.issues;
}

describe("validateOverride: original values", () => {
  it.each([
    [o("MODEL", "model", "seed", 9), 5],
    [o("MODEL", "model", "runTime", constant(10)), constant(480)],
    [o("MODEL", "model", "warmupTime", constant(1)), constant(30)],
    [o("ACTIVITY", "desk", "capacity", 4), 3],
    [o("ACTIVITY", "desk", "inboundCapacity", 0), 10],
    [o("ACTIVITY", "desk", "outboundCapacity", 2), null],
    [
      o("ACTIVITY", "desk", "actions.check.duration", constant(1)),
      { unit: "minutes", distribution: "triangular", min: 1, mode: 2, max: 4 },
    ],
    [o("ACTIVITY", "desk", "actions.1.duration", constant(1)), exp(2)],
    [o("RESOURCE", "clerk", "capacity", 0), 2],
    [o("RESOURCE", "nurse", "capacity", 3), 1],
    [o("GENERATOR", "arrivals", "interarrivalTime", exp(1)), exp(3)],
    [o("GENERATOR", "arrivals", "startDelay", constant(5)), { unit: "minutes", value: 0 }],
    [o("GENERATOR", "arrivals", "batchSize", 1), 2],
    [o("GENERATOR", "arrivals", "maxEntities", 100), null],
    [o("CONNECTOR", "in", "weight", 0), 4],
    [o("RESOURCE_REQUIREMENT", "req", "requests.clerk.quantity", 2), 1],
    [o("RESOURCE_REQUIREMENT", "req", "requests.nurse.quantity", 1), 2],
  ])("%j -> original %j", (ov, original) => {
    expect(validateOverride(base(), ov)).toEqual({ ok: true, value: { originalValue: original } });
  });
});

describe("validateOverride: failures", () => {
  it.each<[string, ModelOverride, string, RegExp]>([
    [
      "unknown target type",
      o("PLANET" as never, "x", "capacity", 1),
      "targetObjectType",
      /must be one of MODEL, ACTIVITY/,
    ],
    ["missing target", o("ACTIVITY", "nope", "capacity", 1), "targetObjectId", /no activity with id "nope"/],
    [
      "target of another type",
      o("RESOURCE", "desk", "capacity", 1),
      "targetObjectId",
      /no resource with id "desk"/,
    ],
    ["MODEL id must be 'model'", o("MODEL", "m1", "seed", 1), "targetObjectId", /must be "model"/],
    [
      "unknown property lists the allowed ones",
      o("ACTIVITY", "desk", "colour", 1),
      "propertyName",
      /allowed: capacity, inboundCapacity, outboundCapacity, actions\.<actionId or index>\.duration/,
    ],
    [
      "entity has no overridable property",
      o("ENTITY", "customer", "name", "x"),
      "propertyName",
      /entities have no overridable property/,
    ],
    [
      "unknown action",
      o("ACTIVITY", "desk", "actions.zzz.duration", constant(1)),
      "propertyName",
      /no action with id or index "zzz"/,
    ],
    [
      "action without duration",
      o("ACTIVITY", "desk", "actions.grab.duration", constant(1)),
      "propertyName",
      /\(seize\).*has no duration/,
    ],
    [
      "request for another resource",
      o("RESOURCE_REQUIREMENT", "req", "requests.ghost.quantity", 1),
      "propertyName",
      /no request for resource "ghost"/,
    ],
    ["activity capacity 0", o("ACTIVITY", "desk", "capacity", 0), "propertyValue", /integer >= 1/],
    ["fractional capacity", o("RESOURCE", "clerk", "capacity", 1.5), "propertyValue", /integer >= 0/],
    [
      "negative queue",
      o("ACTIVITY", "desk", "inboundCapacity", -1),
      "propertyValue",
      /integer >= 0 \(or null for unlimited\)/,
    ],
    ["batch size 0", o("GENERATOR", "arrivals", "batchSize", 0), "propertyValue", /integer >= 1/],
    ["negative weight", o("CONNECTOR", "in", "weight", -2), "propertyValue", /number >= 0/],
    ["string seed", o("MODEL", "model", "seed", "7"), "propertyValue", /integer/],
    [
      "quantity 0",
      o("RESOURCE_REQUIREMENT", "req", "requests.clerk.quantity", 0),
      "propertyValue",
      /integer >= 1/,
    ],
    [
      "bad duration parameter",
      o("GENERATOR", "arrivals", "interarrivalTime", {
        unit: "minutes",
        distribution: "exponential",
        scale: -1,
      }),
      "propertyValue.scale",
      /> 0/,
    ],
    [
      "duration without unit",
      o("ACTIVITY", "desk", "actions.serve.duration", { value: 3 }),
      "propertyValue.unit",
      /required/,
    ],
    ["random run time", o("MODEL", "model", "runTime", exp(100)), "propertyValue.distribution", /constant/],
    ["bad operation", o("ACTIVITY", "desk", "capacity", 2, "ADD" as never), "operation", /SET or MULTIPLY/],
    ["MULTIPLY by 0", o("ACTIVITY", "desk", "capacity", 0, "MULTIPLY"), "propertyValue", /factor/],
    [
      "MULTIPLY below the minimum",
      o("ACTIVITY", "desk", "capacity", 0.1, "MULTIPLY"),
      "propertyValue",
      /rounds to 0, below the minimum 1/,
    ],
    [
      "MULTIPLY an unlimited queue",
      o("ACTIVITY", "desk", "outboundCapacity", 2, "MULTIPLY"),
      "operation",
      /unlimited/,
    ],
    [
      "MULTIPLY the seed",
      o("MODEL", "model", "seed", 2, "MULTIPLY"),
      "operation",
      /seed cannot be multiplied/,
    ],
  ])("%s", (_name, ov, path, message) => {
    const issues = issuesOf(ov);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe(path);
    expect(issues[0].message).toMatch(message);
  });
});

describe("applyOverrides", () => {
  it("SET writes each property", () => {
    expect(apply1(o("MODEL", "model", "seed", 9)).seed).toBe(9);
    expect(apply1(o("MODEL", "model", "runTime", { unit: "hours", value: 10 })).runTime).toEqual({
      unit: "hours",
      value: 10,
    });
    expect(apply1(o("MODEL", "model", "warmupTime", constant(0))).warmupTime).toEqual(constant(0));
    expect(apply1(o("ACTIVITY", "desk", "capacity", 7)).activities![0].capacity).toBe(7);
    expect(apply1(o("ACTIVITY", "desk", "inboundCapacity", null)).activities![0].inboundCapacity).toBeNull();
    expect(apply1(o("ACTIVITY", "desk", "outboundCapacity", 0)).activities![0].outboundCapacity).toBe(0);
    expect(
      (
        apply1(o("ACTIVITY", "desk", "actions.serve.duration", exp(9))).activities![0].actions![1] as {
          duration: unknown;
        }
      ).duration,
    ).toEqual(exp(9));
    expect(
      (
        apply1(o("ACTIVITY", "desk", "actions.0.duration", constant(1))).activities![0].actions![0] as {
          duration: unknown;
        }
      ).duration,
    ).toEqual(constant(1));
    expect(apply1(o("RESOURCE", "nurse", "capacity", 0)).resources![1].capacity).toBe(0);
    expect(
      apply1(o("GENERATOR", "arrivals", "interarrivalTime", exp(1))).generators![0].interarrivalTime,
    ).toEqual(exp(1));
    expect(apply1(o("GENERATOR", "arrivals", "startDelay", constant(5))).generators![0].startDelay).toEqual(
      constant(5),
    );
    expect(apply1(o("GENERATOR", "arrivals", "batchSize", 1)).generators![0].batchSize).toBe(1);
    expect(apply1(o("GENERATOR", "arrivals", "maxEntities", 0)).generators![0].maxEntities).toBe(0);
    expect(apply1(o("CONNECTOR", "in", "weight", 0.5)).connectors![0].weight).toBe(0.5);
    const req = apply1(o("RESOURCE_REQUIREMENT", "req", "requests.nurse.quantity", 3))
      .resourceRequirements![0].rootClause;
    expect(req.clauses![0].requests![0].quantity).toBe(3);
    expect(req.requests![0].quantity).toBeUndefined();
  });

  it("MULTIPLY scales numbers (integers rounded) and every time parameter of a Duration, not shape parameters", () => {
    expect(apply1(o("ACTIVITY", "desk", "capacity", 1.5, "MULTIPLY")).activities![0].capacity).toBe(5); // 4.5 -> 5
    expect(apply1(o("RESOURCE", "nurse", "capacity", 2, "MULTIPLY")).resources![1].capacity).toBe(2); // default 1
    expect(apply1(o("CONNECTOR", "in", "weight", 0.25, "MULTIPLY")).connectors![0].weight).toBe(1);
    expect(
      apply1(o("RESOURCE_REQUIREMENT", "req", "requests.nurse.quantity", 2, "MULTIPLY"))
        .resourceRequirements![0].rootClause.clauses![0].requests![0].quantity,
    ).toBe(4);
    expect(
      apply1(o("GENERATOR", "arrivals", "interarrivalTime", 2, "MULTIPLY")).generators![0].interarrivalTime,
    ).toEqual(exp(6));
    expect(
      (
        apply1(o("ACTIVITY", "desk", "actions.check.duration", 0.5, "MULTIPLY")).activities![0]
          .actions![0] as { duration: unknown }
      ).duration,
    ).toEqual({
      unit: "minutes",
      distribution: "triangular",
      min: 0.5,
      mode: 1,
      max: 2,
    });
    expect(apply1(o("MODEL", "model", "runTime", 2, "MULTIPLY")).runTime).toEqual(constant(960));
    const scaled = (d: unknown) => {
      const m = base();
      (m.activities![0].actions![0] as { duration: unknown }).duration = d;
      const r = applyOverrides(m, [o("ACTIVITY", "desk", "actions.check.duration", 3, "MULTIPLY")]);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      return (r.value.activities![0].actions![0] as { duration: unknown }).duration;
    };
    expect(scaled({ unit: "minutes", distribution: "normal", mean: 2, std: 0.5 })).toEqual({
      unit: "minutes",
      distribution: "normal",
      mean: 6,
      std: 1.5,
    });
    expect(scaled({ unit: "minutes", distribution: "gamma", shape: 2, scale: 1 })).toEqual({
      unit: "minutes",
      distribution: "gamma",
      shape: 2,
      scale: 3,
    });
    expect(scaled({ unit: "minutes", distribution: "weibull", shape: 2 })).toEqual({
      unit: "minutes",
      distribution: "weibull",
      shape: 2,
      scale: 3,
    });
    expect(scaled({ unit: "minutes", distribution: "erlang", k: 2, scale: 1 })).toEqual({
      unit: "minutes",
      distribution: "erlang",
      k: 2,
      scale: 3,
    });
    expect(scaled({ unit: "minutes", distribution: "beta", alpha: 2, beta: 3, min: 1, max: 2 })).toEqual({
      unit: "minutes",
      distribution: "beta",
      alpha: 2,
      beta: 3,
      min: 3,
      max: 6,
    });
    expect(
      scaled({ unit: "minutes", distribution: "discrete", values: [1, 2], probabilities: [1, 1] }),
    ).toEqual({ unit: "minutes", distribution: "discrete", values: [3, 6], probabilities: [1, 1] });
    expect(scaled({ unit: "minutes", distribution: "lognormal", mean: 0, sigma: 0.5 })).toEqual({
      unit: "minutes",
      distribution: "lognormal",
      mean: Math.log(3),
      sigma: 0.5,
    });
    expect(scaled({ unit: "minutes", distribution: "uniform", min: 1, max: 2 })).toEqual({
      unit: "minutes",
      distribution: "uniform",
      min: 3,
      max: 6,
    });
  });

  it("is pure, applies overrides in order, sets replications, and re-validates", () => {
    const b = base();
    const before = JSON.stringify(b);
    const r = applyOverrides(
      b,
      [o("ACTIVITY", "desk", "capacity", 4), o("ACTIVITY", "desk", "capacity", 2, "MULTIPLY")],
      { replications: 12 },
    );
    expect(JSON.stringify(b)).toBe(before);
    expect(r.ok && r.value.activities![0].capacity).toBe(8);
    expect(r.ok && r.value.replications).toBe(12);
    // Each override is fine alone, but the result is invalid: warm-up no longer shorter than the run.
    const bad = applyOverrides(b, [o("MODEL", "model", "runTime", constant(20))]);
    expect(!bad.ok && bad.issues).toEqual([
      { path: "warmupTime.value", message: "must be less than runTime" },
    ]);
  });

  it("reports every bad override at once with its index", () => {
    const r = applyOverrides(
      base(),
      [
        o("ACTIVITY", "desk", "capacity", 2),
        o("ACTIVITY", "nope", "capacity", 2),
        o("CONNECTOR", "in", "weight", -1),
      ],
      {
        replications: 0,
      },
    );
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual([
      "overrides[1].targetObjectId",
      "overrides[2].propertyValue",
      "replications",
    ]);
  });

  it("end to end: M/M/1 (lambda 0.8, mu 1) with the server capacity 1 -> 2 becomes M/M/2, W = 1/mu + 0.1905 (4% tolerance)", async () => {
    const mm1WithResource: QuodsiModel = {
      ...mm1(0.8, 1, { runTime: 60_000, warmupTime: 1_000 }),
      resources: [{ id: "server", capacity: 1 }],
      resourceRequirements: [{ id: "one", rootClause: { requests: [{ resourceId: "server" }] } }],
    };
    mm1WithResource.activities![0] = {
      id: "service",
      capacity: 100,
      actions: [{ id: "serve", type: "delay_with_resource", resourceRequirementId: "one", duration: exp(1) }],
    };
    mm1WithResource.connectors![0].targetId = "service";
    const eff = applyOverrides(mm1WithResource, [o("RESOURCE", "server", "capacity", 2)], {
      replications: 8,
    });
    expect(eff.ok).toBe(true);
    if (!eff.ok) return;
    expect(checkRunnable(eff.value)).toEqual([]);
    const s = await simulate(eff.value, {
      replications: eff.value.replications!,
      seed: 3,
      timePeriod: "daily",
    });
    const W = s.entities[0].averageTimeInSystem;
    const expected = 1 + 0.8 ** 2 / (4 - 0.8 ** 2); // M/M/2 with mu = 1: Wq = lambda^2 / (mu (4 mu^2 - lambda^2)) = 0.1905
    expect(expected).toBeCloseTo(1.1905, 4);
    expect(Math.abs(W.mean - expected)).toBeLessThanOrEqual(W.ciHalfWidth);
    expect(Math.abs(W.mean - expected) / expected).toBeLessThan(0.04);
    expect(s.resources[0].utilization.mean).toBeCloseTo(0.4, 2);
  });
});
