import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ModelRuntimeError,
  runReplication,
  simulate,
  type QuodsiModel,
  type ReplicationResult,
} from "../index.js";
import { EXAMPLES_DIR } from "../testing/models.js";
import type { Action, Connector, StateDeclaration } from "../types.js";

/** Timeline tests of the state logic with deterministic durations (minutes). */

const load = (name: string): QuodsiModel =>
  JSON.parse(readFileSync(join(EXAMPLES_DIR, "learn/actions", name, "model.json"), "utf8")) as QuodsiModel;

// A fresh copy each time: compiled models are cached per model object, and the tests edit models between runs.
const rep = (m: QuodsiModel, repIndex = 0): Promise<ReplicationResult> =>
  runReplication(structuredClone(m), repIndex, { replications: 1, seed: 7, timePeriod: "hourly" });

const modelState = (r: ReplicationResult, name: string) => r.modelStates!.find((s) => s.name === name)!;
const act = (r: ReplicationResult, id: string) => r.activities.find((a) => a.activityId === id)!;
const atExit = (r: ReplicationResult, entityId: string) =>
  r.entityStates!.find((e) => e.entityId === entityId)!.values;

const min = (value: number) => ({ unit: "minutes" as const, value });
const num = (id: string, scope: "entity" | "model" = "entity", initialValue = 0): StateDeclaration => ({
  id,
  name: id,
  componentType: scope,
  dataType: "number",
  initialValue,
});

/**
 * One generator (`n` entities of type "job", every `iat` minutes from t=0)
 * into activity "a" running `actions`, then out (or along `connectors`).
 */
function model(
  actions: Action[],
  states: StateDeclaration[],
  opts: { n?: number; iat?: number; extra?: Partial<QuodsiModel>; connectors?: Connector[] } = {},
): QuodsiModel {
  return {
    schemaVersion: "2026.12.01",
    timeUnit: "minutes",
    runTime: min(1000),
    entities: [{ id: "job" }],
    resources: [],
    resourceRequirements: [],
    states,
    activities: [{ id: "a", capacity: 100, actions }],
    generators: [
      { id: "g", entityId: "job", interarrivalTime: min(opts.iat ?? 10), maxEntities: opts.n ?? 1 },
    ],
    connectors: [{ id: "c0", sourceId: "g", targetId: "a" }, ...(opts.connectors ?? [])],
    ...opts.extra,
  };
}

