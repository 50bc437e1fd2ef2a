import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../src/modules/auth/principal.js";
import {
  CancelScenarioDocument,
  CreateAnalysisDocument,
  CreateModelDocument,
  CreateScenarioDocument,
  OverrideItemDocument,
  RunScenarioDocument,
  ScenarioOverridesDocument,
  ScenarioRunsDocument,
  UpdateModelDocument,
  UpdateScenarioDocument,
} from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { createScenario, waitForState } from "../helpers/scenarios.js";
import { codes, startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";
import { coffeeShop, mm1 } from "../fixtures/models.js";

/** An M/M/1 that keeps running until it is cancelled (or times out after an hour). */
const longRun = () =>
  mm1({ runTime: { unit: "minutes", value: 100_000_000 }, warmupTime: { unit: "minutes", value: 0 } });

const STARTED = ["IS_RUNNING", "RAN_SUCCESS"];

const RUN_OPTIONS = /* GraphQL */ `
  query RunOptions($id: ID!) {
    scenario(id: $id) {
      state
      runs {
        priority
        timeoutSeconds
      }
    }
  }
`;

const RUN_ANALYSIS = /* GraphQL */ `
  mutation RunAnalysis($id: ID!, $options: RunOptionsInput) {
    runAnalysis(id: $id, options: $options) {
      id
    }
  }
`;

const MODEL_COUNT = /* GraphQL */ `
  query ModelCount {
    models {
      totalCount
    }
  }
`;

type RunOptionsResult = {
  scenario: { state: string; runs: { priority: number; timeoutSeconds: number | null }[] } | null;
};

/** Starts long runs of `tenant` in new scenarios, at the highest priority; returns their ids. */
async function startLongRuns(t: TestServer, tenant: TestTenant, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { scenarioId } = await createScenario(t, tenant.apiKey, longRun(), { reps: 1 });
    const res = await t.gql(tenant.apiKey, RunScenarioDocument, {
      id: scenarioId,
      options: { priority: 100 },
    });
    expect(res.errors).toBeUndefined();
    ids.push(scenarioId);
  }
  return ids;
}

async function statesOf(t: TestServer, apiKey: string, ids: string[]): Promise<string[]> {
  const states: string[] = [];
  for (const id of ids)
    states.push((await t.gql(apiKey, ScenarioRunsDocument, { id })).data!.scenario!.state);
  return states.sort();
}

describe.each(backends())("fair runner on $name", (backend) => {
  describe("two slots, one per tenant", () => {
    let t: TestServer;
    let a: TestTenant;
    let b: TestTenant;
    beforeAll(async () => {
      t = await startTestServer(backend, { concurrency: 2 });
      a = await t.tenant("Tenant A");
      b = await t.tenant("Tenant B");
    });
    afterEach(() => t.cancelActiveRuns());
    afterAll(() => t.dispose());

    it("starts tenant B's run while tenant A has more long runs queued than there are slots", async () => {
      const aRuns = await startLongRuns(t, a, 3);
      await waitForState(t, a.apiKey, aRuns[0], ["IS_RUNNING"]);

      const { scenarioId } = await createScenario(t, b.apiKey, coffeeShop(), { reps: 1 });
      const started = await t.gql(b.apiKey, RunScenarioDocument, { id: scenarioId });
      expect(started.errors).toBeUndefined();
      await waitForState(t, b.apiKey, scenarioId, STARTED);

      // A holds one slot (its cap), whatever its priority; the rest of its backlog waits.
      expect(await statesOf(t, a.apiKey, aRuns)).toEqual(["IS_RUNNING", "QUEUED", "QUEUED"]);
    });
  });

  describe("one slot", () => {
    let t: TestServer;
    let a: TestTenant;
    let b: TestTenant;
    beforeAll(async () => {
      t = await startTestServer(backend, { concurrency: 1 });
      a = await t.tenant("Tenant A");
      b = await t.tenant("Tenant B");
    });
    afterEach(() => t.cancelActiveRuns());
    afterAll(() => t.dispose());

    it("gives the freed slot to the tenant whose turn it is, not to the older, higher-priority backlog", async () => {
      const aRuns = await startLongRuns(t, a, 3);
      await waitForState(t, a.apiKey, aRuns[0], ["IS_RUNNING"]);
      const { scenarioId } = await createScenario(t, b.apiKey, longRun(), { reps: 1 });
      await t.gql(b.apiKey, RunScenarioDocument, { id: scenarioId, options: { priority: -100 } });
      expect(await statesOf(t, b.apiKey, [scenarioId])).toEqual(["QUEUED"]);

      await t.gql(a.apiKey, CancelScenarioDocument, { id: aRuns[0] });
      await waitForState(t, b.apiKey, scenarioId, ["IS_RUNNING"]);
      expect(await statesOf(t, a.apiKey, aRuns)).toEqual(["CANCELLED", "QUEUED", "QUEUED"]);
    });
  });
});

