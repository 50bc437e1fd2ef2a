import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  applyOverrides,
  OVERRIDABLE_PROPERTIES,
  TARGET_OBJECT_TYPES,
  validateOverride,
  type ModelOverride,
} from "../overrides.js";
import { EXAMPLES_DIR } from "../testing/models.js";
import type { QuodsiModel } from "../types.js";

const load = (file: string) => JSON.parse(readFileSync(join(EXAMPLES_DIR, file), "utf8")) as QuodsiModel;

/** The action tour, with one state of each other type and a loop without count. */
function tour(): QuodsiModel {
  const m = load("agent-models/02-action-tour/model.json");
  m.states!.push(
    {
      id: "s-lane",
      name: "lane",
      componentType: "entity",
      dataType: "category",
      categoryValues: ["fast", "slow"],
    },
    { id: "s-rush", name: "rush", componentType: "entity", dataType: "boolean", initialValue: false },
    { id: "s-note", name: "note", componentType: "model", dataType: "string", initialValue: "x" },
  );
  m.activities![9].actions!.push({ id: "pack-loop", type: "loop", actions: [] });
  return m;
}

const o = (
  targetObjectType: ModelOverride["targetObjectType"],
  targetObjectId: string,
  propertyName: string,
  propertyValue: unknown,
  operation?: ModelOverride["operation"],
): ModelOverride => ({ targetObjectType, targetObjectId, propertyName, propertyValue, operation });

const issue = (path: string, message: string) => ({ ok: false, issues: [{ path, message }] });

