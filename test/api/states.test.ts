import { readFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QuodsiModel, SimulationSummary } from "../../src/simulation/index.js";
import { OverrideItemDocument, RunScenarioDocument } from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { createScenario, waitForState } from "../helpers/scenarios.js";
import { startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";

/**
 * Quodsi's assign example (revenue 240 from four orders totalling 24, 48, 72
 * and 96), plus a string model state that the big orders set to "busy".
 */
const assign = (): QuodsiModel => {
  const m = JSON.parse(
    readFileSync(
      new URL("../fixtures/quodsi-examples/learn/actions/assign/model.json", import.meta.url),
      "utf8",
    ),
  ) as QuodsiModel;
  m.states!.push({
    id: "state-desk",
    name: "desk",
    componentType: "model",
    dataType: "string",
    initialValue: "calm",
  });
  // An activity state: each activity counts the orders it finished (ship: 4).
  m.states!.push({ id: "state-done", name: "done", componentType: "activity", dataType: "number" });
  for (const a of m.activities!)
    a.actions!.push({
      id: `${a.id}-done`,
      type: "assign",
      modifications: [{ stateId: "state-done", operation: "add", value: 1 }],
    });
  m.activities![2].actions!.push({
    id: "desk-busy",
    type: "assign",
    modifications: [{ stateId: "state-desk", operation: "assign", value: "busy" }],
  });
  return m;
};

const STATES_QUERY = `query($id: ID!) {
  scenarioRun(id: $id) {
    results {
      states {
        model {
          stateId name dataType
          finalValue { mean values } timeAverage { mean } min { mean } max { mean }
          finalDistribution { value share { mean values } }
        }
        entities { entityId name states { stateId name dataType atExit { mean values } } }
        resources { componentId }
        activities { componentId name states { stateId name finalValue { mean values } } }
      }
    }
  }
}`;

interface StatesResult {
  model: Array<{
    stateId: string;
    name: string;
    dataType: string;
    finalValue: { mean: number; values: number[] } | null;
    timeAverage: { mean: number } | null;
    min: { mean: number } | null;
    max: { mean: number } | null;
    finalDistribution: Array<{ value: string; share: { mean: number; values: number[] } }> | null;
  }>;
  entities: Array<{
    entityId: string;
    name: string;
    states: Array<{
      stateId: string;
      name: string;
      dataType: string;
      atExit: { mean: number; values: number[] };
    }>;
  }>;
  resources: unknown[];
  activities: Array<{
    componentId: string;
    name: string;
    states: Array<{ stateId: string; name: string; finalValue: { mean: number; values: number[] } }>;
  }>;
}

describe.each(backends())("state results over the API on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  const key = () => tenant.apiKey;

  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant();
  });
  afterAll(() => t.dispose());

  async function run(override?: number) {
    const { scenarioId } = await createScenario(t, key(), assign(), { reps: 2 });
    if (override !== undefined) {
      const res = await t.gql(key(), OverrideItemDocument, {
        scenarioId,
        input: {
          targetObjectType: "STATE",
          targetObjectId: "state-revenue",
          propertyName: "initialValue",
          propertyValue: override,
        },
      });
      expect(res.errors).toBeUndefined();
    }
    await t.gql(key(), RunScenarioDocument, { id: scenarioId });
    const done = await waitForState(t, key(), scenarioId, ["RAN_SUCCESS", "RAN_WITH_ERRORS"]);
    expect(done.state).toBe("RAN_SUCCESS");
    return { scenarioId, runId: done.latestRun!.id, folder: done.latestRun!.blobStoragePath! };
  }

  it("reads model states, string shares and entity states at exit over GraphQL and in states.csv", async () => {
    const { runId, folder } = await run();
    const res = await t.gql<{ scenarioRun: { results: { states: StatesResult } } }, { id: string }>(
      key(),
      STATES_QUERY,
      { id: runId },
    );
    expect(res.errors).toBeUndefined();
    const states = res.data!.scenarioRun.results.states;
    const revenue = states.model.find((s) => s.name === "revenue")!;
    // Revenue 24 at t=2, 72 at 7, 144 at 15, 240 at 20 (the two big orders wait 3 min for approval), over 60 min.
    expect(revenue).toMatchObject({
      stateId: "state-revenue",
      dataType: "number",
      finalValue: { mean: 240, values: [240, 240] },
      min: { mean: 0 },
      max: { mean: 240 },
      finalDistribution: null,
    });
    expect(revenue.timeAverage!.mean).toBeCloseTo((24 * 5 + 72 * 8 + 144 * 5 + 240 * 40) / 60, 9);
    expect(states.model.find((s) => s.name === "desk")).toEqual({
      stateId: "state-desk",
      name: "desk",
      dataType: "string",
      finalValue: null,
      timeAverage: null,
      min: null,
      max: null,
      finalDistribution: [{ value: "busy", share: { mean: 1, values: [1, 1] } }],
    });
    expect(states.entities).toHaveLength(1);
    expect(states.entities[0]).toMatchObject({ entityId: "order", name: "Order" });
    expect(states.entities[0].states.find((s) => s.name === "total")).toEqual({
      stateId: "state-total",
      name: "total",
      dataType: "number",
      atExit: { mean: 60, values: [60, 60] },
    });
    expect(states.resources).toEqual([]);
    // Orders finished per activity: all 4 take and ship, 2 need approval.
    expect(states.activities.map((a) => [a.name, a.states[0].finalValue.values])).toEqual([
      ["Take Order", [4, 4]],
      ["Check Total", [4, 4]],
      ["Manager Approval", [2, 2]],
      ["Ship Order", [4, 4]],
    ]);

    // results.json holds the same state results as GraphQL serves.
    const json = JSON.parse(await readFile(path.join(folder, "results.json"), "utf8")) as SimulationSummary;
    expect(json.states!.model.find((x) => x.name === "revenue")!.finalValue!.values).toEqual([240, 240]);
    expect(json.states!.model.find((x) => x.name === "desk")!.finalDistribution).toEqual(
      states.model
        .find((x) => x.name === "desk")!
        .finalDistribution!.map((d) => ({
          value: d.value,
          share: expect.objectContaining(d.share),
        })),
    );

    const csv = await fetch(t.url.replace("/graphql", `/runs/${runId}/states.csv`), {
      headers: { "x-api-key": key() },
    });
    expect(csv.status).toBe(200);
    const rows = (await csv.text()).trim().split("\n");
    expect(rows[0]).toBe(
      "scope,ownerId,ownerName,stateId,state,metric,value,mean,stdDev,ciHalfWidth,min,max,reps",
    );
    expect(rows).toContain("model,,,state-revenue,revenue,finalValue,,240,0,0,240,240,2");
    expect(rows).toContain("model,,,state-desk,desk,finalShare,busy,1,0,0,1,1,2");
    expect(rows).toContain("entity,order,Order,state-total,total,atExit,,60,0,0,60,60,2");
    expect(rows).toContain("activity,approval,Manager Approval,state-done,done,finalValue,,2,0,0,2,2,2");
    const long = await fetch(t.url.replace("/graphql", `/runs/${runId}/results.csv`), {
      headers: { "x-api-key": key() },
    });
    expect((await long.text()).split("\n")).toContain(
      "modelState,state-revenue,revenue,finalValue,240,0,0,240,240,2",
    );
  });

  it("answers 404 for the states table of a run written before it existed", async () => {
    const { runId, folder } = await run();
    await rm(path.join(folder, "states.csv"));
    const res = await fetch(t.url.replace("/graphql", `/runs/${runId}/states.csv`), {
      headers: { "x-api-key": key() },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "NOT_FOUND" });
  });

  it("serves results stored with the earlier untyped state results without them, and still compares them", async () => {
    const { scenarioId, runId } = await run();
    const prisma = t.db.database.prisma;
    const row = await prisma.scenarioRun.findUniqueOrThrow({
      where: { id: runId },
      select: { results: true },
    });
    const stored = row.results as { states: { model: Array<{ finalValue: { mean: number } }> } };
    const legacy = {
      ...stored,
      states: {
        model: [{ name: "desk", finalDistribution: { busy: 1 } }],
        entities: [
          { entityId: "order", states: { total: { mean: stored.states.model[0].finalValue.mean } } },
        ],
      },
    };
    await prisma.scenarioRun.update({ where: { id: runId }, data: { results: legacy } });
    const res = await t.gql<{ scenarioRun: { results: { reps: number; states: unknown } } }, { id: string }>(
      key(),
      `query($id: ID!) { scenarioRun(id: $id) { results { reps states { model { name } } } } }`,
      { id: runId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.scenarioRun.results).toEqual({ reps: 2, states: null });
    const compared = await t.gql<
      { compareScenarios: { scenarios: Array<{ metrics: Array<{ objectType: string }> }> } },
      { ids: string[] }
    >(key(), `query($ids: [ID!]!) { compareScenarios(ids: $ids) { scenarios { metrics { objectType } } } }`, {
      ids: [scenarioId],
    });
    expect(compared.errors).toBeUndefined();
    const types = new Set(compared.data!.compareScenarios.scenarios[0].metrics.map((m) => m.objectType));
    expect([...types]).toEqual(["activity", "resource", "entity"].filter((x) => types.has(x)));
  });

  it("compares two scenarios that differ by a state's initial value, state by state", async () => {
    const base = await run();
    const more = await run(100);
    const res = await t.gql<
      {
        compareScenarios: {
          scenarios: Array<{
            metrics: Array<{
              objectType: string;
              objectId: string;
              name: string;
              metric: string;
              value: { mean: number };
              baseline: { mean: number } | null;
              difference: number | null;
              significant: boolean;
            }>;
          }>;
        };
      },
      { ids: string[]; baselineId: string }
    >(
      key(),
      `query($ids: [ID!]!, $baselineId: ID) { compareScenarios(ids: $ids, baselineId: $baselineId) {
        scenarios { metrics { objectType objectId name metric value { mean } baseline { mean } difference significant } } } }`,
      { ids: [base.scenarioId, more.scenarioId], baselineId: base.scenarioId },
    );
    expect(res.errors).toBeUndefined();
    const metrics = res.data!.compareScenarios.scenarios[1].metrics;
    const row = (objectId: string, metric: string) =>
      metrics.find((m) => m.objectId === objectId && m.metric === metric);
    expect(row("state-revenue", "finalValue")).toMatchObject({
      objectType: "modelState",
      name: "revenue",
      value: { mean: 340 },
      baseline: { mean: 240 },
      difference: 100,
      significant: true,
    });
    expect(row("state-revenue", "min")).toMatchObject({ difference: 100, significant: true });
    // The orders' own states and the string state do not move.
    expect(row("order/state-total", "atExit")).toMatchObject({
      objectType: "entityState",
      name: "Order.total",
      difference: 0,
      significant: false,
    });
    expect(row("state-desk", "finalShare:busy")).toMatchObject({ difference: 0, significant: false });
  });
});
