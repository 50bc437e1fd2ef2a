import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DeleteScenarioDocument,
  DuplicateScenarioDocument,
  GetItemProfileDocument,
  ModelAttentionDocument,
  OverrideItemDocument,
  RemoveItemProfileDocument,
  RestoreScenarioDocument,
  RunScenarioDocument,
  ScenarioOverridesDocument,
  UpdateItemProfileDocument,
  UpdateModelDocument,
  CreateScenarioDocument,
  CancelScenarioDocument,
  type OverrideItemInput,
} from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { createScenario, waitForState } from "../helpers/scenarios.js";
import { codes, startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";
import { coffeeShop, mm1 } from "../fixtures/models.js";

const exp = (scale: number) => ({ unit: "minutes", distribution: "exponential", scale });

/** Every overridable property, with a valid value and where it lands in the effective model. */
const ALL_PROPERTIES: [OverrideItemInput, (m: any) => unknown, unknown][] = [
  [
    { targetObjectType: "ACTIVITY", targetObjectId: "service", propertyName: "capacity", propertyValue: 4 },
    (m) => m.activities[0].capacity,
    4,
  ],
  [
    {
      targetObjectType: "ACTIVITY",
      targetObjectId: "service",
      propertyName: "inboundCapacity",
      propertyValue: 50,
    },
    (m) => m.activities[0].inboundCapacity,
    50,
  ],
  [
    {
      targetObjectType: "ACTIVITY",
      targetObjectId: "service",
      propertyName: "outboundCapacity",
      propertyValue: 0,
    },
    (m) => m.activities[0].outboundCapacity,
    0,
  ],
  [
    {
      targetObjectType: "ACTIVITY",
      targetObjectId: "service",
      propertyName: "actions.serve.duration",
      propertyValue: exp(0.9),
    },
    (m) => m.activities[0].actions[0].duration,
    exp(0.9),
  ],
  [
    { targetObjectType: "RESOURCE", targetObjectId: "server", propertyName: "capacity", propertyValue: 2 },
    (m) => m.resources[0].capacity,
    2,
  ],
  [
    {
      targetObjectType: "GENERATOR",
      targetObjectId: "arrivals",
      propertyName: "interarrivalTime",
      propertyValue: exp(1.5),
    },
    (m) => m.generators[0].interarrivalTime,
    exp(1.5),
  ],
  [
    {
      targetObjectType: "GENERATOR",
      targetObjectId: "arrivals",
      propertyName: "startDelay",
      propertyValue: { unit: "minutes", value: 3 },
    },
    (m) => m.generators[0].startDelay,
    { unit: "minutes", value: 3 },
  ],
  [
    {
      targetObjectType: "GENERATOR",
      targetObjectId: "arrivals",
      propertyName: "batchSize",
      propertyValue: 2,
    },
    (m) => m.generators[0].batchSize,
    2,
  ],
  [
    {
      targetObjectType: "GENERATOR",
      targetObjectId: "arrivals",
      propertyName: "maxEntities",
      propertyValue: 500,
    },
    (m) => m.generators[0].maxEntities,
    500,
  ],
  [
    { targetObjectType: "CONNECTOR", targetObjectId: "in", propertyName: "weight", propertyValue: 2.5 },
    (m) => m.connectors[0].weight,
    2.5,
  ],
  [
    {
      targetObjectType: "RESOURCE_REQUIREMENT",
      targetObjectId: "req-server",
      propertyName: "requests.server.quantity",
      propertyValue: 1,
    },
    (m) => m.resourceRequirements[0].rootClause.requests[0].quantity,
    1,
  ],
  [
    { targetObjectType: "MODEL", targetObjectId: "model", propertyName: "seed", propertyValue: 7 },
    (m) => m.seed,
    7,
  ],
  [
    {
      targetObjectType: "MODEL",
      targetObjectId: "model",
      propertyName: "runTime",
      propertyValue: { unit: "hours", value: 10 },
    },
    (m) => m.runTime,
    { unit: "hours", value: 10 },
  ],
  [
    {
      targetObjectType: "MODEL",
      targetObjectId: "model",
      propertyName: "warmupTime",
      propertyValue: { unit: "minutes", value: 30 },
    },
    (m) => m.warmupTime,
    { unit: "minutes", value: 30 },
  ],
];

describe.each(backends())("what-if overrides on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  const key = () => tenant.apiKey;
  const profileCount = () =>
    t.db.database.prisma.scenarioItemProfile.count({ where: { tenantId: tenant.tenantId } });
  const override = (scenarioId: string, input: OverrideItemInput) =>
    t.gql(key(), OverrideItemDocument, { scenarioId, input });

  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant();
  });
  afterEach(() => t.cancelActiveRuns());
  afterAll(() => t.dispose());

  it("applies every overridable property to the effective model, and a run executes exactly that model", async () => {
    const { scenarioId } = await createScenario(t, key(), mm1({ runTime: { unit: "minutes", value: 300 } }), {
      reps: 2,
    });
    for (const [input] of ALL_PROPERTIES) {
      const res = await override(scenarioId, input);
      expect(res.errors, input.propertyName).toBeUndefined();
    }
    const scenario = (await t.gql(key(), ScenarioOverridesDocument, { id: scenarioId })).data!.scenario!;
    expect(scenario.itemProfiles).toHaveLength(ALL_PROPERTIES.length);
    for (const [input, read, expected] of ALL_PROPERTIES)
      expect(read(scenario.effectiveModel), input.propertyName).toEqual(expected);
    expect((scenario.effectiveModel as { replications: number }).replications).toBe(2);

    await t.gql(key(), RunScenarioDocument, { id: scenarioId });
    await waitForState(t, key(), scenarioId, ["RAN_SUCCESS"]);
    const ran = (await t.gql(key(), ScenarioOverridesDocument, { id: scenarioId })).data!.scenario!;
    expect(ran.latestRun?.effectiveModel).toEqual(scenario.effectiveModel);
  });

  it("records the base value as originalValue", async () => {
    const { scenarioId } = await createScenario(t, key(), coffeeShop());
    const res = await override(scenarioId, {
      targetObjectType: "RESOURCE",
      targetObjectId: "barista",
      propertyName: "capacity",
      propertyValue: 3,
      changeReason: "hire",
    });
    expect(res.data?.overrideScenarioItem).toMatchObject({
      originalValue: 2,
      propertyValue: 3,
      operation: "SET",
      changeReason: "hire",
    });
  });

  it("doubling the server of an M/M/1 (λ=0.8, μ=1) drops time in system from 5 to about 1.19", async () => {
    const model = mm1({
      replications: 5,
      runTime: { unit: "minutes", value: 50_000 },
      warmupTime: { unit: "minutes", value: 1_000 },
    });
    const { analysisId, scenarioId: base } = await createScenario(t, key(), model, { reps: 5 });
    const doubled = (
      await t.gql(key(), CreateScenarioDocument, { input: { analysisId, name: "Two servers", reps: 5 } })
    ).data!.createScenario.id;
    await override(doubled, {
      targetObjectType: "RESOURCE",
      targetObjectId: "server",
      propertyName: "capacity",
      propertyValue: 2,
    });
    for (const id of [base, doubled]) await t.gql(key(), RunScenarioDocument, { id });
    const timeInSystem = async (id: string) =>
      (await waitForState(t, key(), id, ["RAN_SUCCESS"])).results!.entities[0].averageTimeInSystem;
    const one = await timeInSystem(base);
    const two = await timeInSystem(doubled);
    expect(Math.abs(one.mean - 5)).toBeLessThan(0.5);
    expect(Math.abs(two.mean - 1.1905)).toBeLessThan(0.05);
    expect(Math.abs(two.mean - 1.1905)).toBeLessThan(two.ciHalfWidth * 2 + 0.01);
  });

  it("MULTIPLY scales an interarrival time", async () => {
    const { scenarioId } = await createScenario(t, key(), mm1());
    const res = await override(scenarioId, {
      targetObjectType: "GENERATOR",
      targetObjectId: "arrivals",
      propertyName: "interarrivalTime",
      propertyValue: 0.8,
      operation: "MULTIPLY",
    });
    expect(res.data?.overrideScenarioItem).toMatchObject({
      operation: "MULTIPLY",
      propertyValue: 0.8,
      originalValue: exp(1.25),
    });
    const eff = (await t.gql(key(), ScenarioOverridesDocument, { id: scenarioId })).data!.scenario!
      .effectiveModel as any;
    expect(eff.generators[0].interarrivalTime).toEqual(exp(1));
  });

  it.each([
    [
      "an unknown target",
      { targetObjectType: "ACTIVITY", targetObjectId: "nowhere", propertyName: "capacity", propertyValue: 2 },
      "input.targetObjectId",
    ],
    [
      "a target of another type",
      { targetObjectType: "ACTIVITY", targetObjectId: "server", propertyName: "capacity", propertyValue: 2 },
      "input.targetObjectId",
    ],
    [
      "an unknown property",
      { targetObjectType: "RESOURCE", targetObjectId: "server", propertyName: "colour", propertyValue: 2 },
      "input.propertyName",
    ],
    [
      "a negative capacity",
      { targetObjectType: "RESOURCE", targetObjectId: "server", propertyName: "capacity", propertyValue: -1 },
      "input.propertyValue",
    ],
    [
      "a Duration with a bad distribution",
      {
        targetObjectType: "GENERATOR",
        targetObjectId: "arrivals",
        propertyName: "interarrivalTime",
        propertyValue: { unit: "minutes", distribution: "gaussian-ish", mean: 1 },
      },
      "input.propertyValue",
    ],
    [
      "a string where a number goes",
      { targetObjectType: "CONNECTOR", targetObjectId: "in", propertyName: "weight", propertyValue: "heavy" },
      "input.propertyValue",
    ],
    [
      "an entity property",
      { targetObjectType: "ENTITY", targetObjectId: "customer", propertyName: "name", propertyValue: "x" },
      "input.propertyName",
    ],
    [
      "a MULTIPLY by zero",
      {
        targetObjectType: "RESOURCE",
        targetObjectId: "server",
        propertyName: "capacity",
        propertyValue: 0,
        operation: "MULTIPLY",
      },
      "input.propertyValue",
    ],
  ] as [string, OverrideItemInput, string][])(
    "refuses %s with BAD_USER_INPUT and writes nothing",
    async (_label, input, path) => {
      const { scenarioId } = await createScenario(t, key(), mm1());
      const before = await profileCount();
      const res = await override(scenarioId, input);
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      expect(res.errors![0].extensions!.details!.map((d) => d.path).some((p) => p.startsWith(path))).toBe(
        true,
      );
      expect(await profileCount()).toBe(before);
    },
  );

  it("upserts on (scenario, target, property): one row, last value wins", async () => {
    const { scenarioId } = await createScenario(t, key(), mm1());
    const input: OverrideItemInput = {
      targetObjectType: "RESOURCE",
      targetObjectId: "server",
      propertyName: "capacity",
      propertyValue: 2,
    };
    const a = await override(scenarioId, input);
    const b = await override(scenarioId, { ...input, propertyValue: 3 });
    expect(b.data?.overrideScenarioItem.id).toBe(a.data?.overrideScenarioItem.id);
    const profiles = (await t.gql(key(), ScenarioOverridesDocument, { id: scenarioId })).data!.scenario!
      .itemProfiles;
    expect(profiles.map((p) => p.propertyValue)).toEqual([3]);
  });

  it("updates and removes a profile; the effective model follows", async () => {
    const { scenarioId } = await createScenario(t, key(), mm1());
    const id = (
      await override(scenarioId, {
        targetObjectType: "RESOURCE",
        targetObjectId: "server",
        propertyName: "capacity",
        propertyValue: 2,
      })
    ).data!.overrideScenarioItem.id;
    const updated = await t.gql(key(), UpdateItemProfileDocument, {
      id,
      input: { propertyValue: 5, description: "five" },
    });
    expect(updated.data?.updateScenarioItemProfile).toMatchObject({ propertyValue: 5, description: "five" });
    expect(
      codes(await t.gql(key(), UpdateItemProfileDocument, { id, input: { propertyValue: -5 } })),
    ).toEqual(["BAD_USER_INPUT"]);
    expect(
      (await t.gql(key(), GetItemProfileDocument, { id })).data?.scenarioItemProfile?.propertyValue,
    ).toBe(5);
    expect((await t.gql(key(), RemoveItemProfileDocument, { id })).data?.removeScenarioItemProfile).toBe(
      true,
    );
    const eff = (await t.gql(key(), ScenarioOverridesDocument, { id: scenarioId })).data!.scenario!
      .effectiveModel as any;
    expect(eff.resources[0].capacity).toBe(1);
    expect(codes(await t.gql(key(), RemoveItemProfileDocument, { id }))).toEqual(["NOT_FOUND"]);
  });

  it("marks results stale after an override of a finished scenario, until the next run", async () => {
    const { scenarioId } = await createScenario(t, key(), coffeeShop(), { reps: 2 });
    await t.gql(key(), RunScenarioDocument, { id: scenarioId });
    await waitForState(t, key(), scenarioId, ["RAN_SUCCESS"]);
    const res = await override(scenarioId, {
      targetObjectType: "RESOURCE",
      targetObjectId: "barista",
      propertyName: "capacity",
      propertyValue: 3,
    });
    expect(res.data?.overrideScenarioItem.scenario).toMatchObject({
      state: "READY_TO_RUN",
      resultsStale: true,
    });
    await t.gql(key(), RunScenarioDocument, { id: scenarioId });
    const done = await waitForState(t, key(), scenarioId, ["RAN_SUCCESS"]);
    expect(done.resultsStale).toBe(false);
    expect(done.runs).toHaveLength(2);
  });

  it("refuses override edits while the scenario runs", async () => {
    const { scenarioId } = await createScenario(
      t,
      key(),
      mm1({ runTime: { unit: "minutes", value: 100_000_000 } }),
      { reps: 1 },
    );
    await t.gql(key(), RunScenarioDocument, { id: scenarioId });
    await waitForState(t, key(), scenarioId, ["IS_RUNNING"]);
    const before = await profileCount();
    expect(
      codes(
        await override(scenarioId, {
          targetObjectType: "RESOURCE",
          targetObjectId: "server",
          propertyName: "capacity",
          propertyValue: 2,
        }),
      ),
    ).toEqual(["INVALID_STATE"]);
    expect(await profileCount()).toBe(before);
    await t.gql(key(), CancelScenarioDocument, { id: scenarioId });
    await waitForState(t, key(), scenarioId, ["CANCELLED"]);
  });

  it("re-validates overrides when the model changes: broken scenarios become NOT_READY_TO_RUN with the reason", async () => {
    const {
      modelId,
      analysisId,
      scenarioId: broken,
    } = await createScenario(t, key(), coffeeShop(), { reps: 2 });
    await override(broken, {
      targetObjectType: "RESOURCE",
      targetObjectId: "barista",
      propertyName: "capacity",
      propertyValue: 3,
    });
    const fine = (
      await t.gql(key(), CreateScenarioDocument, { input: { analysisId, name: "Fine", reps: 2 } })
    ).data!.createScenario.id;
    await t.gql(key(), RunScenarioDocument, { id: fine });
    await waitForState(t, key(), fine, ["RAN_SUCCESS"]);

    // The new definition renames the barista, so the override no longer has a target.
    const renamed = JSON.parse(JSON.stringify(coffeeShop()).replaceAll('"barista"', '"baristas"'));
    const res = await t.gql(key(), UpdateModelDocument, { id: modelId, input: { definition: renamed } });
    expect(res.errors).toBeUndefined();
    expect(res.data?.updateModel.version).toBe(2);

    const b = (await t.gql(key(), ScenarioOverridesDocument, { id: broken })).data!.scenario!;
    expect(b.state).toBe("NOT_READY_TO_RUN");
    expect(b.stateReason).toMatch(/itemProfiles\[0\]\.targetObjectId/);
    const f = (await t.gql(key(), ScenarioOverridesDocument, { id: fine })).data!.scenario!;
    expect(f).toMatchObject({ state: "READY_TO_RUN", resultsStale: true });
    const attention = (await t.gql(key(), ModelAttentionDocument, { id: modelId })).data!.model!
      .scenariosNeedingAttention;
    expect(attention.map((s) => s.id)).toEqual([broken]);
    expect(codes(await t.gql(key(), RunScenarioDocument, { id: broken }))).toEqual(["BAD_USER_INPUT"]);
  });

  it("duplicates overrides with the scenario, and delete/restore keeps them", async () => {
    const { scenarioId } = await createScenario(t, key(), mm1());
    await override(scenarioId, {
      targetObjectType: "RESOURCE",
      targetObjectId: "server",
      propertyName: "capacity",
      propertyValue: 2,
    });
    const copy = await t.gql(key(), DuplicateScenarioDocument, { id: scenarioId });
    expect(copy.data?.duplicateScenario.itemProfiles).toEqual([
      { targetObjectId: "server", propertyName: "capacity", propertyValue: 2 },
    ]);
    await t.gql(key(), DeleteScenarioDocument, { id: scenarioId });
    expect(
      await t.db.database.prisma.scenarioItemProfile.count({ where: { scenarioId, isDeleted: false } }),
    ).toBe(0);
    await t.gql(key(), RestoreScenarioDocument, { id: scenarioId });
    const restored = (await t.gql(key(), ScenarioOverridesDocument, { id: scenarioId })).data!.scenario!;
    expect(restored.itemProfiles.map((p) => p.propertyValue)).toEqual([2]);
  });

  it("hides another tenant's profiles and refuses to touch them", async () => {
    const { scenarioId } = await createScenario(t, key(), mm1());
    const id = (
      await override(scenarioId, {
        targetObjectType: "RESOURCE",
        targetObjectId: "server",
        propertyName: "capacity",
        propertyValue: 2,
      })
    ).data!.overrideScenarioItem.id;
    const other = await t.tenant();
    expect((await t.gql(other.apiKey, GetItemProfileDocument, { id })).data?.scenarioItemProfile).toBeNull();
    expect(
      codes(await t.gql(other.apiKey, UpdateItemProfileDocument, { id, input: { propertyValue: 9 } })),
    ).toEqual(["NOT_FOUND"]);
    expect(codes(await t.gql(other.apiKey, RemoveItemProfileDocument, { id }))).toEqual(["NOT_FOUND"]);
    expect(
      codes(
        await t.gql(other.apiKey, OverrideItemDocument, {
          scenarioId,
          input: {
            targetObjectType: "RESOURCE",
            targetObjectId: "server",
            propertyName: "capacity",
            propertyValue: 9,
          },
        }),
      ),
    ).toEqual(["NOT_FOUND"]);
    expect(
      (await t.gql(key(), GetItemProfileDocument, { id })).data?.scenarioItemProfile?.propertyValue,
    ).toBe(2);
    expect(
      (await t.gql(key(), GetItemProfileDocument, { id: "not-a-uuid" })).data?.scenarioItemProfile,
    ).toBeNull();
    expect(codes(await t.gql(key(), RemoveItemProfileDocument, { id: "not-a-uuid" }))).toEqual(["NOT_FOUND"]);
  });
});
