import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateModelDocument,
  GetModelDocument,
  OverrideItemDocument,
  ScenarioOverridesDocument,
  UpdateModelDocument,
} from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { createScenario } from "../helpers/scenarios.js";
import { codes, startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";

/** Quodsi's action tour: states, assign, loop, branch, script, create, split, join, dispose. */
const tour = (): any =>
  JSON.parse(
    readFileSync(
      new URL("../fixtures/quodsi-examples/agent-models/02-action-tour/model.json", import.meta.url),
      "utf8",
    ),
  );

describe.each(backends())("models with states and entity logic on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  const key = () => tenant.apiKey;
  const modelCount = () => t.db.database.prisma.model.count({ where: { tenantId: tenant.tenantId } });
  const profileCount = () =>
    t.db.database.prisma.scenarioItemProfile.count({ where: { tenantId: tenant.tenantId } });
  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant();
  });
  afterAll(() => t.dispose());

  it("stores the action tour as given", async () => {
    const res = await t.gql(key(), CreateModelDocument, { input: { name: "Tour", definition: tour() } });
    expect(res.errors).toBeUndefined();
    expect(res.data?.createModel.definition).toEqual(tour());
  });

  it.each<[string, (m: any) => void, { path: string; message: string }[]]>([
    [
      "a modification of an unknown state",
      (m) => (m.activities[2].actions[0].modifications[0].stateId = "state-nope"),
      [
        {
          path: "definition.activities[2].actions[0].modifications[0].stateId",
          message: 'references unknown state "state-nope"',
        },
      ],
    ],
    [
      "a script outside the language, and a split inheriting an unknown state",
      (m) => {
        m.activities[5].actions[0].source = 'value = get_state("polish_count")\nwhile value > 0:\n    pass';
        m.activities[7].actions[0].inheritStates = [...m.activities[7].actions[0].inheritStates, "batch"];
      },
      [
        {
          path: "definition.activities[5].actions[0].source",
          message: "line 2, column 1: 'while' loops are not supported",
        },
        {
          path: "definition.activities[7].actions[0].inheritStates[3]",
          message: 'references unknown entity state "batch"',
        },
      ],
    ],
    [
      "a state name that is not an identifier",
      (m) => (m.states[1].name = "polish count"),
      [
        {
          path: "definition.states[1].name",
          message: expect.stringContaining('"polish count" is not a valid state name'),
        },
        // The script, the split and the join still use the old name.
        {
          path: "definition.activities[5].actions[0].source",
          message: "line 1, column 9: unknown state 'polish_count' in get_state",
        },
        {
          path: "definition.activities[5].actions[0].source",
          message: "line 2, column 1: unknown state 'polish_count' in set_state",
        },
        {
          path: "definition.activities[7].actions[0].inheritStates[1]",
          message: 'references unknown entity state "polish_count"',
        },
        {
          path: "definition.activities[8].actions[0].inheritStates[1]",
          message: 'references unknown entity state "polish_count"',
        },
      ],
    ],
    [
      "a resource state written without naming its resource, and tested on an unknown one",
      (m) => {
        m.states[m.states.length] = {
          id: "state-shifts",
          name: "shifts",
          componentType: "resource",
          dataType: "number",
        };
        m.activities[2].actions[0].modifications[1] = { stateId: "state-shifts", operation: "add", value: 1 };
        m.activities[4].actions[0].condition = {
          stateId: "state-shifts",
          componentId: "nobody",
          comparison: "equal",
          value: 1,
        };
      },
      [
        {
          path: "definition.activities[2].actions[0].modifications[1].componentId",
          message: 'is required to write a resource state: the id of the resource whose "shifts" changes',
        },
        {
          path: "definition.activities[4].actions[0].condition.componentId",
          message: 'references unknown resource "nobody"',
        },
      ],
    ],
  ])("refuses %s at createModel, naming each path, and stores nothing", async (_label, change, details) => {
    const before = await modelCount();
    const definition = tour();
    change(definition);
    const res = await t.gql(key(), CreateModelDocument, { input: { name: "Bad logic", definition } });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].extensions!.details).toEqual(details);
    expect(await modelCount()).toBe(before);
  });

  it("refuses a bad state reference at updateModel and keeps the stored definition", async () => {
    const created = (await t.gql(key(), CreateModelDocument, { input: { name: "Keep", definition: tour() } }))
      .data!.createModel;
    const definition = tour();
    definition.activities[4].actions[0].condition.stateId = "state-gone";
    const res = await t.gql(key(), UpdateModelDocument, { id: created.id, input: { definition } });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].extensions!.details).toEqual([
      {
        path: "definition.activities[4].actions[0].condition.stateId",
        message: 'references unknown state "state-gone"',
      },
    ]);
    const after = await t.gql(key(), GetModelDocument, { id: created.id });
    expect(after.data?.model).toMatchObject({ version: 1, definition: tour() });
  });

  it("overrides a state's initial value and a loop count, read back with their original values", async () => {
    const { scenarioId } = await createScenario(t, key(), tour());
    const state = await t.gql(key(), OverrideItemDocument, {
      scenarioId,
      input: {
        targetObjectType: "STATE",
        targetObjectId: "state-batch-id",
        propertyName: "initialValue",
        propertyValue: 5,
      },
    });
    expect(state.errors).toBeUndefined();
    expect(state.data?.overrideScenarioItem).toMatchObject({
      targetObjectType: "STATE",
      propertyValue: 5,
      originalValue: 1,
      operation: "SET",
    });
    const loop = await t.gql(key(), OverrideItemDocument, {
      scenarioId,
      input: {
        targetObjectType: "ACTIVITY",
        targetObjectId: "station-loop",
        propertyName: "actions.loop-polish.count",
        propertyValue: 4,
      },
    });
    expect(loop.data?.overrideScenarioItem).toMatchObject({ propertyValue: 4, originalValue: 3 });
    const scenario = (await t.gql(key(), ScenarioOverridesDocument, { id: scenarioId })).data!.scenario!;
    const effective = scenario.effectiveModel as any;
    expect(effective.states[2]).toMatchObject({ id: "state-batch-id", initialValue: 5 });
    expect(effective.activities[3].actions[0].count).toBe(4);
    expect(scenario.itemProfiles.map((p) => p.targetObjectType).sort()).toEqual(["ACTIVITY", "STATE"]);
  });

  it("refuses a state value of the wrong type and stores no override", async () => {
    const { scenarioId } = await createScenario(t, key(), tour());
    const before = await profileCount();
    const res = await t.gql(key(), OverrideItemDocument, {
      scenarioId,
      input: {
        targetObjectType: "STATE",
        targetObjectId: "state-grade",
        propertyName: "initialValue",
        propertyValue: "high",
      },
    });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].extensions!.details).toEqual([
      { path: "input.propertyValue", message: 'must be a number ("grade" is an entity number state)' },
    ]);
    expect(await profileCount()).toBe(before);
  });
});
