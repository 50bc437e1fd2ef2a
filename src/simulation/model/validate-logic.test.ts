import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLES_DIR } from "../testing/models.js";
import {
  checkRunnable,
  KNOWN_UNSUPPORTED_ACTION_TYPES,
  RUNNABLE_ACTION_TYPES,
  validateModel,
} from "../validate.js";
import { ACTION_TYPES, ACTIONS, FEATURES } from "./actions.js";

const minutes = (value: number) => ({ unit: "minutes", value });

/** A valid model that uses every state type and every action type, as plain JSON to break at will. */
function logic(): any {
  return {
    schemaVersion: "2026.12.01",
    timeUnit: "minutes",
    runTime: minutes(100),
    entities: [{ id: "order" }, { id: "piece" }],
    states: [
      { id: "s-count", name: "orders", componentType: "model", dataType: "number", initialValue: 0 },
      { id: "s-no", name: "order_no", componentType: "entity", dataType: "number", initialValue: 0 },
      { id: "s-idx", name: "piece_index", componentType: "entity", dataType: "number" },
      { id: "s-rush", name: "rush", componentType: "entity", dataType: "boolean", initialValue: false },
      {
        id: "s-size",
        name: "size",
        componentType: "entity",
        dataType: "category",
        categoryValues: ["S", "M", "L"],
        initialValue: "S",
      },
      { id: "s-note", name: "note", componentType: "entity", dataType: "string", initialValue: "" },
      { id: "s-joined", name: "joined", componentType: "entity", dataType: "number" },
    ],
    resources: [{ id: "picker", capacity: 2 }],
    resourceRequirements: [{ id: "req", rootClause: { requests: [{ resourceId: "picker" }] } }],
    activities: [
      {
        id: "intake",
        actions: [
          {
            id: "number",
            type: "assign",
            modifications: [
              { stateId: "s-count", operation: "add", value: 1 },
              { stateId: "s-no", operation: "assign", expression: "orders" },
              {
                stateId: "s-size",
                operation: "sample",
                sample: { distribution: "categorical", probabilities: { S: 0.5, M: 0.3, L: 0.2 } },
              },
              { stateId: "s-rush", operation: "sample", sample: { distribution: "bernoulli", p: 0.1 } },
            ],
          },
          {
            id: "by-size",
            type: "branch",
            condition: { stateId: "s-size", comparison: "equal", value: "L" },
            ifTrue: [{ id: "big", type: "delay", duration: minutes(2) }],
            ifFalse: [],
          },
          {
            id: "twice",
            type: "loop",
            count: 2,
            actions: [
              { id: "work", type: "delay_with_resource", resourceRequirementId: "req", duration: minutes(1) },
            ],
          },
          {
            id: "late",
            type: "script",
            source: 'n = get_state("order_no")\nif n > 3:\n    set_state("note", "late")',
          },
          {
            id: "pieces",
            type: "split",
            count: 3,
            destinationId: "route",
            entityTemplateId: "piece",
            inheritStates: ["order_no"],
            splitIndexState: "piece_index",
            modifications: [],
          },
        ],
      },
      { id: "route", routing: "state_condition", actions: [] },
      {
        id: "pick",
        queueRanking: { stateId: "s-no", order: "descending" },
        actions: [
          {
            id: "label",
            type: "create",
            entityTemplateId: "order",
            destinationId: "ship",
            condition: { stateId: "s-idx", comparison: "equal", value: 0 },
          },
        ],
      },
      {
        id: "pack",
        capacity: 10,
        actions: [
          {
            id: "combine",
            type: "join",
            matchState: "order_no",
            joinCount: 3,
            destinationId: "ship",
            combinedTemplateId: "order",
            joinCountState: "joined",
          },
        ],
      },
      {
        id: "ship",
        actions: [
          { id: "done", type: "dispose", condition: null },
          { id: "free", type: "release", resourceRequirementId: "req" },
        ],
      },
    ],
    generators: [
      {
        id: "gen",
        entityId: "order",
        interarrivalTime: minutes(1),
        initialStates: [{ stateId: "s-note", operation: "assign", value: "new" }],
      },
    ],
    connectors: [
      { id: "c-in", sourceId: "gen", targetId: "intake" },
      {
        id: "c-pick",
        sourceId: "route",
        targetId: "pick",
        entityId: "piece",
        condition: { stateId: "s-idx", comparison: "less_than", value: 2 },
        priority: 1,
      },
      { id: "c-pack", sourceId: "route", targetId: "pack", entityId: "piece" },
      { id: "c-pp", sourceId: "pick", targetId: "pack" },
    ],
  };
}

const issue = (path: string, message: string) => ({ path, message });
const push = (list: unknown, ...items: unknown[]) => (list as unknown[]).push(...items);
/** A state no other part of the model refers to. */
const state = (name: string) => ({ id: "s-extra", name, componentType: "entity", dataType: "number" });
const A0 = "activities[0].actions[0]"; // the assign
const mod = (m: any, i: number, value: object) => (m.activities[0].actions[0].modifications[i] = value);

