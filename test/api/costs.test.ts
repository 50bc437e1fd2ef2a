import { readFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QuodsiModel, SimulationSummary } from "../../src/simulation/index.js";
import { CreateModelDocument, OverrideItemDocument, RunScenarioDocument } from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { createScenario, waitForState } from "../helpers/scenarios.js";
import { startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";

/**
 * Quodsi's seize-release example (deterministic, 120 min): the nurse is busy
 * 33 min (3 seizes), Treatment is occupied 18 min by 3 patients. With these
 * rates: nurse 3 × 5 + 0.55 h × 30 + 1.45 h × 12 = 48.9; Treatment
 * 100 + 3 × 2 + 0.3 h × 40 + 1.7 h × 10 = 135; in total 183.9.
 */
const costed = (): QuodsiModel => {
  const m = JSON.parse(
    readFileSync(
      new URL("../fixtures/quodsi-examples/learn/actions/seize-release/model.json", import.meta.url),
      "utf8",
    ),
  ) as QuodsiModel;
  m.resources![1].financialProperties = {
    enabled: true,
    costPerSeize: 5,
    costPerHourUtilized: 30,
    costPerHourIdle: 12,
  };
  m.activities![2].financialProperties = {
    enabled: true,
    fixedCost: 100,
    costPerEntityProcessed: 2,
    costPerHourActive: 40,
    costPerHourIdle: 10,
  };
  return m;
};

const COSTS_QUERY = `query($id: ID!) {
  scenarioRun(id: $id) {
    results {
      costs {
        resources { resourceId name seizeCost { mean values } utilizationCost { mean } idleCost { mean } totalCost { mean ciHalfWidth } }
        activities { activityId name fixedCost { mean } processingCost { mean } operationalCost { mean } totalCost { mean } }
        scenario { totalActivityCost { mean } totalResourceCost { mean } totalCost { mean values } }
      }
    }
  }
}`;

interface Mean {
  mean: number;
}
interface CostsResult {
  resources: Array<{
    resourceId: string;
    name: string;
    seizeCost: Mean & { values: number[] };
    utilizationCost: Mean;
    idleCost: Mean;
    totalCost: Mean & { ciHalfWidth: number };
  }>;
  activities: Array<{
    activityId: string;
    name: string;
    fixedCost: Mean;
    processingCost: Mean;
    operationalCost: Mean;
    totalCost: Mean;
  }>;
  scenario: { totalActivityCost: Mean; totalResourceCost: Mean; totalCost: Mean & { values: number[] } };
}

interface Comparison {
  compareScenarios: {
    scenarios: Array<{
      metrics: Array<{
        objectType: string;
        objectId: string;
        name: string;
        metric: string;
        value: Mean;
        baseline: Mean | null;
        difference: number | null;
        significant: boolean;
      }>;
    }>;
  };
}

describe.each(backends())("cost results over the API on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  const key = () => tenant.apiKey;

  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant();
  });
  afterAll(() => t.dispose());

  async function run(definition: unknown, override?: Record<string, unknown>) {
    const { scenarioId } = await createScenario(t, key(), definition, { reps: 2 });
    if (override) {
      const res = await t.gql(key(), OverrideItemDocument, { scenarioId, input: override as never });
      expect(res.errors).toBeUndefined();
    }
    await t.gql(key(), RunScenarioDocument, { id: scenarioId });
    const done = await waitForState(t, key(), scenarioId, ["RAN_SUCCESS", "RAN_WITH_ERRORS"]);
    expect(done.state).toBe("RAN_SUCCESS");
    return { scenarioId, runId: done.latestRun!.id, folder: done.latestRun!.blobStoragePath! };
  }

  const costsOf = async (runId: string) => {
    const res = await t.gql<{ scenarioRun: { results: { costs: CostsResult | null } } }, { id: string }>(
      key(),
      COSTS_QUERY,
      { id: runId },
    );
    expect(res.errors).toBeUndefined();
    return res.data!.scenarioRun.results.costs;
  };

  it("reads resource, activity and scenario costs over GraphQL, in results.json and in costs.csv", async () => {
    const { runId, folder } = await run(costed());
    const costs = (await costsOf(runId))!;
    expect(costs.resources).toHaveLength(1);
    const nurse = costs.resources[0];
    expect(nurse).toMatchObject({
      resourceId: "nurse",
      name: "Nurse",
      seizeCost: { mean: 15, values: [15, 15] },
    });
    expect(nurse.utilizationCost.mean).toBeCloseTo(16.5, 9);
    expect(nurse.idleCost.mean).toBeCloseTo(17.4, 9);
    expect(nurse.totalCost.mean).toBeCloseTo(48.9, 9);
    expect(nurse.totalCost.ciHalfWidth).toBeCloseTo(0, 9);
    expect(costs.activities).toHaveLength(1);
    expect(costs.activities[0]).toMatchObject({
      activityId: "treat",
      name: "Treatment",
      fixedCost: { mean: 100 },
      processingCost: { mean: 6 },
    });
    expect(costs.activities[0].operationalCost.mean).toBeCloseTo(29, 9);
    expect(costs.scenario.totalActivityCost.mean).toBeCloseTo(135, 9);
    expect(costs.scenario.totalResourceCost.mean).toBeCloseTo(48.9, 9);
    expect(costs.scenario.totalCost.mean).toBeCloseTo(183.9, 9);

    const json = JSON.parse(await readFile(path.join(folder, "results.json"), "utf8")) as SimulationSummary;
    expect(json.costs!.scenario.totalCost.values).toEqual(costs.scenario.totalCost.values);

    const csv = await fetch(t.url.replace("/graphql", `/runs/${runId}/costs.csv`), {
      headers: { "x-api-key": key() },
    });
    expect(csv.status).toBe(200);
    const rows = (await csv.text()).trim().split("\n");
    expect(rows[0]).toBe("scope,objectId,name,metric,mean,stdDev,ciHalfWidth,min,max,reps");
    expect(rows).toContain("resource,nurse,Nurse,seizeCost,15,0,0,15,15,2");
    expect(rows).toContain("activity,treat,Treatment,fixedCost,100,0,0,100,100,2");
    expect(rows.at(-1)).toMatch(/^scenario,scenario,scenario,totalCost,/);
  });

  it("a model without costs has null costs and an empty costs table", async () => {
    const plain = costed();
    delete plain.resources![1].financialProperties;
    delete plain.activities![2].financialProperties;
    const { runId } = await run(plain);
    expect(await costsOf(runId)).toBeNull();
    const csv = await fetch(t.url.replace("/graphql", `/runs/${runId}/costs.csv`), {
      headers: { "x-api-key": key() },
    });
    expect(await csv.text()).toBe("scope,objectId,name,metric,mean,stdDev,ciHalfWidth,min,max,reps\n");
  });

  it("answers 404 for the costs table of a run written before it existed", async () => {
    const { runId, folder } = await run(costed());
    await rm(path.join(folder, "costs.csv"));
    const res = await fetch(t.url.replace("/graphql", `/runs/${runId}/costs.csv`), {
      headers: { "x-api-key": key() },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "NOT_FOUND" });
  });

  it("compares two scenarios that differ by a cost override: the dearer one is significantly dearer", async () => {
    const base = await run(costed());
    const dearer = await run(costed(), {
      targetObjectType: "RESOURCE",
      targetObjectId: "nurse",
      propertyName: "financialProperties.costPerHourUtilized",
      propertyValue: 2,
      operation: "MULTIPLY",
    });
    const res = await t.gql<Comparison, { ids: string[]; baselineId: string }>(
      key(),
      `query($ids: [ID!]!, $baselineId: ID) { compareScenarios(ids: $ids, baselineId: $baselineId) {
        scenarios { metrics { objectType objectId name metric value { mean } baseline { mean } difference significant } } } }`,
      { ids: [base.scenarioId, dearer.scenarioId], baselineId: base.scenarioId },
    );
    expect(res.errors).toBeUndefined();
    const metrics = res.data!.compareScenarios.scenarios[1].metrics;
    const row = (objectType: string, objectId: string, metric: string) =>
      metrics.find((m) => m.objectType === objectType && m.objectId === objectId && m.metric === metric)!;
    // 33 busy minutes at 30 more per hour: 16.5 more.
    const total = row("scenarioCost", "scenario", "totalCost");
    expect(total.difference).toBeCloseTo(16.5, 9);
    expect(total.significant).toBe(true);
    expect(row("resourceCost", "nurse", "utilizationCost")).toMatchObject({
      name: "Nurse",
      significant: true,
    });
    expect(row("resourceCost", "nurse", "seizeCost")).toMatchObject({ difference: 0, significant: false });
    expect(row("activityCost", "treat", "totalCost")).toMatchObject({ difference: 0, significant: false });
    // The costs do not change the flow.
    expect(row("resource", "nurse", "utilization")).toMatchObject({ difference: 0 });
  });

  it("refuses a negative cost rate in a model and in an override with BAD_USER_INPUT naming the field", async () => {
    const bad = costed();
    bad.resources![1].financialProperties!.costPerHourIdle = -3;
    const created = await t.gql(key(), CreateModelDocument, {
      input: { name: "Bad costs", definition: bad },
    });
    expect(created.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    const details = created.errors![0].extensions!.details as Array<{ path: string }>;
    expect(details.map((d) => d.path)).toEqual([
      expect.stringMatching(/resources\[1\]\.financialProperties\.costPerHourIdle$/),
    ]);

    const { scenarioId } = await createScenario(t, key(), costed());
    const res = await t.gql(key(), OverrideItemDocument, {
      scenarioId,
      input: {
        targetObjectType: "ACTIVITY",
        targetObjectId: "treat",
        propertyName: "financialProperties.fixedCost",
        propertyValue: -1,
      },
    });
    expect(res.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(
      (res.errors![0].extensions!.details as Array<{ path: string }>).some((d) =>
        d.path.endsWith("propertyValue"),
      ),
    ).toBe(true);
  });
});