describe("overrides of states and logic fields", () => {
  it("STATE is a target type with one property, initialValue", () => {
    expect(TARGET_OBJECT_TYPES).toContain("STATE");
    expect(OVERRIDABLE_PROPERTIES.STATE).toEqual(["initialValue"]);
    expect(OVERRIDABLE_PROPERTIES.ACTIVITY).toEqual(
      expect.arrayContaining(["actions.<actionId or index>.count", "actions.<actionId or index>.joinCount"]),
    );
  });

  it.each<[string, ModelOverride, unknown]>([
    ["a number state's initial value", o("STATE", "state-batch-id", "initialValue", 7), { originalValue: 1 }],
    [
      "a category state's default initial value",
      o("STATE", "s-lane", "initialValue", "slow"),
      { originalValue: "fast" },
    ],
    ["a boolean state", o("STATE", "s-rush", "initialValue", true), { originalValue: false }],
    ["a string state", o("STATE", "s-note", "initialValue", "y"), { originalValue: "x" }],
    [
      "a number state multiplied",
      o("STATE", "state-batch-id", "initialValue", 2.5, "MULTIPLY"),
      { originalValue: 1 },
    ],
    ["a loop count", o("ACTIVITY", "station-loop", "actions.loop-polish.count", 4), { originalValue: 3 }],
    ["a loop count by index", o("ACTIVITY", "station-loop", "actions.0.count", 4), { originalValue: 3 }],
    [
      "a loop count that is absent (1)",
      o("ACTIVITY", "station-pack", "actions.pack-loop.count", 2),
      { originalValue: 1 },
    ],
    ["a split count", o("ACTIVITY", "station-split", "actions.split-two.count", 3), { originalValue: 2 }],
    [
      "a split count doubled",
      o("ACTIVITY", "station-split", "actions.split-two.count", 2, "MULTIPLY"),
      { originalValue: 2 },
    ],
    ["a join size", o("ACTIVITY", "station-join", "actions.join-pieces.joinCount", 3), { originalValue: 2 }],
    [
      "the duration of a delay inside a branch, by its id",
      o("ACTIVITY", "station-branch", "actions.branch-slow-delay.duration", { unit: "minutes", value: 4 }),
      { originalValue: { unit: "minutes", value: 5.0 } },
    ],
  ])("%s", (_name, override, expected) => {
    const base = tour();
    expect(validateOverride(base, override)).toEqual({ ok: true, value: expected });
  });

  it("writes the new values where the runtime reads them, and the model stays valid", () => {
    const base = tour();
    const r = applyOverrides(base, [
      o("STATE", "state-batch-id", "initialValue", 7),
      o("STATE", "state-grade", "initialValue", 3, "MULTIPLY"), // 0 × 3
      o("STATE", "s-lane", "initialValue", "slow"),
      o("ACTIVITY", "station-loop", "actions.loop-polish.count", 4),
      o("ACTIVITY", "station-split", "actions.split-two.count", 2, "MULTIPLY"),
      o("ACTIVITY", "station-join", "actions.join-pieces.joinCount", 4),
      o("ACTIVITY", "station-branch", "actions.branch-slow-delay.duration", { unit: "minutes", value: 4 }),
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const m = r.value;
    expect(m.states!.map((s) => s.initialValue)).toEqual([0, 0, 7, 0, 0, "slow", false, "x"]);
    const action = (a: number, j = 0) => m.activities![a].actions![j] as Record<string, unknown>;
    expect(action(3).count).toBe(4);
    expect(action(7).count).toBe(4);
    expect(action(8).joinCount).toBe(4);
    expect((action(4).ifFalse as Array<Record<string, unknown>>)[1].duration).toEqual({
      unit: "minutes",
      value: 4,
    });
    expect(base.states![2].initialValue).toBe(1); // the base model is untouched
    // A join of 4 at an activity of capacity 2 can never complete: a warning, not an error.
    expect(r.warnings).toEqual([
      {
        path: "activities[8].actions[0].joinCount",
        message: expect.stringContaining("joinCount 4 is more than the activity's capacity 2"),
      },
    ]);
  });

  it("addresses an action without id by its generated id", () => {
    const shop = load("industries/food-service/coffee-shop/model.json");
    expect(
      validateOverride(shop, o("ACTIVITY", "Order", "actions.#0.duration", { unit: "minutes", value: 2 })),
    ).toEqual({
      ok: true,
      value: { originalValue: { unit: "minutes", distribution: "exponential", scale: 1.0 } },
    });
  });

  it.each<[string, ModelOverride, unknown]>([
    [
      "a category value outside the categories",
      o("STATE", "s-lane", "initialValue", "medium"),
      issue("propertyValue", '"medium" is not one of the categories of state "lane" (fast, slow)'),
    ],
    [
      "a string for a number state",
      o("STATE", "state-grade", "initialValue", "3"),
      issue("propertyValue", 'must be a number ("grade" is an entity number state)'),
    ],
    [
      "a string for a boolean state",
      o("STATE", "s-rush", "initialValue", "true"),
      issue("propertyValue", 'must be true or false ("rush" is an entity boolean state)'),
    ],
    [
      "no value",
      o("STATE", "s-note", "initialValue", null),
      issue("propertyValue", "is required (a value of the state's type)"),
    ],
    [
      "an infinite value",
      o("STATE", "state-grade", "initialValue", Infinity),
      issue("propertyValue", "must be a finite number"),
    ],
    [
      "a multiplied category state",
      o("STATE", "s-lane", "initialValue", 2, "MULTIPLY"),
      issue(
        "operation",
        `only a number state's initialValue can be multiplied; "lane" is a category state: use SET`,
      ),
    ],
    [
      "an unknown state",
      o("STATE", "state-x", "initialValue", 1),
      issue("targetObjectId", 'no state with id "state-x" in the model'),
    ],
    [
      "another property of a state",
      o("STATE", "state-grade", "name", "g"),
      issue("propertyName", '"name" is not overridable on STATE; allowed: initialValue'),
    ],
    [
      "a split count of 0",
      o("ACTIVITY", "station-split", "actions.split-two.count", 0),
      issue("propertyValue", "must be an integer >= 1"),
    ],
    [
      "a split count of 1001",
      o("ACTIVITY", "station-split", "actions.split-two.count", 1001),
      issue("propertyValue", "must be at most 1000"),
    ],
    [
      "a split count multiplied past 1000",
      o("ACTIVITY", "station-split", "actions.split-two.count", 600, "MULTIPLY"),
      issue("propertyValue", "2 × 600 rounds to 1200, above the maximum 1000"),
    ],
    [
      "a join of 1",
      o("ACTIVITY", "station-join", "actions.join-pieces.joinCount", 1),
      issue("propertyValue", "must be an integer >= 2"),
    ],
    [
      "a count on a delay",
      o("ACTIVITY", "station-pack", "actions.pack-delay.count", 2),
      issue(
        "propertyName",
        'action "pack-delay" (delay) of activity "station-pack" has no count; count is a property of loop and split actions',
      ),
    ],
    [
      "a join size on a loop",
      o("ACTIVITY", "station-loop", "actions.loop-polish.joinCount", 2),
      issue(
        "propertyName",
        'action "loop-polish" (loop) of activity "station-loop" has no joinCount; joinCount is a property of join actions',
      ),
    ],
    [
      "a duration on an assign nested in a loop",
      o("ACTIVITY", "station-loop", "actions.loop-polish-add.duration", { unit: "minutes", value: 1 }),
      issue("propertyName", 'action "loop-polish-add" (assign) of activity "station-loop" has no duration'),
    ],
  ])("refuses %s", (_name, override, expected) => {
    expect(validateOverride(tour(), override)).toEqual(expected);
  });
});