describe("validateModel: states and entity logic", () => {
  it("accepts a model using every state type and action type, unchanged and without warnings", () => {
    const m = logic();
    expect(validateModel(m)).toEqual({ ok: true, value: m });
    expect((validateModel(m) as { value: unknown }).value).toBe(m);
  });

  it.each<[string, (m: any) => void, Array<{ path: string; message: string }>]>([
    // --- state declarations
    [
      "a state name with a space",
      (m) => push(m.states, state("order no")),
      [
        issue(
          "states[7].name",
          '"order no" is not a valid state name: use letters, digits and _ (not first), and no Python keyword, so that expressions and scripts can refer to it',
        ),
      ],
    ],
    [
      "a Python keyword as state name",
      (m) => push(m.states, state("if")),
      [
        issue(
          "states[7].name",
          '"if" is not a valid state name: use letters, digits and _ (not first), and no Python keyword, so that expressions and scripts can refer to it',
        ),
      ],
    ],
    [
      "a state name starting with a digit",
      (m) => push(m.states, state("2nd")),
      [
        issue(
          "states[7].name",
          '"2nd" is not a valid state name: use letters, digits and _ (not first), and no Python keyword, so that expressions and scripts can refer to it',
        ),
      ],
    ],
    [
      "two entity states with one name",
      (m) => push(m.states, state("order_no")),
      [issue("states[7].name", 'duplicate entity state name "order_no" (already used at states[1])')],
    ],
    [
      "a model state named like an entity state (entity first)",
      (m) => push(m.states, { ...state("note"), componentType: "model" }),
      [],
    ],
    [
      "two states with one id",
      (m) => (m.states[6].id = "s-no"),
      [issue("states[6].id", 'duplicate state id "s-no" (already used at states[1])')],
    ],
    [
      "an unknown scope and data type",
      (m) => ((m.states[6].componentType = "global"), (m.states[6].dataType = "int")),
      [
        issue("states[6].componentType", 'must be one of model, entity, resource, activity (got "global")'),
        issue("states[6].dataType", 'must be one of number, string, boolean, category (got "int")'),
      ],
    ],
    [
      "a category state without categories",
      (m) => delete m.states[4].categoryValues,
      [issue("states[4].categoryValues", "is required for a category state (a non-empty list of strings)")],
    ],
    [
      "a category listed twice",
      (m) => (m.states[4].categoryValues = ["S", "M", "S", "L"]),
      [issue("states[4].categoryValues[2]", 'duplicate category "S"')],
    ],
    [
      "a category initial value outside the categories",
      (m) => (m.states[4].initialValue = "XL"),
      [issue("states[4].initialValue", '"XL" is not one of the categories of state "size" (S, M, L)')],
    ],
    [
      "a number state starting at a string",
      (m) => (m.states[1].initialValue = "0"),
      [issue("states[1].initialValue", 'must be a number ("order_no" is an entity number state)')],
    ],
    ["a null initial value (the default)", (m) => (m.states[1].initialValue = null), []],
    [
      "states without an id, with an empty id, without a name",
      (m) =>
        push(
          m.states,
          { name: "x1", componentType: "entity", dataType: "number" },
          { id: "", name: "x2", componentType: "entity", dataType: "number" },
          { id: "s-x3", componentType: "entity", dataType: "number" },
        ),
      [
        issue("states[7].id", "is required (non-empty string)"),
        issue("states[8].id", "is required (non-empty string)"),
        issue("states[9].name", "is required (a state name)"),
      ],
    ],
    [
      "true and false as state names (the expression literals)",
      (m) =>
        push(
          m.states,
          state("true"),
          { ...state("false"), id: "s-extra2" },
          { ...state("True_"), id: "s-ok" },
        ),
      [
        issue(
          "states[7].name",
          '"true" is not a valid state name: use letters, digits and _ (not first), and no Python keyword, so that expressions and scripts can refer to it',
        ),
        issue(
          "states[8].name",
          '"false" is not a valid state name: use letters, digits and _ (not first), and no Python keyword, so that expressions and scripts can refer to it',
        ),
      ],
    ],
    [
      "categories that are not non-empty strings",
      (m) => (m.states[4].categoryValues = ["S", "", 3, "M", "L"]),
      [
        issue("states[4].categoryValues[1]", "must be a non-empty string"),
        issue("states[4].categoryValues[2]", "must be a non-empty string"),
      ],
    ],
    [
      "an empty category list",
      (m) => (m.states[4].categoryValues = []),
      [issue("states[4].categoryValues", "is required for a category state (a non-empty list of strings)")],
    ],
    ["category values on a number state (ignored)", (m) => (m.states[1].categoryValues = ["a"]), []],
    [
      "category values on a number state that are not a list",
      (m) => (m.states[1].categoryValues = "a"),
      [issue("states[1].categoryValues", "must be a list of strings")],
    ],
    [
      "a collectStatistics that is no boolean and a description that is no string",
      (m) => Object.assign(m.states[0], { collectStatistics: "yes", description: 5 }),
      [
        issue("states[0].collectStatistics", "must be a boolean"),
        issue("states[0].description", "must be a string"),
      ],
    ],
    [
      "collectStatistics false, a description, null category values",
      (m) =>
        Object.assign(m.states[0], { collectStatistics: false, description: "count", categoryValues: null }),
      [],
    ],
    [
      // s-count is modified by id; s-no is modified, ranked on and inherited, and order_no matched by name.
      "a malformed declaration is reported once, not at each use",
      (m) => ((m.states[0].componentType = "global"), (m.states[1].dataType = "int")),
      [
        issue("states[0].componentType", 'must be one of model, entity, resource, activity (got "global")'),
        issue("states[1].dataType", 'must be one of number, string, boolean, category (got "int")'),
      ],
    ],
    [
      "initial values of the wrong type for each data type",
      (m) => {
        m.states[0].initialValue = Infinity;
        m.states[3].initialValue = "false";
        m.states[4].initialValue = 1;
        m.states[5].initialValue = 0;
        push(m.states, {
          id: "s-busy",
          name: "busy",
          componentType: "activity",
          dataType: "number",
          initialValue: "x",
        });
      },
      [
        issue("states[0].initialValue", "must be a finite number"),
        issue("states[3].initialValue", 'must be true or false ("rush" is an entity boolean state)'),
        issue("states[4].initialValue", 'must be one of the categories of state "size": S, M, L'),
        issue("states[5].initialValue", 'must be a string ("note" is an entity string state)'),
        issue("states[7].initialValue", 'must be a number ("busy" is an activity number state)'),
      ],
    ],
    [
      "a model state as initial value of the wrong type",
      (m) => (m.states[0].initialValue = true),
      [issue("states[0].initialValue", 'must be a number ("orders" is a model number state)')],
    ],
    [
      "condition values as text: numbers and true/false are read, blanks and other words are not",
      (m) => {
        m.connectors[1].condition.value = " 2 ";
        m.activities[3].actions[0].condition = { stateId: "s-rush", comparison: "equal", value: " TRUE " };
        m.activities[0].actions[1].condition = { stateId: "s-no", comparison: "equal", value: " " };
        push(m.activities[4].actions, {
          id: "maybe",
          type: "dispose",
          condition: { stateId: "s-rush", comparison: "equal", value: "yes" },
        });
      },
      [
        issue(
          "activities[0].actions[1].condition.value",
          'must be a number ("order_no" is an entity number state)',
        ),
        issue(
          "activities[4].actions[2].condition.value",
          'must be true or false ("rush" is an entity boolean state)',
        ),
      ],
    ],
    [
      "inherited states that are not a list",
      (m) => (m.activities[0].actions[4].inheritStates = "order_no"),
      [issue("activities[0].actions[4].inheritStates", "must be a list of entity state names")],
    ],
    [
      "a script language version other than 1",
      (m) => {
        m.activities[0].actions[3].languageVersion = 2;
        push(m.activities[4].actions, { id: "v1", type: "script", source: "x = 1", languageVersion: 1 });
      },
      [issue("activities[0].actions[3].languageVersion", "must be 1 (got 2)")],
    ],
    [
      "an action that is no object, an id that is no string",
      (m) => push(m.activities[4].actions, 7, { id: 7, type: "dispose" }),
      [
        issue("activities[4].actions[2]", "must be an action object"),
        issue("activities[4].actions[3].id", "must be a string"),
      ],
    ],
    [
      "an authored id equal to the id generated for an action without one",
      (m) => {
        // The loop body's first action has no id: it is "twice/actions#0".
        delete m.activities[0].actions[2].actions[0].id;
        push(m.activities[0].actions[2].actions, {
          id: "twice/actions#0",
          type: "delay",
          duration: minutes(1),
        });
        push(m.activities[4].actions, { id: "#3", type: "dispose" }, { type: "dispose" });
      },
      [
        issue(
          "activities[0].actions[2].actions[1].id",
          'duplicate action id "twice/actions#0" in this activity',
        ),
        issue(
          "activities[4].actions[3].id",
          'the id generated for this action, "#3", is already used in this activity; give the action an id',
        ),
      ],
    ],
    [
      "action lists that are not lists",
      (m) => {
        m.activities[0].actions[2].actions = {};
        m.activities[4].actions = "dispose";
      },
      [
        issue("activities[0].actions[2].actions", "must be an array"),
        issue("activities[4].actions", "must be an array"),
      ],
    ],
    [
      "entity state names that are not strings",
      (m) => (m.activities[0].actions[4].inheritStates = [5, ""]),
      [
        issue("activities[0].actions[4].inheritStates[0]", "must be the name of an entity state (string)"),
        issue("activities[0].actions[4].inheritStates[1]", "must be the name of an entity state (string)"),
      ],
    ],
    // --- modifications
    [
      "a modification of an unknown state",
      (m) => (m.activities[0].actions[0].modifications[0].stateId = "s-nope"),
      [issue(`${A0}.modifications[0].stateId`, 'references unknown state "s-nope"')],
    ],
    [
      "an arithmetic operation on a category state",
      (m) => mod(m, 0, { stateId: "s-size", operation: "add", value: 1 }),
      [
        issue(
          `${A0}.modifications[0].operation`,
          'operation "add" needs a number state; "size" is an entity category state',
        ),
      ],
    ],
    [
      "division of a string state",
      (m) => mod(m, 0, { stateId: "s-note", operation: "divide", value: "x" }),
      [
        issue(
          `${A0}.modifications[0].operation`,
          'operation "divide" needs a number state; "note" is an entity string state',
        ),
      ],
    ],
    [
      "an unknown operation",
      (m) => mod(m, 0, { stateId: "s-count", operation: "increment", value: 1 }),
      [
        issue(
          `${A0}.modifications[0].operation`,
          'must be one of assign, add, subtract, multiply, divide, sample (got "increment")',
        ),
      ],
    ],
    [
      "a number for a boolean state",
      (m) => mod(m, 0, { stateId: "s-rush", operation: "assign", value: 1 }),
      [issue(`${A0}.modifications[0].value`, 'must be true or false ("rush" is an entity boolean state)')],
    ],
    [
      "a category value outside the categories",
      (m) => mod(m, 0, { stateId: "s-size", operation: "assign", value: "XL" }),
      [issue(`${A0}.modifications[0].value`, '"XL" is not one of the categories of state "size" (S, M, L)')],
    ],
    [
      "a division by a literal 0",
      (m) => mod(m, 0, { stateId: "s-count", operation: "divide", value: 0 }),
      [issue(`${A0}.modifications[0].value`, "cannot divide by 0")],
    ],
    [
      "an infinite value",
      (m) => mod(m, 0, { stateId: "s-count", operation: "add", value: Infinity }),
      [issue(`${A0}.modifications[0].value`, "must be a finite number")],
    ],
    [
      "two operands",
      (m) => mod(m, 0, { stateId: "s-count", operation: "add", value: 1, expression: "2" }),
      [
        issue(
          `${A0}.modifications[0]`,
          "has value and expression; exactly one of value, expression and sample is allowed",
        ),
      ],
    ],
    [
      "no operand (nulls are absent)",
      (m) => mod(m, 0, { stateId: "s-count", operation: "add", value: null, expression: null }),
      [issue(`${A0}.modifications[0]`, "needs one operand: value, expression or sample")],
    ],
    [
      "an expression for a string state",
      (m) => mod(m, 0, { stateId: "s-note", operation: "assign", expression: "'x'" }),
      [
        issue(
          `${A0}.modifications[0].expression`,
          'an expression can only set a number or boolean state; "note" is an entity string state',
        ),
      ],
    ],
    [
      "an expression with operation sample",
      (m) => mod(m, 0, { stateId: "s-count", operation: "sample", expression: "1" }),
      [
        issue(
          `${A0}.modifications[0].operation`,
          'operation "sample" takes a sample operand, not an expression',
        ),
      ],
    ],
    [
      "a sample operand with operation assign",
      (m) =>
        mod(m, 0, { stateId: "s-rush", operation: "assign", sample: { distribution: "bernoulli", p: 1 } }),
      [issue(`${A0}.modifications[0].sample`, 'a sample operand needs operation "sample" (got "assign")')],
    ],
    [
      "an expression naming an unknown state",
      (m) => mod(m, 1, { stateId: "s-no", operation: "assign", expression: "order * 2" }),
      [issue(`${A0}.modifications[1].expression`, "line 1, column 1: unknown name 'order'")],
    ],
    [
      "an expression adding a string to a number",
      (m) => mod(m, 1, { stateId: "s-no", operation: "assign", expression: "orders + note" }),
      [
        issue(
          `${A0}.modifications[1].expression`,
          "line 1, column 1: unsupported operand types for +: number and string",
        ),
      ],
    ],
    [
      "an expression that does not parse",
      (m) => mod(m, 1, { stateId: "s-no", operation: "assign", expression: "orders +" }),
      [issue(`${A0}.modifications[1].expression`, "line 1, column 9: unexpected end of line")],
    ],
    [
      "an expression reading a resource state",
      (m) => {
        push(m.states, { id: "s-load", name: "load", componentType: "resource", dataType: "number" });
        mod(m, 1, { stateId: "s-no", operation: "add", expression: "load" });
      },
      [
        issue(
          `${A0}.modifications[1].expression`,
          'line 1, column 1: "load" is a resource number state; expressions and scripts use only entity and model states',
        ),
      ],
    ],
    [
      "an empty expression",
      (m) => mod(m, 1, { stateId: "s-no", operation: "assign", expression: " " }),
      [issue(`${A0}.modifications[1].expression`, "must be a non-empty expression (string)")],
    ],
    [
      "a bernoulli sample for a number state",
      (m) =>
        mod(m, 3, { stateId: "s-no", operation: "sample", sample: { distribution: "bernoulli", p: 0.5 } }),
      [
        issue(
          `${A0}.modifications[3].sample.distribution`,
          'a bernoulli sample needs a boolean state; "order_no" is an entity number state',
        ),
      ],
    ],
    [
      "a bernoulli p above 1",
      (m) => (m.activities[0].actions[0].modifications[3].sample.p = 1.5),
      [issue(`${A0}.modifications[3].sample.p`, "must be between 0 and 1 (got 1.5)")],
    ],
    [
      "a categorical sample for a number state",
      (m) =>
        mod(m, 2, {
          stateId: "s-no",
          operation: "sample",
          sample: { distribution: "categorical", probabilities: { "1": 1 } },
        }),
      [
        issue(
          `${A0}.modifications[2].sample.distribution`,
          'a categorical sample needs a category or string state; "order_no" is an entity number state',
        ),
      ],
    ],
    [
      "categorical probabilities missing a category",
      (m) => (m.activities[0].actions[0].modifications[2].sample.probabilities = { S: 0.5, M: 0.5 }),
      [
        issue(
          `${A0}.modifications[2].sample.probabilities`,
          'must give a probability for every category of state "size"; missing: L',
        ),
      ],
    ],
    [
      "categorical probabilities summing to 0.9",
      (m) => (m.activities[0].actions[0].modifications[2].sample.probabilities.L = 0.1),
      [
        issue(
          `${A0}.modifications[2].sample.probabilities`,
          "the probabilities sum to 0.9; they must sum to 1 (± 0.000001)",
        ),
      ],
    ],
    [
      "categorical probabilities within 1e-6 of 1",
      (m) => (m.activities[0].actions[0].modifications[2].sample.probabilities.L = 0.2000005),
      [],
    ],
    [
      "a categorical value that is not a category",
      (m) =>
        (m.activities[0].actions[0].modifications[2].sample.probabilities = {
          S: 0.5,
          M: 0.3,
          L: 0.2,
          XL: 0,
        }),
      [
        issue(
          `${A0}.modifications[2].sample.probabilities.XL`,
          '"XL" is not one of the categories of state "size" (S, M, L)',
        ),
      ],
    ],
    [
      "a categorical sample of free strings",
      (m) =>
        mod(m, 2, {
          stateId: "s-note",
          operation: "sample",
          sample: { distribution: "categorical", probabilities: { a: 0.25, b: 0.75 } },
        }),
      [],
    ],
    [
      "a uniform sample with min above max and a typo",
      (m) =>
        mod(m, 2, {
          stateId: "s-no",
          operation: "sample",
          sample: { distribution: "uniform", min: 3, max: 1, mode: 2 },
        }),
      [
        issue(
          `${A0}.modifications[2].sample.mode`,
          "is not a parameter of a uniform sample (expected min, max)",
        ),
        issue(`${A0}.modifications[2].sample.max`, "must be >= min (3)"),
      ],
    ],
    [
      "an exponential sample with scale NaN",
      (m) =>
        mod(m, 2, {
          stateId: "s-no",
          operation: "sample",
          sample: { distribution: "exponential", scale: NaN },
        }),
      [issue(`${A0}.modifications[2].sample.scale`, "must be a finite number")],
    ],
    [
      "a constant sample of the wrong type",
      (m) => mod(m, 2, { stateId: "s-size", operation: "sample", sample: { value: 3 } }),
      [
        issue(
          `${A0}.modifications[2].sample.value`,
          'must be one of the categories of state "size": S, M, L',
        ),
      ],
    ],
    [
      "an unknown sample distribution",
      (m) => mod(m, 2, { stateId: "s-no", operation: "sample", sample: { distribution: "poisson", lam: 1 } }),
      [
        issue(
          `${A0}.modifications[2].sample.distribution`,
          'must be one of constant, uniform, triangular, normal, exponential, bernoulli, categorical (got "poisson")',
        ),
      ],
    ],
    [
      "a component target for an entity state",
      (m) => (m.activities[0].actions[0].modifications[1].componentId = "picker"),
      [
        issue(
          `${A0}.modifications[1].componentId`,
          'only a resource or activity state belongs to a component; "order_no" is an entity number state',
        ),
      ],
    ],
    [
      "a resource state on an unknown resource",
      (m) => {
        push(m.states, { id: "s-load", name: "load", componentType: "resource", dataType: "number" });
        mod(m, 0, { stateId: "s-load", operation: "add", value: 1, componentId: "nobody" });
      },
      [issue(`${A0}.modifications[0].componentId`, 'references unknown resource "nobody"')],
    ],
    [
      "a target component type that is no component, or not the state's scope",
      (m) => {
        push(m.states, { id: "s-load", name: "load", componentType: "resource", dataType: "number" });
        mod(m, 0, { stateId: "s-count", operation: "add", value: 1, targetComponentType: "entity" });
        mod(m, 1, {
          stateId: "s-load",
          operation: "add",
          value: 1,
          componentId: "picker",
          targetComponentType: "activity",
        });
      },
      [
        issue(`${A0}.modifications[0].targetComponentType`, 'must be resource or activity (got "entity")'),
        issue(
          `${A0}.modifications[1].targetComponentType`,
          'must match the state\'s scope; "load" is a resource number state',
        ),
      ],
    ],
    [
      "a resource state named by a component id that is no string",
      (m) => {
        push(m.states, { id: "s-load", name: "load", componentType: "resource", dataType: "number" });
        mod(m, 0, {
          stateId: "s-load",
          operation: "add",
          value: 1,
          componentId: 5,
          targetComponentType: "resource",
        });
      },
      [issue(`${A0}.modifications[0].componentId`, "must be a string (a resource or activity id)")],
    ],
    [
      "activity states: the current activity by default, a named one elsewhere",
      (m) => {
        push(m.states, { id: "s-busy", name: "busy", componentType: "activity", dataType: "number" });
        // In an activity's actions: that activity, or the named one.
        mod(m, 0, { stateId: "s-busy", operation: "add", value: 1 });
        mod(m, 1, { stateId: "s-busy", operation: "add", value: 1, componentId: "pack" });
        mod(m, 2, { stateId: "s-busy", operation: "add", value: 1, componentId: "nowhere" });
        // At a generator there is no current activity.
        push(
          m.generators[0].initialStates,
          { stateId: "s-busy", operation: "assign", value: 1 },
          { stateId: "s-busy", operation: "assign", value: 1, componentId: "" },
          { stateId: "s-busy", operation: "assign", value: 1, componentId: "intake" },
        );
      },
      [
        issue(`${A0}.modifications[2].componentId`, 'references unknown activity "nowhere"'),
        issue(
          "generators[0].initialStates[1].componentId",
          'is required to write an activity state outside an activity\'s actions: the id of the activity whose "busy" changes',
        ),
        issue(
          "generators[0].initialStates[2].componentId",
          'is required to write an activity state outside an activity\'s actions: the id of the activity whose "busy" changes',
        ),
      ],
    ],
    [
      "a triangular sample with its mode below min and max below its mode",
      (m) =>
        mod(m, 2, {
          stateId: "s-no",
          operation: "sample",
          sample: { distribution: "triangular", min: 2, mode: 1, max: 0 },
        }),
      [
        issue(`${A0}.modifications[2].sample.mode`, "must be >= min (2)"),
        issue(`${A0}.modifications[2].sample.max`, "must be >= mode (1)"),
      ],
    ],
    [
      "a triangular sample with min = mode = max",
      (m) =>
        mod(m, 2, {
          stateId: "s-no",
          operation: "sample",
          sample: { distribution: "triangular", min: 1, mode: 1, max: 1 },
        }),
      [],
    ],
    [
      "a normal sample without mean, with a negative std; an exponential sample with scale 0",
      (m) => {
        mod(m, 2, { stateId: "s-no", operation: "sample", sample: { distribution: "normal", std: -1 } });
        mod(m, 3, {
          stateId: "s-no",
          operation: "sample",
          sample: { distribution: "exponential", scale: 0 },
        });
      },
      [
        issue(`${A0}.modifications[2].sample.mean`, "is required for a normal sample"),
        issue(`${A0}.modifications[2].sample.std`, "must be >= 0 (got -1)"),
        issue(`${A0}.modifications[3].sample.scale`, "must be > 0 (got 0)"),
      ],
    ],
    [
      "a normal sample with std 0, a bernoulli p of 0 and of 1",
      (m) => {
        mod(m, 2, {
          stateId: "s-no",
          operation: "sample",
          sample: { distribution: "normal", mean: 1, std: 0 },
        });
        mod(m, 3, { stateId: "s-rush", operation: "sample", sample: { distribution: "bernoulli", p: 0 } });
        push(m.activities[0].actions[0].modifications, {
          stateId: "s-rush",
          operation: "sample",
          sample: { distribution: "bernoulli", p: 1 },
        });
      },
      [],
    ],
    [
      "a sample that is no object, a constant sample without value",
      (m) => {
        mod(m, 2, { stateId: "s-no", operation: "sample", sample: 5 });
        mod(m, 3, { stateId: "s-rush", operation: "sample", sample: { distribution: null, value: null } });
      },
      [
        issue(
          `${A0}.modifications[2].sample`,
          "must be a sample object: {value} or {distribution, ...parameters}",
        ),
        issue(`${A0}.modifications[3].sample.value`, "is required for a constant sample"),
      ],
    ],
    [
      "categorical probabilities that are empty, or not probabilities",
      (m) => {
        m.activities[0].actions[0].modifications[2].sample.probabilities = {};
        mod(m, 3, {
          stateId: "s-note",
          operation: "sample",
          sample: { distribution: "categorical", probabilities: { a: 1.5, b: -0.5, c: "0" } },
        });
      },
      [
        issue(
          `${A0}.modifications[2].sample.probabilities`,
          "is required: an object {value: probability, ...} with at least one value",
        ),
        issue(
          `${A0}.modifications[3].sample.probabilities.a`,
          "must be a probability between 0 and 1 (got 1.5)",
        ),
        issue(
          `${A0}.modifications[3].sample.probabilities.b`,
          "must be a probability between 0 and 1 (got -0.5)",
        ),
        issue(
          `${A0}.modifications[3].sample.probabilities.c`,
          'must be a probability between 0 and 1 (got "0")',
        ),
      ],
    ],
    [
      "categorical probabilities of exactly 0 and 1",
      (m) => (m.activities[0].actions[0].modifications[2].sample.probabilities = { S: 1, M: 0, L: 0 }),
      [],
    ],
    [
      "a condition that is no object",
      (m) => (m.activities[0].actions[1].condition = "size == L"),
      [issue("activities[0].actions[1].condition", "must be a state condition {stateId, comparison, value}")],
    ],
    [
      "a modification that is no object, a value with operation sample",
      (m) => {
        m.activities[0].actions[0].modifications[0] = 5;
        mod(m, 1, { stateId: "s-no", operation: "sample", value: 1 });
      },
      [
        issue(
          `${A0}.modifications[0]`,
          "must be a state modification {stateId, operation, value | expression | sample}",
        ),
        issue(`${A0}.modifications[1].operation`, 'operation "sample" takes a sample operand, not a value'),
      ],
    ],
    [
      "modifications that are not a list",
      (m) => (m.activities[0].actions[0].modifications = {}),
      [issue(`${A0}.modifications`, "must be a list of state modifications")],
    ],
    // --- conditions and guards
    [
      "an ordering comparison on a category state",
      (m) =>
        (m.activities[0].actions[1].condition = {
          stateId: "s-size",
          comparison: "greater_than",
          value: "S",
        }),
      [
        issue(
          "activities[0].actions[1].condition.comparison",
          'comparison "greater_than" needs a number state; "size" is an entity category state',
        ),
      ],
    ],
    [
      "an unknown comparison and a missing value",
      (m) => (m.activities[0].actions[1].condition = { stateId: "s-no", comparison: "gt" }),
      [
        issue(
          "activities[0].actions[1].condition.comparison",
          'must be one of equal, not_equal, greater_than, greater_equal, less_than, less_equal (got "gt")',
        ),
        issue("activities[0].actions[1].condition.value", "is required (the value compared with)"),
      ],
    ],
    [
      "a numeric string compared with a number state",
      (m) =>
        (m.activities[0].actions[1].condition = { stateId: "s-no", comparison: "less_equal", value: "3" }),
      [],
    ],
    [
      "a word compared with a number state",
      (m) =>
        (m.activities[0].actions[1].condition = { stateId: "s-no", comparison: "equal", value: "three" }),
      [
        issue(
          "activities[0].actions[1].condition.value",
          'must be a number ("order_no" is an entity number state)',
        ),
      ],
    ],
    [
      "a branch without condition",
      (m) => delete m.activities[0].actions[1].condition,
      [
        issue(
          "activities[0].actions[1].condition",
          "is required (the state condition that picks ifTrue or ifFalse)",
        ),
      ],
    ],
    [
      "a guard on an unknown state",
      (m) => (m.activities[2].actions[0].condition.stateId = "s-x"),
      [issue("activities[2].actions[0].condition.stateId", 'references unknown state "s-x"')],
    ],
    [
      "an empty guard object",
      (m) => (m.activities[4].actions[0].condition = {}),
      [
        issue("activities[4].actions[0].condition.stateId", "is required (the id of a state)"),
        issue(
          "activities[4].actions[0].condition.comparison",
          "must be one of equal, not_equal, greater_than, greater_equal, less_than, less_equal (got undefined)",
        ),
        issue("activities[4].actions[0].condition.value", "is required (the value compared with)"),
      ],
    ],
    [
      "a script with a condition",
      (m) => (m.activities[0].actions[3].condition = { stateId: "s-no", comparison: "equal", value: 1 }),
      [
        issue(
          "activities[0].actions[3].condition",
          "a script action takes no condition (test states inside the script with if)",
        ),
      ],
    ],
    // --- scripts
    [
      "a script with a loop and an import",
      (m) => (m.activities[0].actions[3].source = "x = 1\nfor i in x:\n    pass\nimport os"),
      [
        issue("activities[0].actions[3].source", "line 2, column 1: 'for' loops are not supported"),
        issue("activities[0].actions[3].source", "line 4, column 1: 'import' is not supported"),
      ],
    ],
    [
      "a script writing an unknown state and a number into a string state",
      (m) =>
        (m.activities[0].actions[3].source =
          'x = get_state("orders")\nset_state("nope", x)\nset_state("note", x)'),
      [
        issue("activities[0].actions[3].source", "line 2, column 1: unknown state 'nope' in set_state"),
        issue(
          "activities[0].actions[3].source",
          "line 3, column 19: the value is a number but the target state 'note' is a string",
        ),
      ],
    ],
    [
      "a script without source",
      (m) => delete m.activities[0].actions[3].source,
      [issue("activities[0].actions[3].source", "is required (the script, a string)")],
    ],
    // --- split, join, create, loop
    [
      "a split to its own activity",
      (m) => (m.activities[0].actions[4].destinationId = "intake"),
      [
        issue(
          "activities[0].actions[4].destinationId",
          'must be another activity than the one the split runs in ("intake")',
        ),
      ],
    ],
    [
      "a split to an unknown activity, of an unknown entity",
      (m) => (
        (m.activities[0].actions[4].destinationId = "gen"),
        (m.activities[0].actions[4].entityTemplateId = "box")
      ),
      [
        issue("activities[0].actions[4].destinationId", 'references unknown activity "gen"'),
        issue("activities[0].actions[4].entityTemplateId", 'references unknown entity "box"'),
      ],
    ],
    [
      "a split inheriting an unknown state and a model state",
      (m) => (m.activities[0].actions[4].inheritStates = ["order_no", "ordr_no", "orders"]),
      [
        issue("activities[0].actions[4].inheritStates[1]", 'references unknown entity state "ordr_no"'),
        issue(
          "activities[0].actions[4].inheritStates[2]",
          'must name an entity state; "orders" is a model number state',
        ),
      ],
    ],
    [
      "a split index in a string state",
      (m) => (m.activities[0].actions[4].splitIndexState = "note"),
      [
        issue(
          "activities[0].actions[4].splitIndexState",
          'must name a number state; "note" is an entity string state',
        ),
      ],
    ],
    [
      "split counts 0, 1.5 and 5000",
      (m) => {
        m.activities[0].actions[4].count = 0;
        m.activities[1].actions = [
          { id: "x", type: "split", count: 1.5, destinationId: "ship" },
          { id: "y", type: "split", count: 5000, destinationId: "ship" },
        ];
      },
      [
        issue("activities[0].actions[4].count", "must be an integer >= 1"),
        issue("activities[1].actions[0].count", "must be an integer >= 1"),
        issue("activities[1].actions[1].count", "must be at most 1000"),
      ],
    ],
    [
      "a split without destination (null count is the default)",
      (m) => ((m.activities[0].actions[4].count = null), delete m.activities[0].actions[4].destinationId),
      [issue("activities[0].actions[4].destinationId", "is required (the id of an activity)")],
    ],
    [
      "a join of 1, matching an unknown state, counting into a category state",
      (m) =>
        Object.assign(m.activities[3].actions[0], {
          joinCount: 1,
          matchState: "batch",
          joinCountState: "size",
          combinedTemplateId: "",
        }),
      [
        issue("activities[3].actions[0].matchState", 'references unknown entity state "batch"'),
        issue("activities[3].actions[0].joinCount", "must be an integer >= 2"),
        issue(
          "activities[3].actions[0].joinCountState",
          'must name a number state; "size" is an entity category state',
        ),
      ],
    ],
    [
      "a join without matchState and destination",
      (m) => (delete m.activities[3].actions[0].matchState, delete m.activities[3].actions[0].destinationId),
      [
        issue(
          "activities[3].actions[0].matchState",
          "is required (the entity state whose value groups the arrivals)",
        ),
        issue("activities[3].actions[0].destinationId", "is required (the id of an activity)"),
      ],
    ],
    [
      "a create without entity",
      (m) => delete m.activities[2].actions[0].entityTemplateId,
      [issue("activities[2].actions[0].entityTemplateId", "is required (the id of an entity)")],
    ],
    [
      "loop counts -1 and Infinity",
      (m) => {
        m.activities[0].actions[2].count = -1;
        m.activities[1].actions = [{ id: "x", type: "loop", count: Infinity, actions: [] }];
      },
      [
        issue("activities[0].actions[2].count", "must be an integer >= 1"),
        issue("activities[1].actions[0].count", "must be an integer >= 1"),
      ],
    ],
    [
      "problems inside a loop and a branch, with their nested paths",
      (m) => {
        m.activities[0].actions[2].actions[0].resourceRequirementId = "nope";
        push(m.activities[0].actions[1].ifFalse, { id: "slow", type: "delay", duration: minutes(-1) });
      },
      [
        issue("activities[0].actions[1].ifFalse[0].duration.value", "must be >= 0 (got -1)"),
        issue(
          "activities[0].actions[2].actions[0].resourceRequirementId",
          'references unknown resource requirement "nope"',
        ),
      ],
    ],
    [
      "a nested action reusing an id of its activity",
      (m) => (m.activities[0].actions[2].actions[0].id = "number"),
      [issue("activities[0].actions[2].actions[0].id", 'duplicate action id "number" in this activity')],
    ],
    [
      "an authored id equal to a generated one",
      (m) => (delete m.activities[4].actions[0].id, (m.activities[4].actions[1].id = "#0")),
      [issue("activities[4].actions[1].id", 'duplicate action id "#0" in this activity')],
    ],
    [
      "actions nested 34 deep",
      (m) => {
        let list: any[] = [];
        m.activities[1].actions = list;
        for (let d = 0; d < 34; d++) {
          const inner: any[] = [];
          list.push({ type: "loop", actions: inner });
          list = inner;
        }
      },
      [
        issue(
          `activities[1].actions${"[0].actions".repeat(33)}`,
          "actions are nested too deeply (max 32 levels)",
        ),
      ],
    ],
    [
      "a delay_with_resource without requirement (a plain delay) and a release of everything",
      (m) => {
        m.activities[0].actions[2].actions[0].resourceRequirementId = null;
        m.activities[4].actions[1].resourceRequirementId = "";
      },
      [],
    ],
    [
      "a seize without requirement, a bad priority and keepResource",
      (m) =>
        push(
          m.activities[1].actions,
          { type: "seize", priority: "high" },
          { type: "delay_with_resource", duration: minutes(1), keepResource: "yes" },
        ),
      [
        issue("activities[1].actions[0].resourceRequirementId", "is required (string)"),
        issue("activities[1].actions[0].priority", "must be a finite number"),
        issue("activities[1].actions[1].keepResource", "must be a boolean"),
      ],
    ],
    [
      "request priority and keepResource of the wrong type",
      (m) =>
        Object.assign(m.resourceRequirements[0].rootClause.requests[0], { priority: "1", keepResource: 1 }),
      [
        issue("resourceRequirements[0].rootClause.requests[0].priority", "must be a finite number"),
        issue("resourceRequirements[0].rootClause.requests[0].keepResource", "must be a boolean"),
      ],
    ],
    // --- routing, connectors, queue ranking
    [
      "an unknown routing",
      (m) => (m.activities[1].routing = "round_robin"),
      [
        issue(
          "activities[1].routing",
          'must be one of probability, state_condition, entity_type (entity_template and entity are read as entity_type) (got "round_robin")',
        ),
      ],
    ],
    ...["entity_type", "Entity_Template", "entity", "PROBABILISTIC", null].map(
      (routing): [string, (m: any) => void, []] => [
        `routing ${JSON.stringify(routing)}`,
        (m) => {
          m.activities[1].routing = routing;
          delete m.connectors[1].condition;
        },
        [],
      ],
    ),
    [
      "a connector for an unknown entity, on an unknown state, with priority NaN",
      (m) =>
        Object.assign(m.connectors[1], {
          entityId: "box",
          condition: { stateId: "s-x", comparison: "equal", value: 1 },
          priority: NaN,
        }),
      [
        issue("connectors[1].entityId", 'references unknown entity "box"'),
        issue("connectors[1].condition.stateId", 'references unknown state "s-x"'),
        issue("connectors[1].priority", "must be a finite number"),
      ],
    ],
    [
      "a seize on a connector without requirement",
      (m) => (m.connectors[3].actions = [{ type: "seize" }]),
      [issue("connectors[3].actions[0].resourceRequirementId", "is required (string)")],
    ],
    [
      "queue ranking by a model state",
      (m) => (m.activities[2].queueRanking.stateId = "s-count"),
      [
        issue(
          "activities[2].queueRanking.stateId",
          'must reference an entity number state; "orders" is a model number state',
        ),
      ],
    ],
    [
      "queue ranking by a string state, in an unknown order",
      (m) => (m.activities[2].queueRanking = { stateId: "s-note", order: "random" }),
      [
        issue(
          "activities[2].queueRanking.stateId",
          'must reference an entity number state; "note" is an entity string state',
        ),
        issue("activities[2].queueRanking.order", 'must be ascending or descending (got "random")'),
      ],
    ],
    [
      "queue ranking LIFO",
      (m) => (m.activities[2].queueRanking = "LIFO"),
      [
        issue(
          "activities[2].queueRanking",
          'must be {stateId, order} (or absent, null or "FIFO" for first come, first served)',
        ),
      ],
    ],
    ["queue ranking fifo, or without order", (m) => (m.activities[2].queueRanking = { stateId: "s-no" }), []],
    // --- generator core
    [
      "a batch of 1001 and 2 000 000 entities",
      (m) => Object.assign(m.generators[0], { batchSize: 1001, maxEntities: 2_000_000 }),
      [
        issue("generators[0].batchSize", "must be at most 1000"),
        issue("generators[0].maxEntities", "must be at most 1000000 (or null for unlimited)"),
      ],
    ],
    [
      "initial states of an unknown state",
      (m) => (m.generators[0].initialStates[0].stateId = "s-x"),
      [issue("generators[0].initialStates[0].stateId", 'references unknown state "s-x"')],
    ],
    [
      "a source activity without entity or interarrival time",
      (m) => (m.activities[1].sourceConfig = { batchSize: 2 }),
      [
        issue("activities[1].sourceConfig.entityId", "is required (string)"),
        issue("activities[1].sourceConfig.interarrivalTime", "is required (a Duration)"),
      ],
    ],
    ["an empty sourceConfig", (m) => (m.activities[1].sourceConfig = {}), []],
  ])("%s", (_name, change, expected) => {
    const m = logic();
    change(m);
    const r = validateModel(m);
    expect(r.ok ? [] : r.issues).toEqual(expected);
  });

  it("reports every problem of a model in one pass, and every use of a renamed state", () => {
    const m = logic();
    m.states[1].name = "order no";
    m.activities[0].actions[0].modifications[0].stateId = "s-nope";
    m.activities[0].actions[3].source = "while True:\n    pass";
    m.activities[3].actions[0].joinCount = 1;
    const r = validateModel(m);
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual([
      "states[1].name",
      `${A0}.modifications[0].stateId`,
      "activities[0].actions[3].source",
      // Renamed, the state still resolves by id; each use of its old name is named.
      "activities[0].actions[4].inheritStates[0]",
      "activities[3].actions[0].matchState",
      "activities[3].actions[0].joinCount",
    ]);
  });
});

