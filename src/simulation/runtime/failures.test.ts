import { describe, expect, it } from "vitest";
import { runReplication, type QuodsiModel, type ReplicationResult } from "../index.js";
import type { Action, FailureProperties } from "../model/wire.js";
import { constant, exp, mm1 } from "../testing/models.js";

const run = (m: QuodsiModel, seed = 1) =>
  runReplication(m, 0, { replications: 1, seed, timePeriod: "hourly" });
const act = (r: ReplicationResult, id: string) => r.activities.find((a) => a.activityId === id)!;
const ent = (r: ReplicationResult, id: string) => r.entities.find((e) => e.entityId === id)!;
const res = (r: ReplicationResult, id: string) => r.resources.find((x) => x.resourceId === id)!;

/**
 * Activity "work" (capacity `cap`) with `failureProperties`; one entity type
 * per arrival (a, b, ...), each arriving once at its time and running
 * `actions` there, so each type's time in system is one entity's exit time
 * minus its arrival. Resource "tech" (capacity 1) with requirement "rt".
 */
function failing(opts: {
  arrivals: number[];
  actions: Action[];
  fp?: FailureProperties;
  cap?: number;
  runTime?: number;
  warmupTime?: number;
  extra?: Partial<QuodsiModel>;
}): QuodsiModel {
  const names = opts.arrivals.map((_, i) => String.fromCharCode(97 + i));
  return {
    schemaVersion: "2026.12.01",
    timeUnit: "minutes",
    runTime: constant(opts.runTime ?? 30),
    ...(opts.warmupTime ? { warmupTime: constant(opts.warmupTime) } : {}),
    entities: names.map((id) => ({ id })),
    resources: [{ id: "tech", capacity: 1 }],
    resourceRequirements: [{ id: "rt", rootClause: { id: "c", requests: [{ resourceId: "tech" }] } }],
    activities: [
      {
        id: "work",
        capacity: opts.cap ?? 1,
        actions: opts.actions,
        ...(opts.fp ? { failureProperties: opts.fp } : {}),
      },
    ],
    generators: opts.arrivals.map((t, i) => ({
      id: `g${i}`,
      entityId: names[i],
      interarrivalTime: constant(1000),
      startDelay: constant(t),
      maxEntities: 1,
    })),
    connectors: opts.arrivals.map((_, i) => ({ id: `c${i}`, sourceId: `g${i}`, targetId: "work" })),
    ...opts.extra,
  };
}

const fp = (mtbf: number, mttr: number, more: Partial<FailureProperties> = {}): FailureProperties => ({
  enabled: true,
  mtbfDuration: constant(mtbf),
  mttrDuration: constant(mttr),
  ...more,
});
const delay = (value: number): Action => ({ type: "delay", id: "d", duration: constant(value) });

describe("activity failures: a constant MTBF/MTTR stops and resumes work at the right instants", () => {
  /*
   * wall_clock, MTBF 4, MTTR 3, capacity 2. a arrives at 0, b at 5, each
   * works 10. Failures at 4, 11, 18, 25 (each repaired 3 later, up time
   * counted from the repair).
   *   a: works 0-4 (6 left), repair 4-7, works 7-11 (2 left), repair 11-14, works 14-16: exits at 16.
   *   b: arrives at 5 while failed: a slot is free but no work starts, it queues 5-7; works 7-11
   *      (6 left), repair, 14-18 (2 left), repair 18-21, works 21-23: exits at 23 (18 in the system).
   * Time in failure: 4 x 3 = 12 of 30.
   */
  it("interrupted work resumes its remaining time; arrivals during a failure wait for the repair", async () => {
    const r = await run(failing({ arrivals: [0, 5], actions: [delay(10)], fp: fp(4, 3), cap: 2 }));
    expect(ent(r, "a").averageTimeInSystem).toBe(16);
    expect(ent(r, "b").averageTimeInSystem).toBe(18);
    // Only in delays is an entity active: the rest (interruptions, the queue) is waiting.
    expect(ent(r, "a").averageTimeWaiting).toBe(6);
    expect(ent(r, "b").averageTimeWaiting).toBe(8);
    const w = act(r, "work");
    expect(w.timeInFailure).toBe(12);
    // b's 2 minutes in the inbound queue are its wait at the activity; interruptions are not.
    expect(w.averageWaitTime).toBe(1);
    expect(w.averageTimeInActivity).toBe(17);
    expect(w.throughput).toBe(2);
  });

  it("without failures (or with them disabled) the same entities take 10 each", async () => {
    const plain = await run(failing({ arrivals: [0, 5], actions: [delay(10)], cap: 2 }));
    const off = await run(
      failing({ arrivals: [0, 5], actions: [delay(10)], cap: 2, fp: { ...fp(4, 3), enabled: false } }),
    );
    for (const r of [plain, off]) {
      expect(ent(r, "a").averageTimeInSystem).toBe(10);
      expect(ent(r, "b").averageTimeInSystem).toBe(10);
      expect(act(r, "work").timeInFailure).toBe(0);
    }
    expect(off).toEqual(plain);
  });

  /*
   * The inbound queue keeps admitting during a failure (decision Q7): capacity 1,
   * inbound capacity 1, each works 9. a: 0-4 (5 left), repair 4-7, 7-11 (1 left),
   * repair 11-14, 14-15. b arrives at 5 while failed and queues (room: 1 slot + 1
   * queue place, a keeps its slot); it starts when a leaves at 15: 15-18 (6 left),
   * repair 18-21, 21-25 (2 left), repair 25-28, 28-30: 25 in the system.
   */
  it("a failed activity keeps admitting to its inbound queue and starts the queue after the repair", async () => {
    const m = failing({ arrivals: [0, 5], actions: [delay(9)], fp: fp(4, 3), runTime: 40 });
    m.activities![0].inboundCapacity = 1;
    const r = await run(m);
    expect(ent(r, "a").averageTimeInSystem).toBe(15);
    expect(ent(r, "b").averageTimeInSystem).toBe(25);
    expect(act(r, "work").averageWaitTime).toBe((0 + 10) / 2);
    // Failures at 4, 11, 18, 25, 32 (repaired at 35), 39 (still failed at the end, 40).
    expect(act(r, "work").timeInFailure).toBe(5 * 3 + 1);
  });

  it("time in failure counts only after warm-up, and a failure still open at the end up to runTime", async () => {
    // No entities: failures at 4-7, 11-14, 18-21, 25-28; warm-up 5, runTime 27.
    const r = await run(failing({ arrivals: [], actions: [], fp: fp(4, 3), runTime: 27, warmupTime: 5 }));
    expect(act(r, "work").timeInFailure).toBe(2 + 3 + 3 + 2);
  });
});

