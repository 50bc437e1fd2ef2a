import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CreateAnalysisDocument,
  CreateModelDocument,
  CreateScenarioDocument,
  OverrideItemDocument,
  RunScenarioDocument,
} from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { waitForState } from "../helpers/scenarios.js";
import { codes, startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";

/**
 * A clinic day in calendar time: a scheduled generator brings 2 patients at
 * 08:15, 1 at 09:40 (urgent) and 3 at 11:05; check-in takes 10 minutes.
 */
function clinic(): Record<string, unknown> {
  return {
    schemaVersion: "2026.12.01",
    name: "Clinic day",
    replications: 1,
    timeUnit: "minutes",
    timeMode: "calendar",
    startDateTime: "2026-03-02T08:00:00",
    runTime: { unit: "hours", value: 4 },
    entities: [{ id: "patient", name: "Patient" }],
    states: [
      { id: "urgent", name: "urgent", componentType: "entity", dataType: "boolean", initialValue: false },
    ],
    activities: [
      {
        id: "checkin",
        name: "Check in",
        capacity: 10,
        actions: [{ type: "delay", duration: { unit: "minutes", value: 10 } }],
      },
    ],
    arrivalSchedules: [
      {
        id: "day",
        name: "Monday bookings",
        arrivals: [
          { time: "2026-03-02T08:15:00", quantity: 2 },
          { time: "2026-03-02T09:40:00", stateValues: { urgent: true } },
          { time: "2026-03-02T11:05:00", quantity: 3 },
        ],
      },
    ],
    arrivalPatterns: [
      { id: "walk-ins", hourWeights: Array.from({ length: 24 }, (_, h) => (h === 9 ? 1 : 0)), cycle: "day" },
    ],
    generators: [
      { id: "booked", name: "Booked", entityId: "patient", mode: "scheduled", arrivalScheduleId: "day" },
      {
        id: "walkin",
        name: "Walk-ins",
        entityId: "patient",
        mode: "pattern",
        arrivalPatternId: "walk-ins",
        volume: 4,
      },
    ],
    connectors: [
      { id: "c1", sourceId: "booked", targetId: "checkin" },
      { id: "c2", sourceId: "walkin", targetId: "checkin" },
    ],
  };
}

const RESULTS = `query ArrivalResults($id: ID!) {
  scenarioRun(id: $id) {
    results {
      entities { entityId createdCount { values } completedCount { values } }
      timeSeries { startDateTime buckets { start end startDateTime throughput } }
    }
  }
}`;
interface Results {
  scenarioRun: {
    results: {
      entities: Array<{
        entityId: string;
        createdCount: { values: number[] };
        completedCount: { values: number[] };
      }>;
      timeSeries: {
        startDateTime: string | null;
        buckets: Array<{ start: number; end: number; startDateTime: string | null; throughput: number }>;
      };
    };
  };
}

describe.each(backends())("arrivals that follow the clock, over HTTP, on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  const key = () => tenant.apiKey;
  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant();
  });
  afterEach(() => t.cancelActiveRuns());
  afterAll(() => t.dispose());

  /** Model, analysis and a one-replication scenario with hourly time series. */
  async function createScenario(definition: unknown, name: string) {
    const model = await t.gql(key(), CreateModelDocument, { input: { name, definition } });
    expect(model.errors).toBeUndefined();
    const analysis = await t.gql(key(), CreateAnalysisDocument, {
      input: { modelId: model.data!.createModel.id, name },
    });
    const scenario = await t.gql(key(), CreateScenarioDocument, {
      input: { analysisId: analysis.data!.createAnalysis.id, name, reps: 1, timePeriod: "HOURLY" },
    });
    expect(scenario.errors).toBeUndefined();
    return { scenarioId: scenario.data!.createScenario.id };
  }

  async function runAndRead(scenarioId: string) {
    const ran = await t.gql(key(), RunScenarioDocument, { id: scenarioId, options: { seed: 7 } });
    expect(ran.errors).toBeUndefined();
    const done = await waitForState(t, key(), scenarioId, ["RAN_SUCCESS", "RAN_WITH_ERRORS"]);
    expect(done.errorMessage ?? null).toBeNull();
    expect(done.state).toBe("RAN_SUCCESS");
    const res = await t.gql<Results, { id: string }>(key(), RESULTS, { id: done.latestRun!.id });
    expect(res.errors).toBeUndefined();
    return res.data!.scenarioRun.results;
  }

  it("runs a scheduled and a pattern generator in calendar time; buckets are calendar hours", async () => {
    const m = clinic();
    // Without walk-ins: exactly the six booked patients, in the hours they were booked.
    (m.generators as Array<Record<string, unknown>>)[1].maxEntities = 0;
    const { scenarioId } = await createScenario(m, "Booked only");
    const results = await runAndRead(scenarioId);
    expect(results.entities[0]).toMatchObject({
      createdCount: { values: [6] },
      completedCount: { values: [6] },
    });
    expect(results.timeSeries.startDateTime).toBe("2026-03-02T08:00:00");
    expect(results.timeSeries.buckets.map((b) => [b.startDateTime, b.throughput])).toEqual([
      ["2026-03-02T08:00:00", 2],
      ["2026-03-02T09:00:00", 1],
      ["2026-03-02T10:00:00", 0],
      ["2026-03-02T11:00:00", 3],
    ]);
  });

  it("a volume override changes the walk-ins; a walk-in always arrives between 09:00 and 10:00", async () => {
    const m = clinic();
    // Room for everyone: nobody queues, so each patient leaves check-in 10 minutes after arriving.
    (m.activities as Array<Record<string, unknown>>)[0].capacity = 1000;
    const { scenarioId } = await createScenario(m, "Busy walk-ins");
    const override = await t.gql(key(), OverrideItemDocument, {
      scenarioId,
      input: {
        targetObjectType: "GENERATOR",
        targetObjectId: "walkin",
        propertyName: "volume",
        propertyValue: 200,
      },
    });
    expect(override.errors).toBeUndefined();
    const results = await runAndRead(scenarioId);
    const created = results.entities[0].createdCount.values[0];
    // 6 booked + Poisson(200) walk-ins, all checking in during the 9 o'clock hour (or just after 10:00).
    expect(created).toBeGreaterThan(6 + 140);
    const [b8, b9, b10, b11] = results.timeSeries.buckets.map((b) => b.throughput);
    expect(b8).toBe(2);
    expect(b11).toBe(3);
    expect(b9 + b10).toBe(created - 5);
  });

  it("refuses an invalid schedule with details naming where, and writes nothing", async () => {
    const m = clinic();
    (m.arrivalSchedules as Array<{ arrivals: unknown[] }>)[0].arrivals = [
      { time: "2026-02-30T08:00:00" },
      { time: 5, entityId: "ghost" },
    ];
    (m.arrivalPatterns as Array<Record<string, unknown>>)[0].hourWeights = new Array(24).fill(0);
    const res = await t.gql(key(), CreateModelDocument, { input: { name: "Broken clinic", definition: m } });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    const details = res.errors![0].extensions!.details as Array<{ path: string; message: string }>;
    expect(details.map((d) => d.path)).toEqual([
      "definition.arrivalPatterns[0].hourWeights",
      "definition.arrivalSchedules[0].arrivals[0].time",
      "definition.arrivalSchedules[0].arrivals[1].entityId",
    ]);
  });
});
