import { describe, expect, it } from "vitest";
import {
  applyOverrides,
  checkRunnable,
  runReplication,
  validateModel,
  validateOverride,
  type ModelOverride,
  type QuodsiModel,
} from "./index.js";
import type { FailureProperties } from "./model/wire.js";
import { constant, exp, mm1 } from "./testing/models.js";

/** M/M/1 whose server fails; a technician resource with requirement "fix". */
function model(fp: unknown): QuodsiModel {
  const m = mm1(0.5, 1, { runTime: 480 });
  m.resources = [{ id: "tech" }];
  m.resourceRequirements = [{ id: "fix", rootClause: { id: "c", requests: [{ resourceId: "tech" }] } }];
  m.activities![0].failureProperties = fp as FailureProperties;
  return m;
}
const good: FailureProperties = {
  enabled: true,
  mtbfDuration: { unit: "hours", value: 8 },
  mttrDuration: { unit: "minutes", value: 30 },
  failureClockMode: "active_time",
  repairResourceRequirementId: "fix",
};
const issuesOf = (fp: unknown) => {
  const v = validateModel(model(fp));
  return v.ok ? [] : v.issues;
};
const P = "activities[0].failureProperties";

describe("failureProperties validation", () => {
  it("accepts Quodsi's shape, runs it, and reports time in failure", async () => {
    const v = validateModel(model(good));
    expect(v).toMatchObject({ ok: true });
    expect(checkRunnable(model(good))).toEqual([]);
    const r = await runReplication(model(good), 0, { replications: 1, seed: 1, timePeriod: "hourly" });
    // Busy about half of 480 minutes: 8 h of active time is not reached, so no failure yet.
    expect(r.activities[0].timeInFailure).toBe(0);
    const wall = { ...good, failureClockMode: "wall_clock", mtbfDuration: constant(100) };
    const w = await runReplication(model(wall), 0, { replications: 1, seed: 1, timePeriod: "hourly" });
    // Failures at 100, 230, 360 (30 each), the next at 490.
    expect(w.activities[0].timeInFailure).toBe(90);
  });

  it("refuses zero or negative MTBF, negative MTTR and an unknown repair requirement, naming each path", () => {
    const issues = issuesOf({
      enabled: true,
      mtbfDuration: constant(0),
      mttrDuration: constant(-1),
      repairResourceRequirementId: "nobody",
      failureClockMode: "sometimes",
    });
    expect(issues).toEqual([
      { path: `${P}.mtbfDuration`, message: expect.stringContaining("must be able to give a time above 0") },
      { path: `${P}.mttrDuration.value`, message: "must be >= 0 (got -1)" },
      {
        path: `${P}.failureClockMode`,
        message: 'must be one of wall_clock, active_time (got "sometimes")',
      },
      {
        path: `${P}.repairResourceRequirementId`,
        message: 'references unknown resource requirement "nobody"',
      },
    ]);
    expect(issuesOf({ ...good, mtbfDuration: constant(-5) })).toEqual([
      { path: `${P}.mtbfDuration.value`, message: "must be >= 0 (got -5)" },
    ]);
  });

  it("an MTBF distribution is fine when it can give a time above 0; one that is always 0 is not", () => {
    expect(issuesOf({ ...good, mtbfDuration: exp(60) })).toEqual([]);
    expect(
      issuesOf({ ...good, mtbfDuration: { unit: "minutes", distribution: "uniform", min: 0, max: 5 } }),
    ).toEqual([]);
    expect(
      issuesOf({ ...good, mtbfDuration: { unit: "minutes", distribution: "uniform", min: 0, max: 0 } }).map(
        (i) => i.path,
      ),
    ).toEqual([`${P}.mtbfDuration`]);
    expect(
      issuesOf({
        ...good,
        mtbfDuration: { unit: "minutes", distribution: "discrete", values: [0, 10], probabilities: [1, 0] },
      }).map((i) => i.path),
    ).toEqual([`${P}.mtbfDuration`]);
    // A repair may take no time at all.
    expect(issuesOf({ ...good, mttrDuration: constant(0) })).toEqual([]);
  });

  it("enabled failures need both durations; disabled ones need neither", () => {
    expect(issuesOf({ enabled: true }).map((i) => [i.path, i.message])).toEqual([
      [`${P}.mtbfDuration`, "is required when failures are enabled (a Duration)"],
      [`${P}.mttrDuration`, "is required when failures are enabled (a Duration)"],
    ]);
    expect(
      issuesOf({ enabled: false, mtbfDuration: null, mttrDuration: null, repairResourceRequirementId: "" }),
    ).toEqual([]);
    expect(issuesOf({ enabled: "yes" }).map((i) => i.path)).toEqual([`${P}.enabled`]);
    expect(issuesOf("often").map((i) => i.path)).toEqual([P]);
  });

  it("without `enabled` failures are off (Quodsi's default), with a warning when durations are given", async () => {
    const v = validateModel(model({ mtbfDuration: constant(10), mttrDuration: constant(5) }));
    expect(v).toMatchObject({
      ok: true,
      warnings: [{ path: `${P}.enabled`, message: expect.stringContaining("failures are off") }],
    });
    const r = await runReplication(model({ mtbfDuration: constant(10), mttrDuration: constant(5) }), 0, {
      replications: 1,
      seed: 1,
      timePeriod: "hourly",
    });
    expect(r.activities[0].timeInFailure).toBe(0);
  });

  it("warns when the repair needs a resource the activity's own work holds", async () => {
    // The server's work holds the technician (capacity 1): the repair of a failure that
    // interrupts it waits for ever, and the activity stays failed to the end.
    const m = model({ ...good, failureClockMode: "wall_clock", mtbfDuration: constant(100) });
    m.activities![0].actions = [
      { id: "serve", type: "delay_with_resource", resourceRequirementId: "fix", duration: exp(1) },
    ];
    const v = validateModel(m);
    expect(v).toMatchObject({
      ok: true,
      warnings: [
        {
          path: `${P}.repairResourceRequirementId`,
          message: expect.stringContaining('the repair needs "tech", which this activity\'s work also holds'),
        },
      ],
    });
    expect(validateModel(model(good))).not.toHaveProperty("warnings");
    const r = await runReplication(m, 0, { replications: 1, seed: 1, timePeriod: "hourly" });
    // Repairs that could proceed take 30 each, at most 3 of them (90) in 480 minutes: more means
    // a failure interrupted the technician's holder and the activity stayed failed to the end.
    expect(r.activities[0].timeInFailure).toBeGreaterThan(90);
  });

  it("resource failureProperties stay unsupported (failures live on activities)", () => {
    const m = model(good);
    m.resources![0].failureProperties = { enabled: true };
    expect(checkRunnable(m).map((i) => i.path)).toEqual(["resources[0].failureProperties"]);
  });
});

