import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateAnalysisDocument,
  CreateModelDocument,
  CreateScenarioDocument,
  DeleteAnalysisDocument,
  DeleteScenarioDocument,
  DuplicateScenarioDocument,
  GetAnalysisDocument,
  GetScenarioDocument,
  ListAnalysesDocument,
  ListScenariosDocument,
  RestoreScenarioDocument,
  UpdateAnalysisDocument,
  UpdateScenarioDocument,
} from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { codes, startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";
import { coffeeShop } from "../fixtures/models.js";

describe.each(backends())("analyses and scenarios on $name", (backend) => {
  let t: TestServer;
  let tenant: TestTenant;
  let modelId: string;
  let analysisId: string;
  const key = () => tenant.apiKey;
  const scenarioCount = () => t.db.database.prisma.scenario.count({ where: { tenantId: tenant.tenantId } });
  const newScenario = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await t.gql(key(), CreateScenarioDocument, { input: { analysisId, name, ...extra } });
    expect(res.errors).toBeUndefined();
    return res.data!.createScenario;
  };

  beforeAll(async () => {
    t = await startTestServer(backend);
    tenant = await t.tenant();
    modelId = (
      await t.gql(key(), CreateModelDocument, { input: { name: "Coffee", definition: coffeeShop() } })
    ).data!.createModel.id;
    analysisId = (await t.gql(key(), CreateAnalysisDocument, { input: { modelId, name: "Study" } })).data!
      .createAnalysis.id;
  });
  afterAll(() => t.dispose());

  describe("analyses", () => {
    it("default to the model's replications and a DAILY period", async () => {
      const res = await t.gql(key(), CreateAnalysisDocument, { input: { modelId, name: "Defaults" } });
      expect(res.data?.createAnalysis).toMatchObject({
        defaultReps: 5,
        defaultTimePeriod: "DAILY",
        model: { id: modelId },
      });
    });

    it("take explicit defaults and can be updated", async () => {
      const created = (
        await t.gql(key(), CreateAnalysisDocument, {
          input: { modelId, name: "Explicit", defaultReps: 12, defaultTimePeriod: "HOURLY" },
        })
      ).data!.createAnalysis;
      expect(created).toMatchObject({ defaultReps: 12, defaultTimePeriod: "HOURLY" });
      const updated = await t.gql(key(), UpdateAnalysisDocument, {
        id: created.id,
        input: { defaultReps: 3, name: "Explicit 2" },
      });
      expect(updated.data?.updateAnalysis).toMatchObject({
        name: "Explicit 2",
        defaultReps: 3,
        defaultTimePeriod: "HOURLY",
      });
    });

    it("refuse a duplicate name within a model with CONFLICT", async () => {
      const first = await t.gql(key(), CreateAnalysisDocument, { input: { modelId, name: "Twin study" } });
      expect(first.errors).toBeUndefined();
      const res = await t.gql(key(), CreateAnalysisDocument, { input: { modelId, name: "Twin study" } });
      expect(codes(res)).toEqual(["CONFLICT"]);
    });

    it("refuse an unknown model with NOT_FOUND", async () => {
      const res = await t.gql(key(), CreateAnalysisDocument, {
        input: { modelId: "00000000-0000-4000-8000-000000000000", name: "X" },
      });
      expect(codes(res)).toEqual(["NOT_FOUND"]);
    });

    it("list by model and name", async () => {
      // A model of its own: other tests add analyses to the shared one.
      const own = (
        await t.gql(key(), CreateModelDocument, { input: { name: "Listed", definition: coffeeShop() } })
      ).data!.createModel.id;
      for (const name of ["Case study", "Baseline"])
        await t.gql(key(), CreateAnalysisDocument, { input: { modelId: own, name } });
      const res = await t.gql(key(), ListAnalysesDocument, { modelId: own, nameContains: "stud" });
      expect(res.data?.analyses.edges.map((e) => e.node.name)).toEqual(["Case study"]);
      const all = await t.gql(key(), ListAnalysesDocument, { modelId: own });
      expect(all.data?.analyses.edges.map((e) => e.node.name).sort()).toEqual(["Baseline", "Case study"]);
    });
  });

  describe("scenarios", () => {
    it("inherit reps and time period from the analysis and start NOT_READY_TO_RUN", async () => {
      const s = await newScenario("Inherit");
      expect(s).toMatchObject({
        reps: 5,
        timePeriod: "DAILY",
        state: "NOT_READY_TO_RUN",
        resultsStale: false,
        isDeleted: false,
      });
    });

    it("take explicit reps and time period", async () => {
      expect(await newScenario("Explicit", { reps: 30, timePeriod: "MONTHLY" })).toMatchObject({
        reps: 30,
        timePeriod: "MONTHLY",
      });
    });

    it.each([
      ["reps 0", { reps: 0 }, "input.reps"],
      ["negative reps", { reps: -3 }, "input.reps"],
      ["reps 10 001", { reps: 10_001 }, "input.reps"],
      ["an empty name", { name: "" }, "input.name"],
      ["a 10 000-character name", { name: "n".repeat(10_000) }, "input.name"],
    ])("refuse %s with details, writing nothing", async (_label, patch, path) => {
      const before = await scenarioCount();
      const res = await t.gql(key(), CreateScenarioDocument, {
        input: { analysisId, name: "Bad", ...patch },
      });
      expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
      expect(res.errors![0].extensions!.details!.map((d) => d.path)).toContain(path);
      expect(await scenarioCount()).toBe(before);
    });

    it.each([
      [
        "non-integer reps",
        `mutation { createScenario(input: { analysisId: "AID", name: "x", reps: 1.5 }) { id } }`,
      ],
      [
        "an unknown time period",
        `mutation { createScenario(input: { analysisId: "AID", name: "x", timePeriod: WEEKLY }) { id } }`,
      ],
    ])("refuse %s with BAD_USER_INPUT", async (_label, query) => {
      const before = await scenarioCount();
      expect(codes(await t.gql(key(), query.replace("AID", analysisId)))).toEqual(["BAD_USER_INPUT"]);
      expect(await scenarioCount()).toBe(before);
    });

    it("refuse a duplicate name in the analysis with CONFLICT", async () => {
      await newScenario("Twin");
      const before = await scenarioCount();
      expect(
        codes(await t.gql(key(), CreateScenarioDocument, { input: { analysisId, name: "Twin" } })),
      ).toEqual(["CONFLICT"]);
      expect(await scenarioCount()).toBe(before);
    });

    it("refuse an unknown analysis with NOT_FOUND", async () => {
      const res = await t.gql(key(), CreateScenarioDocument, {
        input: { analysisId: "00000000-0000-4000-8000-000000000000", name: "x" },
      });
      expect(codes(res)).toEqual(["NOT_FOUND"]);
    });

    it("update name, reps and time period", async () => {
      const s = await newScenario("Editable");
      const res = await t.gql(key(), UpdateScenarioDocument, {
        id: s.id,
        input: { name: "Edited", reps: 9, timePeriod: "HOURLY" },
      });
      expect(res.data?.updateScenario).toMatchObject({ name: "Edited", reps: 9, timePeriod: "HOURLY" });
    });

    it("refuse a rename onto a taken name", async () => {
      await newScenario("Taken");
      const s = await newScenario("Rename me");
      expect(
        codes(await t.gql(key(), UpdateScenarioDocument, { id: s.id, input: { name: "Taken" } })),
      ).toEqual(["CONFLICT"]);
      expect((await t.gql(key(), GetScenarioDocument, { id: s.id })).data?.scenario?.name).toBe("Rename me");
    });

    it("soft-delete, free the name, and restore", async () => {
      const s = await newScenario("Phoenix");
      expect((await t.gql(key(), DeleteScenarioDocument, { id: s.id })).data?.deleteScenario).toBe(true);
      expect((await t.gql(key(), GetScenarioDocument, { id: s.id })).data?.scenario?.isDeleted).toBe(true);
      const listed = await t.gql(key(), ListScenariosDocument, {
        filter: { analysisId, nameContains: "phoenix" },
      });
      expect(listed.data?.scenarios.totalCount).toBe(0);
      const withDeleted = await t.gql(key(), ListScenariosDocument, {
        filter: { analysisId, nameContains: "phoenix", includeDeleted: true },
      });
      expect(withDeleted.data?.scenarios.totalCount).toBe(1);
      const restored = await t.gql(key(), RestoreScenarioDocument, { id: s.id });
      expect(restored.data?.restoreScenario).toMatchObject({ isDeleted: false, name: "Phoenix" });
    });

    it("refuse to restore when the name was taken meanwhile", async () => {
      const s = await newScenario("Taken later");
      await t.gql(key(), DeleteScenarioDocument, { id: s.id });
      await newScenario("Taken later");
      expect(codes(await t.gql(key(), RestoreScenarioDocument, { id: s.id }))).toEqual(["CONFLICT"]);
    });

    it("duplicate as '<name> - Copy', then numbered", async () => {
      const s = await newScenario("Original", { reps: 7 });
      const a = await t.gql(key(), DuplicateScenarioDocument, { id: s.id });
      const b = await t.gql(key(), DuplicateScenarioDocument, { id: s.id });
      expect(a.data?.duplicateScenario).toMatchObject({
        name: "Original - Copy",
        reps: 7,
        state: "NOT_READY_TO_RUN",
      });
      expect(b.data?.duplicateScenario.name).toBe("Original - Copy 2");
      const named = await t.gql(key(), DuplicateScenarioDocument, { id: s.id, name: "Named copy" });
      expect(named.data?.duplicateScenario.name).toBe("Named copy");
      expect(codes(await t.gql(key(), DuplicateScenarioDocument, { id: s.id, name: "Named copy" }))).toEqual([
        "CONFLICT",
      ]);
    });

    it("filter by state, name and creation time", async () => {
      // An analysis of its own, with one scenario made before `since` that the filter must leave out.
      const own = (await t.gql(key(), CreateAnalysisDocument, { input: { modelId, name: "Filtered" } })).data!
        .createAnalysis.id;
      const create = (name: string) =>
        t.gql(key(), CreateScenarioDocument, { input: { analysisId: own, name } });
      await create("Earlier");
      await new Promise((r) => setTimeout(r, 10));
      const since = new Date().toISOString();
      await create("Filter me");
      await create("Filter me too");
      const res = await t.gql(key(), ListScenariosDocument, {
        filter: { analysisId: own, states: ["NOT_READY_TO_RUN"], createdAfter: since },
      });
      expect(res.data?.scenarios.edges.map((e) => e.node.name).sort()).toEqual([
        "Filter me",
        "Filter me too",
      ]);
      const byName = await t.gql(key(), ListScenariosDocument, {
        filter: { analysisId: own, nameContains: "too" },
      });
      expect(byName.data?.scenarios.edges.map((e) => e.node.name)).toEqual(["Filter me too"]);
      const none = await t.gql(key(), ListScenariosDocument, {
        filter: { analysisId: own, states: ["IS_RUNNING"] },
      });
      expect(none.data?.scenarios.totalCount).toBe(0);
    });

    it("effectiveModel shows the base definition with the scenario's reps", async () => {
      const s = await newScenario("Effective", { reps: 4 });
      const res = await t.gql(key(), GetScenarioDocument, { id: s.id });
      expect(res.data?.scenario?.effectiveModel).toMatchObject({ name: "Coffee Shop", replications: 4 });
    });
  });

  it("deleting an analysis removes its scenarios from view", async () => {
    const a = (await t.gql(key(), CreateAnalysisDocument, { input: { modelId, name: "Doomed" } })).data!
      .createAnalysis;
    const s = (await t.gql(key(), CreateScenarioDocument, { input: { analysisId: a.id, name: "Inside" } }))
      .data!.createScenario;
    expect((await t.gql(key(), DeleteAnalysisDocument, { id: a.id })).data?.deleteAnalysis).toBe(true);
    expect((await t.gql(key(), GetAnalysisDocument, { id: a.id })).data?.analysis).toBeNull();
    expect(codes(await t.gql(key(), RestoreScenarioDocument, { id: s.id }))).toEqual(["INVALID_STATE"]);
  });
});
