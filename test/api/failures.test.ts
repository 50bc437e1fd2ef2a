import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimulationSummary } from "../../src/simulation/index.js";
import {
  CompareDocument,
  CreateModelDocument,
  OverrideItemDocument,
  RunScenarioDocument,
} from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { createScenario, waitForState } from "../helpers/scenarios.js";
import { codes, startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";
import { mm1 } from "../fixtures/models.js";

/**
 * The M/M/1 fixture (runTime 2000, warm-up 100) whose "service" activity
 * fails every 300 minutes of wall-clock up time and is repaired in 50 by a
 * technician: failures at 300, 650, 1000, 1350, 1700 (the next, 2050, is
 * after the end), 5 x 50 = 250 minutes in failure in every replication.
 */
function unreliable(): Record<string, unknown> {
  const m = mm1();
  const activities = m.activities as Array<Record<string, unknown>>;
  activities[0].failureProperties = {
    enabled: true,
    mtbfDuration: { unit: "minutes", value: 300 },
    mttrDuration: { unit: "minutes", value: 50 },
    failureClockMode: "wall_clock",
    repairResourceRequirementId: "req-tech",
  };
  m.resources = [...(m.resources as unknown[]), { id: "tech", name: "Technician", capacity: 1 }];
  m.resourceRequirements = [
    ...(m.resourceRequirements as unknown[]),
    { id: "req-tech", name: "Technician", rootClause: { id: "ct", requests: [{ resourceId: "tech" }] } },
  ];
  return m;
}

const RESULTS = `query FailureResults($id: ID!) {
  scenarioRun(id: $id) {
    results {
      reps
      activities { activityId timeInFailure { mean values ciHalfWidth } }
      resources { resourceId utilization { mean values } grants { values } }
    }
  }
}`;
interface Results {
  scenarioRun: {
    results: {
      reps: number;
      activities: Array<{
        activityId: string;
        timeInFailure: { mean: number; values: number[]; ciHalfWidth: number };
      }>;
      resources: Array<{
        resourceId: string;
        utilization: { mean: number; values: number[] };
        grants: { values: number[] };
      }>;
    };
  };
}

describe.each(backends())("activity failures end to end on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  const key = () => tenant.apiKey;
  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant();
  });
  afterAll(() => t.dispose());

  async function runToSuccess(scenarioId: string) {
    const ran = await t.gql(key(), RunScenarioDocument, { id: scenarioId });
    expect(ran.errors).toBeUndefined();
    const done = await waitForState(t, key(), scenarioId, ["RAN_SUCCESS"]);
    return { id: done.latestRun!.id, folder: done.latestRun!.blobStoragePath! };
  }

  it("reports time in failure in GraphQL, results.json, the CSV and the comparison; an MTTR override changes it", async () => {
    const base = await createScenario(t, key(), unreliable(), { reps: 2, name: "Base" });
    const run = await runToSuccess(base.scenarioId);

    const res = await t.gql<Results, { id: string }>(key(), RESULTS, { id: run.id });
    expect(res.errors).toBeUndefined();
    const { activities, resources } = res.data!.scenarioRun.results;
    expect(activities[0]).toEqual({
      activityId: "service",
      timeInFailure: { mean: 250, values: [250, 250], ciHalfWidth: 0 },
    });
    // The technician works only on the repairs: 250 of the 1900 measured minutes, 5 repairs.
    const tech = resources.find((r) => r.resourceId === "tech")!;
    expect(tech.utilization.values.map((u) => u * 1900)).toEqual([
      expect.closeTo(250, 9),
      expect.closeTo(250, 9),
    ]);
    expect(tech.grants.values).toEqual([5, 5]);

    const stored = JSON.parse(
      await readFile(path.join(run.folder, "results.json"), "utf8"),
    ) as SimulationSummary;
    expect(stored.activities[0].timeInFailure.values).toEqual([250, 250]);
    const csv = await fetch(t.url.replace("/graphql", `/runs/${run.id}/activities.csv`), {
      headers: { "x-api-key": key() },
    });
    expect(csv.status).toBe(200);
    const [header, row] = (await csv.text())
      .trim()
      .split("\n")
      .map((l) => l.split(","));
    expect(row[header.indexOf("timeInFailure_mean")]).toBe("250");

    // Repairs of 100 minutes: failures at 300, 700, 1100, 1500, 1900: 500 in failure.
    const slow = await createScenario(t, key(), unreliable(), { reps: 2, name: "Slow repairs" });
    const ov = await t.gql(key(), OverrideItemDocument, {
      scenarioId: slow.scenarioId,
      input: {
        targetObjectType: "ACTIVITY",
        targetObjectId: "service",
        propertyName: "failureProperties.mttrDuration",
        propertyValue: { unit: "minutes", value: 100 },
      },
    });
    expect(ov.errors).toBeUndefined();
    expect(ov.data!.overrideScenarioItem.originalValue).toEqual({ unit: "minutes", value: 50 });
    await runToSuccess(slow.scenarioId);
    const cmp = await t.gql(key(), CompareDocument, { ids: [base.scenarioId, slow.scenarioId] });
    expect(cmp.errors).toBeUndefined();
    const metric = cmp.data!.compareScenarios.scenarios[1].metrics.find(
      (m) => m.objectId === "service" && m.metric === "timeInFailure",
    )!;
    expect(metric).toMatchObject({ value: { mean: 500 }, baseline: { mean: 250 }, difference: 250 });
  });

  it("refuses invalid failureProperties and a zero-MTBF override with BAD_USER_INPUT details", async () => {
    const bad = unreliable();
    const activities = bad.activities as Array<{ failureProperties: Record<string, unknown> }>;
    activities[0].failureProperties.mtbfDuration = { unit: "minutes", value: 0 };
    activities[0].failureProperties.repairResourceRequirementId = "nobody";
    const created = await t.gql(key(), CreateModelDocument, {
      input: { name: "Bad failures", definition: bad },
    });
    expect(codes(created)).toEqual(["BAD_USER_INPUT"]);
    expect(created.errors![0].extensions!.details!.map((d) => d.path)).toEqual([
      "definition.activities[0].failureProperties.mtbfDuration",
      "definition.activities[0].failureProperties.repairResourceRequirementId",
    ]);

    const { scenarioId } = await createScenario(t, key(), unreliable());
    const ov = await t.gql(key(), OverrideItemDocument, {
      scenarioId,
      input: {
        targetObjectType: "ACTIVITY",
        targetObjectId: "service",
        propertyName: "failureProperties.mtbfDuration",
        propertyValue: { unit: "minutes", value: 0 },
      },
    });
    expect(codes(ov)).toEqual(["BAD_USER_INPUT"]);
    expect(ov.errors![0].extensions!.details!.map((d) => d.path)).toEqual(["input.propertyValue"]);
  });
});