describe("example models (ENGINE-SEMANTICS §8)", () => {
  it("assign: orders_taken 4, revenue 240; a +5 fee per order makes it 260", async () => {
    const m = load("assign");
    const r = await rep(m);
    expect(modelState(r, "orders_taken").finalValue).toBe(4);
    expect(modelState(r, "revenue").finalValue).toBe(240);
    // Totals 24/48/72/96: two orders (72, 96) need approval (>= 60).
    expect(act(r, "approval").throughput).toBe(2);
    const ship = m.activities!.find((a) => a.id === "ship")!;
    const book = ship.actions!.find((a) => a.id === "book-revenue") as { modifications: unknown[] };
    book.modifications.push({ stateId: "state-revenue", operation: "add", value: 5 });
    expect(modelState(await rep(m), "revenue").finalValue).toBe(260);
  });

  it("branch: check-in averages 4 min ((5 + 5 + 5 + 1) / 4)", async () => {
    const r = await rep(load("branch"));
    expect(act(r, "check-in").averageTimeInActivity).toBe(4);
  });

  it("branch: a nested branch (3-min history for first visits after registration) raises check-in to 6.25", async () => {
    const m = load("branch");
    m.states!.push(num("first_visit", "entity", 1));
    const branch = m.activities![0].actions![0] as { ifFalse: Action[] };
    branch.ifFalse.push({
      id: "history-branch",
      type: "branch",
      condition: { stateId: "first_visit", comparison: "equal", value: 1 },
      ifTrue: [{ id: "medical-history", type: "delay", duration: min(3) }],
      ifFalse: [],
    });
    const r = await rep(m);
    // Walk-ins 5 + 3 = 8 min each, the urgent patient 1 min: (3 * 8 + 1) / 4.
    expect(act(r, "check-in").averageTimeInActivity).toBe(6.25);
  });

  it("branch: the urgent patient is seen 4th at 35 (FIFO), 3rd at 25 with queue ranking on urgent, highest first", async () => {
    const m = load("branch");
    // Record when each patient starts seeing the doctor and in which turn.
    m.entities!.push({ id: "urgent-patient" });
    m.generators![1].entityId = "urgent-patient";
    m.states!.push(num("turn"), num("seen_at"), num("served", "model"));
    m.activities![1].actions!.unshift({
      id: "record",
      type: "assign",
      modifications: [
        { stateId: "served", operation: "add", value: 1 },
        { stateId: "turn", operation: "assign", expression: "served" },
        { stateId: "seen_at", operation: "assign", expression: "now()" },
      ],
    });
    const fifo = await rep(m);
    expect(atExit(fifo, "urgent-patient")).toMatchObject({ turn: 4, seen_at: 35 });
    m.activities![1].queueRanking = { stateId: "state-urgent", order: "descending" };
    const ranked = await rep(m);
    expect(atExit(ranked, "urgent-patient")).toMatchObject({ turn: 3, seen_at: 25 });
    // The three walk-ins: turns 1, 2, 4 (average 7/3), seen at 5, 15, 35.
    expect(atExit(ranked, "patient").turn).toBeCloseTo(7 / 3, 12);
    expect(atExit(ranked, "patient").seen_at).toBeCloseTo(55 / 3, 12);
  });

  it("loop: 3 coats of 2 min, total_coats 9, 7 min in system; with count 4, 12 coats and 8 min at Paint", async () => {
    const m = load("loop");
    const r = await rep(m);
    expect(modelState(r, "total_coats").finalValue).toBe(9);
    expect(atExit(r, "part").coats_applied).toBe(3);
    expect(r.entities[0].averageTimeInSystem).toBe(7);
    const loop = m.activities![0].actions![0] as { count: number };
    loop.count = 4;
    const r4 = await rep(m);
    expect(modelState(r4, "total_coats").finalValue).toBe(12);
    expect(act(r4, "paint").averageTimeInActivity).toBe(8);
    expect(r4.entities[0].averageTimeInSystem).toBe(9);
  });
});

describe("assign", () => {
  it("applies the five operations in order, each seeing the previous ones", async () => {
    const r = await rep(
      model(
        [
          {
            type: "assign",
            modifications: [
              { stateId: "x", operation: "assign", value: 10 },
              { stateId: "x", operation: "add", value: 5 },
              { stateId: "x", operation: "subtract", value: 3 },
              { stateId: "x", operation: "multiply", expression: "x" },
              { stateId: "x", operation: "divide", value: 4 },
              { stateId: "total", operation: "add", expression: "x + 1" },
            ],
          },
        ],
        [num("x"), num("total", "model")],
        { n: 2 },
      ),
    );
    expect(atExit(r, "job").x).toBe(36); // ((10 + 5 - 3) ** 2) / 4
    expect(modelState(r, "total").finalValue).toBe(74);
  });

  it("model number states report the time-average, min and max", async () => {
    // Jobs at 0 and 10 each add 1 to level: 1 over [0, 10), 2 over [10, 1000].
    const r = await rep(
      model(
        [{ type: "assign", modifications: [{ stateId: "level", operation: "add", value: 1 }] }],
        [num("level", "model")],
        { n: 2 },
      ),
    );
    expect(modelState(r, "level")).toEqual({
      name: "level",
      finalValue: 2,
      timeAverage: (1 * 10 + 2 * 990) / 1000,
      min: 0,
      max: 2,
    });
  });

  it("samples are drawn from a stream of their own: same seed, same values; uniform stays in range", async () => {
    const m = model(
      [
        {
          type: "assign",
          modifications: [
            { stateId: "u", operation: "sample", sample: { distribution: "uniform", min: 2, max: 3 } },
          ],
        },
      ],
      [num("u")],
      { n: 50, iat: 1 },
    );
    const a = await rep(m);
    const b = await rep(m);
    expect(atExit(a, "job").u).toBe(atExit(b, "job").u);
    expect(atExit(a, "job").u).toBeGreaterThan(2);
    expect(atExit(a, "job").u).toBeLessThan(3);
    expect(atExit(await rep(m, 1), "job").u).not.toBe(atExit(a, "job").u);
  });

  it("a division by zero ends the replication with a ModelRuntimeError naming the action", async () => {
    const m = model(
      [
        {
          id: "bad",
          type: "assign",
          modifications: [{ stateId: "x", operation: "assign", expression: "1 / x" }],
        },
      ],
      [num("x")],
    );
    const err = await rep(m).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelRuntimeError);
    expect((err as Error).message).toContain("activity:a/action:bad");
  });
});