describe("activity failures: wall_clock vs active_time", () => {
  /*
   * MTBF 5, MTTR 2, each entity works 6; a arrives at 0, b at 20; runTime 40.
   * wall_clock: failures at 5, 12, 19, 26, 33 (and 40, which adds nothing).
   *   a: 0-5 (1 left), repair 5-7, 7-8: exits at 8.
   *   b: arrives at 20 during the repair 19-21 and waits; 21-26 (1 left), repair 26-28, 28-29: 9 in the system.
   *   In failure: 5 x 2 = 10.
   * active_time: up time runs only while someone works.
   *   a: 0-5 reaches the 5: failure at 5, repair 5-7, 7-8 (1 of the next 5); idle 8-20, no failure.
   *   b: 20-24 completes that up time: failure at 24 (2 left), repair 24-26, 26-28: 8 in the system.
   *   In failure: 2 x 2 = 4; idle afterwards, so no more failures.
   */
  const model = (mode: string) =>
    failing({
      arrivals: [0, 20],
      actions: [delay(6)],
      fp: fp(5, 2, { failureClockMode: mode as FailureProperties["failureClockMode"] }),
      runTime: 40,
    });

  it("wall_clock fails on schedule whether or not the activity works", async () => {
    const r = await run(model("wall_clock"));
    expect(ent(r, "a").averageTimeInSystem).toBe(8);
    expect(ent(r, "b").averageTimeInSystem).toBe(9);
    expect(act(r, "work").timeInFailure).toBe(10);
  });

  it("active_time counts up time only while the activity works", async () => {
    const r = await run(model("active_time"));
    expect(ent(r, "a").averageTimeInSystem).toBe(8);
    expect(ent(r, "b").averageTimeInSystem).toBe(8);
    expect(act(r, "work").timeInFailure).toBe(4);
  });

  it("wall_clock is the default, and the mode is read in any case (Quodsi's legacy upper case)", async () => {
    const wall = await run(model("wall_clock"));
    const byDefault = failing({ arrivals: [0, 20], actions: [delay(6)], fp: fp(5, 2), runTime: 40 });
    expect(await run(byDefault)).toEqual(wall);
    expect(await run(model("ACTIVE_TIME"))).toEqual(await run(model("active_time")));
  });
});