describe.each(backends())("run and model bounds on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  let editor: string;
  beforeAll(async () => {
    t = await startTestServer(backend, {
      runLimits: {
        maxTimeoutSeconds: 7200,
        model: { maxRunTimeDays: 1_000_000, maxReplications: 50, maxGeneratorEntities: 1000 },
      },
    });
    tenant = await t.tenant();
    editor = await tenant.keyFor(Role.EDITOR);
  });
  afterEach(() => t.cancelActiveRuns());
  afterAll(() => t.dispose());

  const modelCount = async () =>
    (await t.gql<{ models: { totalCount: number } }, object>(tenant.apiKey, MODEL_COUNT)).data!.models
      .totalCount;

  it("refuses an absurd runTime at createModel with its path, and writes nothing", async () => {
    const before = await modelCount();
    const res = await t.gql(tenant.apiKey, CreateModelDocument, {
      input: { name: "Forever", definition: mm1({ runTime: { unit: "minutes", value: 1e308 } }) },
    });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].extensions!.details).toEqual([
      { path: "definition.runTime.value", message: expect.stringMatching(/^must be at most 1000000 days/) },
    ]);
    expect(await modelCount()).toBe(before);
  });

  it("refuses too many replications and generator entities at updateModel, and keeps the model", async () => {
    const { modelId } = await createScenario(t, tenant.apiKey, mm1());
    const definition = mm1({ replications: 51 });
    (definition.generators as { maxEntities?: number }[])[0].maxEntities = 1001;
    const res = await t.gql(tenant.apiKey, UpdateModelDocument, { id: modelId, input: { definition } });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].extensions!.details!.map((d) => d.path).sort()).toEqual([
      "definition.generators[0].maxEntities",
      "definition.replications",
    ]);
    const model = await t.gql<{ model: { version: number } }, object>(
      tenant.apiKey,
      `query { model(id: "${modelId}") { version } }`,
    );
    expect(model.data!.model.version).toBe(1);
  });

  it("refuses more replications than allowed at createScenario, updateScenario and createAnalysis", async () => {
    const { scenarioId, analysisId, modelId } = await createScenario(t, tenant.apiKey, mm1(), { reps: 50 });
    const details = (res: { errors?: { extensions?: { details?: unknown } }[] }) =>
      res.errors?.[0].extensions?.details;
    const created = await t.gql(tenant.apiKey, CreateScenarioDocument, {
      input: { analysisId, name: "Too many", reps: 51 },
    });
    expect(details(created)).toEqual([{ path: "input.reps", message: "must not be greater than 50" }]);
    const updated = await t.gql(tenant.apiKey, UpdateScenarioDocument, {
      id: scenarioId,
      input: { reps: 51 },
    });
    expect(details(updated)).toEqual([{ path: "input.reps", message: "must not be greater than 50" }]);
    const analysis = await t.gql(tenant.apiKey, CreateAnalysisDocument, {
      input: { modelId, name: "Too many", defaultReps: 51 },
    });
    expect(details(analysis)).toEqual([
      { path: "input.defaultReps", message: "must not be greater than 50" },
    ]);
    expect([created, updated, analysis].map(codes)).toEqual([
      ["BAD_USER_INPUT"],
      ["BAD_USER_INPUT"],
      ["BAD_USER_INPUT"],
    ]);
    const after = await t.gql(tenant.apiKey, ScenarioRunsDocument, { id: scenarioId });
    expect(after.data!.scenario!.reps).toBe(50);
  });

  it("refuses an item profile that would push runTime beyond the bound, and keeps none", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, mm1());
    const res = await t.gql(tenant.apiKey, OverrideItemDocument, {
      scenarioId,
      input: {
        targetObjectType: "MODEL",
        targetObjectId: "model",
        propertyName: "runTime",
        propertyValue: { unit: "days", value: 1_000_001 },
      },
    });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].extensions!.details).toEqual([
      {
        path: "effectiveModel.runTime.value",
        message: expect.stringMatching(/^must be at most 1000000 days/),
      },
    ]);
    const after = await t.gql(tenant.apiKey, ScenarioOverridesDocument, { id: scenarioId });
    expect(after.data!.scenario!.itemProfiles).toEqual([]);
  });

  it("refuses to run a scenario stored with more replications than now allowed, and starts nothing", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, mm1(), { reps: 50 });
    // As if MODEL_MAX_REPLICATIONS was lowered since the scenario was stored.
    await t.db.database.prisma.scenario.update({ where: { id: scenarioId }, data: { reps: 51 } });
    const res = await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].extensions!.details).toEqual([
      { path: "effectiveModel.replications", message: "must be at most 50" },
    ]);
    const after = await t.gql<RunOptionsResult, object>(tenant.apiKey, RUN_OPTIONS, { id: scenarioId });
    expect(after.data!.scenario).toMatchObject({ state: "NOT_READY_TO_RUN", runs: [] });
  });

  it("applies the default timeout to a run started without one", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, coffeeShop());
    expect((await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId })).errors).toBeUndefined();
    const after = await t.gql<RunOptionsResult, object>(tenant.apiKey, RUN_OPTIONS, { id: scenarioId });
    expect(after.data!.scenario!.runs).toEqual([{ priority: 0, timeoutSeconds: 3600 }]);
  });

  it("refuses a timeout above the configured maximum, and starts nothing", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, coffeeShop());
    const res = await t.gql(tenant.apiKey, RunScenarioDocument, {
      id: scenarioId,
      options: { timeoutSeconds: 7201 },
    });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0].extensions!.details).toEqual([
      { path: "options.timeoutSeconds", message: "must not be greater than 7200" },
    ]);
    const after = await t.gql<RunOptionsResult, object>(tenant.apiKey, RUN_OPTIONS, { id: scenarioId });
    expect(after.data!.scenario).toMatchObject({ state: "NOT_READY_TO_RUN", runs: [] });
  });

  it("refuses a priority above the documented range to an EDITOR, on runScenario and runAnalysis", async () => {
    const { scenarioId, analysisId } = await createScenario(t, tenant.apiKey, coffeeShop());
    const single = await t.gql(editor, RunScenarioDocument, { id: scenarioId, options: { priority: 11 } });
    expect(codes(single)).toEqual(["FORBIDDEN"]);
    expect(single.errors![0].extensions!.details).toEqual([
      { path: "options.priority", message: "must not be greater than 10" },
    ]);
    expect(codes(await t.gql(editor, RUN_ANALYSIS, { id: analysisId, options: { priority: 50 } }))).toEqual([
      "FORBIDDEN",
    ]);
    const after = await t.gql<RunOptionsResult, object>(tenant.apiKey, RUN_OPTIONS, { id: scenarioId });
    expect(after.data!.scenario).toMatchObject({ state: "NOT_READY_TO_RUN", runs: [] });

    // Within the range an EDITOR may ask; above it an ADMIN may.
    expect(
      (await t.gql(editor, RunScenarioDocument, { id: scenarioId, options: { priority: 10 } })).errors,
    ).toBeUndefined();
    const second = await createScenario(t, tenant.apiKey, coffeeShop());
    const admin = await t.gql(tenant.apiKey, RunScenarioDocument, {
      id: second.scenarioId,
      options: { priority: 100, timeoutSeconds: 60 },
    });
    expect(admin.errors).toBeUndefined();
    const run = await t.gql<RunOptionsResult, object>(tenant.apiKey, RUN_OPTIONS, { id: second.scenarioId });
    expect(run.data!.scenario!.runs).toEqual([{ priority: 100, timeoutSeconds: 60 }]);
  });
});
