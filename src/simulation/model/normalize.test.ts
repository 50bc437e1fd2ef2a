import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLES_DIR } from "../testing/models.js";
import { validateModel } from "../validate.js";
import { actionId, modificationOperand, routingMode, stateInitialValue, withActionIds } from "./normalize.js";
import type { QuodsiModel, StateDeclaration } from "./wire.js";

const delay = { unit: "minutes", value: 1 } as const;

describe("withActionIds", () => {
  it("gives the coffee shop's id-less actions the ids the engine keys their streams by", () => {
    const shop = JSON.parse(
      readFileSync(join(EXAMPLES_DIR, "industries/food-service/coffee-shop/model.json"), "utf8"),
    ) as QuodsiModel;
    const before = structuredClone(shop);
    const withIds = withActionIds(shop);
    expect(withIds.activities!.map((a) => a.actions!.map((x) => x.id))).toEqual([["#0"], ["#0"], ["#0"]]);
    expect(shop).toEqual(before); // the input is never modified
    expect(withIds.resources).toBe(shop.resources); // untouched parts are shared
  });

  it("returns the model itself when every action has an id", () => {
    const tour = JSON.parse(
      readFileSync(join(EXAMPLES_DIR, "agent-models/02-action-tour/model.json"), "utf8"),
    ) as QuodsiModel;
    expect(withActionIds(tour)).toBe(tour);
  });

  it("names nested actions after their parent and list, on activities and connectors", () => {
    const m = {
      timeUnit: "minutes",
      runTime: { unit: "minutes", value: 10 },
      entities: [{ id: "e" }],
      states: [{ id: "s", name: "s", componentType: "entity", dataType: "number" }],
      activities: [
        {
          id: "a",
          actions: [
            { id: "keep", type: "delay", duration: delay },
            {
              type: "branch",
              condition: { stateId: "s", comparison: "equal", value: 1 },
              ifTrue: [{ type: "loop", count: 2, actions: [{ type: "delay", duration: delay }] }],
              ifFalse: [{ id: "named", type: "delay", duration: delay }],
            },
          ],
        },
      ],
      connectors: [{ id: "c", sourceId: "a", targetId: "a", actions: [{ type: "delay", duration: delay }] }],
    } as unknown as QuodsiModel;
    expect(validateModel(m).ok).toBe(true);
    const out = withActionIds(m);
    const branch = out.activities![0].actions![1];
    expect(branch.id).toBe("#1");
    if (branch.type !== "branch") throw new Error("not a branch");
    const loop = branch.ifTrue![0];
    expect(loop.id).toBe("#1/ifTrue#0");
    expect(loop.type === "loop" && loop.actions![0].id).toBe("#1/ifTrue#0/actions#0");
    expect(branch.ifFalse![0].id).toBe("named");
    expect(out.connectors![0].actions![0].id).toBe("#0");
    expect(out.activities![0].actions![0]).toBe(m.activities![0].actions![0]);
  });

  it("keeps an authored id, even an odd one", () => {
    expect(actionId({ id: "x" }, 3)).toBe("x");
    expect(actionId({}, 3)).toBe("#3");
    expect(actionId({ id: "" }, 0, { id: "p", list: "ifFalse" })).toBe("p/ifFalse#0");
  });
});

describe("routingMode", () => {
  it.each([
    [undefined, "probability"],
    [null, "probability"],
    ["Probability", "probability"],
    ["probabilistic", "probability"],
    ["state_condition", "state_condition"],
    ["STATE_CONDITION", "state_condition"],
    ["entity_type", "entity_type"],
    ["entity_template", "entity_type"],
    ["entity", "entity_type"],
    ["round_robin", undefined],
    [3, undefined],
  ])("%s -> %s", (wire, mode) => expect(routingMode(wire)).toBe(mode));
});

describe("stateInitialValue", () => {
  const s = (dataType: StateDeclaration["dataType"], extra: Partial<StateDeclaration> = {}) =>
    ({ id: "x", name: "x", componentType: "entity", dataType, ...extra }) as StateDeclaration;
  it("reads initialValue, and defaults each type when it is absent or null", () => {
    expect(stateInitialValue(s("number", { initialValue: 4 }))).toBe(4);
    expect(stateInitialValue(s("boolean", { initialValue: false }))).toBe(false);
    expect(stateInitialValue(s("number"))).toBe(0);
    expect(stateInitialValue(s("number", { initialValue: null }))).toBe(0);
    expect(stateInitialValue(s("boolean"))).toBe(false);
    expect(stateInitialValue(s("string"))).toBe("");
    expect(stateInitialValue(s("category", { categoryValues: ["lo", "hi"] }))).toBe("lo");
  });
});

describe("modificationOperand", () => {
  it("returns the one operand, ignoring the explicit nulls", () => {
    expect(modificationOperand({ stateId: "s", operation: "add", value: 2, expression: null })).toEqual({
      kind: "value",
      value: 2,
    });
    expect(
      modificationOperand({ stateId: "s", operation: "assign", expression: "a + 1", value: null }),
    ).toEqual({ kind: "expression", expression: "a + 1" });
    expect(
      modificationOperand({
        stateId: "s",
        operation: "sample",
        sample: { distribution: "bernoulli", p: 0.5 },
      }),
    ).toEqual({ kind: "sample", sample: { distribution: "bernoulli", p: 0.5 } });
    expect(modificationOperand({ stateId: "s", operation: "assign", value: false })).toEqual({
      kind: "value",
      value: false,
    });
  });
});
