import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, HTTP_STATUS } from "../../src/errors.js";
import {
  forEachMetric,
  METRICS,
  type MetricObjectType,
  type SimulationSummary,
} from "../../src/simulation/index.js";
import { CancelScenarioDocument, RunScenarioDocument } from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { createScenario, waitForState } from "../helpers/scenarios.js";
import { startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";
import { mm1 } from "../fixtures/models.js";

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  tenantId?: string;
  err?: { message: string; stack?: string };
}

/** The selection of every metric of one object type, with its replication values. */
const metricFields = (type: MetricObjectType) => METRICS[type].map((m) => `${m} { mean values }`).join(" ");

const RESULTS_QUERY = `query RunResults($id: ID!) {
  scenarioRun(id: $id) {
    results {
      reps seed timeUnit runTime warmupTime eventCount exitsTotal
      activities { activityId name ${metricFields("activity")} }
      resources { resourceId name ${metricFields("resource")} }
      entities { entityId name ${metricFields("entity")} }
    }
  }
}`;

type Results = Record<string, unknown> & {
  activities: Record<string, unknown>[];
  resources: Record<string, unknown>[];
  entities: Record<string, unknown>[];
};

describe.each(backends())("results on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  const logs: LogLine[] = [];
  /** A run of an M/M/1 with a resource, 3 replications, that succeeded. */
  let run: { id: string; scenarioId: string; folder: string };

  beforeAll(async () => {
    const logger = pino(
      { level: "info" },
      { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
    );
    t = await startTestServer(backend, { logger });
    tenant = await t.tenant();
    const { scenarioId } = await createScenario(t, tenant.apiKey, mm1(), { reps: 3 });
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
    const done = await waitForState(t, tenant.apiKey, scenarioId, ["RAN_SUCCESS"]);
    run = { id: done.latestRun!.id, scenarioId, folder: done.latestRun!.blobStoragePath! };
  });
  afterAll(() => t.dispose());

  /** A run of its own, so that tests which break it leave the others alone. */
  async function freshRun(): Promise<{ id: string; folder: string }> {
    const { scenarioId } = await createScenario(t, tenant.apiKey, mm1(), { reps: 1 });
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
    const done = await waitForState(t, tenant.apiKey, scenarioId, ["RAN_SUCCESS"]);
    return { id: done.latestRun!.id, folder: done.latestRun!.blobStoragePath! };
  }

  it("exposes every metric of the engine summary, equal to the stored results", async () => {
    const res = await t.gql<{ scenarioRun: { results: Results } }, { id: string }>(
      tenant.apiKey,
      RESULTS_QUERY,
      { id: run.id },
    );
    expect(res.errors).toBeUndefined();
    const results = res.data!.scenarioRun.results;
    const stored = JSON.parse(
      await readFile(path.join(run.folder, "results.json"), "utf8"),
    ) as SimulationSummary;
    expect(results.exitsTotal).toBe(stored.exitsTotal);
    expect(stored.resources).toHaveLength(1);
    let checked = 0;
    forEachMetric(stored, ({ objectType, index, metric, value }) => {
      // The M/M/1 declares no states (state results: states.test.ts).
      if (objectType !== "activity" && objectType !== "resource" && objectType !== "entity")
        throw new Error(`unexpected state result ${objectType}`);
      const list = { activity: results.activities, resource: results.resources, entity: results.entities }[
        objectType
      ];
      expect(list[index][metric], `${objectType} ${metric}`).toEqual({
        mean: value.mean,
        values: value.values,
      });
      checked++;
    });
    expect(checked).toBe(METRICS.activity.length + METRICS.resource.length + METRICS.entity.length);
    const server = results.resources[0] as Record<string, { mean: number; values: number[] }>;
    expect(server.grants.values).toHaveLength(3);
    expect(server.grants.mean).toBeGreaterThan(0);
    expect(server.waitProbability.mean).toBeGreaterThan(0);
    expect(server.waitProbability.mean).toBeLessThan(1);
  });

  it("compares every metric the results expose", async () => {
    const res = await t.gql<
      { compareScenarios: { scenarios: { metrics: { objectType: MetricObjectType; metric: string }[] }[] } },
      { ids: string[] }
    >(
      tenant.apiKey,
      `query($ids: [ID!]!) { compareScenarios(ids: $ids) { scenarios { metrics { objectType metric } } } }`,
      { ids: [run.scenarioId] },
    );
    expect(res.errors).toBeUndefined();
    const metrics = res.data!.compareScenarios.scenarios[0].metrics;
    for (const type of ["activity", "resource", "entity"] as const)
      expect(metrics.filter((m) => m.objectType === type).map((m) => m.metric)).toEqual(METRICS[type]);
  });

  describe("GET /runs/<id>/<table>.csv", () => {
    const url = (runId: string, file = "results.csv") => t.url.replace("/graphql", `/runs/${runId}/${file}`);
    /** Status and body, checked against the one ErrorCode → status map. */
    async function refusal(res: Response): Promise<ErrorCode> {
      const body = (await res.json()) as { code: ErrorCode; error: string };
      expect(res.status).toBe(HTTP_STATUS[body.code]);
      return body.code;
    }

    it("answers 401 without a key or with a bad one", async () => {
      expect(await refusal(await fetch(url(run.id)))).toBe(ErrorCode.UNAUTHENTICATED);
      const bad = await fetch(url(run.id), { headers: { "x-api-key": "sl_not-a-key" } });
      expect(bad.status).toBe(401);
      expect(await refusal(bad)).toBe(ErrorCode.UNAUTHENTICATED);
    });

    it("answers 404 for an unknown table, a malformed id and another tenant's run", async () => {
      const headers = { "x-api-key": tenant.apiKey };
      const unknownTable = await fetch(url(run.id, "secrets.csv"), { headers });
      expect(unknownTable.status).toBe(404);
      expect(await refusal(unknownTable)).toBe(ErrorCode.NOT_FOUND);
      expect(await refusal(await fetch(url("not-a-uuid"), { headers }))).toBe(ErrorCode.NOT_FOUND);
      const other = await t.tenant();
      const foreign = await fetch(url(run.id), { headers: { "x-api-key": other.apiKey } });
      expect(foreign.status).toBe(404);
      expect(await refusal(foreign)).toBe(ErrorCode.NOT_FOUND);
    });

    it("answers 409 INVALID_STATE for a run without results", async () => {
      const long = mm1({ runTime: { unit: "minutes", value: 100_000_000 } });
      const { scenarioId } = await createScenario(t, tenant.apiKey, long);
      await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
      await t.gql(tenant.apiKey, CancelScenarioDocument, { id: scenarioId });
      const cancelled = await waitForState(t, tenant.apiKey, scenarioId, ["CANCELLED"]);
      const res = await fetch(url(cancelled.latestRun!.id), { headers: { "x-api-key": tenant.apiKey } });
      expect(res.status).toBe(409);
      expect(await refusal(res)).toBe(ErrorCode.INVALID_STATE);
    });

    it("masks a missing result file as a 500 carrying the request id it logged", async () => {
      const broken = await freshRun();
      await rm(path.join(broken.folder, "entities.csv"));
      const res = await fetch(url(broken.id, "entities.csv"), {
        headers: { "x-api-key": tenant.apiKey, "x-request-id": "support-csv-1" },
      });
      expect(res.status).toBe(500);
      expect(res.headers.get("x-request-id")).toBe("support-csv-1");
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual({
        error: "Internal server error",
        code: "INTERNAL_SERVER_ERROR",
        requestId: "support-csv-1",
      });
      const logged = logs.find((l) => l.msg === "unexpected error" && l.requestId === "support-csv-1");
      expect(logged).toMatchObject({ level: 50, tenantId: tenant.tenantId });
      expect(logged!.err!.message).toContain("entities.csv");
    });
  });

  describe("unexpected errors in GraphQL", () => {
    it("masks a corrupted stored result as INTERNAL_SERVER_ERROR with the request id, logged with the tenant", async () => {
      const broken = await freshRun();
      await t.db.database.prisma.$executeRaw`
        UPDATE scenario_runs SET results = '{"reps": 1}'::jsonb WHERE id = ${broken.id}::uuid`;
      const query = `{ scenarioRun(id: "${broken.id}") { id results { reps activities { activityId } } } }`;
      const res = await fetch(t.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-api-key": tenant.apiKey,
          "x-request-id": "case-42",
        },
        body: JSON.stringify({ query }),
      });
      expect(res.headers.get("x-request-id")).toBe("case-42");
      const body = (await res.json()) as {
        errors: { message: string; extensions: Record<string, unknown> }[];
      };
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0].message).toBe("Internal server error");
      expect(body.errors[0].extensions).toEqual({ code: "INTERNAL_SERVER_ERROR", requestId: "case-42" });
      const logged = logs.filter((l) => l.msg === "unexpected error" && l.requestId === "case-42");
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 50, tenantId: tenant.tenantId });
      expect(logged[0].err!.message).toMatch(/activities/);
    });

    it("gives a request without x-request-id a new id, the same in the header, the error and the log", async () => {
      const broken = await freshRun();
      await t.db.database.prisma.$executeRaw`
        UPDATE scenario_runs SET results = '{"reps": 1}'::jsonb WHERE id = ${broken.id}::uuid`;
      const res = await fetch(t.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": tenant.apiKey },
        body: JSON.stringify({ query: `{ scenarioRun(id: "${broken.id}") { results { eventCount } } }` }),
      });
      const requestId = res.headers.get("x-request-id");
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      const body = (await res.json()) as { errors: { extensions: Record<string, unknown> }[] };
      expect(body.errors[0].extensions).toEqual({ code: "INTERNAL_SERVER_ERROR", requestId });
      expect(logs.some((l) => l.msg === "unexpected error" && l.requestId === requestId)).toBe(true);
    });

    it("refuses a bad key with the status HTTP_STATUS gives UNAUTHENTICATED", async () => {
      const res = await t.gql("sl_not-a-key", "{ me { id } }");
      expect(res.status).toBe(HTTP_STATUS[ErrorCode.UNAUTHENTICATED]);
      expect(res.errors?.[0].extensions?.code).toBe(ErrorCode.UNAUTHENTICATED);
    });
  });
});