describe("failure overrides", () => {
  const ov = (propertyName: string, propertyValue: unknown, operation?: ModelOverride["operation"]) => ({
    targetObjectType: "ACTIVITY" as const,
    targetObjectId: "server",
    propertyName,
    propertyValue,
    operation,
  });

  it("failureProperties.mtbfDuration and .mttrDuration read, set and multiply the wire fields", () => {
    const base = model(good);
    expect(validateOverride(base, ov("failureProperties.mtbfDuration", constant(60)))).toEqual({
      ok: true,
      value: { originalValue: { unit: "hours", value: 8 } },
    });
    const set = applyOverrides(base, [
      ov("failureProperties.mtbfDuration", exp(120)),
      ov("failureProperties.mttrDuration", 2, "MULTIPLY"),
    ]);
    expect(set.ok).toBe(true);
    if (!set.ok) return;
    expect(set.value.activities![0].failureProperties).toEqual({
      ...good,
      mtbfDuration: exp(120),
      mttrDuration: { unit: "minutes", value: 60 },
    });
    // The base model is untouched.
    expect(base.activities![0].failureProperties).toEqual(good);
  });

  it("changes the results: a longer repair is more time in failure", async () => {
    const base = model({ ...good, failureClockMode: "wall_clock", mtbfDuration: constant(100) });
    const longer = applyOverrides(base, [ov("failureProperties.mttrDuration", constant(50))]);
    expect(longer.ok).toBe(true);
    if (!longer.ok) return;
    const opts = { replications: 1, seed: 1, timePeriod: "hourly" as const };
    expect((await runReplication(base, 0, opts)).activities[0].timeInFailure).toBe(90);
    // Failures at 100, 250, 400 (50 each).
    expect((await runReplication(longer.value, 0, opts)).activities[0].timeInFailure).toBe(150);
  });

  it("refuses a zero MTBF, a bad Duration, and an activity without failureProperties", () => {
    expect(validateOverride(model(good), ov("failureProperties.mtbfDuration", constant(0)))).toEqual({
      ok: false,
      issues: [
        { path: "propertyValue", message: expect.stringContaining("must be able to give a time above 0") },
      ],
    });
    expect(
      validateOverride(model(good), ov("failureProperties.mttrDuration", { unit: "minutes", value: -1 })),
    ).toEqual({ ok: false, issues: [{ path: "propertyValue.value", message: "must be >= 0 (got -1)" }] });
    const plain = mm1(0.5, 1, { runTime: 480 });
    const r = applyOverrides(plain, [ov("failureProperties.mtbfDuration", constant(60))]);
    expect(r).toEqual({
      ok: false,
      issues: [
        { path: "overrides[0].propertyName", message: expect.stringContaining("has no failureProperties") },
      ],
    });
    expect(validateOverride(model(good), ov("failureProperties.enabled", false))).toMatchObject({
      ok: false,
      issues: [{ path: "propertyName", message: expect.stringContaining("failureProperties.mtbfDuration") }],
    });
  });

  it("MULTIPLY needs a value in the model", () => {
    const m = model({ enabled: false });
    expect(validateOverride(m, ov("failureProperties.mtbfDuration", 2, "MULTIPLY"))).toMatchObject({
      ok: false,
      issues: [{ path: "operation", message: expect.stringContaining("not set in the model") }],
    });
  });
});