describe("validateModel: warnings", () => {
  const warnings = (m: any) => {
    const r = validateModel(m);
    expect(r.ok).toBe(true);
    return r.ok ? (r.warnings ?? []) : [];
  };

  it("a generator with several outgoing connectors uses the first (Q4)", () => {
    const m = logic();
    push(m.connectors, { id: "c-in2", sourceId: "gen", targetId: "pick" });
    expect(warnings(m)).toEqual([
      issue(
        "generators[0]",
        'generator "gen" has 2 outgoing connectors; only the first (connectors[0]) is used',
      ),
    ]);
  });

  it("state-condition routing never takes a connector without entityId", () => {
    const m = logic();
    delete m.connectors[2].entityId;
    expect(warnings(m)).toEqual([
      issue(
        "connectors[2].entityId",
        'activity "route" routes by state condition, which never takes a connector without entityId',
      ),
    ]);
  });

  it("entity-type routing names its connectors without entityId too", () => {
    const m = logic();
    m.activities[1].routing = "entity_template";
    delete m.connectors[1].condition;
    delete m.connectors[2].entityId;
    expect(warnings(m)).toEqual([
      issue(
        "connectors[2].entityId",
        'activity "route" routes by entity type, which never takes a connector without entityId',
      ),
    ]);
  });

  it("a connector condition is ignored unless its source routes by state condition", () => {
    const m = logic();
    m.connectors[0].condition = { stateId: "s-no", comparison: "equal", value: 1 };
    m.connectors[3].condition = { stateId: "s-no", comparison: "equal", value: 1 };
    expect(warnings(m)).toEqual([
      issue("connectors[0].condition", 'is ignored: generator "gen" does not route by state_condition'),
      issue("connectors[3].condition", 'is ignored: activity "pick" does not route by state_condition'),
    ]);
  });

  it("a join larger than its activity's capacity can never complete", () => {
    const m = logic();
    m.activities[3].capacity = 2;
    expect(warnings(m)).toEqual([
      issue(
        "activities[3].actions[0].joinCount",
        "joinCount 3 is more than the activity's capacity 2: waiting entities hold a capacity slot, so no group can ever complete",
      ),
    ]);
  });
});

