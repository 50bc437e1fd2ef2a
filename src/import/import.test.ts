import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { simulate, validateModel, type QuodsiModel } from "../simulation/index.js";
import { knownKeysOnly } from "../simulation/model/known-keys.js";
import { EXAMPLES_DIR } from "../simulation/testing/models.js";
import { detectFormat, importDefinition } from "./index.js";
import { isLegacyDocument, upConvertLegacy } from "./legacy.js";
import { drawioFile, escapeAttr, loopDrawio } from "./testing.js";

const example = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(EXAMPLES_DIR, path), "utf8")) as Record<string, unknown>;
const LEGACY_COFFEE = "agent-models/01-coffee-shop/model.json";
const CLEAN_COFFEE = "industries/food-service/coffee-shop/model.json";

function imported(definition: unknown, format?: "QUODSI_JSON" | "DRAWIO") {
  const r = importDefinition(definition, format);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

function valid(definition: unknown): QuodsiModel {
  const v = validateModel(knownKeysOnly(definition).value);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.value;
}

describe("legacy Quodsi JSON", () => {
  it("is recognised by its version or its nested model block, and clean documents are not", () => {
    expect(isLegacyDocument(example(LEGACY_COFFEE))).toBe(true);
    expect(isLegacyDocument({ schemaVersion: "2026.07.27" })).toBe(true);
    expect(isLegacyDocument({ model: { reps: 1 } })).toBe(true);
    expect(isLegacyDocument(example(CLEAN_COFFEE))).toBe(false);
    expect(isLegacyDocument({ schemaVersion: "2026.12.01", model: {}, runTime: {} })).toBe(false);
  });

  it("the legacy coffee shop up-converts to the clean one (apart from its explicit cycle cap)", () => {
    const { definition, source } = imported(example(LEGACY_COFFEE));
    expect(source).toEqual({ format: "QUODSI_JSON", schemaVersion: "2026.08.20", upConverted: true });
    const clean = valid(example(CLEAN_COFFEE));
    const converted = valid(definition);
    // The legacy file caps the generator at 100000 creation events; the clean one leaves it unlimited.
    expect(converted.generators![0]).toMatchObject({ maxCycles: 100000 });
    const { maxCycles: _cap, ...generator } = converted.generators![0] as unknown as Record<string, unknown>;
    expect({ ...converted, schemaVersion: clean.schemaVersion, generators: [generator] }).toEqual(clean);
  });

  it("the legacy coffee shop gives the same results as the clean one with the same seed", async () => {
    const clean = valid(example(CLEAN_COFFEE));
    const converted = valid(imported(example(LEGACY_COFFEE)).definition);
    const options = { replications: 5, seed: 20260807, timePeriod: "hourly" as const };
    const [a, b] = await Promise.all([simulate(clean, options), simulate(converted, options)]);
    expect(b.activities).toEqual(a.activities);
    expect(b.resources).toEqual(a.resources);
    expect(b.entities).toEqual(a.entities);
    expect(a.entities[0].completedCount.mean).toBeGreaterThan(100); // a real run, not two empty ones
  });

  it("converts states, conditions, modifications, samples, connectors and routing by the §4 table", () => {
    const { value, issues } = upConvertLegacy({
      schemaVersion: "2026.08.20",
      model: {
        name: "m",
        reps: 2,
        oneClockUnit: "HOURS",
        runClockPeriod: 8,
        runClockPeriodUnit: "HOURS",
        simulationTimeType: "Clock",
        warmupClockPeriod: 1,
        warmupClockPeriodUnit: "HOURS",
      },
      states: [
        {
          id: "s1",
          name: "kind",
          componentType: "ENTITY",
          dataType: "CATEGORY",
          categoryValues: ["a", "b"],
          initialValue: "a",
          type: "State",
        },
      ],
      activities: [
        {
          id: "A",
          type: "Activity",
          connectType: "StateCondition",
          inboundQueueCapacity: 999999,
          outboundQueueCapacity: 5,
          actions: [
            {
              actionType: "ASSIGN",
              stateCondition: { stateName: "kind", comparison: "!=", value: "b" },
              stateModifications: [
                {
                  stateUniqueId: "s1",
                  operation: "sample",
                  distributionType: "sample_multinomial_one",
                  distributionParameters: { probabilities: { a: 0.5, b: 0.5 } },
                },
              ],
            },
            {
              actionType: "DELAY",
              duration: {
                durationPeriodUnit: "MINUTES",
                distribution: { distributionType: "uniform", parameters: { low: 1, high: 3 } },
              },
            },
            {
              actionType: "DELAY",
              duration: {
                durationPeriodUnit: "MINUTES",
                distribution: { distributionType: "normal", parameters: { loc: 5, scale: 1 } },
              },
            },
          ],
          connectors: [
            {
              id: "nested",
              targetId: "B",
              stateCondition: { stateName: "kind", comparison: "==", value: "a" },
            },
          ],
        },
      ],
      connectors: [
        {
          id: "c",
          sourceId: "A",
          destinationUniqueId: "B",
          entityTemplateUniqueId: "e",
          destinationPriority: 2,
          x: 3,
          description: "d",
          stateModifications: [{ stateName: "kind", operation: "=", value: "b" }],
        },
      ],
    });
    expect(issues).toEqual([]);
    expect(value).toMatchObject({
      schemaVersion: "2026.11.01",
      name: "m",
      replications: 2,
      timeUnit: "hours",
      runTime: { unit: "hours", value: 8 },
      warmupTime: { unit: "hours", value: 1 },
      states: [{ id: "s1", componentType: "entity", dataType: "category" }],
    });
    const [activity] = value.activities as Record<string, unknown>[];
    expect(activity).toEqual({
      id: "A",
      routing: "state_condition",
      outboundCapacity: 5,
      actions: [
        {
          type: "assign",
          condition: { stateId: "s1", comparison: "not_equal", value: "b" },
          modifications: [
            {
              stateId: "s1",
              operation: "sample",
              sample: { distribution: "categorical", probabilities: { a: 0.5, b: 0.5 } },
            },
          ],
        },
        { type: "delay", duration: { unit: "minutes", distribution: "uniform", min: 1, max: 3 } },
        { type: "delay", duration: { unit: "minutes", distribution: "normal", mean: 5, std: 1 } },
      ],
    });
    expect(value.connectors).toEqual([
      {
        id: "c",
        sourceId: "A",
        targetId: "B",
        entityId: "e",
        priority: 2,
        actions: [
          {
            id: "c-assign",
            type: "assign",
            modifications: [{ stateId: "s1", operation: "assign", value: "b" }],
          },
        ],
      },
      {
        id: "nested",
        sourceId: "A",
        targetId: "B",
        condition: { stateId: "s1", comparison: "equal", value: "a" },
      },
    ]);
  });

  it("names every conversion problem with its path", () => {
    const { issues } = upConvertLegacy({
      schemaVersion: "2026.08.20",
      model: { simulationTimeType: "Sometimes" },
      generators: [{ id: "g", generationConfig: { generatorType: "TIME_DISTRIBUTED", entityId: "e" } }],
      resourceRequirements: [{ id: "r", rootClauses: [{}, {}] }],
      activities: [
        {
          id: "a",
          actions: [
            { actionType: "ASSIGN", stateCondition: { stateName: "nope", comparison: "==", value: 1 } },
          ],
        },
      ],
    });
    expect(issues.map((i) => i.path)).toEqual([
      "model.simulationTimeType",
      "resourceRequirements[0].rootClauses",
      "activities[0].actions[0].stateCondition.stateName",
      "generators[0].generationConfig.generatorType",
    ]);
  });

  it("a JSON string is read as Quodsi JSON; invalid JSON is refused", () => {
    expect(detectFormat(JSON.stringify(example(CLEAN_COFFEE)))).toBe("QUODSI_JSON");
    expect(imported(JSON.stringify(example(CLEAN_COFFEE))).source.upConverted).toBe(false);
    const bad = importDefinition("{ nope", "QUODSI_JSON");
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.issues[0]).toMatchObject({ path: "", message: expect.stringContaining("not valid JSON") });
  });
});

