import { describe, expect, it } from "vitest";
import { summarizeMetric } from "../stats.js";
import type { ModelStateResult, QuodsiModel, ReplicationResult, StateDeclaration } from "../types.js";
import { constant } from "../testing/models.js";
import { summariseStates } from "./state-summary.js";

/** The state part of a replication result (the rest is not read by summariseStates). */
const rep = (states: Partial<ReplicationResult>): ReplicationResult =>
  ({ repIndex: 0, activities: [], resources: [], entities: [], ...states }) as ReplicationResult;

const decl = (
  id: string,
  name: string,
  componentType: StateDeclaration["componentType"],
  dataType: StateDeclaration["dataType"],
  more: Partial<StateDeclaration> = {},
): StateDeclaration => ({ id, name, componentType, dataType, ...more });

const model = (states: StateDeclaration[], more: Partial<QuodsiModel> = {}): QuodsiModel => ({
  timeUnit: "minutes",
  runTime: constant(10),
  states,
  ...more,
});

const num = (name: string, finalValue: number, more: Partial<ModelStateResult> = {}): ModelStateResult => ({
  name,
  finalValue,
  ...more,
});

describe("summariseStates", () => {
  it("is undefined without replications or without state results", () => {
    expect(summariseStates(model([]), [])).toBeUndefined();
    expect(summariseStates(model([]), [rep({})])).toBeUndefined();
  });

  it("model states: numbers summarised per statistic under their declaration's id and type", () => {
    // "level" is declared in two scopes: the model one gives its id and type.
    const m = model([
      decl("ent-level", "level", "entity", "number"),
      decl("mod-level", "level", "model", "boolean"),
      decl("mod-quiet", "quiet", "model", "number", { collectStatistics: false }),
      decl("mod-kept", "kept", "model", "number", { collectStatistics: true }),
    ]);
    const s = summariseStates(m, [
      rep({
        modelStates: [
          num("level", 1, { timeAverage: 0.25, min: 0, max: 1 }),
          num("quiet", 5),
          num("kept", 2),
          num("loose", 3, { timeAverage: 2, min: 1, max: 4 }),
        ],
      }),
      rep({
        modelStates: [
          num("level", 0, { timeAverage: 0.75, min: 0, max: 1 }),
          num("quiet", 6),
          num("kept", 4),
          num("loose", 5, { timeAverage: 4, min: 2, max: 6 }),
        ],
      }),
    ])!;
    expect(s.model).toEqual([
      {
        stateId: "mod-level",
        name: "level",
        dataType: "boolean",
        finalValue: summarizeMetric([1, 0]),
        timeAverage: summarizeMetric([0.25, 0.75]),
        min: summarizeMetric([0, 0]),
        max: summarizeMetric([1, 1]),
      },
      // No time statistics reported: 0.
      {
        stateId: "mod-kept",
        name: "kept",
        dataType: "number",
        finalValue: summarizeMetric([2, 4]),
        timeAverage: summarizeMetric([0, 0]),
        min: summarizeMetric([0, 0]),
        max: summarizeMetric([0, 0]),
      },
      // Not declared (a result of an older declaration): its name, a number.
      {
        stateId: "loose",
        name: "loose",
        dataType: "number",
        finalValue: summarizeMetric([3, 5]),
        timeAverage: summarizeMetric([2, 4]),
        min: summarizeMetric([1, 2]),
        max: summarizeMetric([4, 6]),
      },
    ]);
    expect(s).toMatchObject({ entities: [], resources: [], activities: [] });
  });

  it("string and category states: the share of replications ending on each value", () => {
    const m = model([
      decl("mod-colour", "colour", "model", "category", { categoryValues: ["red", "green", "blue"] }),
      decl("mod-size", "size", "model", "category"),
      // A string state ignores category values.
      decl("mod-word", "word", "model", "string", { categoryValues: ["unused"] }),
    ]);
    const finals = [
      ["green", "b", "x"],
      ["red", "a", "y"],
      ["green", "b", "x"],
    ];
    const s = summariseStates(
      m,
      finals.map(([colour, word, loose]) =>
        rep({
          modelStates: [
            { name: "colour", finalValue: colour },
            { name: "word", finalValue: word },
            { name: "loose", finalValue: loose },
            { name: "size", finalValue: "L" },
          ],
        }),
      ),
    )!;
    expect(s.model).toEqual([
      {
        stateId: "mod-colour",
        name: "colour",
        dataType: "category",
        // Every category in declaration order, "blue" never reached.
        finalDistribution: [
          { value: "red", share: summarizeMetric([0, 1, 0]) },
          { value: "green", share: summarizeMetric([1, 0, 1]) },
          { value: "blue", share: summarizeMetric([0, 0, 0]) },
        ],
      },
      {
        stateId: "mod-word",
        name: "word",
        dataType: "string",
        // Values in order of appearance.
        finalDistribution: [
          { value: "b", share: summarizeMetric([1, 0, 1]) },
          { value: "a", share: summarizeMetric([0, 1, 0]) },
        ],
      },
      {
        stateId: "loose",
        name: "loose",
        dataType: "string",
        finalDistribution: [
          { value: "x", share: summarizeMetric([1, 0, 1]) },
          { value: "y", share: summarizeMetric([0, 1, 0]) },
        ],
      },
      // A category state whose categories are not in the model: the values seen.
      {
        stateId: "mod-size",
        name: "size",
        dataType: "category",
        finalDistribution: [{ value: "L", share: summarizeMetric([1, 1, 1]) }],
      },
    ]);
  });

  it("entity states: the averages at exit of the replications where an entity left", () => {
    const m = model(
      [
        decl("mod-score", "score", "model", "string"),
        decl("ent-score", "score", "entity", "boolean"),
        decl("ent-hidden", "hidden", "entity", "number", { collectStatistics: false }),
      ],
      { entities: [{ id: "order", name: "Order" }, { id: "box" }] },
    );
    const s = summariseStates(m, [
      rep({
        modelStates: [],
        entityStates: [
          { entityId: "order", values: { score: 0.5, hidden: 1, loose: 2 } },
          { entityId: "box", values: { score: null, hidden: null, loose: null } },
          { entityId: "ghost", values: {} },
        ],
      }),
      rep({
        modelStates: [],
        entityStates: [
          // A value missing from a replication's result counts as no exit, like null.
          { entityId: "order", values: { hidden: 1, loose: 4 } },
          { entityId: "box", values: { score: 1, hidden: null, loose: 0 } },
          { entityId: "ghost", values: {} },
        ],
      }),
    ])!;
    expect(s.entities).toEqual([
      {
        entityId: "order",
        name: "Order",
        states: [
          { stateId: "ent-score", name: "score", dataType: "boolean", atExit: summarizeMetric([0.5]) },
          { stateId: "loose", name: "loose", dataType: "number", atExit: summarizeMetric([2, 4]) },
        ],
      },
      {
        entityId: "box",
        name: "box",
        states: [
          { stateId: "ent-score", name: "score", dataType: "boolean", atExit: summarizeMetric([1]) },
          { stateId: "loose", name: "loose", dataType: "number", atExit: summarizeMetric([0]) },
        ],
      },
      // An entity type the model no longer has: named by its id.
      { entityId: "ghost", name: "ghost", states: [] },
    ]);
  });

  it("resource and activity states: per component, named, with the declarations of their own scope", () => {
    const m = model(
      [
        decl("res-load", "load", "resource", "number"),
        decl("act-load", "load", "activity", "boolean"),
        decl("res-off", "off", "resource", "number", { collectStatistics: false }),
        decl("act-off", "off", "activity", "number", { collectStatistics: false }),
      ],
      {
        resources: [{ id: "r1", name: "Crane", capacity: 1 }],
        activities: [{ id: "a1", name: "Load" }, { id: "a2" }],
      },
    );
    const reps = [3, 7].map((v) =>
      rep({
        modelStates: [],
        resourceStates: [
          { componentId: "r1", states: [num("load", v), num("off", v)] },
          { componentId: "r9", states: [] },
        ],
        activityStates: [
          { componentId: "a1", states: [num("load", v / 10), num("off", v)] },
          { componentId: "a2", states: [num("load", 1)] },
        ],
      }),
    );
    const s = summariseStates(m, reps)!;
    const zeros = summarizeMetric([0, 0]);
    expect(s.resources).toEqual([
      {
        componentId: "r1",
        name: "Crane",
        states: [
          {
            stateId: "res-load",
            name: "load",
            dataType: "number",
            finalValue: summarizeMetric([3, 7]),
            timeAverage: zeros,
            min: zeros,
            max: zeros,
          },
        ],
      },
      { componentId: "r9", name: "r9", states: [] },
    ]);
    expect(s.activities).toEqual([
      {
        componentId: "a1",
        name: "Load",
        states: [
          {
            stateId: "act-load",
            name: "load",
            dataType: "boolean",
            finalValue: summarizeMetric([0.3, 0.7]),
            timeAverage: zeros,
            min: zeros,
            max: zeros,
          },
        ],
      },
      {
        componentId: "a2",
        name: "a2",
        states: [
          {
            stateId: "act-load",
            name: "load",
            dataType: "boolean",
            finalValue: summarizeMetric([1, 1]),
            timeAverage: zeros,
            min: zeros,
            max: zeros,
          },
        ],
      },
    ]);
  });

  it("a model without state declarations or components still names what the results hold", () => {
    const s = summariseStates({ timeUnit: "minutes", runTime: constant(10) }, [
      rep({
        modelStates: [num("n", 1)],
        entityStates: [{ entityId: "e", values: { k: 2 } }],
        resourceStates: [{ componentId: "r", states: [num("q", 3)] }],
        activityStates: [{ componentId: "a", states: [] }],
      }),
    ])!;
    expect(s.model.map((x) => [x.stateId, x.dataType, x.finalValue?.mean])).toEqual([["n", "number", 1]]);
    expect(s.entities).toEqual([
      {
        entityId: "e",
        name: "e",
        states: [{ stateId: "k", name: "k", dataType: "number", atExit: summarizeMetric([2]) }],
      },
    ]);
    expect(s.resources.map((r) => [r.name, r.states[0].stateId])).toEqual([["r", "q"]]);
    expect(s.activities).toEqual([{ componentId: "a", name: "a", states: [] }]);
  });
});
