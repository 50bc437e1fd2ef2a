import { access } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../src/modules/auth/principal.js";
import {
  CancelScenarioDocument,
  GetRunDocument,
  PrepareScenarioDocument,
  RunScenarioDocument,
  ScenarioRunsDocument,
  UpdateModelDocument,
} from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { createScenario, isTerminal, record, waitForState } from "../helpers/scenarios.js";
import { codes, startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";
import { coffeeShop, mm1, unstable } from "../fixtures/models.js";

/** An M/M/1 long enough to still be running when the test acts on it. */
const longRun = () =>
  mm1({ runTime: { unit: "minutes", value: 100_000_000 }, warmupTime: { unit: "minutes", value: 0 } });

describe.each(backends())("runs on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant();
  });
  // A test that fails half-way must not leave an endless run holding one of the runner's slots.
  afterEach(() => t.cancelActiveRuns());
  afterAll(() => t.dispose());

  it("runs the coffee shop to RAN_SUCCESS with a monotone progress stream and stored results", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, coffeeShop(), { reps: 5 });
    const progress = record(t.ws(tenant.apiKey), { scenarioId });
    await progress.until((e) => e.state === "NOT_READY_TO_RUN");

    const started = await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
    expect(started.errors).toBeUndefined();
    // The runner may already have picked it up when the mutation reads the scenario back.
    expect(started.data?.runScenario).toMatchObject({ totalReps: 5, progressPercentage: 0 });
    expect(["QUEUED", "IS_RUNNING"]).toContain(started.data?.runScenario.state);
    expect(started.data?.runScenario.latestRun).toMatchObject({ attempt: 1, reps: 5, seed: 20260807 });

    await progress.until(isTerminal);
    const events = progress.events.filter((e) => e.runId === started.data!.runScenario.latestRun!.id);
    expect(events[0]).toMatchObject({ state: "QUEUED", progressPercentage: 0 });
    const pcts = events.map((e) => e.progressPercentage);
    expect(pcts).toEqual([...pcts].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({
      state: "RAN_SUCCESS",
      progressPercentage: 100,
      currentRep: 5,
      totalReps: 5,
    });
    expect(events.filter(isTerminal)).toHaveLength(1);

    const scenario = (await t.gql(tenant.apiKey, ScenarioRunsDocument, { id: scenarioId })).data!.scenario!;
    expect(scenario).toMatchObject({
      state: "RAN_SUCCESS",
      currentRep: 5,
      totalReps: 5,
      progressPercentage: 100,
      resultsStale: false,
      errorMessage: null,
    });
    expect(scenario.executionTimeMs).toBeGreaterThan(0);
    expect(scenario.runs).toHaveLength(1);
    expect(scenario.latestRun).toMatchObject({ state: "SUCCEEDED", progressPercentage: 100 });
    const results = scenario.results!;
    expect(results).toMatchObject({ reps: 5, timeUnit: "minutes", runTime: 480 });
    expect(results.activities.map((a) => a.activityId).sort()).toEqual([
      "EspressoBar",
      "Order",
      "PastryCounter",
    ]);
    const order = results.activities.find((a) => a.activityId === "Order")!;
    expect(order.throughput.values).toHaveLength(5);
    // About 240 customers arrive in 480 minutes at one every 2 minutes.
    expect(order.throughput.mean).toBeGreaterThan(180);
    expect(order.throughput.mean).toBeLessThan(300);
    expect(results.entities[0].completedCount.mean).toBeGreaterThan(150);
    expect(scenario.blobStoragePath).toContain(scenarioId);
    await access(`${scenario.blobStoragePath}/results.json`);
  });

  it("keeps every run: a second run is attempt 2 with its own results", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, coffeeShop(), { reps: 2 });
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId, options: { seed: 1 } });
    await waitForState(t, tenant.apiKey, scenarioId, ["RAN_SUCCESS"]);
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId, options: { seed: 2 } });
    const done = await waitForState(t, tenant.apiKey, scenarioId, ["RAN_SUCCESS"]);
    expect(done.runs.map((r) => [r.attempt, r.seed, r.state])).toEqual([
      [1, 1, "SUCCEEDED"],
      [2, 2, "SUCCEEDED"],
    ]);
    expect(done.latestRun?.attempt).toBe(2);
    expect(done.runs[0].modelHash).toBe(done.runs[1].modelHash);
  });

  it("gives identical results for the same seed and inputs", async () => {
    const a = await createScenario(t, tenant.apiKey, coffeeShop(), { reps: 3 });
    const b = await createScenario(t, tenant.apiKey, coffeeShop(), { reps: 3 });
    for (const s of [a, b])
      await t.gql(tenant.apiKey, RunScenarioDocument, { id: s.scenarioId, options: { seed: 99 } });
    const [ra, rb] = await Promise.all(
      [a, b].map((s) => waitForState(t, tenant.apiKey, s.scenarioId, ["RAN_SUCCESS"])),
    );
    expect(ra.results).toEqual(rb.results);
  });

  it("starts exactly one run for two concurrent runScenario calls", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, coffeeShop(), { reps: 2 });
    const [x, y] = await Promise.all([
      t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId }),
      t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId }),
    ]);
    expect([codes(x), codes(y)].flat().sort()).toEqual(["INVALID_STATE"]);
    const done = await waitForState(t, tenant.apiKey, scenarioId, ["RAN_SUCCESS"]);
    expect(done.runs).toHaveLength(1);
  });

  it("cancels a long run: CANCELLED and no results written", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, longRun(), { reps: 1 });
    const progress = record(t.ws(tenant.apiKey), { scenarioId });
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
    await progress.until((e) => e.state === "IS_RUNNING" && e.progressPercentage > 0);
    const cancelling = await t.gql(tenant.apiKey, CancelScenarioDocument, { id: scenarioId });
    expect(["CANCELLING", "CANCELLED"]).toContain(cancelling.data?.cancelScenario.state);
    // How soon it stops is measured by `npm run bench:cancel`, not asserted here.
    await progress.until((e) => e.state === "CANCELLED");
    const scenario = await waitForState(t, tenant.apiKey, scenarioId, ["CANCELLED"]);
    expect(scenario.results).toBeNull();
    expect(scenario.blobStoragePath).toBeNull();
    expect(scenario.latestRun).toMatchObject({ state: "CANCELLED", blobStoragePath: null });
    // Cancelling again is a no-op, not an error.
    expect(
      (await t.gql(tenant.apiKey, CancelScenarioDocument, { id: scenarioId })).data?.cancelScenario.state,
    ).toBe("CANCELLED");
  });

  it("refuses to cancel an idle scenario with INVALID_STATE", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, coffeeShop());
    expect(codes(await t.gql(tenant.apiKey, CancelScenarioDocument, { id: scenarioId }))).toEqual([
      "INVALID_STATE",
    ]);
  });

  it("ends a run that exceeds timeoutSeconds as RAN_WITH_ERRORS", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, longRun(), { reps: 1 });
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId, options: { timeoutSeconds: 1 } });
    const scenario = await waitForState(t, tenant.apiKey, scenarioId, ["RAN_WITH_ERRORS"], 10_000);
    expect(scenario.errorMessage).toBe("Run timed out after 1 s");
    expect(scenario.latestRun).toMatchObject({ state: "FAILED", errorMessage: "Run timed out after 1 s" });
    expect(scenario.results).toBeNull();
  });

  it("ends a model that fails while simulating as RAN_WITH_ERRORS with its message and stack", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, unstable(), { reps: 1 });
    const progress = record(t.ws(tenant.apiKey), { scenarioId });
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
    const scenario = await waitForState(t, tenant.apiKey, scenarioId, ["RAN_WITH_ERRORS"]);
    expect(scenario.errorMessage).toMatch(/^More than 1048576 entities in the system at once/);
    expect(scenario.errorStackTrace).toMatch(/ModelRuntimeError/);
    // Paths relative to the project, nothing of the server's file system.
    expect(scenario.errorStackTrace).toMatch(/\(src\/simulation\/[\w/-]+\.[jt]s:\d+:\d+\)/);
    expect(scenario.errorStackTrace).not.toContain(process.cwd());
    expect(scenario.latestRun).toMatchObject({ state: "FAILED", errorMessage: scenario.errorMessage });
    expect(scenario.results).toBeNull();
    const last = await progress.until(isTerminal);
    expect(last).toMatchObject({ state: "RAN_WITH_ERRORS", message: scenario.errorMessage });
  });

  it("refuses edits of a running scenario's model and runs while it runs", async () => {
    const { scenarioId, modelId } = await createScenario(t, tenant.apiKey, longRun(), { reps: 1 });
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
    await waitForState(t, tenant.apiKey, scenarioId, ["IS_RUNNING"]);
    expect(codes(await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId }))).toEqual([
      "INVALID_STATE",
    ]);
    expect(codes(await t.gql(tenant.apiKey, PrepareScenarioDocument, { id: scenarioId }))).toEqual([
      "INVALID_STATE",
    ]);
    expect(
      codes(
        await t.gql(tenant.apiKey, UpdateModelDocument, { id: modelId, input: { definition: coffeeShop() } }),
      ),
    ).toEqual(["INVALID_STATE"]);
    await t.gql(tenant.apiKey, CancelScenarioDocument, { id: scenarioId });
    await waitForState(t, tenant.apiKey, scenarioId, ["CANCELLED"]);
  });

  it("prepares a valid scenario to READY_TO_RUN and refuses an unrunnable one with every problem", async () => {
    const ok = await createScenario(t, tenant.apiKey, coffeeShop());
    expect(
      (await t.gql(tenant.apiKey, PrepareScenarioDocument, { id: ok.scenarioId })).data?.prepareScenario
        .state,
    ).toBe("READY_TO_RUN");
    // Valid wire, but a connector runs only travel delays: disposing on the way is refused at run time.
    const shop = coffeeShop();
    const disposing = {
      ...shop,
      connectors: (shop.connectors as object[]).map((c, i) =>
        i === 0 ? { ...c, actions: [{ id: "drop", type: "dispose" }] } : c,
      ),
    };
    const bad = await createScenario(t, tenant.apiKey, disposing);
    const res = await t.gql(tenant.apiKey, PrepareScenarioDocument, { id: bad.scenarioId });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(
      res.errors![0].extensions!.details!.some(
        (d) => d.path.startsWith("effectiveModel.connectors[0]") && /dispose/i.test(d.message),
      ),
    ).toBe(true);
    const runRes = await t.gql(tenant.apiKey, RunScenarioDocument, { id: bad.scenarioId });
    expect(codes(runRes)).toEqual(["BAD_USER_INPUT"]);
    const after = (await t.gql(tenant.apiKey, ScenarioRunsDocument, { id: bad.scenarioId })).data!.scenario!;
    expect(after).toMatchObject({ state: "NOT_READY_TO_RUN", runs: [] });
  });

  it.each([
    ["timeoutSeconds 0", { timeoutSeconds: 0 }],
    ["a negative seed", { seed: -1 }],
    ["priority 1000", { priority: 1000 }],
  ])("refuses %s and starts nothing", async (_label, options) => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, coffeeShop());
    expect(codes(await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId, options }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(
      (await t.gql(tenant.apiKey, ScenarioRunsDocument, { id: scenarioId })).data?.scenario?.runs,
    ).toEqual([]);
  });

  it("lets a VIEWER watch but not run", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, coffeeShop());
    const viewer = await tenant.keyFor(Role.VIEWER);
    expect(codes(await t.gql(viewer, RunScenarioDocument, { id: scenarioId }))).toEqual(["FORBIDDEN"]);
    const progress = record(t.ws(viewer), { scenarioId });
    expect((await progress.until(() => true)).state).toBe("NOT_READY_TO_RUN");
  });

  it("serves results CSV to the tenant, 401 without a key and 404 to another tenant", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, coffeeShop(), { reps: 2 });
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
    const done = await waitForState(t, tenant.apiKey, scenarioId, ["RAN_SUCCESS"]);
    const base = t.url.replace("/graphql", `/runs/${done.latestRun!.id}`);
    const ok = await fetch(`${base}/results.csv`, { headers: { "x-api-key": tenant.apiKey } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/text\/csv/);
    const text = await ok.text();
    expect(text.split("\n")[0]).toBe("section,objectId,name,metric,mean,stdDev,ciHalfWidth,min,max,reps");
    expect(text).toMatch(/^activity,Order,Order,throughput,/m);
    const activities = await fetch(`${base}/activities.csv`, {
      headers: { authorization: `Bearer ${tenant.apiKey}` },
    });
    expect((await activities.text()).split("\n")[0]).toMatch(/^activityId,name,throughput_mean,/);
    expect((await fetch(`${base}/results.csv`)).status).toBe(401);
    const other = await t.tenant();
    expect((await fetch(`${base}/results.csv`, { headers: { "x-api-key": other.apiKey } })).status).toBe(404);
    expect((await fetch(`${base}/secrets.csv`, { headers: { "x-api-key": tenant.apiKey } })).status).toBe(
      404,
    );
    expect(
      (await t.gql(other.apiKey, GetRunDocument, { id: done.latestRun!.id })).data?.scenarioRun,
    ).toBeNull();
  });
});