describe("activity failures: the repair resource", () => {
  const withTech = (more: Partial<QuodsiModel> = {}) =>
    failing({ arrivals: [], actions: [], fp: fp(4, 3, { repairResourceRequirementId: "rt" }), extra: more });

  it("is seized for each repair: its utilization and grants show the repairs", async () => {
    // Failures 4-7, 11-14, 18-21, 25-28: the technician busy 12 of 30.
    const r = await run(withTech());
    expect(res(r, "tech").utilization).toBeCloseTo(12 / 30, 12);
    expect(res(r, "tech").grants).toBe(4);
    expect(act(r, "work").timeInFailure).toBe(12);
  });

  it("a repair waits for the resource, and the wait is down time", async () => {
    /*
     * An entity holds the technician 0-6 elsewhere: the failure at 4 waits for
     * it, repair 6-9; then failures at 13, 20, 27 (repairs 13-16, 20-23, 27-30).
     * Down: 5 + 3 + 3 + 3 = 14. Technician busy 6 + 4 x 3 = 18 of 30.
     */
    const r = await run(
      withTech({
        entities: [{ id: "z" }],
        activities: [
          {
            id: "work",
            failureProperties: fp(4, 3, { repairResourceRequirementId: "rt" }),
          },
          {
            id: "other",
            actions: [
              { type: "delay_with_resource", id: "x", resourceRequirementId: "rt", duration: constant(6) },
            ],
          },
        ],
        generators: [{ id: "gz", entityId: "z", interarrivalTime: constant(1000), maxEntities: 1 }],
        connectors: [{ id: "cz", sourceId: "gz", targetId: "other" }],
      }),
    );
    expect(act(r, "work").timeInFailure).toBe(14);
    expect(res(r, "tech").utilization).toBeCloseTo(18 / 30, 12);
    expect(res(r, "tech").grants).toBe(5);
    // The repair's wait (4-6) is the only one: 2 over 5 grants.
    expect(res(r, "tech").averageWaitTime).toBeCloseTo(2 / 5, 12);
  });

  it("an interrupted delay_with_resource keeps its resource through the repair", async () => {
    // a holds "tech" for 10 minutes of work: 0-4, repair 4-7, 7-11, repair 11-14, 14-16.
    const r = await run(
      failing({
        arrivals: [0],
        actions: [
          { type: "delay_with_resource", id: "w", resourceRequirementId: "rt", duration: constant(10) },
        ],
        fp: fp(4, 3),
        runTime: 20,
      }),
    );
    expect(ent(r, "a").averageTimeInSystem).toBe(16);
    expect(res(r, "tech").utilization).toBeCloseTo(16 / 20, 12);
  });
});

describe("activity failures: work that starts during a repair", () => {
  /*
   * z takes the technician at "other" at 0 and holds it until 6; a arrives at
   * "work" at 1 and waits for it. The failure at 4 (repair 4-7) does not stop the
   * wait; the grant at 6 comes during the repair, so a's 5-minute delay waits for
   * it: 7-11 (1 left), failure at 11, repair 11-14, 14-15: a leaves at 15.
   */
  it("an entity granted a resource during the repair starts its delay when the repair is over", async () => {
    const m = failing({
      arrivals: [1],
      actions: [
        { type: "seize", id: "s", resourceRequirementId: "rt" },
        delay(5),
        { type: "release", id: "r", resourceRequirementId: "rt" },
      ],
      fp: fp(4, 3),
    });
    m.entities!.push({ id: "z" });
    m.activities!.push({
      id: "other",
      actions: [{ type: "delay_with_resource", id: "x", resourceRequirementId: "rt", duration: constant(6) }],
    });
    m.generators!.push({ id: "gz", entityId: "z", interarrivalTime: constant(1000), maxEntities: 1 });
    m.connectors!.push({ id: "cz", sourceId: "gz", targetId: "other" });
    const r = await run(m);
    expect(ent(r, "a").averageTimeInSystem).toBe(15 - 1);
    expect(act(r, "work").averageTimeWaitingForResource).toBe(6 - 1);
  });
});

describe("activity failures: random durations and determinism", () => {
  /** M/M/1 at rho 0.5 whose server fails after exp(90) minutes of wall-clock time and takes exp(10) to repair. */
  const unreliable = (fp?: FailureProperties) => {
    const m = mm1(0.5, 1, { runTime: 100_000 });
    if (fp) m.activities![0].failureProperties = fp;
    return m;
  };
  const fp90 = (mode: "wall_clock" | "active_time" = "wall_clock"): FailureProperties => ({
    enabled: true,
    mtbfDuration: exp(90),
    mttrDuration: exp(10),
    failureClockMode: mode,
  });

  it("the share of time in failure is MTTR / (MTBF + MTTR) over a long run (wall_clock)", async () => {
    const r = await run(unreliable(fp90()));
    expect(act(r, "server").timeInFailure / 100_000).toBeGreaterThan(0.08);
    expect(act(r, "server").timeInFailure / 100_000).toBeLessThan(0.12);
  });

  it("with active_time the server, busy half the time, fails about half as often", async () => {
    const r = await run(unreliable(fp90("active_time")));
    // Up time of 90 busy minutes is ~180 wall-clock minutes: ~10 / 190 of the time in failure.
    const share = act(r, "server").timeInFailure / 100_000;
    expect(share).toBeGreaterThan(0.035);
    expect(share).toBeLessThan(0.07);
  });

  it("is deterministic with the seed and leaves the other sources' random numbers alone", async () => {
    const a = await run(unreliable(fp90()), 7);
    const b = await run(unreliable(fp90()), 7);
    expect(b).toEqual(a);
    const other = await run(unreliable(fp90()), 8);
    expect(act(other, "server").timeInFailure).not.toBe(act(a, "server").timeInFailure);
    // Arrivals never wait for the failed server (unlimited queue): the generator draws the same numbers.
    const plain = await run(unreliable(), 7);
    expect(ent(a, "customer").createdCount).toBe(ent(plain, "customer").createdCount);
    // Failures make waiting longer.
    expect(act(a, "server").averageWaitTime).toBeGreaterThan(act(plain, "server").averageWaitTime);
  });
});