describe("draw.io documents", () => {
  it("assembles quodsiModel and each shape's quodsiData into one clean document", async () => {
    const xml = loopDrawio();
    expect(detectFormat(xml)).toBe("DRAWIO");
    const { definition, source } = imported(xml);
    expect(source).toEqual({ format: "DRAWIO", schemaVersion: "2026.12.01", upConverted: false });
    const model = valid(definition);
    expect(model.activities!.map((a) => a.id)).toEqual(["paint", "inspect"]);
    expect(model.connectors!.map((c) => [c.sourceId, c.targetId])).toEqual([
      ["parts", "paint"],
      ["paint", "inspect"],
    ]);
    const s = await simulate(model, { replications: 1, seed: 1, timePeriod: "hourly" });
    // Three parts, three coats of 2 minutes each, then 1 minute of inspection: 7 minutes in the system.
    expect(s.entities[0].completedCount.mean).toBe(3);
    expect(s.entities[0].averageTimeInSystem.mean).toBeCloseTo(7, 9);
  });

  it("reads a compressed page (base64 of deflated, URI-encoded XML) the way draw.io writes it", () => {
    const graph = /<mxGraphModel[\s\S]*<\/mxGraphModel>/.exec(loopDrawio())![0];
    const compressed = deflateRawSync(Buffer.from(encodeURIComponent(graph))).toString("base64");
    const xml = `<mxfile host="test"><diagram id="p" name="Page-1">${compressed}</diagram></mxfile>`;
    expect(valid(imported(xml, "DRAWIO").definition).activities).toHaveLength(2);
  });

  it("up-converts legacy shapes and takes a connector's ends from its cell", () => {
    const xml = drawioFile(
      {
        schemaVersion: "2026.08.20",
        model: {
          name: "old",
          reps: 1,
          oneClockUnit: "MINUTES",
          runClockPeriod: 60,
          runClockPeriodUnit: "MINUTES",
        },
      },
      [
        {
          id: "g",
          type: "Generator",
          data: {
            id: "g",
            name: "G",
            generationConfig: {
              entityId: "00000000-0000-0000-0000-000000000000",
              generatorType: "FREQUENCY",
              periodIntervalDuration: {
                durationPeriodUnit: "MINUTES",
                distribution: { distributionType: "constant", parameters: { value: 10 } },
              },
              entitiesPerCreation: 1,
            },
          },
        },
        {
          id: "a",
          type: "Activity",
          data: {
            id: "a",
            name: "A",
            capacity: 1,
            inboundQueueCapacity: 999999,
            actions: [
              {
                actionType: "DELAY_WITH_RESOURCE",
                duration: {
                  durationPeriodUnit: "MINUTES",
                  distribution: { distributionType: "constant", parameters: { value: 1 } },
                },
                resourceRequirementId: null,
                keepResource: false,
                stateModifications: [],
                stateCondition: null,
              },
            ],
            connectType: "Probability",
          },
        },
        { id: "e1", type: "Connector", data: { id: "e1", weight: 1 }, source: "g", target: "a" },
      ],
      "2026.08.20",
    );
    const { definition, source } = imported(xml);
    expect(source).toEqual({ format: "DRAWIO", schemaVersion: "2026.08.20", upConverted: true });
    const model = valid(definition);
    expect(model.connectors![0]).toMatchObject({ sourceId: "g", targetId: "a" });
    expect(model.entities!.map((e) => e.id)).toEqual(["00000000-0000-0000-0000-000000000000"]);
    expect(model.activities![0].actions![0]).toEqual({
      type: "delay_with_resource",
      duration: { unit: "minutes", value: 1 },
    });
  });

  it("reads a 2026.12.01 root that also carries a leftover model block, with resource lanes that name declared resources", () => {
    const xml = drawioFile(
      {
        schemaVersion: "2026.12.01",
        name: "Clinic",
        timeUnit: "minutes",
        runTime: { unit: "hours", value: 1 },
        model: { id: "drawio-model", name: "Clinic", runTime: { unit: "hours", value: 1 } },
        workSchedules: [],
        entities: [{ id: "p", name: "Patient" }],
        resources: [{ id: "desk", name: "Desk", capacity: 2 }],
        resourceRequirements: [
          {
            id: "desk",
            name: "Desk",
            rootClause: { id: "c", mode: "require_all", requests: [{ resourceId: "desk" }] },
          },
        ],
      },
      [
        { id: "lane", type: "Resource", data: { type: "Resource", resourceId: "desk" } },
        {
          id: "g",
          type: "Generator",
          data: { id: "g", entityId: "p", interarrivalTime: { unit: "minutes", value: 5 } },
        },
        {
          id: "a",
          type: "Activity",
          data: {
            id: "a",
            actions: [
              {
                id: "d",
                type: "delay_with_resource",
                resourceRequirementId: "desk",
                duration: { unit: "minutes", value: 3 },
              },
            ],
          },
        },
        { id: "e", type: "Connector", data: { id: "e", sourceId: "g", targetId: "a" } },
      ],
    );
    const { definition, source } = imported(xml);
    expect(source.upConverted).toBe(false);
    const model = valid(definition);
    expect(model.resources).toEqual([{ id: "desk", name: "Desk", capacity: 2 }]);
    expect(model.runTime).toEqual({ unit: "hours", value: 1 });
  });

  it("refuses a broken document with details naming the cell", () => {
    const xml = drawioFile(
      { schemaVersion: "2026.12.01", name: "m", timeUnit: "minutes", runTime: { unit: "minutes", value: 1 } },
      [
        { id: "a1", type: "Activity", raw: "{not json" },
        { id: "lane", type: "Resource", data: { type: "Resource", resourceId: "ghost" } },
      ],
    );
    const r = importDefinition(xml);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual([
      "diagram[0].cell[a1].quodsiData",
      "diagram[0].cell[lane].quodsiData.resourceId",
    ]);
    expect(r.issues[0].message).toMatch(/not valid JSON/);
  });

  it("refuses XML that is not well formed, a DOCTYPE, a file without a model, and a non-string", () => {
    const cases: [unknown, RegExp][] = [
      ["<mxfile><diagram></mxfile>", /Expected closing tag 'diagram'/],
      ['<!DOCTYPE x [<!ENTITY a "b">]><mxfile/>', /document type declaration/],
      [
        '<mxfile><diagram id="p"><mxGraphModel><root><mxCell id="0"/></root></mxGraphModel></diagram></mxfile>',
        /no Quodsi model/,
      ],
      ["<svg/>", /expected a draw.io document/],
      [`<mxfile><diagram>${Buffer.from("garbage").toString("base64")}</diagram></mxfile>`, /compressed page/],
      [{ not: "xml" }, /XML document as a string/],
    ];
    for (const [input, message] of cases) {
      const r = importDefinition(input, "DRAWIO");
      expect(r.ok, String(input)).toBe(false);
      if (!r.ok) expect(r.issues[0].message).toMatch(message);
    }
  });

  it("a root cell without quodsiModel (settings missing) is refused, naming it", () => {
    const xml = drawioFile(undefined, [{ id: "a", type: "Activity", data: { id: "a" } }], "2026.07.27");
    const r = importDefinition(xml);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues[0]).toMatchObject({
        path: "diagram[0].cell[0].quodsiModel",
        message: expect.stringMatching(/run settings/),
      });
  });

  it("escapes attribute text so that quotes and ampersands survive", () => {
    expect(escapeAttr(`a&"<b>'`)).toBe("a&amp;&quot;&lt;b&gt;&apos;");
  });
});
