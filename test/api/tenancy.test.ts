import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CreateAnalysisDocument,
  CreateModelDocument,
  CreateScenarioDocument,
  DeleteAnalysisDocument,
  DeleteModelDocument,
  DeleteScenarioDocument,
  DuplicateScenarioDocument,
  GetAnalysisDocument,
  GetModelDocument,
  GetScenarioDocument,
  ListAnalysesDocument,
  ListModelsDocument,
  ListScenariosDocument,
  RestoreScenarioDocument,
  UpdateAnalysisDocument,
  UpdateModelDocument,
  UpdateScenarioDocument,
} from "../generated/graphql.js";
import { backends } from "../helpers/backends.js";
import { codes, startTestServer, type TestServer, type TestTenant } from "../helpers/server.js";
import { coffeeShop } from "../fixtures/models.js";

describe.each(backends())("tenant isolation on $name", (backend) => {
  let t: TestServer;
  let owner: TestTenant;
  const ids = { model: "", analysis: "", scenario: "" };
  // A fresh intruder per test: one test gives it data of its own, and no other may see that.
  let intruder: TestTenant;
  beforeEach(async () => {
    intruder = await t.tenant();
  });

  beforeAll(async () => {
    t = await startTestServer(backend);
    owner = await t.tenant("Owner");
    ids.model = (
      await t.gql(owner.apiKey, CreateModelDocument, { input: { name: "Secret", definition: coffeeShop() } })
    ).data!.createModel.id;
    ids.analysis = (
      await t.gql(owner.apiKey, CreateAnalysisDocument, {
        input: { modelId: ids.model, name: "Secret study" },
      })
    ).data!.createAnalysis.id;
    ids.scenario = (
      await t.gql(owner.apiKey, CreateScenarioDocument, {
        input: { analysisId: ids.analysis, name: "Secret scenario" },
      })
    ).data!.createScenario.id;
  });
  afterAll(() => t.dispose());

  it("lists none of another tenant's data", async () => {
    expect((await t.gql(intruder.apiKey, ListModelsDocument, {})).data?.models.totalCount).toBe(0);
    expect((await t.gql(intruder.apiKey, ListAnalysesDocument, {})).data?.analyses.totalCount).toBe(0);
    expect(
      (await t.gql(intruder.apiKey, ListScenariosDocument, { filter: { includeDeleted: true } })).data
        ?.scenarios.totalCount,
    ).toBe(0);
    expect(
      (await t.gql(intruder.apiKey, ListAnalysesDocument, { modelId: ids.model })).data?.analyses.totalCount,
    ).toBe(0);
    expect(
      (await t.gql(intruder.apiKey, ListScenariosDocument, { filter: { analysisId: ids.analysis } })).data
        ?.scenarios.totalCount,
    ).toBe(0);
  });

  it("answers null for another tenant's ids, exactly as for missing ones", async () => {
    expect((await t.gql(intruder.apiKey, GetModelDocument, { id: ids.model })).data).toEqual({ model: null });
    expect((await t.gql(intruder.apiKey, GetAnalysisDocument, { id: ids.analysis })).data).toEqual({
      analysis: null,
    });
    expect((await t.gql(intruder.apiKey, GetScenarioDocument, { id: ids.scenario })).data).toEqual({
      scenario: null,
    });
  });

  it("answers NOT_FOUND to every mutation on another tenant's ids and changes nothing", async () => {
    const attempts = [
      t.gql(intruder.apiKey, UpdateModelDocument, { id: ids.model, input: { name: "pwned" } }),
      t.gql(intruder.apiKey, DeleteModelDocument, { id: ids.model }),
      t.gql(intruder.apiKey, CreateAnalysisDocument, { input: { modelId: ids.model, name: "x" } }),
      t.gql(intruder.apiKey, UpdateAnalysisDocument, { id: ids.analysis, input: { name: "pwned" } }),
      t.gql(intruder.apiKey, DeleteAnalysisDocument, { id: ids.analysis }),
      t.gql(intruder.apiKey, CreateScenarioDocument, { input: { analysisId: ids.analysis, name: "x" } }),
      t.gql(intruder.apiKey, UpdateScenarioDocument, { id: ids.scenario, input: { name: "pwned" } }),
      t.gql(intruder.apiKey, DeleteScenarioDocument, { id: ids.scenario }),
      t.gql(intruder.apiKey, RestoreScenarioDocument, { id: ids.scenario }),
      t.gql(intruder.apiKey, DuplicateScenarioDocument, { id: ids.scenario }),
    ];
    for (const res of await Promise.all(attempts)) expect(codes(res)).toEqual(["NOT_FOUND"]);
    const scenario = (await t.gql(owner.apiKey, GetScenarioDocument, { id: ids.scenario })).data?.scenario;
    expect(scenario).toMatchObject({ name: "Secret scenario", isDeleted: false });
    expect((await t.gql(owner.apiKey, GetModelDocument, { id: ids.model })).data?.model?.name).toBe("Secret");
    expect(await t.db.database.prisma.scenario.count({ where: { tenantId: owner.tenantId } })).toBe(1);
  });

  it("lets a second tenant reuse the same names", async () => {
    const model = (
      await t.gql(intruder.apiKey, CreateModelDocument, {
        input: { name: "Secret", definition: coffeeShop() },
      })
    ).data!.createModel;
    const res = await t.gql(intruder.apiKey, CreateAnalysisDocument, {
      input: { modelId: model.id, name: "Secret study" },
    });
    expect(res.errors).toBeUndefined();
  });
});
