import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { defaultHardening } from "../config.js";
import { applyInputHygiene } from "./input-hygiene.js";
import { createSchema } from "./schema.js";
import { applyTimeBudget } from "./time-budget.js";

describe("applyInputHygiene", () => {
  it("wraps each resolver once, however often it and the time budget are applied (several servers, one schema)", async () => {
    const schema = await createSchema();
    const limits = defaultHardening().input;
    const fields = () => {
      const query = schema.getQueryType()!.getFields();
      return [
        query.model.resolve,
        query.models.resolve,
        schema.getMutationType()!.getFields().createModel.resolve,
      ];
    };
    applyTimeBudget(schema);
    applyInputHygiene(schema, limits);
    const once = fields();
    for (let i = 0; i < 3; i++) {
      applyTimeBudget(schema);
      applyInputHygiene(schema, limits);
      applyInputHygiene(schema, limits);
      applyTimeBudget(schema);
    }
    expect(fields()).toEqual(once);
  });
});
