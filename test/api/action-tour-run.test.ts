import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OverrideItemDocument, RunScenarioDocument } from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { createScenario, isTerminal, record, waitForState } from "../helpers/scenarios.js";
import { startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";

/** Quodsi's action tour: every action type, split/create/join/dispose included. */
const tour = (): Record<string, unknown> =>
  JSON.parse(
    readFileSync(
      new URL("../fixtures/quodsi-examples/agent-models/02-action-tour/model.json", import.meta.url),
      "utf8",
    ),
  ) as Record<string, unknown>;

const COUNTS = `query TourCounts($id: ID!) {
  scenarioRun(id: $id) {
    results {
      reps
      entities {
        entityId
        createdCount { values }
        completedCount { values }
        splitCount { values }
        joinedCount { values }
        createdByActionCount { values }
        disposedCount { values }
      }
    }
  }
}`;
type Counts = Record<
  "createdCount" | "completedCount" | "splitCount" | "joinedCount" | "createdByActionCount" | "disposedCount",
  { values: number[] }
> & { entityId: string };

/** The mean at exit of an entity state, from a run's stored results.json. */
async function stateAtExit(folder: string, entityId: string, name: string): Promise<number> {
  const summary = JSON.parse(await readFile(path.join(folder, "results.json"), "utf8")) as {
    states: {
      entities: Array<{ entityId: string; states: Array<{ name: string; atExit: { mean: number } }> }>;
    };
  };
  const states = summary.states.entities.find((e) => e.entityId === entityId)!.states;
  return states.find((s) => s.name === name)!.atExit.mean;
}

describe.each(backends())("the action tour end to end on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  const key = () => tenant.apiKey;
  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant();
  });
  afterEach(() => t.cancelActiveRuns());
  afterAll(() => t.dispose());

  /** Runs the scenario while watching its progress; returns the succeeded run. */
  async function runWatched(scenarioId: string) {
    const progress = record(t.ws(key()), { scenarioId });
    await progress.until(() => true);
    const ran = await t.gql(key(), RunScenarioDocument, { id: scenarioId });
    expect(ran.errors).toBeUndefined();
    const last = await progress.until(isTerminal);
    progress.stop();
    expect(progress.errors).toEqual([]);
    expect(last).toMatchObject({ state: "RAN_SUCCESS", progressPercentage: 100 });
    const live = progress.events.filter((e) => e.runId);
    expect(live.length).toBeGreaterThan(1);
    const done = await waitForState(t, key(), scenarioId, ["RAN_SUCCESS"]);
    return { id: done.latestRun!.id, folder: done.latestRun!.blobStoragePath! };
  }

  it("runs to RAN_SUCCESS with progress, with Quodsi's counts, and a state override changes the results", async () => {
    const { scenarioId } = await createScenario(t, key(), tour(), { reps: 2, name: "Tour" });
    const base = await runWatched(scenarioId);

    const res = await t.gql<
      { scenarioRun: { results: { reps: number; entities: Counts[] } } },
      { id: string }
    >(key(), COUNTS, { id: base.id });
    expect(res.errors).toBeUndefined();
    const { reps, entities } = res.data!.scenarioRun.results;
    expect(reps).toBe(2);
    const [item, label] = ["item", "label"].map((id) => entities.find((e) => e.entityId === id)!);
    expect(item).toMatchObject({
      splitCount: { values: [8, 8] },
      joinedCount: { values: [4, 4] },
      completedCount: { values: [4, 4] },
      createdCount: { values: [16, 16] },
    });
    expect(label).toMatchObject({
      createdByActionCount: { values: [4, 4] },
      disposedCount: { values: [4, 4] },
      completedCount: { values: [4, 4] },
    });
    // Finishers: polished 3 times from 0, doubled by the script.
    expect(await stateAtExit(base.folder, "item", "polish_count")).toBe(6);

    // The same model, polish_count starting at 1: (1 + 3) * 2 = 8 at the finish.
    const other = await createScenario(t, key(), tour(), { reps: 2, name: "Pre-polished" });
    const override = await t.gql(key(), OverrideItemDocument, {
      scenarioId: other.scenarioId,
      input: {
        targetObjectType: "STATE",
        targetObjectId: "state-polish-count",
        propertyName: "initialValue",
        propertyValue: 1,
      },
    });
    expect(override.errors).toBeUndefined();
    const changed = await runWatched(other.scenarioId);
    expect(await stateAtExit(changed.folder, "item", "polish_count")).toBe(8);
  });
});