function examples(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? examples(p) : p.endsWith(".json") ? [p] : [];
    });
}

describe("the Quodsi example models", () => {
  const files = examples(EXAMPLES_DIR)
    .map((f) => [relative(EXAMPLES_DIR, f), f])
    .filter(([name]) => !name.startsWith("agent-models/01-")); // the legacy verbose format

  it.each(files)("%s is valid clean wire, without warnings", (_name, file) => {
    const r = validateModel(JSON.parse(readFileSync(file, "utf8")));
    expect(r.ok ? r : r.issues).toEqual({ ok: true, value: expect.any(Object) });
  });

  it("checkRunnable accepts every action of the action tour", () => {
    const tour = JSON.parse(
      readFileSync(join(EXAMPLES_DIR, "agent-models/02-action-tour/model.json"), "utf8"),
    );
    const r = validateModel(tour);
    expect(r.ok).toBe(true);
    expect(checkRunnable(tour)).toEqual([]);
  });
});

describe("checkRunnable: the registry and feature flags", () => {
  it.each<[string, (m: any) => void, Array<{ path: string; message: string }>]>([
    [
      "a guard on a runnable action",
      (m) =>
        (m.activities[4].actions = [
          {
            type: "delay",
            duration: minutes(1),
            condition: { stateId: "s-no", comparison: "equal", value: 1 },
          },
        ]),
      [],
    ],
    [
      "a seize priority other than 1",
      (m) =>
        (m.activities[4].actions = [
          { type: "seize", resourceRequirementId: "req", priority: 2 },
          { type: "seize", resourceRequirementId: "req", priority: 1 },
        ]),
      // Runs now (Q3: lower number first in the wait lists).
      [],
    ],
    [
      "a release of everything held",
      (m) => (m.activities[4].actions = [{ type: "release", resourceRequirementId: null }]),
      // Runs now.
      [],
    ],
    [
      "a delay_with_resource without requirement, with modifications",
      (m) =>
        (m.activities[4].actions = [
          {
            type: "delay_with_resource",
            duration: minutes(1),
            modifications: [{ stateId: "s-count", operation: "add", value: 1 }],
          },
        ]),
      // Runs now: the modifications apply after the delay.
      [],
    ],
    [
      "request priority and keepResource",
      (m) =>
        Object.assign(m.resourceRequirements[0].rootClause.requests[0], { priority: 3, keepResource: true }),
      // Both run now (Q3).
      [],
    ],
    [
      "connector priority under state-condition routing (runs: it orders the matches, Q2)",
      (m) => (m.connectors[2].priority = 2),
      [],
    ],
    [
      "connector priority under probability routing (it orders nothing)",
      (m) => (m.connectors[3].priority = 2),
      [],
    ],
    [
      "an activity-scoped state (runs: one copy per activity)",
      (m) => push(m.states, { id: "s-a", name: "visits", componentType: "activity", dataType: "number" }),
      [],
    ],
    ["entity-type routing (runs)", (m) => (m.activities[4].routing = "entity_type"), []],
  ])("%s", (_name, change, expected) => {
    // The issues the change adds to those of the (logic-heavy) base model.
    const key = (i: { path: string; message: string }) => `${i.path} ${i.message}`;
    const before = new Set(checkRunnable(logic()).map(key));
    const m = logic();
    change(m);
    expect(checkRunnable(m).filter((i) => !before.has(key(i)))).toEqual(expected);
  });

  it("the runnable lists are derived from the registry, in its order", () => {
    expect(ACTION_TYPES).toEqual([
      "delay",
      "delay_with_resource",
      "seize",
      "release",
      "assign",
      "branch",
      "loop",
      "split",
      "join",
      "create",
      "dispose",
      "script",
    ]);
    expect(RUNNABLE_ACTION_TYPES).toEqual(ACTION_TYPES.filter((t) => ACTIONS[t].runnable));
    expect(KNOWN_UNSUPPORTED_ACTION_TYPES).toEqual(ACTION_TYPES.filter((t) => !ACTIONS[t].runnable));
  });

  /*
   * Every gated feature is runnable today, so `checkRunnable` says nothing of them. With every flag
   * switched off, each use must be named at its path with its message, and a default value (priority
   * 1, an empty list or object, FIFO, probability routing) must not count as a use.
   */
  it("with every feature flag off, names each use of a gated feature and no default value", () => {
    const d = minutes(1);
    const e = { stateId: "s-e", comparison: "equal", value: 1 };
    const m: any = {
      schemaVersion: "2026.12.01",
      timeUnit: "minutes",
      runTime: minutes(10),
      entities: [{ id: "job" }],
      states: [
        { id: "s-e", name: "e", componentType: "entity", dataType: "number" },
        { id: "s-r", name: "r", componentType: "resource", dataType: "number" },
        { id: "s-a", name: "a", componentType: "activity", dataType: "number" },
      ],
      resources: [{ id: "tool", capacity: 2 }],
      resourceRequirements: [
        {
          id: "req",
          rootClause: {
            requests: [
              { resourceId: "tool", priority: 2, keepResource: true },
              { resourceId: "tool", priority: 1, keepResource: false },
            ],
            clauses: [
              { requests: [{ resourceId: "tool", priority: null }] },
              { requests: [{ resourceId: "tool", priority: 3 }] },
            ],
          },
        },
      ],
      activities: [
        {
          id: "work",
          name: "Work",
          routing: "state_condition",
          queueRanking: { stateId: "s-e", order: "descending" },
          actions: [
            { id: "guarded", type: "delay", duration: d, condition: e },
            { id: "plain", type: "delay", duration: d },
            { id: "urgent", type: "seize", resourceRequirementId: "req", priority: 2 },
            { id: "normal", type: "seize", resourceRequirementId: "req", priority: 1 },
            { id: "all", type: "release" },
            { id: "one", type: "release", resourceRequirementId: "req" },
            {
              id: "bare",
              type: "delay_with_resource",
              duration: d,
              priority: 5,
              modifications: [{ stateId: "s-e", operation: "add", value: 1 }],
            },
            {
              id: "held",
              type: "delay_with_resource",
              resourceRequirementId: "req",
              duration: d,
              priority: 1,
              modifications: [],
            },
          ],
        },
        {
          id: "src",
          routing: "entity_type",
          queueRanking: "fifo",
          sourceConfig: { entityId: "job", interarrivalTime: d },
        },
        { id: "end", queueRanking: {}, sourceConfig: {} },
      ],
      generators: [
        {
          id: "g1",
          entityId: "job",
          interarrivalTime: d,
          initialStates: [{ stateId: "s-e", operation: "assign", value: 1 }],
        },
        { id: "g2", entityId: "job", interarrivalTime: d, initialStates: [] },
      ],
      connectors: [
        { id: "c1", sourceId: "work", targetId: "end", condition: e, entityId: "job", priority: 2 },
        { id: "c2", sourceId: "g1", targetId: "end", priority: 2 },
        { id: "c3", sourceId: "src", targetId: "end", stateCondition: e, priority: 2 },
        { id: "c4", sourceId: "g2", targetId: "end", condition: {}, stateCondition: null },
      ],
    };
    expect(checkRunnable(m)).toEqual([]);
    const saved = Object.entries(FEATURES).map(([key, f]) => [key, f.runnable] as const);
    try {
      for (const f of Object.values(FEATURES)) (f as { runnable: boolean }).runnable = false;
      const msg = (key: keyof typeof FEATURES) => FEATURES[key].message;
      const work = 'activity "work" (Work)';
      const req = 'resource requirement "req"';
      expect(checkRunnable(m)).toEqual([
        issue("states[1].componentType", `state "s-r" (r): ${msg("scopedStates")}`),
        issue("states[2].componentType", `state "s-a" (a): ${msg("scopedStates")}`),
        issue("resourceRequirements[0].rootClause.requests[0].priority", `${req}: ${msg("requestPriority")}`),
        issue(
          "resourceRequirements[0].rootClause.requests[0].keepResource",
          `${req}: ${msg("requestKeepResource")}`,
        ),
        issue(
          "resourceRequirements[0].rootClause.clauses[1].requests[0].priority",
          `${req}: ${msg("requestPriority")}`,
        ),
        issue("activities[0].actions[0].condition", `${work}: ${msg("actionGuard")}`),
        issue("activities[0].actions[2].priority", `${work}: ${msg("seizePriority")}`),
        issue("activities[0].actions[4].resourceRequirementId", `${work}: ${msg("releaseAll")}`),
        issue("activities[0].actions[6].resourceRequirementId", `${work}: ${msg("plainDelayWithResource")}`),
        issue("activities[0].actions[6].priority", `${work}: ${msg("seizePriority")}`),
        issue("activities[0].actions[6].modifications", `${work}: ${msg("actionModifications")}`),
        issue(
          "activities[0].routing",
          `${work}: routing "state_condition" (state routing) is not supported; only probabilistic routing by connector weight`,
        ),
        issue("activities[0].queueRanking", `${work}: ${msg("queueRanking")}`),
        issue(
          "activities[1].routing",
          'activity "src": routing "entity_type" is not supported; only probabilistic routing by connector weight',
        ),
        issue("activities[1].sourceConfig", `activity "src": ${msg("sourceConfig")}`),
        issue("generators[0].initialStates", `generator "g1": ${msg("initialStates")}`),
        issue("connectors[0].condition", `connector "c1": ${msg("connectorCondition")}`),
        issue("connectors[0].entityId", `connector "c1": ${msg("connectorEntityId")}`),
        // Priority orders the matches of a routing other than by weight; from a generator it does nothing.
        issue("connectors[0].priority", `connector "c1": ${msg("connectorPriority")}`),
        issue("connectors[2].stateCondition", `connector "c3": ${msg("connectorCondition")}`),
        issue("connectors[2].priority", `connector "c3": ${msg("connectorPriority")}`),
      ]);
    } finally {
      for (const [key, runnable] of saved)
        (FEATURES[key as keyof typeof FEATURES] as { runnable: boolean }).runnable = runnable;
    }
    expect(checkRunnable(m)).toEqual([]);
  });

  it("flipping one flag makes a feature runnable, and a runnable container is walked", () => {
    const m = logic();
    const loopOnly = {
      ...m,
      states: [],
      generators: [],
      connectors: [],
      activities: [
        {
          id: "a",
          actions: [
            {
              id: "l",
              type: "loop",
              count: 2,
              actions: [
                {
                  id: "d",
                  type: "delay",
                  duration: minutes(1),
                  condition: { stateId: "s", comparison: "equal", value: 1 },
                },
                { id: "x", type: "dispose" },
              ],
            },
          ],
        },
      ],
    };
    const was = [ACTIONS.loop.runnable, FEATURES.actionGuard.runnable, ACTIONS.dispose.runnable];
    try {
      // Every action type runs in an activity today: turn one off to see a refused one inside a loop.
      ACTIONS.dispose.runnable = false;
      ACTIONS.loop.runnable = false;
      expect(checkRunnable(loopOnly).map((i) => i.path)).toEqual(["activities[0].actions[0].type"]);
      ACTIONS.loop.runnable = true;
      FEATURES.actionGuard.runnable = false;
      expect(checkRunnable(loopOnly).map((i) => i.path)).toEqual([
        "activities[0].actions[0].actions[0].condition",
        "activities[0].actions[0].actions[1].type",
      ]);
      expect(checkRunnable(loopOnly)[1].message).toBe(
        'activity "a": action type "dispose" (disposing of entities) is not supported by this engine; an activity supports only delay, delay_with_resource, seize, release, assign, branch, loop, split, join, create, script',
      );
      FEATURES.actionGuard.runnable = true;
      expect(checkRunnable(loopOnly).map((i) => i.path)).toEqual([
        "activities[0].actions[0].actions[1].type",
      ]);
    } finally {
      [ACTIONS.loop.runnable, FEATURES.actionGuard.runnable, ACTIONS.dispose.runnable] = was;
    }
  });
});
