import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CompareDocument,
  CreateScenarioDocument,
  RunAnalysisDocument,
  RunScenarioDocument,
  UpdateScenarioDocument,
} from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { createScenario, isTerminal, record, waitForState } from "../helpers/scenarios.js";
import { codes, startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";
import { coffeeShop, mm1 } from "../fixtures/models.js";

const pubsubs = process.env.REDIS_URL
  ? [{ pubsub: "memory" }, { pubsub: "redis", url: process.env.REDIS_URL }]
  : [{ pubsub: "memory" }];
const matrix = backends().flatMap((b) =>
  pubsubs.map((p) => ({ ...b, ...p, label: `${b.name} + ${p.pubsub} pub/sub` })),
);

describe.each(matrix)("progress subscriptions and comparisons on $label", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startTestServer(backend, { redisUrl: "url" in backend ? backend.url : undefined });
    tenant = await t.tenant();
  });
  afterEach(() => t.cancelActiveRuns());
  afterAll(() => t.dispose());

  it("streams the events of every scenario of an analysis on the analysis topic", async () => {
    const { analysisId, scenarioId: first } = await createScenario(t, tenant.apiKey, coffeeShop(), {
      reps: 2,
    });
    const second = (
      await t.gql(tenant.apiKey, CreateScenarioDocument, { input: { analysisId, name: "Second", reps: 3 } })
    ).data!.createScenario.id;
    const progress = record(t.ws(tenant.apiKey), { analysisId });
    // The current state of both scenarios comes first.
    await progress.until((e) => e.scenarioId === second);
    expect(new Set(progress.events.map((e) => e.scenarioId))).toEqual(new Set([first, second]));

    const ran = await t.gql(tenant.apiKey, RunAnalysisDocument, { id: analysisId });
    expect(
      ran.data?.runAnalysis
        .map((s) => s.state)
        .every((s) => ["QUEUED", "IS_RUNNING", "RAN_SUCCESS"].includes(s)),
    ).toBe(true);
    await progress.until((e) => e.scenarioId === first && e.state === "RAN_SUCCESS");
    await progress.until((e) => e.scenarioId === second && e.state === "RAN_SUCCESS");
    for (const id of [first, second]) {
      const own = progress.events.filter((e) => e.scenarioId === id && e.runId);
      expect(own.at(-1)).toMatchObject({ state: "RAN_SUCCESS", progressPercentage: 100 });
      expect(own.every((e) => e.analysisId === analysisId)).toBe(true);
    }
  });

  it("gives subscribers sharing one document the same events, and others their own selection", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, coffeeShop(), { reps: 2 });
    const same = [record(t.ws(tenant.apiKey), { scenarioId }), record(t.ws(tenant.apiKey), { scenarioId })];
    const narrow: { state: string; progressPercentage?: number }[] = [];
    const client = t.ws(tenant.apiKey);
    client.subscribe<{ scenarioProgress: { state: string } }>(
      {
        query: `subscription($id: ID) { scenarioProgress(scenarioId: $id) { state } }`,
        variables: { id: scenarioId },
      },
      {
        next: (m) => m.data && narrow.push(m.data.scenarioProgress),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    for (const r of same) await r.until(() => true);
    await expect.poll(() => narrow.length).toBeGreaterThan(0);
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
    for (const r of same) await r.until(isTerminal);
    await expect.poll(() => narrow.at(-1)?.state).toBe("RAN_SUCCESS");
    const live = (r: (typeof same)[number]) =>
      r.events.filter((e) => e.runId).map(({ emittedAt: _e, ...rest }) => rest);
    expect(live(same[0])).toEqual(live(same[1]));
    expect(narrow.every((e) => Object.keys(e).join() === "state")).toBe(true);
  });

  it("sends the current state first to a subscriber that joins mid-run", async () => {
    const { scenarioId } = await createScenario(
      t,
      tenant.apiKey,
      mm1({ runTime: { unit: "minutes", value: 100_000_000 } }),
      { reps: 1 },
    );
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
    await waitForState(t, tenant.apiKey, scenarioId, ["IS_RUNNING"]);
    const late = record(t.ws(tenant.apiKey), { scenarioId });
    const firstEvent = await late.until(() => true);
    expect(firstEvent.state).toBe("IS_RUNNING");
    await late.until((e) => e.progressPercentage > firstEvent.progressPercentage);
    await t.gql(tenant.apiKey, `mutation { cancelScenario(id: "${scenarioId}") { state } }`);
    await late.until(isTerminal);
  });

  it("refuses another tenant's scenario or analysis with NOT_FOUND, and a bad pair of ids with BAD_USER_INPUT", async () => {
    const { scenarioId, analysisId } = await createScenario(t, tenant.apiKey, coffeeShop());
    const other = await t.tenant();
    for (const variables of [{ scenarioId }, { analysisId }]) {
      const rec = record(t.ws(other.apiKey), variables);
      await expect.poll(() => rec.errors.length).toBeGreaterThan(0);
      expect(rec.errors.map((e) => (e as { extensions?: { code?: string } }).extensions?.code)).toEqual([
        "NOT_FOUND",
      ]);
      expect(rec.events).toEqual([]);
    }
    for (const variables of [{}, { scenarioId, analysisId }]) {
      const rec = record(t.ws(tenant.apiKey), variables);
      await expect.poll(() => rec.errors.length).toBeGreaterThan(0);
      expect(rec.errors.map((e) => (e as { extensions?: { code?: string } }).extensions?.code)).toEqual([
        "BAD_USER_INPUT",
      ]);
    }
  });

  it("never delivers another tenant's events to a subscriber", async () => {
    const other = await t.tenant();
    const mine = await createScenario(t, tenant.apiKey, coffeeShop(), { reps: 2 });
    const theirs = await createScenario(t, other.apiKey, coffeeShop(), { reps: 2 });
    const watching = record(t.ws(tenant.apiKey), { analysisId: mine.analysisId });
    await watching.until(() => true);
    await t.gql(other.apiKey, RunScenarioDocument, { id: theirs.scenarioId });
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: mine.scenarioId });
    await waitForState(t, other.apiKey, theirs.scenarioId, ["RAN_SUCCESS"]);
    await watching.until((e) => e.state === "RAN_SUCCESS");
    expect(watching.events.every((e) => e.scenarioId === mine.scenarioId)).toBe(true);
  });

  it("runAnalysis reports scenarios that cannot run instead of failing", async () => {
    const { analysisId, scenarioId } = await createScenario(t, tenant.apiKey, coffeeShop(), { reps: 2 });
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
    const res = await t.gql(tenant.apiKey, RunAnalysisDocument, { id: analysisId });
    expect(res.errors).toBeUndefined();
    expect(res.data?.runAnalysis).toHaveLength(1);
    await waitForState(t, tenant.apiKey, scenarioId, ["RAN_SUCCESS"]);
    expect(
      codes(await t.gql(tenant.apiKey, RunAnalysisDocument, { id: "00000000-0000-4000-8000-000000000000" })),
    ).toEqual(["NOT_FOUND"]);
  });

  it("compares scenarios against a baseline with Welch's t-test", async () => {
    const { analysisId, scenarioId: baseline } = await createScenario(t, tenant.apiKey, coffeeShop(), {
      reps: 10,
    });
    const same = (
      await t.gql(tenant.apiKey, CreateScenarioDocument, { input: { analysisId, name: "Same", reps: 10 } })
    ).data!.createScenario.id;
    const longer = (
      await t.gql(tenant.apiKey, CreateScenarioDocument, {
        input: { analysisId, name: "Fewer reps", reps: 4 },
      })
    ).data!.createScenario.id;
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: baseline, options: { seed: 1 } });
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: same, options: { seed: 1 } });
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: longer, options: { seed: 5 } });
    for (const id of [baseline, same, longer]) await waitForState(t, tenant.apiKey, id, ["RAN_SUCCESS"]);

    const res = await t.gql(tenant.apiKey, CompareDocument, { ids: [baseline, same, longer] });
    expect(res.errors).toBeUndefined();
    const cmp = res.data!.compareScenarios;
    expect(cmp.baseline.id).toBe(baseline);
    expect(cmp.scenarios.map((s) => s.scenario.id)).toEqual([baseline, same, longer]);
    const identical = cmp.scenarios[1].metrics.find(
      (m) => m.objectId === "Order" && m.metric === "throughput",
    )!;
    expect(identical).toMatchObject({ difference: 0, pValue: 1, significant: false });
    const metric = cmp.scenarios[2].metrics.find((m) => m.objectId === "Order" && m.metric === "throughput")!;
    expect(metric.baseline?.mean).toBeCloseTo(identical.value.mean);
    expect(metric.difference).toBeCloseTo(metric.value.mean - metric.baseline!.mean);
    // Both sides have several replications, so there is a p-value, and it decides significance at 5%.
    expect(metric.pValue).not.toBeNull();
    expect(metric.pValue!).toBeGreaterThanOrEqual(0);
    expect(metric.pValue!).toBeLessThanOrEqual(1);
    expect(metric.significant).toBe(metric.pValue! < 0.05);

    expect(codes(await t.gql(tenant.apiKey, CompareDocument, { ids: [] }))).toEqual(["BAD_USER_INPUT"]);
    const fresh = (
      await t.gql(tenant.apiKey, CreateScenarioDocument, { input: { analysisId, name: "Never run" } })
    ).data!.createScenario.id;
    expect(
      codes(await t.gql(tenant.apiKey, CompareDocument, { ids: [baseline], baselineId: fresh })),
    ).toEqual(["BAD_USER_INPUT"]);
    expect(
      codes(await t.gql(tenant.apiKey, CompareDocument, { ids: ["00000000-0000-4000-8000-000000000000"] })),
    ).toEqual(["NOT_FOUND"]);
  });

  it("marks results stale after an input edit, until the next run", async () => {
    const { scenarioId } = await createScenario(t, tenant.apiKey, coffeeShop(), { reps: 2 });
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
    await waitForState(t, tenant.apiKey, scenarioId, ["RAN_SUCCESS"]);
    const edited = await t.gql(tenant.apiKey, UpdateScenarioDocument, { id: scenarioId, input: { reps: 3 } });
    expect(edited.data?.updateScenario).toMatchObject({ state: "READY_TO_RUN", resultsStale: true });
    await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
    const done = await waitForState(t, tenant.apiKey, scenarioId, ["RAN_SUCCESS"]);
    expect(done).toMatchObject({ resultsStale: false, totalReps: 3 });
    expect(done.runs.map((r) => r.reps)).toEqual([2, 3]);
  });
});