describe("guards, branch, loop, script", () => {
  it("a false guard skips the action (its delay too)", async () => {
    const r = await rep(
      model(
        [
          { type: "assign", modifications: [{ stateId: "k", operation: "add", expression: "1" }] },
          {
            type: "delay",
            duration: min(5),
            condition: { stateId: "flag", comparison: "equal", value: 1 },
          },
          {
            type: "delay",
            duration: min(2),
            condition: { stateId: "flag", comparison: "equal", value: "0" },
          },
        ],
        [num("k"), num("flag")],
      ),
    );
    expect(r.entities[0].averageTimeInSystem).toBe(2);
  });

  it("nested branch: each entity takes the one arm its states select", async () => {
    // Entities 1..4 (order number): <= 2 -> (== 1 ? 1 : 2) min, else (== 3 ? 3 : 4) min.
    const cond = (comparison: string, value: number) => ({ stateId: "no", comparison, value });
    const d = (v: number) => ({ type: "delay", duration: min(v) });
    const r = await rep(
      model(
        [
          {
            type: "assign",
            modifications: [
              { stateId: "seq", operation: "add", value: 1 },
              { stateId: "no", operation: "assign", expression: "seq" },
            ],
          },
          {
            type: "branch",
            condition: cond("less_equal", 2),
            ifTrue: [{ type: "branch", condition: cond("equal", 1), ifTrue: [d(1)], ifFalse: [d(2)] }],
            ifFalse: [{ type: "branch", condition: cond("not_equal", 3), ifTrue: [d(4)], ifFalse: [d(3)] }],
          },
        ] as Action[],
        [num("no"), num("seq", "model")],
        { n: 4 },
      ),
    );
    expect(r.entities[0].averageTimeInSystem).toBe(2.5);
  });

  it("nested loops count their iterations; loop_index is the innermost 0-based index", async () => {
    const r = await rep(
      model(
        [
          {
            type: "loop",
            count: 3,
            actions: [
              {
                type: "assign",
                modifications: [{ stateId: "outer_sum", operation: "add", expression: "loop_index" }],
              },
              {
                type: "loop",
                count: 2,
                actions: [
                  { type: "delay", duration: min(1) },
                  {
                    type: "assign",
                    modifications: [
                      { stateId: "inner_sum", operation: "add", expression: "loop_index" },
                      { stateId: "n", operation: "add", value: 1 },
                    ],
                  },
                ],
              },
              // Back in the outer loop: loop_index is the outer index again.
              {
                type: "assign",
                modifications: [{ stateId: "outer_after", operation: "add", expression: "loop_index" }],
              },
            ],
          },
          {
            type: "assign",
            modifications: [{ stateId: "after", operation: "assign", expression: "loop_index" }],
          },
        ] as Action[],
        [num("n"), num("outer_sum"), num("inner_sum"), num("outer_after"), num("after", "entity", 9)],
      ),
    );
    expect(atExit(r, "job")).toEqual({ n: 6, outer_sum: 3, inner_sum: 3, outer_after: 3, after: 0 });
    expect(r.entities[0].averageTimeInSystem).toBe(6);
  });

  it("a guarded loop is skipped whole", async () => {
    const r = await rep(
      model(
        [
          {
            type: "loop",
            count: 5,
            condition: { stateId: "n", comparison: "greater_than", value: 0 },
            actions: [{ type: "delay", duration: min(1) }],
          },
        ] as Action[],
        [num("n")],
      ),
    );
    expect(r.entities[0].averageTimeInSystem).toBe(0);
  });

  it("script: locals, if/elif/else and set_state on entity and model states", async () => {
    const r = await rep(
      model(
        [
          {
            type: "script",
            source: [
              "count = get_state('seen') + 1",
              "set_state('seen', count)",
              "if count == 1:",
              "    set_state('size', 10)",
              "elif count == 2:",
              "    set_state('size', 20)",
              "else:",
              "    set_state('size', 40)",
            ].join("\n"),
          },
          {
            type: "delay",
            duration: min(1),
            condition: { stateId: "size", comparison: "greater_than", value: 15 },
          },
        ] as Action[],
        [num("size"), num("seen", "model")],
        { n: 3 },
      ),
    );
    expect(modelState(r, "seen").finalValue).toBe(3);
    // Written by the script at 0, 10 and 20: 1, 2, then 3 until t = 1000.
    expect(modelState(r, "seen").timeAverage).toBeCloseTo((10 + 20 + 3 * 980) / 1000, 12);
    expect(modelState(r, "seen").max).toBe(3);
    expect(atExit(r, "job").size).toBeCloseTo(70 / 3, 12);
    expect(r.entities[0].averageTimeInSystem).toBeCloseTo(2 / 3, 12);
  });
});

