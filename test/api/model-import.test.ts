import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { drawioFile, loopDrawio } from "../../src/import/testing.js";
import { RunScenarioDocument } from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { createScenario, waitForState } from "../helpers/scenarios.js";
import { codes, startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";

const example = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/quodsi-examples/${path}`, import.meta.url), "utf8"));
const LEGACY_COFFEE = "agent-models/01-coffee-shop/model.json";
const CLEAN_COFFEE = "industries/food-service/coffee-shop/model.json";

const MODEL_FIELDS = `id version definition source { format schemaVersion upConverted } definitionWarnings { path message }`;
const CREATE = `mutation($input: CreateModelInput!) { createModel(input: $input) { ${MODEL_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateModelInput!) { updateModel(id: $id, input: $input) { ${MODEL_FIELDS} } }`;
const LEVERS = `query($id: ID!) { model(id: $id) { levers {
  leverId label enabled objectType objectId objectName propertyName actionId
  range { min max step } override { targetObjectType targetObjectId propertyName }
  valueType currentValue unsupportedReason path } } }`;
const OVERRIDE = `mutation($scenarioId: ID!, $input: OverrideItemInput!) { overrideScenarioItem(scenarioId: $scenarioId, input: $input) { id originalValue } }`;
const RESULTS = `query($id: ID!) { scenario(id: $id) { results {
  entities { entityId completedCount { values } averageTimeInSystem { values } }
  activities { activityId throughput { values } averageWaitTime { values } }
  resources { resourceId utilization { values } } } } }`;

interface Created {
  createModel: {
    id: string;
    version: number;
    definition: Record<string, unknown>;
    source: { format: string; schemaVersion: string | null; upConverted: boolean } | null;
    definitionWarnings: { path: string; message: string }[];
  };
}

describe.each(backends())("model import on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  const modelCount = () => t.db.database.prisma.model.count({ where: { tenantId: tenant.tenantId } });
  const create = (input: Record<string, unknown>) =>
    t.gql<Created, unknown>(tenant.apiKey, CREATE, { input: { name: "Imported", ...input } });
  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant();
  });
  afterEach(() => t.cancelActiveRuns());
  afterAll(() => t.dispose());

  it("detects a legacy Quodsi document, stores it as clean wire and records where it came from", async () => {
    const res = await create({ definition: example(LEGACY_COFFEE) });
    expect(res.errors).toBeUndefined();
    const model = res.data!.createModel;
    expect(model.source).toEqual({ format: "QUODSI_JSON", schemaVersion: "2026.08.20", upConverted: true });
    expect(model.definition).toMatchObject({
      schemaVersion: "2026.11.01",
      name: "Coffee Shop",
      replications: 5,
    });
    expect(model.definition).not.toHaveProperty("model");
    expect(model.definitionWarnings).toEqual([]);
    const row = await t.db.database.prisma.model.findUniqueOrThrow({ where: { id: model.id } });
    expect(row.source).toEqual(model.source);
  });

  it("a clean document records its version, not up-converted", async () => {
    const res = await create({ definition: example(CLEAN_COFFEE), format: "QUODSI_JSON" });
    expect(res.data?.createModel.source).toEqual({
      format: "QUODSI_JSON",
      schemaVersion: "2026.11.01",
      upConverted: false,
    });
  });

  it("the imported legacy coffee shop runs to the same results as the clean one with the same seed", async () => {
    const run = async (definition: unknown) => {
      const { scenarioId } = await createScenario(t, tenant.apiKey, definition, { reps: 5 });
      const started = await t.gql(tenant.apiKey, RunScenarioDocument, {
        id: scenarioId,
        options: { seed: 424242 },
      });
      expect(started.errors).toBeUndefined();
      await waitForState(t, tenant.apiKey, scenarioId, ["RAN_SUCCESS"], 60_000);
      const res = await t.gql<{ scenario: { results: unknown } }, { id: string }>(tenant.apiKey, RESULTS, {
        id: scenarioId,
      });
      return res.data!.scenario.results;
    };
    const legacy = await run(example(LEGACY_COFFEE));
    const clean = await run(example(CLEAN_COFFEE));
    expect(legacy).toEqual(clean);
    // Real runs of five replications each, not two empty results.
    const served = (clean as { entities: { completedCount: { values: number[] } }[] }).entities[0];
    expect(served.completedCount.values).toHaveLength(5);
    expect(Math.min(...served.completedCount.values)).toBeGreaterThan(100);
  });

  it("imports a draw.io document by detection and with format DRAWIO", async () => {
    const detected = await create({ definition: loopDrawio() });
    expect(detected.errors).toBeUndefined();
    expect(detected.data!.createModel.source).toEqual({
      format: "DRAWIO",
      schemaVersion: "2026.12.01",
      upConverted: false,
    });
    const definition = detected.data!.createModel.definition as { activities: { id: string }[] };
    expect(definition.activities.map((a) => a.id)).toEqual(["paint", "inspect"]);
    const explicit = await create({ definition: loopDrawio(), format: "DRAWIO" });
    expect(explicit.data?.createModel.definition).toEqual(detected.data!.createModel.definition);
  });

  it("says what it ignored or dropped in a draw.io document, located in the file", async () => {
    const xml = drawioFile(
      { schemaVersion: "2026.12.01", name: "m", timeUnit: "minutes", runTime: { unit: "minutes", value: 5 } },
      [
        { id: "e", type: "Entity", data: { id: "e", name: "E" } },
        { id: "act", type: "Activity", data: { id: "act", colour: "red", actions: [] } },
        {
          id: "gen",
          type: "Generator",
          data: { entityId: "e", interarrivalTime: { unit: "minutes", value: 1 } },
        },
        { id: "edge", type: "Connector", data: {}, source: "gen", target: "act" },
        { id: "sticky", type: "StickyNote", data: { text: "hi" } },
      ],
    );
    const res = await create({ definition: xml });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createModel.definitionWarnings).toEqual([
      {
        path: "diagram[0].cell[sticky].quodsiType",
        message: 'unknown Quodsi shape type "StickyNote", ignored',
      },
      { path: "diagram[0].cell[act].quodsiData.colour", message: "unknown key, dropped" },
    ]);
    // Shapes without an id take their cell's.
    expect(res.data!.createModel.definition).toMatchObject({
      generators: [{ id: "gen" }],
      connectors: [{ id: "edge", sourceId: "gen", targetId: "act" }],
    });
  });

  it("refuses a broken draw.io document with details naming the cells, and writes nothing", async () => {
    const before = await modelCount();
    const xml = drawioFile(
      { schemaVersion: "2026.12.01", name: "m", timeUnit: "minutes", runTime: { unit: "minutes", value: 5 } },
      [
        { id: "act", type: "Activity", data: { id: "act", capacity: -1, actions: [] } },
        {
          id: "gen",
          type: "Generator",
          data: { id: "gen", entityId: "nobody", interarrivalTime: { unit: "minutes", value: 1 } },
        },
        { id: "edge", type: "Connector", data: { id: "edge" }, source: "gen", target: "act" },
      ],
    );
    const res = await create({ definition: xml });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    const paths = res.errors![0].extensions!.details!.map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "definition.diagram[0].cell[act].quodsiData.capacity",
        "definition.diagram[0].cell[gen].quodsiData.entityId",
      ]),
    );
    const notXml = await create({ definition: "<mxfile><diagram>", format: "DRAWIO" });
    expect(codes(notXml)).toEqual(["BAD_USER_INPUT"]);
    expect(notXml.errors![0].extensions!.details![0]).toMatchObject({
      path: "definition",
      message: expect.stringContaining("not well-formed XML"),
    });
    const objectAsDrawio = await create({ definition: example(CLEAN_COFFEE), format: "DRAWIO" });
    expect(codes(objectAsDrawio)).toEqual(["BAD_USER_INPUT"]);
    expect(await modelCount()).toBe(before);
  });

  it("refuses a legacy document that cannot be converted, naming where", async () => {
    const legacy = example(LEGACY_COFFEE) as { generators: { generationConfig: Record<string, unknown> }[] };
    legacy.generators[0].generationConfig.generatorType = "TIME_DISTRIBUTED";
    const res = await create({ definition: legacy });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].extensions!.details!.map((d) => d.path)).toEqual([
      "definition.generators[0].generationConfig.generatorType",
    ]);
  });

  it("updateModel accepts a draw.io document and records the new source", async () => {
    const created = (await create({ definition: example(CLEAN_COFFEE) })).data!.createModel;
    const res = await t.gql<{ updateModel: Created["createModel"] }, unknown>(tenant.apiKey, UPDATE, {
      id: created.id,
      input: { definition: loopDrawio() },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateModel.version).toBe(2);
    expect(res.data!.updateModel.source?.format).toBe("DRAWIO");
  });

  describe("levers", () => {
    const withLevers = () => {
      const def = example(CLEAN_COFFEE) as Record<string, unknown> & {
        resources: Record<string, unknown>[];
        activities: Record<string, unknown>[];
        generators: Record<string, unknown>[];
      };
      def.levers = [
        {
          leverId: "reps",
          propertyName: "REPS",
          enabled: true,
          label: "Replications",
          range: { min: 5, max: 20, step: 5 },
        },
      ];
      def.resources[1].levers = [
        {
          leverId: "baristas",
          propertyName: "CAPACITY",
          enabled: true,
          label: "Baristas",
          range: { min: 2, max: 5, step: 1 },
        },
      ];
      def.activities[0].actions = [{ ...(def.activities[0].actions as object[])[0], id: "take-order" }];
      def.activities[0].levers = [
        {
          leverId: "order-time",
          propertyName: "DURATION",
          actionId: "take-order",
          enabled: false,
          range: { min: 1, max: 3, step: 0.5 },
        },
      ];
      def.generators[0].levers = [
        { leverId: "gap", propertyName: "INTERARRIVAL_TIMING", range: { min: 1, max: 4 } },
      ];
      return def;
    };

    it("lists each lever with its object, range and the override that changes it", async () => {
      const created = await create({ definition: withLevers() });
      expect(created.errors).toBeUndefined();
      const res = await t.gql<{ model: { levers: Record<string, unknown>[] } }, { id: string }>(
        tenant.apiKey,
        LEVERS,
        {
          id: created.data!.createModel.id,
        },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.model.levers).toEqual([
        {
          leverId: "reps",
          label: "Replications",
          enabled: true,
          objectType: "MODEL",
          objectId: "model",
          objectName: "Coffee Shop",
          propertyName: "REPS",
          actionId: null,
          range: { min: 5, max: 20, step: 5 },
          override: null,
          valueType: null,
          currentValue: null,
          unsupportedReason: expect.stringContaining("scenario's reps"),
          path: "levers[0]",
        },
        {
          leverId: "baristas",
          label: "Baristas",
          enabled: true,
          objectType: "RESOURCE",
          objectId: "barista",
          objectName: "Barista",
          propertyName: "CAPACITY",
          actionId: null,
          range: { min: 2, max: 5, step: 1 },
          override: { targetObjectType: "RESOURCE", targetObjectId: "barista", propertyName: "capacity" },
          valueType: "INTEGER",
          currentValue: 2,
          unsupportedReason: null,
          path: "resources[1].levers[0]",
        },
        {
          leverId: "order-time",
          label: null,
          enabled: false,
          objectType: "ACTIVITY",
          objectId: "Order",
          objectName: "Order",
          propertyName: "DURATION",
          actionId: "take-order",
          range: { min: 1, max: 3, step: 0.5 },
          override: {
            targetObjectType: "ACTIVITY",
            targetObjectId: "Order",
            propertyName: "actions.take-order.duration",
          },
          valueType: "DURATION",
          currentValue: { unit: "minutes", distribution: "exponential", scale: 1 },
          unsupportedReason: null,
          path: "activities[0].levers[0]",
        },
        {
          leverId: "gap",
          label: null,
          enabled: true,
          objectType: "GENERATOR",
          objectId: "arrivals",
          objectName: "Arrivals",
          propertyName: "INTERARRIVAL_TIMING",
          actionId: null,
          range: { min: 1, max: 4, step: null },
          override: {
            targetObjectType: "GENERATOR",
            targetObjectId: "arrivals",
            propertyName: "interarrivalTime",
          },
          valueType: "DURATION",
          currentValue: { unit: "minutes", distribution: "exponential", scale: 2 },
          unsupportedReason: null,
          path: "generators[0].levers[0]",
        },
      ]);
    });

    it("a lever's override is accepted by overrideScenarioItem as it is", async () => {
      const { modelId, scenarioId } = await createScenario(t, tenant.apiKey, withLevers());
      const levers = await t.gql<
        { model: { levers: { override: Record<string, string> | null; range: { max: number } }[] } },
        { id: string }
      >(tenant.apiKey, LEVERS, { id: modelId });
      const capacity = levers.data!.model.levers[1];
      const res = await t.gql<{ overrideScenarioItem: { originalValue: unknown } }, unknown>(
        tenant.apiKey,
        OVERRIDE,
        {
          scenarioId,
          input: { ...capacity.override, propertyValue: capacity.range.max },
        },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.overrideScenarioItem.originalValue).toBe(2);
    });

    it("a model without levers has none; malformed levers are refused with their path", async () => {
      const plain = await create({ definition: example(CLEAN_COFFEE) });
      const none = await t.gql<{ model: { levers: unknown[] } }, { id: string }>(tenant.apiKey, LEVERS, {
        id: plain.data!.createModel.id,
      });
      expect(none.data!.model.levers).toEqual([]);
      const bad = withLevers();
      bad.resources[1].levers = [{ propertyName: "CAPACITY", range: { min: 5, max: 2, step: 0 } }];
      const res = await create({ definition: bad });
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      expect(res.errors![0].extensions!.details!.map((d) => d.path)).toEqual([
        "definition.resources[1].levers[0].range",
        "definition.resources[1].levers[0].range.step",
      ]);
    });

    it("levers in a draw.io shape are kept and exposed", async () => {
      const created = await create({
        definition: loopDrawio([
          { leverId: "cap", propertyName: "ACTIVITY_CAPACITY", range: { min: 1, max: 3, step: 1 } },
        ]),
      });
      expect(created.errors).toBeUndefined();
      const res = await t.gql<{ model: { levers: Record<string, unknown>[] } }, { id: string }>(
        tenant.apiKey,
        LEVERS,
        {
          id: created.data!.createModel.id,
        },
      );
      expect(res.data!.model.levers).toMatchObject([
        {
          objectType: "ACTIVITY",
          objectId: "paint",
          override: { targetObjectType: "ACTIVITY", targetObjectId: "paint", propertyName: "capacity" },
          currentValue: 1,
        },
      ]);
    });
  });
});
