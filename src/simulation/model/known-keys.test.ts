import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import {
  EXAMPLES_DIR,
  jsonFilesUnder,
  mm1,
  mmcResource,
  split,
  tandem,
  unstableModel,
} from "../testing/models.js";
import { validateModel } from "../validate.js";
import { knownKeysOnly } from "./known-keys.js";

describe("knownKeysOnly", () => {
  // The valid ones: a definition is normalised once it passed validation.
  const valid = jsonFilesUnder(EXAMPLES_DIR).filter(
    (p) => validateModel(JSON.parse(readFileSync(p, "utf8")) as unknown).ok,
  );

  it("has reference models to check", () => expect(valid.length).toBeGreaterThan(5));

  it.each(valid.map((p) => [relative(EXAMPLES_DIR, p), p]))(
    "keeps every key of the reference model %s",
    (_name, file) => {
      const model = JSON.parse(readFileSync(file, "utf8")) as unknown;
      expect(knownKeysOnly(model)).toEqual({ value: model, warnings: [] });
    },
  );

  it("keeps every key of the engine's test models", () => {
    const len = { runTime: 100, warmupTime: 10 };
    for (const model of [
      mm1(1, 2, len),
      mmcResource(1, 2, 2, len),
      tandem(1, 2, 3, len),
      split(1, 1, len),
      unstableModel(),
    ])
      expect(knownKeysOnly(model)).toEqual({ value: model, warnings: [] });
  });

  it("drops unknown keys at every level, with one warning each, and leaves values of the wrong kind to validation", () => {
    const { value, warnings } = knownKeysOnly({
      timeUnit: "minutes",
      padding: "x".repeat(100),
      runTime: { unit: "minutes", value: 10, note: 1 },
      activities: [
        {
          id: "a",
          layout: { x: 1 },
          actions: [
            { type: "loop", actions: [{ type: "delay", duration: { unit: "minutes", value: 1, junk: 0 } }] },
          ],
        },
        "not an object",
      ],
      connectors: { not: "a list" },
      resourceRequirements: [{ id: "r", rootClause: { clauses: [{ clauses: [{ extra: true }] }] } }],
    });
    expect(value).toEqual({
      timeUnit: "minutes",
      runTime: { unit: "minutes", value: 10 },
      activities: [
        {
          id: "a",
          actions: [{ type: "loop", actions: [{ type: "delay", duration: { unit: "minutes", value: 1 } }] }],
        },
        "not an object",
      ],
      connectors: { not: "a list" },
      resourceRequirements: [{ id: "r", rootClause: { clauses: [{ clauses: [{}] }] } }],
    });
    expect(warnings.map((w) => w.path)).toEqual([
      "padding",
      "runTime.note",
      "activities[0].layout",
      "activities[0].actions[0].actions[0].duration.junk",
      "resourceRequirements[0].rootClause.clauses[0].clauses[0].extra",
    ]);
    expect(warnings[0].message).toBe("unknown key, dropped");
  });

  it("names the first 50 dropped keys and counts the rest", () => {
    const model: Record<string, unknown> = { timeUnit: "minutes" };
    for (let i = 0; i < 80; i++) model[`k${i}`] = i;
    const { warnings } = knownKeysOnly(model);
    expect(warnings).toHaveLength(51);
    expect(warnings.at(-1)).toEqual({ path: "", message: "30 more unknown keys dropped" });
  });

  it("keeps an inherited-looking key only when it is a wire key", () => {
    const { value, warnings } = knownKeysOnly(
      JSON.parse('{"__proto__": {"x": 1}, "constructor": 1, "toString": 2}'),
    );
    expect(value).toEqual({});
    expect(warnings.map((w) => w.path)).toEqual(["__proto__", "constructor", "toString"]);
  });
});