describe("state-condition routing", () => {
  const routed = (third: boolean) =>
    model(
      [
        {
          type: "assign",
          modifications: [
            { stateId: "seq", operation: "add", value: 1 },
            { stateId: "no", operation: "assign", expression: "seq" },
          ],
        },
      ] as Action[],
      [num("no"), num("seq", "model")],
      {
        n: 3,
        extra: {
          activities: [
            {
              id: "a",
              capacity: 100,
              routing: "state_condition",
              actions: [
                {
                  type: "assign",
                  modifications: [
                    { stateId: "seq", operation: "add", value: 1 },
                    { stateId: "no", operation: "assign", expression: "seq" },
                  ],
                },
              ],
            },
            { id: "one", actions: [{ type: "delay", duration: min(1) }] },
            { id: "low", actions: [{ type: "delay", duration: min(2) }] },
            { id: "ignored", actions: [{ type: "delay", duration: min(50) }] },
          ],
        },
        connectors: [
          // Document order and priority: "no == 1" also satisfies "no <= 2", but priority 1 goes first.
          {
            id: "to-low",
            sourceId: "a",
            targetId: "low",
            entityId: "job",
            priority: 2,
            condition: { stateId: "no", comparison: "less_equal", value: third ? 3 : 2 },
          },
          {
            id: "to-one",
            sourceId: "a",
            targetId: "one",
            entityId: "job",
            priority: 1,
            condition: { stateId: "no", comparison: "equal", value: 1 },
          },
          // No entityId: ignored, although its condition holds.
          {
            id: "to-ignored",
            sourceId: "a",
            targetId: "ignored",
            condition: { stateId: "no", comparison: "greater_equal", value: 0 },
          },
        ] as Connector[],
      },
    );

  it("takes the first matching connector by priority, then document order; connectors without entityId are ignored", async () => {
    const r = await rep(routed(true));
    expect(act(r, "one").throughput).toBe(1);
    expect(act(r, "low").throughput).toBe(2);
    expect(act(r, "ignored").throughput).toBe(0);
  });

  it("no match is a ModelRuntimeError naming the entity type, the activity and the replication", async () => {
    const err = await rep(routed(false), 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelRuntimeError);
    expect((err as Error).message).toMatch(/replication 3.*"job".*activity "a"/);
  });
});

