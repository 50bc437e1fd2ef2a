import { afterEach, describe, expect, it } from "vitest";
import { ScenarioState, toDbState } from "../../src/lifecycle/index.js";
import { mm1 } from "../fixtures/models.js";
import { backends } from "../helpers/backends.js";
import { createScenario, record, waitForState } from "../helpers/scenarios.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { RunScenarioDocument } from "../generated/graphql.js";

/** An M/M/1 long enough to still be running when the test acts on it. */
const longRun = () =>
  mm1({ runTime: { unit: "minutes", value: 100_000_000 }, warmupTime: { unit: "minutes", value: 0 } });

describe.each(backends())("runs interrupted by a shutdown ($name)", (backend) => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it("are reported in the state their scenario is left in: QUEUED, or CANCELLING when a cancel got there first", async () => {
    // One tenant, two runs at once: its share of the runner is the whole of it.
    t = await startTestServer(backend, { concurrency: 2, runLimits: { perTenantConcurrency: 2 } });
    const tenant = await t.tenant();
    const client = t.ws(tenant.apiKey);
    const scenarios = [];
    for (let i = 0; i < 2; i++) {
      const { scenarioId } = await createScenario(t, tenant.apiKey, longRun(), { reps: 1 });
      const progress = record(client, { scenarioId });
      await t.gql(tenant.apiKey, RunScenarioDocument, { id: scenarioId });
      await progress.until((e) => e.state === "IS_RUNNING");
      scenarios.push({ scenarioId, progress });
    }
    const [cancelled, running] = scenarios;
    // A cancel that reached the scenario's row (e.g. through another instance) before this runner
    // heard of it: the shutdown aborts the run first.
    await t.db.database.prisma.scenario.update({
      where: { id: cancelled.scenarioId },
      data: { state: toDbState(ScenarioState.CANCELLING) },
    });
    await t.runner.stop(0);
    const interrupted = (e: { message?: string | null }) => /shutting down/.test(e.message ?? "");
    expect(await running.progress.until(interrupted)).toMatchObject({ state: "QUEUED" });
    expect(await cancelled.progress.until(interrupted)).toMatchObject({ state: "CANCELLING" });
    expect(cancelled.progress.events.filter(interrupted)).toHaveLength(1);
    // The events say what the rows say.
    await waitForState(t, tenant.apiKey, running.scenarioId, ["QUEUED"]);
    await waitForState(t, tenant.apiKey, cancelled.scenarioId, ["CANCELLING"]);
  });
});