describe("state results across replications", () => {
  it("summarise model numbers, the distribution of final category values, and entity states at exit", async () => {
    const m = load("assign");
    m.states!.push({
      id: "last",
      name: "last",
      componentType: "model",
      dataType: "category",
      categoryValues: ["a", "b"],
    });
    m.activities![0].actions!.push({
      type: "assign",
      modifications: [
        {
          stateId: "last",
          operation: "sample",
          sample: { distribution: "categorical", probabilities: { a: 0.5, b: 0.5 } },
        },
      ],
    });
    const s = await simulate(m, { replications: 4, seed: 3, timePeriod: "hourly" });
    const revenue = s.states!.model.find((x) => x.name === "revenue")!;
    expect(revenue.finalValue).toMatchObject({ mean: 240, stdDev: 0, values: [240, 240, 240, 240] });
    const last = s.states!.model.find((x) => x.name === "last")!;
    expect(last.finalValue).toBeUndefined();
    expect(last).toMatchObject({ stateId: "last", dataType: "category" });
    const shares = last.finalDistribution!;
    // Every category, in declaration order; each replication counts 1 for the value it ended on.
    expect(shares.map((x) => x.value)).toEqual(["a", "b"]);
    expect(shares.reduce((n, x) => n + x.share.mean, 0)).toBeCloseTo(1, 12);
    expect(shares[0].share.values.map((v, i) => v + shares[1].share.values[i])).toEqual([1, 1, 1, 1]);
    // Orders 1..4 leave with totals 24, 48, 72, 96: average 60 in every replication.
    expect(s.states!.entities[0]).toMatchObject({ entityId: "order", name: "Order" });
    const total = s.states!.entities[0].states.find((x) => x.name === "total")!;
    expect(total.atExit).toMatchObject({ mean: 60, values: [60, 60, 60, 60] });
    expect(JSON.parse(JSON.stringify(s.states))).toEqual(s.states);
  });

  it("a model without states has no state results", async () => {
    const m = load("assign");
    const plain = {
      ...m,
      states: [],
      activities: m.activities!.map((a) => ({ ...a, actions: [], routing: null })),
    };
    plain.connectors = m.connectors!.filter((c) => !c.condition);
    const s = await simulate(plain, { replications: 1, seed: 3, timePeriod: "hourly" });
    expect(s.states).toBeUndefined();
  });
});

describe("conditions and entity-type routing", () => {
  it("numeric strings compare as numbers, other strings as strings; booleans as true/false (§2.10)", async () => {
    const str = (id: string, initialValue: string) =>
      ({ id, name: id, componentType: "entity", dataType: "string", initialValue }) as StateDeclaration;
    const flag = {
      id: "ok",
      name: "ok",
      componentType: "entity",
      dataType: "boolean",
      initialValue: true,
    } as StateDeclaration;
    const guarded = (stateId: string, value: unknown, minutes: number) =>
      ({
        type: "delay",
        duration: min(minutes),
        condition: { stateId, comparison: "equal", value },
      }) as Action;
    const r = await rep(
      model(
        [
          guarded("code", "10", 1), // "10.0" == "10" as numbers: runs
          guarded("label", "abc", 2), // runs
          guarded("label", "ABC", 4), // skipped
          guarded("ok", "true", 8), // runs
          guarded("ok", " TRUE ", 16), // runs: trimmed, any case
          guarded("ok", false, 32), // skipped
          guarded("n", " 5 ", 64), // a number state: the text is read as a number, runs
          guarded("zero", " ", 128), // a blank is no number: "0" != " ", skipped
          guarded("zero", "0.0", 256), // runs
        ],
        [
          str("code", "10.0"),
          str("label", "abc"),
          flag,
          { id: "n", name: "n", componentType: "entity", dataType: "number", initialValue: 5 },
          str("zero", "0"),
        ],
      ),
    );
    expect(r.entities[0].averageTimeInSystem).toBe(1 + 2 + 8 + 16 + 64 + 256);
  });

  it("entity-type routing sends each type along the connector naming it", async () => {
    const m = model([], [], {
      n: 2,
      extra: {
        entities: [{ id: "job" }, { id: "rush" }],
        activities: [
          { id: "a", routing: "entity_type", actions: [] },
          { id: "slow", actions: [{ type: "delay", duration: min(5) }] },
          { id: "fast", actions: [{ type: "delay", duration: min(1) }] },
        ],
      },
      connectors: [
        { id: "to-fast", sourceId: "a", targetId: "fast", entityId: "rush" },
        { id: "to-slow", sourceId: "a", targetId: "slow", entityId: "job" },
      ] as Connector[],
    });
    m.generators!.push({ id: "g2", entityId: "rush", interarrivalTime: min(10), maxEntities: 3 });
    m.connectors!.push({ id: "c2", sourceId: "g2", targetId: "a" });
    const r = await rep(m);
    expect(act(r, "slow").throughput).toBe(2);
    expect(act(r, "fast").throughput).toBe(3);
    expect(r.entities.map((e) => e.averageTimeInSystem)).toEqual([5, 1]);
  });
});
